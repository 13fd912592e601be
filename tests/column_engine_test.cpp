// The column engine (engine/column.hpp) equals the interpreter: for random
// policies and tenants (tests/policy_gen.hpp), random actions, open
// parameters and fixed arguments, every cell of ColumnDecider::decide is the
// interpreter's decision; the same on std.desk_booking's `book` and `see`
// over a generated tenant (F-A1..F-A9), whose plans must stay vectorised.
#include "bench/desk_tenant_gen.hpp"
#include "compiler/codegen/jit.hpp"
#include "compiler/compile.hpp"
#include "engine/column.hpp"
#include "policy_gen.hpp"
#include "random_args.hpp"
#include "runtime/bitset.hpp"
#include "runtime/data_loader.hpp"
#include "runtime/interpreter.hpp"
#include "test_support.hpp"

#include <cstdlib>
#include <gtest/gtest.h>
#include <random>
#include <rapidcheck.h>

using namespace keyplan;
using keyplan::testing_support::random_arg;

namespace {

int64_t day(const char* text) {
  int64_t d = 0;
  ir::parse_date(text, d);
  return d;
}

bool entity_param(const ir::Policy& p, const ir::Param& prm) {
  return p.types.kind(p.types.strip_optional(prm.type)) == ir::TypeKind::Entity;
}

// Every cell of the column, decided by the interpreter.
std::vector<uint64_t> reference_column(const ir::Policy& p, const rt::Snapshot& snap,
                                       const engine::ColumnQuery& q) {
  const ir::Rule& r = p.rules[static_cast<size_t>(q.rule)];
  int32_t type = p.types[p.types.strip_optional(r.params[static_cast<size_t>(q.open)].type)].ref;
  size_t n = static_cast<size_t>(snap.count(type));
  std::vector<uint64_t> out(rt::bits::words_for(n), 0);
  rt::Interpreter in(p, snap);
  rt::EvalOptions eo;
  eo.today = q.today;
  std::vector<ir::Value> args = q.args;
  for (size_t row = 0; row < n; ++row) {
    if (!q.candidates.empty() && !rt::bits::test(q.candidates.data(), row)) continue;
    args[static_cast<size_t>(q.open)] = ir::Value::entity(type, static_cast<int64_t>(row));
    rt::Decision d = in.evaluate(q.rule, rt::to_rt_args(snap, r, args), eo);
    if (d.allowed && d.error.empty()) rt::bits::set(out.data(), row);
  }
  return out;
}

std::string column_text(const rt::Snapshot& snap, int32_t type, const std::vector<uint64_t>& w) {
  std::string s = "[";
  for (int32_t row = 0; row < snap.count(type); ++row)
    if (rt::bits::test(w.data(), static_cast<size_t>(row))) s += " " + snap.id(type, row);
  return s + " ]";
}

void check_one_policy() {
  testgen::GenOptions go;
  go.prefer_attrs = true;
  go.max_rows = 12;
  testgen::GeneratedPolicy g =
      testgen::generate_policy([](int lo, int hi) { return *rc::gen::inRange(lo, hi + 1); }, go);
  CompileResult res = compile_source("column_repro.kp", g.source);
  if (!res.policy) RC_FAIL("the generated policy does not compile:\n" + g.source);
  const ir::Policy& p = *res.policy;
  rt::Snapshot snap(p);
  Diagnostics diags;
  if (!g.data.empty() && !rt::load_data(snap, g.data, "data.yaml", diags, *res.sources))
    RC_FAIL("the generated data does not load:\n" + g.source + "---- data\n" + g.data);
  engine::ColumnDecider columns(p, snap, nullptr);
  columns.set_crosscheck(0); // compared cell by cell below
  int64_t today = day("2026-11-23") + *rc::gen::inRange(-3, 4);
  sim::SplitMix rng(*rc::gen::arbitrary<uint64_t>());
  bool any_vectorised = false;
  for (int32_t rule : p.actions()) {
    const ir::Rule& r = p.rules[static_cast<size_t>(rule)];
    for (size_t open = 0; open < r.params.size(); ++open) {
      if (!entity_param(p, r.params[open])) continue;
      engine::ColumnPlan plan = columns.plan(rule, static_cast<int32_t>(open));
      any_vectorised = any_vectorised || plan.vectorised;
      for (int k = 0; k < 6; ++k) {
        engine::ColumnQuery q;
        q.rule = rule;
        q.open = static_cast<int32_t>(open);
        q.today = today;
        for (const auto& prm : r.params)
          q.args.push_back(random_arg(p, snap, prm.type, rng, today));
        int32_t type = p.types[p.types.strip_optional(r.params[open].type)].ref;
        size_t n = static_cast<size_t>(snap.count(type));
        if (k == 5) { // only some rows
          q.candidates.assign(rt::bits::words_for(n), 0);
          for (size_t row = 0; row < n; ++row)
            if (rng.chance(50)) rt::bits::set(q.candidates.data(), row);
        }
        std::vector<uint64_t> got = columns.decide(q), want = reference_column(p, snap, q);
        if (got != want) {
          std::string args;
          for (size_t i = 0; i < q.args.size(); ++i)
            args += fmt::format(" {}={}", r.params[i].name,
                                i == open ? "<open>" : snap.format(q.args[i]));
          RC_FAIL(fmt::format("{} over {} ({}):{} today {}\ncolumn      {}\ninterpreter "
                              "{}\n---- policy\n{}---- data\n{}",
                              r.name, r.params[open].name, plan.how, args, ir::format_date(today),
                              column_text(snap, type, got), column_text(snap, type, want), g.source,
                              g.data));
        }
      }
    }
  }
  RC_TAG(any_vectorised ? "vectorised" : "cell by cell only");
}

// std.desk_booking with a generated tenant (`keyplan gen` at a small size),
// a priority window and a home office desk added.
struct DeskWorld {
  CompileResult res;
  std::unique_ptr<rt::Snapshot> snap;
  explicit DeskWorld(int users = 300, const std::string& edit = "") {
    res = compile_policy("std.desk_booking");
    if (!res.policy) return;
    snap = std::make_unique<rt::Snapshot>(*res.policy);
    sim::DeskTenantShape shape;
    shape.users = users;
    shape.groups = 12;
    shape.buildings = 2;
    shape.floors = 3;
    shape.desks = 20;
    Diagnostics d;
    bool ok =
        rt::load_data(*snap, sim::generate_desk_tenant(shape), "tenant.yaml", d, *res.sources) &&
        rt::load_data(*snap,
                      "Object:\n  - {id: b0_f0_d1, ignore_groups_within: 3, groups: [g1]}\n"
                      "  - {id: b0_f1_d2, kind: home_office}\n"
                      "  - {id: b1_f2_d3, kind: home_office, groups: [g2]}\n",
                      "edit.yaml", d, *res.sources) &&
        (edit.empty() || rt::load_data(*snap, edit, "roles.yaml", d, *res.sources));
    if (!ok) {
      ADD_FAILURE() << d.render_text(*res.sources);
      snap.reset();
    }
  }
  const ir::Policy& p() const { return *res.policy; }
  int32_t action(const char* name, const char* second_type) const {
    for (int32_t r : p().find_rules(name)) {
      const auto& prm = p().rules[static_cast<size_t>(r)].params;
      if (prm.size() >= 2 && p().type_name(prm[1].type) == second_type) return r;
    }
    return -1;
  }
};

// Every column of `rule` over `open`, for every row of the other entity
// parameter, equals the interpreter.
void expect_columns_match(const DeskWorld& w, int32_t rule, int32_t open, int64_t today) {
  const ir::Rule& r = w.p().rules[static_cast<size_t>(rule)];
  int32_t other = open == 0 ? 1 : 0;
  int32_t other_type = w.p().types[r.params[static_cast<size_t>(other)].type].ref;
  engine::ColumnDecider columns(w.p(), *w.snap, nullptr);
  columns.set_crosscheck(0);
  columns.prepare(rule, open); // inverse indexes built ahead: the same columns
  for (int32_t row = 0; row < w.snap->count(other_type); ++row) {
    engine::ColumnQuery q;
    q.rule = rule;
    q.open = open;
    q.today = today;
    q.args.assign(r.params.size(), ir::Value::none());
    q.args[static_cast<size_t>(other)] = ir::Value::entity(other_type, row);
    if (r.params.size() > 2) q.args[2] = ir::Value::date(today + 1); // book's `on`
    ASSERT_EQ(columns.decide(q), reference_column(w.p(), *w.snap, q))
        << r.signature << " with " << r.params[static_cast<size_t>(other)].name << " = "
        << w.snap->id(other_type, row);
  }
}

} // namespace

