// engine::Engine (engine/engine.hpp), the one home of deciding: decide one,
// decide a batch, decide a column and a matrix, explain, all equal to the
// reference interpreter, for the JIT kind and the interpreter kind, on the
// seed 002 example (F-A1..F-A9) and on random generated policies and
// tenants (tests/policy_gen.hpp, as the column engine's differential test).
// And the front doors (simulator/, cli/, api/) decide only through it.
#include "bench/desk_tenant_gen.hpp"
#include "compiler/codegen/jit.hpp"
#include "compiler/compile.hpp"
#include "engine/engine.hpp"
#include "policy_gen.hpp"
#include "random_args.hpp"
#include "runtime/bitset.hpp"
#include "runtime/data_loader.hpp"
#include "runtime/interpreter.hpp"
#include "test_support.hpp"

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <gtest/gtest.h>
#include <rapidcheck.h>
#include <regex>
#include <sstream>

using namespace keyplan;
using keyplan::testing_support::random_arg;

namespace {

namespace fs = std::filesystem;

int64_t day(const char* text) {
  int64_t d = 0;
  ir::parse_date(text, d);
  return d;
}

bool entity_param(const ir::Policy& p, const ir::Param& prm) {
  return p.types.kind(p.types.strip_optional(prm.type)) == ir::TypeKind::Entity;
}

int32_t entity_type(const ir::Policy& p, const ir::Param& prm) {
  return p.types[p.types.strip_optional(prm.type)].ref;
}

bool reference_allows(const ir::Policy& p, const rt::Snapshot& snap, int32_t rule,
                      const std::vector<ir::Value>& args, int64_t today) {
  rt::Interpreter in(p, snap);
  rt::EvalOptions eo;
  eo.today = today;
  rt::Decision d =
      in.evaluate(rule, rt::to_rt_args(snap, p.rules[static_cast<size_t>(rule)], args), eo);
  return d.allowed && d.error.empty();
}

bool allows(const rt::Decision& d) {
  return d.allowed && d.error.empty();
}

// Checks every way of deciding `p`'s actions through `eng` against the
// interpreter; returns the first difference ("" when none).
std::string compare_with_interpreter(engine::Engine& eng, const ir::Policy& p,
                                     const rt::Snapshot& snap, int64_t today, uint64_t seed,
                                     int requests_per_action) {
  sim::SplitMix rng(seed);
  std::vector<engine::Request> batch;
  std::vector<bool> want;
  for (int32_t rule : p.actions()) {
    const ir::Rule& r = p.rules[static_cast<size_t>(rule)];
    bool empty_type = false;
    for (const auto& prm : r.params)
      if (entity_param(p, prm) && snap.count(entity_type(p, prm)) == 0) empty_type = true;
    if (empty_type) continue;
    for (int k = 0; k < requests_per_action; ++k) {
      engine::Request q{rule, {}, today};
      for (const auto& prm : r.params) q.args.push_back(random_arg(p, snap, prm.type, rng, today));
      bool ref = reference_allows(p, snap, rule, q.args, today);
      // One, and explained (the explanation is the interpreter's).
      if (allows(eng.decide(rule, q.args, today)) != ref) return "decide: " + r.signature;
      rt::Decision ex = eng.explain(rule, q.args, today);
      if (allows(ex) != ref) return "explain: " + r.signature;
      if (ex.error.empty() && !ex.explanation) return "explain without explanation: " + r.signature;
      if (allows(eng.reference(rule, q.args, today)) != ref) return "reference: " + r.signature;
      batch.push_back(q);
      want.push_back(ref);
    }
    // Every column over each entity parameter, at the batch's last arguments.
    for (size_t open = 0; open < r.params.size() && !batch.empty(); ++open) {
      if (!entity_param(p, r.params[open]) || batch.back().rule != rule) continue;
      engine::ColumnQuery cq;
      cq.rule = rule;
      cq.open = static_cast<int32_t>(open);
      cq.args = batch.back().args;
      cq.today = today;
      int32_t type = entity_type(p, r.params[open]);
      std::vector<uint64_t> col = eng.decide_column(cq);
      col.resize(rt::bits::words_for(static_cast<size_t>(snap.count(type))), 0);
      std::vector<ir::Value> args = cq.args;
      for (int64_t row = 0; row < snap.count(type); ++row) {
        args[open] = ir::Value::entity(type, row);
        if (rt::bits::test(col.data(), static_cast<size_t>(row)) !=
            reference_allows(p, snap, rule, args, today))
          return fmt::format("column {} over {}, row {}", r.signature, r.params[open].name, row);
      }
    }
    // The matrix over the first two plain entity parameters.
    std::vector<int32_t> ent;
    for (size_t i = 0; i < r.params.size(); ++i)
      if (p.types.kind(r.params[i].type) == ir::TypeKind::Entity)
        ent.push_back(static_cast<int32_t>(i));
    if (ent.size() >= 2 && !batch.empty() && batch.back().rule == rule) {
      engine::MatrixQuery mq;
      mq.rule = rule;
      mq.row_param = ent[0];
      mq.col_param = ent[1];
      mq.args = batch.back().args;
      mq.today = today;
      engine::MatrixBits m = eng.decide_matrix(mq);
      std::vector<ir::Value> args = mq.args;
      for (size_t row = 0; row < m.rows; ++row)
        for (size_t c = 0; c < m.cols; ++c) {
          args[static_cast<size_t>(ent[0])] =
              ir::Value::entity(m.row_type, static_cast<int64_t>(row));
          args[static_cast<size_t>(ent[1])] =
              ir::Value::entity(m.col_type, static_cast<int64_t>(c));
          bool bit = (m.bits[row * m.stride + c / 64] >> (c % 64)) & 1u;
          if (bit != reference_allows(p, snap, rule, args, today))
            return fmt::format("matrix {} cell {},{}", r.signature, row, c);
        }
    }
  }
  std::vector<rt::Decision> got = eng.decide_batch(batch);
  if (got.size() != batch.size()) return "batch size";
  for (size_t i = 0; i < got.size(); ++i)
    if (allows(got[i]) != want[i])
      return "batch: " + p.rules[static_cast<size_t>(batch[i].rule)].signature;
  return "";
}

} // namespace

