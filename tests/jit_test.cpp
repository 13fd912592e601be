// The JIT against the interpreter on the shipped policies and scenarios.
#include "compiler/codegen/jit.hpp"
#include "compiler/compile.hpp"
#include "engine/decider.hpp"
#include "runtime/data_loader.hpp"
#include "runtime/request.hpp"
#include "bench/desk_tenant_gen.hpp"

#include <fstream>
#include <gtest/gtest.h>
#include <thread>

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
      engine::Decider jit(p, snap, engine::Kind::Jit, l.cp.get());
      engine::Decider interp(p, snap, engine::Kind::Interp, nullptr);
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

namespace {

struct Compiled {
  CompileResult res;
  std::unique_ptr<jit::CompiledPolicy> cp;
};

Compiled compile_text(const std::string& source) {
  Compiled c{compile_source("jit_test.kp", source), nullptr};
  EXPECT_TRUE(c.res.policy.has_value()) << c.res.diags.render_text(*c.res.sources);
  std::string err;
  if (c.res.policy) c.cp = jit::CompiledPolicy::compile(*c.res.policy, &err);
  EXPECT_TRUE(c.cp) << err;
  return c;
}

ir::Value inst(const rt::Snapshot& snap, const ir::Policy& p, const char* type, const char* id) {
  int32_t t = p.find_entity(type);
  return ir::Value::entity(t, snap.find(t, id));
}

// Every action on every pair of its entity arguments: both engines, equal.
// Returns how many of those decisions were allows.
int all_pairs_agree(const Compiled& c, const rt::Snapshot& snap) {
  const ir::Policy& p = *c.res.policy;
  engine::Decider jit(p, snap, engine::Kind::Jit, c.cp.get());
  engine::Decider interp(p, snap, engine::Kind::Interp, nullptr);
  int allows = 0;
  for (int32_t rule : p.actions()) {
    const ir::Rule& r = p.rules[static_cast<size_t>(rule)];
    EXPECT_TRUE(c.cp->compiled(rule)) << r.signature << ": " << c.cp->reason(rule);
    int32_t tx = p.types[r.params[0].type].ref, ty = p.types[r.params[1].type].ref;
    for (int32_t x = 0; x < snap.count(tx); ++x)
      for (int32_t y = 0; y < snap.count(ty); ++y) {
        std::vector<ir::Value> args{ir::Value::entity(tx, x), ir::Value::entity(ty, y)};
        rt::Decision a = interp.decide(rule, args, 0, false);
        rt::Decision b = jit.decide(rule, args, 0, false);
        EXPECT_EQ(a.allowed, b.allowed)
            << r.name << "(" << snap.id(tx, x) << ", " << snap.id(ty, y) << ")";
        allows += a.allowed;
      }
  }
  return allows;
}

const char* kCyclicTypes = R"(
entity A { parent p: B? }
entity B { parent q: A? }
A a2
B b1 { q: a2 }
A a1 { p: b1 }
A a3
action aa(x: A, y: A) = x within y
action ab(x: A, y: B) = x within y
action ba(x: B, y: A) = x within y
action bb(x: B, y: B) = x within y
)";

} // namespace

// Issue 10: the JIT stopped walking up when a *type* repeated, so a1 (an A)
// was not within a2 (an A two steps up, through B) although the interpreter
// said it was.
TEST(JitWithin, ParentTypesFormingACycleAgreeWithInterpreter) {
  Compiled c = compile_text(kCyclicTypes);
  ASSERT_TRUE(c.cp);
  const ir::Policy& p = *c.res.policy;
  rt::Snapshot snap(p);
  engine::Decider jit(p, snap, engine::Kind::Jit, c.cp.get());
  int32_t aa = p.find_rules("aa")[0];
  ASSERT_TRUE(c.cp->compiled(aa));
  EXPECT_TRUE(
      jit.decide(aa, {inst(snap, p, "A", "a1"), inst(snap, p, "A", "a2")}, 0, false).allowed);
  EXPECT_FALSE(
      jit.decide(aa, {inst(snap, p, "A", "a2"), inst(snap, p, "A", "a1")}, 0, false).allowed);
  EXPECT_FALSE(
      jit.decide(aa, {inst(snap, p, "A", "a1"), inst(snap, p, "A", "a3")}, 0, false).allowed);
  EXPECT_GT(all_pairs_agree(c, snap), 0);
}

// Parent links that form a cycle of instances (the loader and the checker
// reject them, but a snapshot edit can make one): both engines end, and agree
// (within is then "reachable along parent links").
TEST(JitWithin, CyclicInstanceDataEndsAndAgreesWithInterpreter) {
  for (const char* src : {kCyclicTypes, R"(
entity A { parent p: A? }
A a1
A a2 { p: a1 }
A a3 { p: a2 }
A a4
action aa(x: A, y: A) = x within y
)"}) {
    Compiled c = compile_text(src);
    ASSERT_TRUE(c.cp);
    const ir::Policy& p = *c.res.policy;
    rt::Snapshot snap(p);
    int32_t a = p.find_entity("A");
    bool two_types = p.find_entity("B") >= 0;
    // a2 -> b1 -> a2 (two types), or a1 -> a3 -> a2 -> a1 (one type).
    if (two_types)
      snap.set(a, snap.find(a, "a2"), 0, inst(snap, p, "B", "b1"));
    else
      snap.set(a, snap.find(a, "a1"), 0, inst(snap, p, "A", "a3"));
    EXPECT_GT(all_pairs_agree(c, snap), 0) << src;
  }
}