TEST(ColumnEngine, RandomPoliciesMatchInterpreterCellByCell) {
  testing_support::check_bounded(&check_one_policy, 1000, 100);
}

// The generator gives the column engine something to vectorise: a
// regression that sends every plan cell by cell fails here.
TEST(ColumnEngine, RandomPoliciesAreOftenVectorised) {
  int plans = 0, vectorised = 0;
  for (uint64_t seed = 1; seed <= 200; ++seed) {
    sim::SplitMix rng(seed);
    auto g = testgen::generate_policy([&](int lo, int hi) {
      return lo + static_cast<int>(rng.below(static_cast<uint64_t>(hi - lo + 1)));
    });
    CompileResult res = compile_source("gen.kp", g.source);
    ASSERT_TRUE(res.policy);
    rt::Snapshot snap(*res.policy);
    engine::ColumnDecider columns(*res.policy, snap, nullptr);
    for (int32_t rule : res.policy->actions()) {
      const auto& r = res.policy->rules[static_cast<size_t>(rule)];
      for (size_t open = 0; open < r.params.size(); ++open) {
        if (!entity_param(*res.policy, r.params[open])) continue;
        ++plans;
        vectorised += columns.plan(rule, static_cast<int32_t>(open)).vectorised ? 1 : 0;
      }
    }
  }
  EXPECT_GT(plans, 50);
  EXPECT_GE(vectorised * 2, plans) << vectorised << " of " << plans << " plans vectorised";
}

