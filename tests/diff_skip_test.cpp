// keyplan diff's work avoidance (simulator/diff_skip.cpp): an action that
// reads none of the changed settings, on the same tables, is decided once
// and its AFTER side copied. The optimised diff must equal the diff with the
// optimisation off, and both the interpreter's decision on every cell.
#include "runtime/interpreter.hpp"
#include "simulator/diff.hpp"
#include "simulator/world.hpp"

#include "tests/what_if_support.hpp"

#include <gtest/gtest.h>

namespace {

using namespace keyplan;
using keyplan::what_if_test::source_root;

// The allowed counts, changes and flipped cells of every action.
std::vector<std::string> summary(const sim::DiffResult& r) {
  std::vector<std::string> out;
  for (const auto& a : r.actions) {
    out.push_back(a.signature + " " + std::to_string(a.allowed[0]) + " " +
                  std::to_string(a.allowed[1]) + " +" + std::to_string(a.gained) + " -" +
                  std::to_string(a.lost));
    for (const auto& row : a.flips)
      for (size_t i = 0; i < row.words(); ++i)
        out.push_back(std::to_string(row.tuple.empty() ? 0 : row.tuple[0]) + ":" +
                      std::to_string(i) + " " + std::to_string(row.gained_word(i)) + " " +
                      std::to_string(row.lost_word(i)));
  }
  return out;
}

// Every cell re-decided by the interpreter on both sides (every = 1).
sim::DiffResult diff(sim::World& before, sim::World& after, bool skip) {
  sim::DiffOptions o;
  o.actions = {"book", "see", "see_status", "edit_user"};
  o.group = {"none"};
  o.cross_check = 1'000'000'000;
  o.skip_unaffected = skip;
  sim::DiffResult r;
  std::string error;
  EXPECT_TRUE(sim::compute_diff(before, after, o, r, error)) << error;
  EXPECT_EQ(r.disagreement, "");
  return r;
}

} // namespace

// One-setting what-ifs (the AFTER snapshot a copy of BEFORE's, as `keyplan
// bench matrix` builds it), no change at all, and a data change: the
// optimised diff == the full diff == the interpreter on every cell (the
// cross-check of every cell on both sides); the settings-only what-ifs skip
// the actions that do not read the setting (F-A2: see(Building) does not
// read floor_needs_building), the data change skips nothing.
TEST(Diff, SkippingUnaffectedActionsEqualsFullDiff) {
  const auto acme = source_root() / "policies/examples/desk_booking";
  SourceManager sm;
  Diagnostics diags;
  sim::WorldSpec spec;
  spec.label = "acme";
  spec.policy = (acme / "acme_office.kp").string();
  spec.data.push_back(sim::DataEdit{(acme / "data/tenant.yaml").string(), std::nullopt, -1});
  spec.today = 20415; // 2025-11-23
  sim::World before;
  ASSERT_TRUE(sim::load_world(before, spec, sim::WorldOptions{}, sm, diags))
      << diags.render_text(sm);
  const std::vector<std::string> what_ifs = {"",
                                             "floor_needs_building=false",
                                             "all_is_everyone=false",
                                             "home_office_enabled=false",
                                             "protect_admin_profiles=false",
                                             "group_access_counts_all=false",
                                             "data"};
  size_t skipped_total = 0;
  for (const auto& what_if : what_ifs) {
    sim::World after;
    after.spec = before.spec;
    after.spec.label = "after " + what_if;
    after.compiled = before.compiled;
    after.native = before.native;
    after.today = before.today;
    after.snapshot = std::make_unique<rt::Snapshot>(*before.snapshot);
    if (what_if == "data") {
      // Every user loses their first group: the tables differ.
      const ir::Policy& p = before.policy();
      const int32_t user = p.find_entity("User");
      ASSERT_GE(user, 0);
      int32_t groups = -1;
      for (size_t i = 0; i < p.entities[static_cast<size_t>(user)].attributes.size(); ++i)
        if (p.entities[static_cast<size_t>(user)].attributes[i].name == "groups")
          groups = static_cast<int32_t>(i);
      ASSERT_GE(groups, 0);
      after.snapshot->set(user, 0, groups, before.snapshot->get(user, 1, groups));
    } else if (!what_if.empty()) {
      auto eq = what_if.find('=');
      std::string err;
      ASSERT_TRUE(after.snapshot->set_setting(what_if.substr(0, eq), what_if.substr(eq + 1), &err))
          << err;
    }
    sim::DiffResult fast = diff(before, after, true);
    sim::DiffResult full = diff(before, after, false);
    EXPECT_EQ(summary(fast), summary(full)) << what_if;
    EXPECT_GT(fast.cross_checked, 0u);
    size_t skipped = 0;
    for (const auto& a : fast.actions) skipped += a.same;
    for (const auto& a : full.actions) EXPECT_FALSE(a.same) << what_if;
    if (what_if.empty()) {
      EXPECT_EQ(skipped, fast.actions.size()); // nothing changed
    }
    if (what_if == "data") {
      EXPECT_EQ(skipped, 0u);
    }
    if (what_if == "floor_needs_building=false") {
      for (const auto& a : fast.actions)
        if (a.signature == "see(user: User, target: Building)") {
          EXPECT_TRUE(a.same);
        } else if (a.signature.rfind("book(", 0) == 0) {
          EXPECT_FALSE(a.same);
        }
    }
    skipped_total += skipped;
  }
  EXPECT_GT(skipped_total, 0u);
}