// Seed 002 (F-A1..F-A9): every action of the example, both engine kinds.
TEST(EngineInterface, Seed002OneBatchColumnMatrixExplainAgreeWithInterpreter) {
  CompileResult res = compile_policy(std::string(KEYPLAN_TEST_DATA) +
                                     "/../../policies/examples/seed002/example_building.kp");
  ASSERT_TRUE(res.policy) << res.diags.render_text(*res.sources);
  const ir::Policy& p = *res.policy;
  rt::Snapshot snap(p);
  std::string err;
  auto cp = jit::CompiledPolicy::compile(p, &err);
  ASSERT_TRUE(cp) << err;
  for (int64_t today : {day("2026-11-23"), day("2026-11-25")}) {
    engine::Engine jit(p, snap, engine::Kind::Jit, cp.get());
    engine::Engine interp(p, snap, engine::Kind::Interp, nullptr);
    EXPECT_EQ(compare_with_interpreter(jit, p, snap, today, 1, 8), "");
    EXPECT_EQ(compare_with_interpreter(interp, p, snap, today, 2, 8), "");
  }
  // The worked example itself: Müller may book TABLE_1, not TABLE_2 (F-A3).
  engine::Engine eng(p, snap, engine::Kind::Jit, cp.get());
  int32_t book = p.find_rules("book").front();
  auto id = [&](const char* type, const char* name) {
    int32_t t = p.find_entity(type);
    return ir::Value::entity(t, snap.table(t).find(name));
  };
  std::vector<engine::Request> batch = {
      {book,
       {id("User", "mueller"), id("Object", "TABLE_1"), ir::Value::date(day("2026-11-23"))},
       day("2026-11-23")},
      {book,
       {id("User", "mueller"), id("Object", "TABLE_2"), ir::Value::date(day("2026-11-23"))},
       day("2026-11-23")}};
  std::vector<rt::Decision> d = eng.decide_batch(batch);
  ASSERT_EQ(d.size(), 2u);
  EXPECT_TRUE(allows(d[0]));
  EXPECT_FALSE(allows(d[1]));
  EXPECT_TRUE(eng.explain(book, batch[1].args, batch[1].today).explanation);
}