// F-A3, F-A4, F-A6, F-A7, F-A9: book over a generated tenant, users open
// (who can book this desk?) and objects open (what can this user book?),
// under each reading of all_is_everyone and floor_needs_building, with home
// office on and off and a date inside a priority window.
TEST(ColumnEngine, DeskBookingBookMatchesInterpreterOnGeneratedTenant) {
  DeskWorld w;
  ASSERT_TRUE(w.snap);
  int32_t book = w.action("book", "Object");
  ASSERT_GE(book, 0);
  int64_t today = day("2026-11-23");
  for (const char* everyone : {"true", "false"})
    for (const char* needs_building : {"true", "false"})
      for (const char* home_office : {"true", "false"}) {
        ASSERT_TRUE(w.snap->set_setting("all_is_everyone", std::string(everyone)));
        ASSERT_TRUE(w.snap->set_setting("floor_needs_building", std::string(needs_building)));
        ASSERT_TRUE(w.snap->set_setting("home_office_enabled", std::string(home_office)));
        SCOPED_TRACE(fmt::format("all_is_everyone {}, floor_needs_building {}, home office {}",
                                 everyone, needs_building, home_office));
        expect_columns_match(w, book, 0, today);
        expect_columns_match(w, book, 1, today);
      }
}

// F-A1, F-A2, F-A5: see, on buildings and on floors, either parameter open.
TEST(ColumnEngine, DeskBookingSeeMatchesInterpreterOnGeneratedTenant) {
  DeskWorld w;
  ASSERT_TRUE(w.snap);
  for (const char* target : {"Building", "Floor"}) {
    int32_t see = w.action("see", target);
    ASSERT_GE(see, 0) << target;
    expect_columns_match(w, see, 0, day("2026-11-23"));
    expect_columns_match(w, see, 1, day("2026-11-23"));
  }
}