// Issue 10: the JIT's set arena was reset once per decision, so a quantifier
// that builds a set per element held them all (2.95 GB for 100,000 users).
// Sets built by a binder's body are now released per element: the arena's
// high-water mark stays at a few sets, whatever the number of users.
TEST(JitArena, QuantifierTemporariesAreReleasedPerElement) {
  sim::DeskTenantShape shape;
  shape.users = 20000;
  shape.groups = 20;
  shape.buildings = 1;
  shape.floors = 1;
  shape.desks = 10;
  std::string dir = ::testing::TempDir();
  std::ofstream(dir + "arena_tenant.yaml") << sim::generate_desk_tenant(shape);
  std::ofstream(dir + "arena_policy.kp") << R"(import std.desk_booking
rule others(v: User): set<User> = User except [v]
action everyone_has_company(u: User) = all v in User: count(User except [v]) > 0
action via_rule(u: User) = all v in User: count(others(v)) > 0
action via_filter(u: User) = count({v in User where count(others(v) union [u]) > 1}) > 0
action via_map(u: User) = any w in {v for v in User where count(others(v)) > 0}: w == u
)";
  CompileResult res = compile_policy(dir + "arena_policy.kp");
  ASSERT_TRUE(res.policy) << res.diags.render_text(*res.sources);
  const ir::Policy& p = *res.policy;
  rt::Snapshot snap(p);
  Diagnostics diags;
  ASSERT_TRUE(rt::load_data_file(snap, dir + "arena_tenant.yaml", diags, *res.sources))
      << diags.render_text(*res.sources);
  std::string err;
  auto cp = jit::CompiledPolicy::compile(p, &err);
  ASSERT_TRUE(cp) << err;
  int32_t user = p.find_entity("User");
  ASSERT_EQ(snap.count(user), 20000);
  size_t set_bytes = (20000 + 63) / 64 * 8;
  for (const char* name : {"everyone_has_company", "via_rule", "via_filter", "via_map"}) {
    auto rules = p.find_rules(name);
    ASSERT_EQ(rules.size(), 1u) << name;
    int32_t rule = rules[0];
    ASSERT_TRUE(cp->compiled(rule)) << name << ": " << cp->reason(rule);
    jit::Binding binding(*cp, snap);
    int64_t arg = 7;
    bool allowed = false;
    size_t reserved = 0;
    // A fresh thread has a fresh arena: its high-water mark is this decision's.
    std::thread t([&] {
      allowed = binding.decide(rule, &arg, 0);
      reserved = jit::arena_reserved_bytes();
    });
    t.join();
    EXPECT_TRUE(allowed) << name;
    EXPECT_LT(reserved, 16 * std::max<size_t>(set_bytes, 4096 * 8))
        << name << ": the arena grew to " << reserved << " bytes";
  }
}

// Issue 10: date arithmetic that leaves 0001-01-01..9999-12-31 wrapped (and
// formatting such a day was undefined behaviour in civil_from_days). Now
// `date ± int` saturates at the calendar's ends, identically in both
// engines; int arithmetic keeps wrapping (two's complement), also identically.
TEST(DateArithmetic, LeavingTheCalendarSaturatesInBothEngines) {
  Compiled c = compile_text(R"(
action far(d: date) = d + 4000000 == 9999-12-31
action far_left(d: date) = 4000000 + d == 9999-12-31
action before(d: date) = d - 4000000 == 0001-01-01
action huge(d: date) = d + 9223372036854775807 == 9999-12-31
action minus_min(d: date) = d - (-9223372036854775807 - 1) == 9999-12-31
action plus_min(d: date) = d + (-9223372036854775807 - 1) == 0001-01-01
action span(d: date) = (d + 4000000) - d == 9999-12-31 - d
action edge(d: date) = 9999-12-31 + 1 == 9999-12-31 and 0001-01-01 - 1 == 0001-01-01
action inside(d: date) = (d + 1 - 1 == d and d + 30 > d) or d == 9999-12-31
action int_wraps(d: date) = 9223372036854775807 + (d - d + 1) == -9223372036854775807 - 1
action mul_wraps(d: date) = 4611686018427387904 * (d - d + 2) == -9223372036854775807 - 1
action neg_wraps(d: date) = -(-9223372036854775807 - 1 + (d - d)) == -9223372036854775807 - 1
)");
  ASSERT_TRUE(c.cp);
  const ir::Policy& p = *c.res.policy;
  rt::Snapshot snap(p);
  engine::Decider jit(p, snap, engine::Kind::Jit, c.cp.get());
  engine::Decider interp(p, snap, engine::Kind::Interp, nullptr);
  for (const char* day : {"2026-11-23", "0001-01-01", "9999-12-31"}) {
    int64_t d = 0;
    ASSERT_TRUE(ir::parse_date(day, d));
    for (int32_t rule : p.actions()) {
      const ir::Rule& r = p.rules[static_cast<size_t>(rule)];
      ASSERT_TRUE(c.cp->compiled(rule)) << r.name << ": " << c.cp->reason(rule);
      std::vector<ir::Value> args{ir::Value::date(d)};
      rt::Decision a = interp.decide(rule, args, d, true); // explained: formats the days
      rt::Decision b = jit.decide(rule, args, d, false);
      EXPECT_TRUE(a.error.empty()) << a.error;
      EXPECT_TRUE(a.allowed) << r.name << " on " << day << ", interpreter";
      EXPECT_TRUE(b.allowed) << r.name << " on " << day << ", JIT";
    }
  }
}