// Random policies and tenants (the column engine's generator): JIT kind
// (when the JIT compiles the policy) and interpreter kind.
TEST(EngineInterface, RandomPoliciesOneBatchColumnMatrixExplainAgreeWithInterpreter) {
  testing_support::check_bounded(
      [] {
        testgen::GenOptions go;
        go.prefer_attrs = true;
        go.max_rows = 8;
        testgen::GeneratedPolicy g = testgen::generate_policy(
            [](int lo, int hi) { return *rc::gen::inRange(lo, hi + 1); }, go);
        CompileResult res = compile_source("engine_repro.kp", g.source);
        if (!res.policy) RC_FAIL("the generated policy does not compile:\n" + g.source);
        const ir::Policy& p = *res.policy;
        rt::Snapshot snap(p);
        Diagnostics diags;
        if (!g.data.empty() && !rt::load_data(snap, g.data, "data.yaml", diags, *res.sources))
          RC_FAIL("the generated data does not load:\n" + g.source + "---- data\n" + g.data);
        std::string err;
        auto cp = jit::CompiledPolicy::compile(p, &err);
        int64_t today = day("2026-11-23") + *rc::gen::inRange(-3, 4);
        uint64_t seed = *rc::gen::arbitrary<uint64_t>();
        for (engine::Kind kind : {engine::Kind::Jit, engine::Kind::Interp}) {
          engine::Engine eng(p, snap, kind, cp.get());
          eng.set_crosscheck(0);
          std::string diff = compare_with_interpreter(eng, p, snap, today, seed, 4);
          if (!diff.empty())
            RC_FAIL(fmt::format("{} ({})\n---- policy\n{}---- data\n{}", diff,
                                kind == engine::Kind::Jit ? "jit" : "interp", g.source, g.data));
        }
      },
      300, 100);
}

// A batch large enough to be split over two threads gives, in order, the
// decisions made one by one.
TEST(EngineInterface, LargeBatchOverTwoThreadsEqualsOneByOne) {
  CompileResult res = compile_policy("std.desk_booking");
  ASSERT_TRUE(res.policy);
  const ir::Policy& p = *res.policy;
  rt::Snapshot snap(p);
  sim::DeskTenantShape shape;
  shape.users = 200;
  shape.groups = 10;
  shape.buildings = 2;
  shape.floors = 2;
  shape.desks = 30;
  Diagnostics d;
  ASSERT_TRUE(rt::load_data(snap, sim::generate_desk_tenant(shape), "t.yaml", d, *res.sources));
  std::string err;
  auto cp = jit::CompiledPolicy::compile(p, &err);
  ASSERT_TRUE(cp) << err;
  engine::Engine eng(p, snap, engine::Kind::Jit, cp.get());
  const int32_t book = p.find_rules("book").front();
  const int32_t user = p.find_entity("User"), object = p.find_entity("Object");
  const int64_t today = day("2026-11-23");
  std::vector<engine::Request> batch;
  for (int64_t u = 0; u < snap.count(user); ++u)
    for (int64_t o = 0; o < snap.count(object); ++o)
      batch.push_back(
          {book,
           {ir::Value::entity(user, u), ir::Value::entity(object, o), ir::Value::date(today)},
           today});
  ASSERT_GT(batch.size(), 20000u); // over the two-thread threshold
  bool disagree = true;
  std::vector<rt::Decision> got = eng.decide_batch(batch, &disagree);
  EXPECT_FALSE(disagree);
  ASSERT_EQ(got.size(), batch.size());
  size_t allowed = 0;
  for (size_t i = 0; i < batch.size(); ++i) {
    ASSERT_EQ(allows(got[i]), allows(eng.reference(book, batch[i].args, today))) << i;
    allowed += allows(got[i]);
  }
  EXPECT_GT(allowed, 0u);
  EXPECT_LT(allowed, batch.size());
}

// A wrong JIT (the testing aid KEYPLAN_TESTING_FLIP_JIT) is seen by a
// batch that asks for the interpreter's second opinion.
TEST(EngineInterface, BatchReportsJitDisagreement) {
  CompileResult res = compile_policy(std::string(KEYPLAN_TEST_DATA) +
                                     "/../../policies/examples/seed002/example_building.kp");
  ASSERT_TRUE(res.policy);
  const ir::Policy& p = *res.policy;
  rt::Snapshot snap(p);
  std::string err;
  auto cp = jit::CompiledPolicy::compile(p, &err);
  ASSERT_TRUE(cp) << err;
  const int32_t book = p.find_rules("book").front();
  ASSERT_TRUE(cp->compiled(book));
  const int64_t today = day("2026-11-23");
  std::vector<engine::Request> batch = {
      {book,
       {ir::Value::entity(p.find_entity("User"), 0), ir::Value::entity(p.find_entity("Object"), 0),
        ir::Value::date(today)},
       today}};
  ::setenv("KEYPLAN_TESTING_FLIP_JIT", "1", 1);
  engine::Engine flipped(p, snap, engine::Kind::Jit, cp.get());
  ::unsetenv("KEYPLAN_TESTING_FLIP_JIT");
  bool disagree = false;
  std::vector<rt::Decision> d = flipped.decide_batch(batch, &disagree);
  EXPECT_TRUE(disagree);
  // The interpreter's decision, the reference, is returned.
  EXPECT_EQ(allows(d[0]), allows(flipped.reference(book, batch[0].args, today)));
}