// The target workload must not silently regress to deciding cell by cell.
TEST(ColumnEngine, DeskBookingBookAndSeePlansAreVectorised) {
  DeskWorld w;
  ASSERT_TRUE(w.snap);
  engine::ColumnDecider columns(w.p(), *w.snap, nullptr);
  for (auto [name, second] :
       {std::pair{"book", "Object"}, std::pair{"see", "Floor"}, std::pair{"see", "Building"}}) {
    int32_t rule = w.action(name, second);
    for (int32_t open : {0, 1}) {
      engine::ColumnPlan plan = columns.plan(rule, open);
      EXPECT_TRUE(plan.vectorised) << name << " over parameter " << open << ": " << plan.how;
      EXPECT_EQ(plan.how, "vectorised");
    }
  }
  EXPECT_NE(columns.plan(w.action("book", "Object"), 0).detail.find("User.groups"),
            std::string::npos)
      << "book with users open reads the inverse index of User.groups";
}

// A construct the vectorised path does not handle sends the action cell by
// cell, names the construct and where it is, and still decides right.
TEST(ColumnEngine, FallbackNamesTheConstructAndStillMatches) {
  CompileResult res = compile_source(
      "fallback.kp", "entity T { name: string = \"\" }\nT a\nT b { name: \"x\" }\n"
                     "action named(t: T, other: T) = t.name == \"x\" and other == a\n");
  ASSERT_TRUE(res.policy) << res.diags.render_text(*res.sources);
  const ir::Policy& p = *res.policy;
  rt::Snapshot snap(p);
  engine::ColumnDecider columns(p, snap, nullptr);
  int32_t rule = p.find_rules("named").at(0);
  engine::ColumnPlan plan = columns.plan(rule, 0);
  EXPECT_FALSE(plan.vectorised);
  EXPECT_NE(plan.how.find("cell by cell (interpreter): string attribute on t.name"),
            std::string::npos)
      << plan.how;
  EXPECT_TRUE(columns.plan(rule, 1).vectorised) << columns.plan(rule, 1).how;
  engine::ColumnQuery q{rule, 0, {ir::Value::none(), ir::Value::entity(0, 0)}, 0, {}};
  EXPECT_EQ(columns.decide(q), reference_column(p, snap, q));
  EXPECT_EQ(columns.decide(q), std::vector<uint64_t>{2}); // b only
}

// Cross-checking counts the cells it re-decided, and a column that
// disagrees with the interpreter is reported (the JIT's answers flipped by
// the testing aid KEYPLAN_TESTING_FLIP_JIT stand in for a bug).
TEST(ColumnEngine, CrossCheckCountsCellsAndReportsDisagreement) {
  DeskWorld w;
  ASSERT_TRUE(w.snap);
  int32_t book = w.action("book", "Object");
  engine::ColumnQuery q{book,
                        0,
                        {ir::Value::none(), ir::Value::entity(w.p().find_entity("Object"), 5),
                         ir::Value::date(day("2026-11-23"))},
                        day("2026-11-23"),
                        {}};
  {
    engine::ColumnDecider columns(w.p(), *w.snap, nullptr);
    columns.set_crosscheck(16);
    columns.decide(q);
    EXPECT_EQ(columns.crosschecked_cells(), 16u);
    EXPECT_EQ(columns.decided_cells(), 300u);
  }
  std::string err;
  auto cp = jit::CompiledPolicy::compile(w.p(), &err);
  ASSERT_TRUE(cp) << err;
  ::setenv("KEYPLAN_TESTING_FLIP_JIT", "1", 1);
  engine::ColumnDecider flipped(w.p(), *w.snap, cp.get());
  ::unsetenv("KEYPLAN_TESTING_FLIP_JIT");
  flipped.set_vectorise(false);
  flipped.set_crosscheck(16);
  EXPECT_NE(flipped.plan(book, 0).how.find("cell by cell (JIT)"), std::string::npos);
  EXPECT_THROW(flipped.decide(q), engine::ColumnDisagreement);
}

