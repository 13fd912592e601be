// `keyplan diff` loads tenant data once when both worlds name the very same
// data (simulator/world.hpp load_world's `same`): the AFTER world's tables
// are a copy of BEFORE's (equal data_version), so a settings-only what-if
// shares inverse indexes and skips the actions it cannot reach. The answers
// must be those of two separate loads, and the interpreter's on every cell.
#include "runtime/interpreter.hpp"
#include "simulator/diff.hpp"
#include "simulator/world.hpp"

#include "tests/what_if_support.hpp"

#include <gtest/gtest.h>

namespace {

using namespace keyplan;
using keyplan::what_if_test::source_root;

std::vector<std::string> flipped(const sim::DiffResult& r) {
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

// Every cell re-decided by the interpreter on both sides.
sim::DiffResult diff_all(sim::World& before, sim::World& after) {
  sim::DiffOptions o;
  o.actions = {"book", "see", "see_status"};
  o.group = {"none"};
  o.cross_check = 1'000'000'000;
  sim::DiffResult r;
  std::string error;
  EXPECT_TRUE(sim::compute_diff(before, after, o, r, error)) << error;
  EXPECT_EQ(r.disagreement, "");
  return r;
}

sim::WorldSpec acme_spec(const std::string& label) {
  const auto acme = source_root() / "policies/examples/desk_booking";
  sim::WorldSpec spec;
  spec.label = label;
  spec.policy = (acme / "acme_office.kp").string();
  spec.data.push_back(sim::DataEdit{(acme / "data/tenant.yaml").string(), std::nullopt, -1});
  spec.today = 20415; // 2025-11-23
  return spec;
}

sim::SettingEdit set(const std::string& name, const std::string& value) {
  sim::SettingEdit e;
  e.name = name;
  e.text = value;
  return e;
}

} // namespace

// A settings-only what-if (`keyplan diff scen.yaml --what-if settings.yaml`):
// AFTER copies BEFORE's tables (equal data_version) instead of reloading
// them, the diff then skips the action the setting cannot reach (F-A2:
// see(Building) does not read floor_needs_building), and the cells equal
// those of a diff between two separately loaded worlds.
TEST(DiffShare, SettingsOnlyWhatIfReusesTheBeforeTables) {
  SourceManager sm;
  Diagnostics diags;
  sim::WorldSpec before_spec = acme_spec("acme");
  sim::WorldSpec edit;
  edit.label = "off";
  edit.settings.push_back(set("floor_needs_building", "false"));
  sim::WorldSpec after_spec = sim::apply_whatif(before_spec, edit);
  sim::World before, after, reloaded;
  ASSERT_TRUE(sim::load_world(before, before_spec, {}, sm, diags)) << diags.render_text(sm);
  ASSERT_TRUE(sim::load_world(after, after_spec, {}, sm, diags, &before)) << diags.render_text(sm);
  ASSERT_TRUE(sim::load_world(reloaded, after_spec, {}, sm, diags)) << diags.render_text(sm);
  EXPECT_FALSE(before.tables_shared);
  EXPECT_TRUE(after.tables_shared);
  EXPECT_FALSE(reloaded.tables_shared);
  EXPECT_EQ(after.snapshot->data_version(), before.snapshot->data_version());
  EXPECT_NE(reloaded.snapshot->data_version(), before.snapshot->data_version());
  const int32_t fnb = before.policy().find_setting("floor_needs_building");
  ASSERT_GE(fnb, 0);
  EXPECT_EQ(after.snapshot->setting(fnb), ir::Value::boolean(false));
  EXPECT_EQ(after.snapshot->setting(fnb), reloaded.snapshot->setting(fnb));

  sim::DiffResult shared = diff_all(before, after);
  sim::DiffResult separate = diff_all(before, reloaded);
  EXPECT_EQ(flipped(shared), flipped(separate));
  EXPECT_GT(shared.gained + shared.lost, 0u);
  size_t skipped = 0;
  for (const auto& a : shared.actions) skipped += a.same;
  EXPECT_GT(skipped, 0u);
  for (const auto& a : separate.actions) EXPECT_FALSE(a.same);
}

// Two world files naming the same data file: the tables are shared but not
// BEFORE's settings (AFTER gets the policy's defaults and its own), and a
// world with other data is loaded on its own.
TEST(DiffShare, SameDataFileSharesTablesButNotSettings) {
  SourceManager sm;
  Diagnostics diags;
  sim::WorldSpec before_spec = acme_spec("before.yaml");
  before_spec.settings.push_back(set("all_is_everyone", "false"));
  sim::WorldSpec after_spec = acme_spec("after.yaml");
  sim::World before, after;
  ASSERT_TRUE(sim::load_world(before, before_spec, {}, sm, diags)) << diags.render_text(sm);
  ASSERT_TRUE(sim::load_world(after, after_spec, {}, sm, diags, &before)) << diags.render_text(sm);
  EXPECT_TRUE(after.tables_shared);
  EXPECT_EQ(after.snapshot->data_version(), before.snapshot->data_version());
  const ir::Policy& p = before.policy();
  for (size_t i = 0; i < p.settings.size(); ++i)
    EXPECT_EQ(after.snapshot->setting(static_cast<int32_t>(i)), p.settings[i].value)
        << p.settings[i].name;
  const int32_t all = p.find_setting("all_is_everyone");
  ASSERT_GE(all, 0);
  EXPECT_NE(before.snapshot->setting(all), after.snapshot->setting(all));
  sim::World reloaded;
  ASSERT_TRUE(sim::load_world(reloaded, after_spec, {}, sm, diags)) << diags.render_text(sm);
  EXPECT_EQ(flipped(diff_all(before, after)), flipped(diff_all(before, reloaded)));

  // Inline data in a what-if: other tables, loaded.
  sim::WorldSpec edit;
  edit.label = "data";
  sim::DataEdit d;
  d.inline_data = YAML::Load("{}");
  d.whatif = true;
  edit.data.push_back(d);
  sim::World other;
  ASSERT_TRUE(sim::load_world(other, sim::apply_whatif(before_spec, edit), {}, sm, diags, &before))
      << diags.render_text(sm);
  EXPECT_FALSE(other.tables_shared);
  EXPECT_NE(other.snapshot->data_version(), before.snapshot->data_version());
}