// `--engine interp`: the interpreter kind never vectorises a column.
TEST(EngineInterface, InterpreterKindDecidesColumnsCellByCell) {
  CompileResult res = compile_policy("std.desk_booking");
  ASSERT_TRUE(res.policy);
  rt::Snapshot snap(*res.policy);
  const int32_t book = res.policy->find_rules("book").front();
  engine::Engine interp(*res.policy, snap, engine::Kind::Interp, nullptr);
  engine::ColumnPlan plan = interp.plan(book, 0);
  EXPECT_FALSE(plan.vectorised);
  EXPECT_NE(plan.how.find("interpreter"), std::string::npos) << plan.how;
  engine::Engine jit(*res.policy, snap, engine::Kind::Jit, nullptr);
  EXPECT_TRUE(jit.plan(book, 0).vectorised) << jit.plan(book, 0).how;
}

// The simulator, the CLI and the C ABI decide through engine::Engine only:
// none of them constructs a Decider or a ColumnDecider itself.
TEST(EngineInterface, FrontDoorsDecideOnlyThroughEngine) {
  fs::path root = fs::path(KEYPLAN_TEST_DATA).parent_path().parent_path();
  const std::regex direct(R"((engine::)?\b(Decider|ColumnDecider)\b\s*(\w+\s*\(|>|\())");
  std::vector<std::string> found;
  for (const char* dir : {"simulator", "cli", "api"})
    for (const auto& e : fs::directory_iterator(root / dir)) {
      std::ifstream in(e.path());
      std::string line;
      for (int n = 1; std::getline(in, line); ++n) {
        auto c = line.find("//");
        std::string code = c == std::string::npos ? line : line.substr(0, c);
        if (std::regex_search(code, direct))
          found.push_back(e.path().filename().string() + ":" + std::to_string(n) + ": " + line);
      }
    }
  EXPECT_TRUE(found.empty()) << ::testing::PrintToString(found);
  // And compiler/ only compiles: no data loading there.
  for (const auto& e : fs::recursive_directory_iterator(root / "compiler")) {
    if (!e.is_regular_file()) continue;
    std::ifstream in(e.path());
    std::stringstream ss;
    ss << in.rdbuf();
    EXPECT_EQ(ss.str().find("data_loader"), std::string::npos) << e.path();
  }
}

// Found by the property above: `??` writes its per-row entities into a
// scratch vector reused column after column; the gather over it once kept
// the first column's runs by address, so `x0_0 within x0_0` read t0_0's row
// (a wrong deny in the matrix, never in single decisions).
TEST(EngineInterface, CoalesceInAMatrixIsDecidedAfreshForEveryColumn) {
  const char* src = R"(entity T0 {
  f: bool = false
}
entity T1 {
  parent up: T0?
}
T0 t0_0
T1 t1_0
action a2(p0: T0, p1: int, p2: T1) =
  (p2.up ?? p0) within p0
)";
  CompileResult res = compile_source("coalesce_matrix.kp", src);
  ASSERT_TRUE(res.policy) << res.diags.render_text(*res.sources);
  const ir::Policy& p = *res.policy;
  rt::Snapshot snap(p);
  Diagnostics diags;
  ASSERT_TRUE(rt::load_data(snap, "T0:\n  - {id: x0_0}\n  - {id: x0_1}\n", "data.yaml", diags,
                            *res.sources));
  std::string err;
  auto cp = jit::CompiledPolicy::compile(p, &err);
  ASSERT_TRUE(cp) << err;
  engine::Engine jit(p, snap, engine::Kind::Jit, cp.get());
  for (uint64_t seed = 1; seed <= 8; ++seed)
    EXPECT_EQ(compare_with_interpreter(jit, p, snap, day("2026-11-23"), seed, 4), "");
}