// Cell by cell (vectorising switched off), a column of 5,000 users is split
// over two threads, each with its own JIT binding: the same rows as the
// vectorised column (itself checked against the interpreter above).
TEST(ColumnEngine, CellByCellFallbackOverTwoThreadsMatchesVectorised) {
  DeskWorld w(5000);
  ASSERT_TRUE(w.snap);
  std::string err;
  auto cp = jit::CompiledPolicy::compile(w.p(), &err);
  ASSERT_TRUE(cp) << err;
  int32_t book = w.action("book", "Object");
  int32_t object = w.p().find_entity("Object");
  engine::ColumnDecider vectorised(w.p(), *w.snap, cp.get()), cells(w.p(), *w.snap, cp.get());
  cells.set_vectorise(false);
  cells.set_crosscheck(32);
  EXPECT_EQ(cells.plan(book, 0).how, "cell by cell (JIT): vectorising switched off");
  for (int32_t row : {0, 1, 7, 33, 119}) {
    engine::ColumnQuery q{
        book,
        0,
        {ir::Value::none(), ir::Value::entity(object, row), ir::Value::date(day("2026-11-23"))},
        day("2026-11-23"),
        {}};
    EXPECT_EQ(cells.decide(q), vectorised.decide(q)) << "object row " << row;
  }
  EXPECT_EQ(cells.crosschecked_cells(), 5u * 32u);
}

// F-R1..F-R6, F-G2, F-G3, F-G5: every action of std.desk_booking (roles
// included: role sets, managed groups and locations, group administrators),
// each entity parameter open in turn, random fixed arguments: the column
// equals the interpreter, vectorised or not.
TEST(ColumnEngine, DeskBookingEveryActionMatchesInterpreterWithRoles) {
  DeskWorld w(40, "User:\n"
                  "  - {id: u0, roles: [administrator], can_manage_admins: true}\n"
                  "  - {id: u1, roles: [group_manager], managed_groups: [g1, g2]}\n"
                  "  - {id: u2, roles: [group_manager], managed_groups: [ALL]}\n"
                  "  - {id: u3, roles: [location_manager], managed_locations: [b0_f1]}\n"
                  "  - {id: u4, roles: [location_manager_light], managed_locations: [b0]}\n"
                  "  - {id: u5, roles: [location_manager]}\n"
                  "  - {id: u6, roles: [group_manager, location_manager], managed_groups: [g3],"
                  " managed_locations: [b0_f0, nowhere]}\n"
                  "  - {id: u7, roles: [administrator]}\n"
                  "Group:\n"
                  "  - {id: g1, administrators: [u8, u9], hidden: true}\n"
                  "  - {id: g2, kind: external}\n"
                  "  - {id: g3, kind: system}\n");
  ASSERT_TRUE(w.snap);
  const ir::Policy& p = w.p();
  engine::ColumnDecider columns(p, *w.snap, nullptr);
  columns.set_crosscheck(0);
  sim::SplitMix rng(7);
  int64_t today = day("2026-11-23");
  int vectorised = 0, plans = 0;
  for (int32_t rule : p.actions()) {
    const ir::Rule& r = p.rules[static_cast<size_t>(rule)];
    for (size_t open = 0; open < r.params.size(); ++open) {
      if (!entity_param(p, r.params[open])) continue;
      engine::ColumnPlan plan = columns.plan(rule, static_cast<int32_t>(open));
      ++plans;
      vectorised += plan.vectorised ? 1 : 0;
      for (int k = 0; k < 80; ++k) {
        engine::ColumnQuery q{rule, static_cast<int32_t>(open), {}, today, {}};
        for (const auto& prm : r.params)
          q.args.push_back(random_arg(p, *w.snap, prm.type, rng, today));
        ASSERT_EQ(columns.decide(q), reference_column(p, *w.snap, q))
            << r.signature << " over " << r.params[open].name << " (" << plan.how << ")";
      }
    }
  }
  EXPECT_EQ(vectorised, plans) << "every action of std.desk_booking vectorises, any parameter open";
}

