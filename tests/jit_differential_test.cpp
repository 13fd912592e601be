// The JIT equals the interpreter: random well-typed policies (generated as
// .kp source by tests/policy_gen.hpp and compiled by the real front end),
// random tenants and random requests; every decision of the JIT must equal
// the interpreter's. CI: 1,000 policies x 100 requests (RC_PARAMS
// max_success=N overrides the count; docs/performance.md has the soak).
// A failure shrinks and prints the policy as a .kp file and a scenario YAML
// that replays it (also written to the test's temp directory).
#include "compiler/codegen/jit.hpp"
#include "compiler/compile.hpp"
#include "engine/decider.hpp"
#include "policy_gen.hpp"
#include "random_args.hpp"
#include "runtime/data_loader.hpp"
#include "bench/desk_tenant_gen.hpp"

#include <cstdlib>
#include <fstream>
#include <gtest/gtest.h>
#include <rapidcheck.h>

using namespace keyplan;
using keyplan::testing_support::random_arg;

namespace {

constexpr int kRequests = 100;

std::string arg_text(const ir::Policy& p, const rt::Snapshot& snap, const ir::Value& v) {
  switch (v.tag) {
  case ir::Value::Tag::None:
    return "none";
  case ir::Value::Tag::Bool:
    return v.num ? "true" : "false";
  case ir::Value::Tag::Date:
    return ir::format_date(v.num);
  case ir::Value::Tag::Enum:
    return p.enums[static_cast<size_t>(v.ref)].members[static_cast<size_t>(v.num)];
  case ir::Value::Tag::Entity:
    return snap.id(v.ref, static_cast<int32_t>(v.num));
  default:
    return std::to_string(v.num);
  }
}

std::string indent(const std::string& text, const std::string& pad) {
  std::string out;
  size_t start = 0;
  while (start < text.size()) {
    size_t nl = text.find('\n', start);
    if (nl == std::string::npos) nl = text.size();
    out += pad + text.substr(start, nl - start) + "\n";
    start = nl + 1;
  }
  return out;
}

std::string repro(const testgen::GeneratedPolicy& g, const ir::Policy& p, const rt::Snapshot& snap,
                  int32_t rule, const std::vector<ir::Value>& args, int64_t today, bool interp,
                  bool jit) {
  const ir::Rule& r = p.rules[static_cast<size_t>(rule)];
  std::string yaml = "name: \"JIT differential counterexample\"\npolicy: jit_repro.kp\ntoday: " +
                     ir::format_date(today) + "\n";
  if (!g.data.empty()) yaml += "data:\n" + indent(g.data, "  ");
  yaml += "cases:\n  - {action: " + r.name;
  for (size_t i = 0; i < args.size(); ++i)
    yaml += ", " + r.params[i].name + ": " + arg_text(p, snap, args[i]);
  yaml += std::string(", expect: ") + (interp ? "allow" : "deny") +
          ", note: \"the interpreter; the JIT said " + (jit ? "allow" : "deny") + "\"}\n";
  std::string dir = ::testing::TempDir();
  std::ofstream(dir + "jit_repro.kp") << g.source;
  std::ofstream(dir + "jit_repro.yaml") << yaml;
  return "---- jit_repro.kp (also in " + dir + ")\n" + g.source + "---- jit_repro.yaml\n" + yaml +
         "---- replay: keyplan simulate " + dir +
         "jit_repro.yaml (with --engine jit and --engine interp)\n";
}

void check_one_policy() {
  // KEYPLAN_DIFF_SKIP=within leaves `within` out (to look past a bug in one construct).
  testgen::GenOptions go;
  const char* skip = std::getenv("KEYPLAN_DIFF_SKIP");
  go.within = !skip || std::string(skip).find("within") == std::string::npos;
  testgen::GeneratedPolicy g =
      testgen::generate_policy([](int lo, int hi) { return *rc::gen::inRange(lo, hi + 1); }, go);
  CompileResult res = compile_source("jit_repro.kp", g.source);
  if (!res.policy)
    RC_FAIL("the generated policy does not compile:\n" + g.source + "\n" +
            res.diags.render_text(*res.sources));
  const ir::Policy& p = *res.policy;
  rt::Snapshot snap(p);
  Diagnostics diags;
  if (!g.data.empty() && !rt::load_data(snap, g.data, "data.yaml", diags, *res.sources))
    RC_FAIL("the generated data does not load:\n" + g.source + "---- data\n" + g.data +
            diags.render_text(*res.sources));
  std::string err;
  auto cp = jit::CompiledPolicy::compile(p, &err);
  if (!cp) RC_FAIL("the JIT fails: " + err + "\n" + g.source);
  engine::Decider interp(p, snap, engine::Kind::Interp, nullptr);
  engine::Decider jit(p, snap, engine::Kind::Jit, cp.get());
  std::vector<int32_t> actions = p.actions();
  RC_ASSERT(!actions.empty());
  int64_t today = 0;
  ir::parse_date("2026-11-23", today);
  today += *rc::gen::inRange(-3, 4);
  sim::SplitMix rng(*rc::gen::arbitrary<uint64_t>());
  for (int i = 0; i < kRequests; ++i) {
    int32_t rule = actions[rng.below(actions.size())];
    const ir::Rule& r = p.rules[static_cast<size_t>(rule)];
    std::vector<ir::Value> args;
    for (const auto& prm : r.params) args.push_back(random_arg(p, snap, prm.type, rng, today));
    rt::Decision a = interp.decide(rule, args, today, false);
    rt::Decision b = jit.decide(rule, args, today, false);
    if (!a.error.empty()) RC_FAIL("the interpreter fails: " + a.error + "\n" + g.source);
    if (a.allowed != b.allowed)
      RC_FAIL("the JIT and the interpreter disagree\n" +
              repro(g, p, snap, rule, args, today, a.allowed, b.allowed));
  }
  RC_TAG(cp->compiled(actions[0]) ? "native" : "interpreted");
}

} // namespace

TEST(JitDifferential, RandomPoliciesAgree) {
  rc::detail::TestParams params = rc::detail::configuration().testParams;
  const char* env = std::getenv("RC_PARAMS");
  if (!env || std::string(env).find("max_success") == std::string::npos) params.maxSuccess = 1000;
  rc::detail::TestMetadata meta;
  meta.id = meta.description = "JitDifferential.RandomPoliciesAgree";
  auto result = rc::detail::checkTestable(&check_one_policy, meta, params);
  std::ostringstream os;
  rc::detail::printResultMessage(result, os);
  EXPECT_TRUE(result.template is<rc::detail::SuccessResult>()) << os.str();
  std::cerr << os.str() << "\n";
}

// The generator itself: its policies compile (sampled without RapidCheck).
TEST(JitDifferential, GeneratedPoliciesCompile) {
  for (uint64_t seed = 1; seed <= 200; ++seed) {
    sim::SplitMix rng(seed);
    auto g = testgen::generate_policy([&](int lo, int hi) {
      return lo + static_cast<int>(rng.below(static_cast<uint64_t>(hi - lo + 1)));
    });
    CompileResult res = compile_source("gen.kp", g.source);
    ASSERT_TRUE(res.policy) << g.source << "\n" << res.diags.render_text(*res.sources);
  }
}
