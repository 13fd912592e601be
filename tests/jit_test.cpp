// The JIT against the interpreter on the shipped policies and scenarios.
#include "compiler/codegen/jit.hpp"
#include "compiler/compile.hpp"
#include "runtime/data_loader.hpp"
#include "runtime/request.hpp"
#include "simulator/engine.hpp"

#include <gtest/gtest.h>

using namespace keyplan;

namespace {

struct Loaded {
  CompileResult res;
  std::unique_ptr<jit::CompiledPolicy> cp;
};

Loaded load(const std::string& path) {
  Loaded l{compile_policy(path), nullptr};
  EXPECT_TRUE(l.res.policy.has_value()) << l.res.diags.render_text(*l.res.sources);
  std::string err;
  if (l.res.policy) l.cp = jit::CompiledPolicy::compile(*l.res.policy, &err);
  EXPECT_TRUE(l.cp) << err;
  return l;
}

} // namespace

TEST(Jit, DeskBookingActionsAreCompiled) {
  auto l = load(std::string(KEYPLAN_SOURCE_DIR) + "/policies/examples/seed002/example_building.kp");
  ASSERT_TRUE(l.cp);
  for (int32_t a : l.res.policy->actions())
    EXPECT_TRUE(l.cp->compiled(a))
        << l.res.policy->rules[static_cast<size_t>(a)].signature << ": " << l.cp->reason(a);
}

// Every action on every combination of instances, several dates, every
// setting combination: the JIT equals the interpreter (seed 002, F-A4 window).
TEST(Jit, AgreesWithInterpreterOnTheWorkedExample) {
  auto l = load(std::string(KEYPLAN_SOURCE_DIR) + "/policies/examples/seed002/example_building.kp");
  ASSERT_TRUE(l.cp);
  const ir::Policy& p = *l.res.policy;
  rt::Snapshot snap(p);
  int64_t today = 0;
  ir::parse_date("2026-11-23", today);
  int checked = 0;
  for (const char* a : {"true", "false"})
    for (const char* b : {"true", "false"}) {
      ASSERT_TRUE(snap.set_setting("all_is_everyone", std::string(a)));
      ASSERT_TRUE(snap.set_setting("floor_needs_building", std::string(b)));
      sim::Decider jit(p, snap, sim::Engine::Jit, l.cp.get());
      sim::Decider interp(p, snap, sim::Engine::Interp, nullptr);
      for (int32_t rule : p.actions()) {
        const ir::Rule& r = p.rules[static_cast<size_t>(rule)];
        // Enumerate entity arguments; dates around today.
        std::vector<std::vector<ir::Value>> domains;
        for (const auto& prm : r.params) {
          std::vector<ir::Value> d;
          const auto& t = p.types[prm.type];
          if (t.kind == ir::TypeKind::Entity)
            for (int32_t row = 0; row < snap.count(t.ref); ++row)
              d.push_back(ir::Value::entity(t.ref, row));
          else if (t.kind == ir::TypeKind::Date)
            for (int k = -2; k < 5; ++k) d.push_back(ir::Value::date(today + k));
          else if (t.kind == ir::TypeKind::Bool)
            d = {ir::Value::boolean(false), ir::Value::boolean(true)};
          domains.push_back(d);
        }
        bool enumerable = true;
        for (const auto& d : domains) enumerable = enumerable && !d.empty();
        if (!enumerable) continue;
        std::vector<size_t> idx(domains.size(), 0);
        while (true) {
          std::vector<ir::Value> args;
          for (size_t i = 0; i < domains.size(); ++i) args.push_back(domains[i][idx[i]]);
          bool expect = interp.decide(rule, args, today, false).allowed;
          EXPECT_EQ(jit.decide(rule, args, today, false).allowed, expect) << r.signature;
          ++checked;
          size_t k = 0;
          while (k < idx.size() && ++idx[k] == domains[k].size()) idx[k++] = 0;
          if (k == idx.size()) break;
        }
      }
    }
  EXPECT_GT(checked, 100);
}