// Cached masks, memoised calls and inverse indexes belong to one snapshot
// version: a setting or data edit between two columns of the same decider
// is seen (F-G2's all_is_everyone, a user's groups).
TEST(ColumnEngine, EditsBetweenColumnsInvalidateCaches) {
  DeskWorld w;
  ASSERT_TRUE(w.snap);
  int32_t book = w.action("book", "Object");
  int32_t object = w.p().find_entity("Object");
  engine::ColumnDecider columns(w.p(), *w.snap, nullptr);
  columns.set_crosscheck(0);
  int64_t today = day("2026-11-23");
  auto check_all = [&] {
    for (int32_t row = 0; row < w.snap->count(object); row += 7) {
      engine::ColumnQuery q{
          book,
          0,
          {ir::Value::none(), ir::Value::entity(object, row), ir::Value::date(today)},
          today,
          {}};
      ASSERT_EQ(columns.decide(q), reference_column(w.p(), *w.snap, q)) << "object row " << row;
    }
  };
  check_all();
  ASSERT_TRUE(w.snap->set_setting("all_is_everyone", std::string("false")));
  check_all();
  Diagnostics d;
  ASSERT_TRUE(rt::load_data(*w.snap, "User:\n  - {id: u3, groups: [g1, g2, g3]}\n", "edit.yaml", d,
                            *w.res.sources));
  check_all();
}

// KEYPLAN_CROSSCHECK=1 turns sampling on in any build (debug builds sample
// always), and a decider counts the cells it sampled.
TEST(ColumnEngine, CrossCheckEnvironmentTurnsSamplingOn) {
  DeskWorld w;
  ASSERT_TRUE(w.snap);
  ::setenv("KEYPLAN_CROSSCHECK", "1", 1);
  engine::ColumnDecider on(w.p(), *w.snap, nullptr);
  ::unsetenv("KEYPLAN_CROSSCHECK");
  engine::ColumnDecider plain(w.p(), *w.snap, nullptr);
  EXPECT_EQ(on.crosscheck(), 64);
#ifdef NDEBUG
  EXPECT_EQ(plain.crosscheck(), 0);
#else
  EXPECT_EQ(plain.crosscheck(), 64);
#endif
  int32_t book = w.action("book", "Object");
  engine::ColumnQuery q{book,
                        1,
                        {ir::Value::entity(w.p().find_entity("User"), 3), ir::Value::none(),
                         ir::Value::date(day("2026-11-23"))},
                        day("2026-11-23"),
                        {}};
  on.decide(q);
  EXPECT_EQ(on.crosschecked_cells(), 64u);
  EXPECT_EQ(on.decided_cells(), static_cast<uint64_t>(w.snap->count(w.p().find_entity("Object"))));
}

// `??` of per-row values (optional ints, enums and entities of the open
// row, with a closed or per-row fallback) equals the interpreter.
TEST(ColumnEngine, CoalesceOfOptionalAttributesMatchesInterpreter) {
  CompileResult res = compile_source(
      "coalesce.kp", "enum C { lo, mid, hi }\n"
                     "entity T { n: int? \n m: int = 1\n c: C?\n r: T?\n s: T? }\n"
                     "T t0\nT t1 { n: 5, c: hi, r: t0 }\nT t2 { m: 7, s: t1 }\n"
                     "T t3 { n: 2, m: 2, c: lo, s: t3 }\nT t4 { r: t4, s: t0 }\n"
                     "action a(x: T, k: int) = (x.n ?? k) >= 2\n"
                     "action b(x: T, k: int) = (x.n ?? x.m) == k\n"
                     "action c(x: T, y: T) = (x.c ?? mid) > lo and (x.r ?? x.s) != y\n"
                     "action d(x: T, y: T) = (x.r ?? y) == t0 or (y.r ?? x) == t4\n");
  ASSERT_TRUE(res.policy) << res.diags.render_text(*res.sources);
  const ir::Policy& p = *res.policy;
  rt::Snapshot snap(p);
  engine::ColumnDecider columns(p, snap, nullptr);
  columns.set_crosscheck(0);
  int32_t t = p.find_entity("T");
  for (const char* name : {"a", "b", "c", "d"}) {
    int32_t rule = p.find_rules(name).at(0);
    EXPECT_TRUE(columns.plan(rule, 0).vectorised) << name << ": " << columns.plan(rule, 0).how;
    for (int64_t other = 0; other < 5; ++other)
      for (int32_t open : {0, 1}) {
        const ir::Rule& r = p.rules[static_cast<size_t>(rule)];
        if (!entity_param(p, r.params[static_cast<size_t>(open)])) continue;
        engine::ColumnQuery q{rule, open, {}, 0, {}};
        for (const auto& prm : r.params)
          q.args.push_back(entity_param(p, prm) ? ir::Value::entity(t, other)
                                                : ir::Value::integer(other + 1));
        EXPECT_EQ(columns.decide(q), reference_column(p, snap, q))
            << name << " open " << open << " other " << other;
      }
  }
}

// `any`/`all` over each row's own set, with a body that does not depend on
// the row (F-R2's accessible_through over the manager's groups): the same
// as the interpreter, empty sets and a closed part included.
TEST(ColumnEngine, QuantifiersOverEachRowsSetMatchInterpreter) {
  CompileResult res =
      compile_source("quantifiers.kp",
                     "enum C { lo, mid, hi }\n"
                     "entity G { w: int = 0 }\n"
                     "entity T { gs: set<G> = []\n cs: set<C> = [] }\n"
                     "G g0\nG g1 { w: 3 }\nG g2 { w: 5 }\n"
                     "T t0 { gs: [g1], cs: [lo] }\nT t1 { gs: [g1, g2], cs: [lo, hi] }\n"
                     "T t2 { cs: [mid] }\nT t3 { gs: [g0, g2] }\nT t4 { gs: [g2], cs: [hi, mid] }\n"
                     "action a(x: T, k: int) = all g in x.gs: g.w >= k\n"
                     "action b(x: T, k: int) = any g in x.gs: g.w == k\n"
                     "action c(x: T, y: T) = all c in x.cs: c in y.cs\n"
                     "action d(x: T, y: T) = any c in x.cs: c not in y.cs\n"
                     "action e(x: T, y: T) = all g in (x.gs union [g0]): g in y.gs\n");
  ASSERT_TRUE(res.policy) << res.diags.render_text(*res.sources);
  const ir::Policy& p = *res.policy;
  rt::Snapshot snap(p);
  engine::ColumnDecider columns(p, snap, nullptr);
  columns.set_crosscheck(0);
  int32_t t = p.find_entity("T");
  for (const char* name : {"a", "b", "c", "d", "e"}) {
    int32_t rule = p.find_rules(name).at(0);
    EXPECT_TRUE(columns.plan(rule, 0).vectorised) << name << ": " << columns.plan(rule, 0).how;
    for (int64_t other = 0; other < 5; ++other) {
      const ir::Rule& r = p.rules[static_cast<size_t>(rule)];
      engine::ColumnQuery q{rule, 0, {ir::Value::none()}, 0, {}};
      q.args.push_back(entity_param(p, r.params[1]) ? ir::Value::entity(t, other)
                                                    : ir::Value::integer(other + 1));
      EXPECT_EQ(columns.decide(q), reference_column(p, snap, q)) << name << " other " << other;
    }
  }
}

// W-1..W-9: the FM suite example tenant (acme_fm.kp with its problem data):
// every action, each entity parameter open, random fixed arguments: the
// column equals the interpreter, whichever way it is computed.
TEST(ColumnEngine, FmSuiteEveryActionMatchesInterpreter) {
  std::string dir = std::string(KEYPLAN_TEST_DATA) + "/../../policies/examples/fm_suite/";
  CompileResult res = compile_policy(dir + "acme_fm.kp");
  ASSERT_TRUE(res.policy) << res.diags.render_text(*res.sources);
  const ir::Policy& p = *res.policy;
  rt::Snapshot snap(p);
  Diagnostics d;
  ASSERT_TRUE(rt::load_data_file(snap, dir + "data/problems.yaml", d, *res.sources))
      << d.render_text(*res.sources);
  engine::ColumnDecider columns(p, snap, nullptr);
  columns.set_crosscheck(0);
  sim::SplitMix rng(11);
  int64_t today = day("2026-11-23");
  int vectorised = 0;
  for (int32_t rule : p.actions()) {
    const ir::Rule& r = p.rules[static_cast<size_t>(rule)];
    for (size_t open = 0; open < r.params.size(); ++open) {
      if (!entity_param(p, r.params[open])) continue;
      engine::ColumnPlan plan = columns.plan(rule, static_cast<int32_t>(open));
      vectorised += plan.vectorised ? 1 : 0;
      for (int k = 0; k < 20; ++k) {
        engine::ColumnQuery q{rule, static_cast<int32_t>(open), {}, today, {}};
        for (const auto& prm : r.params)
          q.args.push_back(random_arg(p, snap, prm.type, rng, today));
        ASSERT_EQ(columns.decide(q), reference_column(p, snap, q))
            << r.signature << " over " << r.params[open].name << " (" << plan.how << ")";
      }
    }
  }
  EXPECT_GT(vectorised, 10);
}

// keyplan diff's word pass (engine::compare_columns: AVX-512 blocks of 8
// words, then word by word) equals the comparison bit by bit, at every
// length around the block size.
TEST(ColumnEngine, CompareColumnsEqualsBitByBit) {
  std::mt19937_64 rng(12);
  for (size_t n = 0; n < 40; ++n) {
    std::vector<uint64_t> before(n), after(n), gained(n), lost(n);
    for (size_t i = 0; i < n; ++i) {
      before[i] = rng() & rng();
      after[i] = i % 5 == 0 ? before[i] : rng() & rng();
    }
    engine::ColumnChange c =
        engine::compare_columns(before.data(), after.data(), n, gained.data(), lost.data());
    uint64_t nb = 0, na = 0, ng = 0, nl = 0;
    for (size_t bit = 0; bit < n * 64; ++bit) {
      const bool b = rt::bits::test(before.data(), bit), a = rt::bits::test(after.data(), bit);
      nb += b;
      na += a;
      ng += a && !b;
      nl += b && !a;
      EXPECT_EQ(rt::bits::test(gained.data(), bit), a && !b) << n << " " << bit;
      EXPECT_EQ(rt::bits::test(lost.data(), bit), b && !a) << n << " " << bit;
    }
    EXPECT_EQ(c.before, nb) << n;
    EXPECT_EQ(c.after, na) << n;
    EXPECT_EQ(c.gained, ng) << n;
    EXPECT_EQ(c.lost, nl) << n;
  }
}
