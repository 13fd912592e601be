// The FM-suite model (policies/std/fm_suite.kp) against the DOMAIN rules
// W-1..W-19: one test per rule, named with its id. Each test loads the
// example client policies/examples/fm_suite/acme_fm.kp (the five W-19
// profiles), optionally with tenant data, and decides requests by name with
// rt::decide. At the end: the FM checks (`check`s of std.fm_suite), and the
// example's scenarios replay without failures.
#include "simulator/runner.hpp"
#include "tests/fm_fixture.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <string>

using namespace keyplan;
namespace fs = std::filesystem;
using fm_test::Acme;
using fm_test::example_dir;

TEST(FmSuite, W_1_GroupsGrantLevelsOnEveryKindOfSubject) {
  Acme a;
  EXPECT_TRUE(a.allows("create", {{"user", "anna"}, {"subject", "requests"}}));
  EXPECT_TRUE(a.allows("view", {{"user", "anna"}, {"subject", "reservable_objects"}}));
  EXPECT_TRUE(a.allows("edit", {{"user", "carl"}, {"subject", "contract_value"}}));
  EXPECT_TRUE(a.allows("edit", {{"user", "olga"}, {"subject", "profile_matrix_export"}}));
  EXPECT_TRUE(a.allows("edit", {{"user", "ivan"}, {"subject", "task_it_request"}}));
  EXPECT_TRUE(a.allows("view", {{"user", "anna"}, {"subject", "button_new_request"}}));
  EXPECT_FALSE(a.allows("edit", {{"user", "fiona"}, {"subject", "task_it_request"}}));
}

TEST(FmSuite, W_2_PredefinedGroupsHaveDescriptions) {
  Acme a("SystemGroup:\n  - {id: nameless}\n");
  EXPECT_FALSE(a.allows("missing_description", {{"group", "access_9"}}));
  EXPECT_FALSE(a.allows("missing_description", {{"group", "contract_manager"}}));
  EXPECT_TRUE(a.allows("missing_description", {{"group", "nameless"}}));
}

TEST(FmSuite, W_3_GroupsDirectlyOrThroughProfiles) {
  Acme a;
  EXPECT_TRUE(a.allows("holds", {{"user", "carl"}, {"group", "contract_manager"}}));
  EXPECT_TRUE(a.allows("holds", {{"user", "carl"}, {"group", "view_buildings"}}));
  EXPECT_FALSE(a.allows("holds", {{"user", "anna"}, {"group", "view_buildings"}}));
}

TEST(FmSuite, W_4_ExactlyOneDefaultProfileAdditionalOnlyGroups) {
  Acme a("User:\n"
         "  - {id: eve, license: full, default_profile: end_user, additional_profiles: "
         "[contract_manager_profile]}\n"
         "  - {id: nobody, license: full, additional_profiles: [contract_manager_profile]}\n");
  EXPECT_TRUE(a.allows("edit", {{"user", "eve"}, {"subject", "contracts"}}));
  EXPECT_FALSE(a.allows("has_navigation_menu", {{"user", "eve"}}));
  EXPECT_TRUE(a.allows("missing_default_profile", {{"user", "nobody"}}));
  EXPECT_FALSE(a.allows("view", {{"user", "nobody"}, {"subject", "contracts"}}));
  EXPECT_FALSE(a.allows("missing_default_profile", {{"user", "anna"}}));
}

TEST(FmSuite, W_5_NavigationMenuFromKeyUserGroups) {
  Acme a;
  EXPECT_FALSE(a.allows("has_navigation_menu", {{"user", "anna"}}));
  EXPECT_TRUE(a.allows("has_navigation_menu", {{"user", "ivan"}}));
  EXPECT_TRUE(a.allows("menu_option", {{"user", "ivan"}, {"option", "menu_requests"}}));
  EXPECT_FALSE(a.allows("menu_option", {{"user", "ivan"}, {"option", "menu_contracts"}}));
  EXPECT_TRUE(a.allows("menu_option", {{"user", "carl"}, {"option", "menu_buildings"}}));
}

TEST(FmSuite, W_6_StartBoardAndTabs) {
  Acme a;
  EXPECT_TRUE(
      a.allows("uses_start_board", {{"user", "anna"}, {"board", "WorkplaceManagementStartBoard"}}));
  EXPECT_TRUE(
      a.allows("uses_start_board", {{"user", "olga"}, {"board", "AdministratorStartBoard"}}));
  EXPECT_TRUE(a.allows("on_start_board", {{"user", "ivan"}, {"item", "tab_service_desk"}}));
  EXPECT_FALSE(a.allows("on_start_board", {{"user", "anna"}, {"item", "tab_service_desk"}}));
  EXPECT_TRUE(a.allows("may_choose_default_tab", {{"user", "carl"}}));
  EXPECT_FALSE(a.allows("may_choose_default_tab", {{"user", "ivan"}}));
}

TEST(FmSuite, W_7_BaselineAdministratorProfile) {
  Acme a("Profile:\n  - {id: superuser, administrator: true}\n"
         "  - {id: administrator_wpm, system_groups: [contract_manager]}\n");
  EXPECT_TRUE(a.allows("holds", {{"user", "olga"}, {"group", "reservation_coordinator"}}));
  EXPECT_FALSE(a.allows("on_dashboard", {{"profile", "administrator_wpm"}}));
  EXPECT_TRUE(a.allows("admin_outside_baseline", {{"profile", "superuser"}}));
  EXPECT_TRUE(a.allows("baseline_edited", {{"profile", "administrator_wpm"}}));
}

TEST(FmSuite, W_8_GroupsOfInactiveModules) {
  Acme a("User:\n  - {id: victor, license: full, default_profile: end_user, direct_groups: "
         "[access_9, create_visitors]}\n");
  EXPECT_TRUE(a.allows("inactive_assignment", {{"user", "victor"}, {"group", "create_visitors"}}));
  EXPECT_FALSE(a.allows("create", {{"user", "victor"}, {"subject", "visitors"}}));
  Acme on("User:\n  - {id: victor, license: full, default_profile: end_user, direct_groups: "
          "[access_9, create_visitors]}\n",
          {{"active_modules", "[requests, reservations, visitors]"}});
  EXPECT_TRUE(on.allows("create", {{"user", "victor"}, {"subject", "visitors"}}));
  EXPECT_TRUE(on.allows("inactive_in_profile",
                        {{"profile", "contract_manager_profile"}, {"group", "contract_manager"}}));
}

TEST(FmSuite, W_9_ContextualAccessHoldsOnlyInsideItsContext) {
  Acme a;
  EXPECT_TRUE(a.allows("edit", {{"user", "fiona"}, {"subject", "buildings"}, {"at", "hq"}}));
  EXPECT_TRUE(a.allows("edit", {{"user", "fiona"}, {"subject", "areas"}, {"at", "hq_ground"}}));
  EXPECT_TRUE(a.allows("edit", {{"user", "fiona"}, {"subject", "areas"}, {"at", "hq_first"}}));
  EXPECT_FALSE(a.allows("edit", {{"user", "fiona"}, {"subject", "buildings"}, {"at", "annex"}}));
  EXPECT_FALSE(a.allows("edit", {{"user", "fiona"}, {"subject", "buildings"}}));
  Acme off("", {{"contextual_access", "false"}});
  EXPECT_FALSE(off.allows("edit", {{"user", "fiona"}, {"subject", "buildings"}, {"at", "hq"}}));
  EXPECT_TRUE(off.allows("context_ignored", {{"assignment", "fiona_edits_hq"}}));
}

TEST(FmSuite, W_10_AccessNineAndADirectGroup) {
  Acme a("User:\n  - {id: stripped, default_profile: end_user, direct_groups: []}\n"
         "  - {id: replaced, default_profile: end_user, direct_groups: [view_contacts]}\n");
  EXPECT_TRUE(a.allows("holds", {{"user", "anna"}, {"group", "access_9"}}));
  EXPECT_TRUE(a.allows("no_direct_group", {{"user", "stripped"}}));
  EXPECT_FALSE(a.allows("create", {{"user", "stripped"}, {"subject", "requests"}}));
  EXPECT_TRUE(a.allows("access_9_removed", {{"user", "replaced"}}));
  EXPECT_TRUE(a.allows("holds", {{"user", "replaced"}, {"group", "access_9"}}));
}

TEST(FmSuite, W_11_KeychainUnionWithoutDenyRules) {
  Acme a;
  EXPECT_TRUE(a.allows("edit", {{"user", "carl"}, {"subject", "reservations"}}));
  EXPECT_TRUE(a.allows("edit", {{"user", "carl"}, {"subject", "contracts"}}));
  EXPECT_TRUE(a.allows("view", {{"user", "carl"}, {"subject", "buildings"}}));
  EXPECT_FALSE(a.allows("view", {{"user", "anna"}, {"subject", "contracts"}}));
}

TEST(FmSuite, W_12_LicenseCapsWhatAGroupYields) {
  Acme a;
  EXPECT_TRUE(a.allows("view", {{"user", "rita"}, {"subject", "reservations"}}));
  EXPECT_FALSE(a.allows("edit", {{"user", "rita"}, {"subject", "reservations"}}));
  EXPECT_FALSE(a.allows("license_sufficient", {{"user", "rita"}}));
  EXPECT_TRUE(a.allows("edit", {{"user", "carl"}, {"subject", "reservations"}}));
  Acme strict("", {{"over_license_level", "none"}});
  EXPECT_FALSE(strict.allows("view", {{"user", "rita"}, {"subject", "task_reservation"}}));
}

TEST(FmSuite, W_13_GroupAboveLicenseIsAWarningNamingBoth) {
  Acme a;
  EXPECT_TRUE(
      a.allows("license_exceeded", {{"user", "rita"}, {"group", "reservation_coordinator"}}));
  EXPECT_TRUE(a.allows("holds", {{"user", "rita"}, {"group", "reservation_coordinator"}}));
  auto findings = a.findings();
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_EQ(findings[0].severity, ir::Severity::Warning);
  EXPECT_EQ(findings[0].message,
            "user 'rita' has license limited, but system group 'reservation_coordinator' needs "
            "license full; it is held through the default profile "
            "'reservation_coordinator_profile'");
  EXPECT_TRUE(findings[0].span.valid());
}

TEST(FmSuite, W_14_DashboardLists) {
  Acme a;
  EXPECT_TRUE(a.allows("on_dashboard", {{"profile", "end_user"}}));
  EXPECT_TRUE(a.allows("optional_unassigned", {{"group", "view_contracts"}}));
  EXPECT_FALSE(a.allows("required_unassigned", {{"group", "it_service_desk"}}));
  EXPECT_TRUE(a.allows("listed", {{"group", "create_requests"}}));
  EXPECT_FALSE(a.allows("listed", {{"group", "create_visitors"}}));
}

TEST(FmSuite, W_15_EditImpliesCreateImpliesView) {
  Acme a;
  for (const char* s : {"requests", "task_handle_request"}) {
    EXPECT_TRUE(a.allows("edit", {{"user", "ivan"}, {"subject", s}}));
    EXPECT_TRUE(a.allows("create", {{"user", "ivan"}, {"subject", s}}));
    EXPECT_TRUE(a.allows("view", {{"user", "ivan"}, {"subject", s}}));
  }
  EXPECT_TRUE(a.allows("create", {{"user", "anna"}, {"subject", "requests"}}));
  EXPECT_FALSE(a.allows("edit", {{"user", "anna"}, {"subject", "requests"}}));
}

TEST(FmSuite, W_16_LeastPrivilegeFlagsRedundantGroups) {
  Acme a("SystemGroup:\n  - {id: view_requests, description: x, module: requests, min_license: "
         "limited, views: [requests]}\n"
         "Profile:\n  - {id: desk_plus, system_groups: [service_desk_employee, view_requests]}\n");
  EXPECT_TRUE(
      a.allows("redundant_in_profile", {{"profile", "desk_plus"}, {"group", "view_requests"}}));
  EXPECT_FALSE(a.allows("redundant_in_profile",
                        {{"profile", "desk_plus"}, {"group", "service_desk_employee"}}));
  EXPECT_FALSE(a.allows("redundant_in_profile",
                        {{"profile", "it_service_desk_profile"}, {"group", "create_requests"}}));
}

TEST(FmSuite, W_17_RequiredGroupsMustBeInAProfile) {
  Acme a;
  EXPECT_TRUE(a.allows("required_groups_covered", {}));
  Acme b("Profile:\n  - {id: it_service_desk_profile, system_groups: [create_requests]}\n");
  EXPECT_FALSE(b.allows("required_groups_covered", {}));
  EXPECT_TRUE(b.allows("required_unassigned", {{"group", "it_service_desk"}}));
}

TEST(FmSuite, W_18_MatricesListActiveGroupsOnly) {
  Acme a;
  EXPECT_FALSE(a.allows("listed", {{"group", "access_9"}}));
  EXPECT_FALSE(a.allows("listed", {{"group", "create_visitors"}}));
  Acme b("", {{"active_modules", "[visitors]"}});
  EXPECT_TRUE(b.allows("listed", {{"group", "create_visitors"}}));
  EXPECT_FALSE(b.allows("listed", {{"group", "create_requests"}}));
}

TEST(FmSuite, W_19_TheFiveExampleProfiles) {
  Acme a;
  const std::map<std::string, std::vector<std::string>> profiles = {
      {"end_user", {}},
      {"it_service_desk_profile", {"service_desk_employee", "it_service_desk"}},
      {"facility_service_desk_profile", {"service_desk_employee", "facility_service_desk"}},
      {"reservation_coordinator_profile", {"reservation_coordinator"}},
      {"contract_manager_profile", {"contract_manager"}}};
  const ir::Policy& p = *a.result->policy;
  int32_t pt = p.find_entity("Profile"), gt = p.find_entity("SystemGroup");
  int32_t attr = p.entities[static_cast<size_t>(pt)].find_attribute("system_groups");
  for (const auto& [profile, extra] : profiles) {
    int32_t row = a.snap->find(pt, profile);
    ASSERT_GE(row, 0) << profile;
    std::vector<std::string> want = {"create_requests", "create_reservations"};
    want.insert(want.end(), extra.begin(), extra.end());
    std::vector<std::string> got;
    for (const auto& v : a.snap->get(pt, row, attr).elems)
      got.push_back(a.snap->id(gt, static_cast<int32_t>(v.num)));
    std::sort(want.begin(), want.end());
    std::sort(got.begin(), got.end());
    EXPECT_EQ(got, want) << profile;
  }
}

TEST(FmSuite, ChecksPointAtDataFiles) {
  Acme a;
  std::string path = (example_dir() / "data" / "problems.yaml").string();
  Diagnostics diags;
  int before = a.result->sources->count();
  ASSERT_TRUE(rt::load_data_file(*a.snap, path, diags, *a.result->sources));
  sim::InstanceLocator loc;
  for (int f = before; f < a.result->sources->count(); ++f)
    loc.add_data_file(*a.result->sources, f);
  auto run = sim::run_checks(*a.result->policy, *a.snap, loc, 0);
  const auto& findings = run.findings;
  std::map<std::string, const sim::CheckFinding*> by_check;
  for (const auto& f : findings) by_check[f.check] = &f;
  for (const char* c : {"missing_default_profile", "no_direct_group", "inactive_assignment",
                        "context_not_allowed"}) {
    ASSERT_TRUE(by_check.count(c)) << c;
    EXPECT_EQ(by_check[c]->severity, ir::Severity::Error) << c;
    ASSERT_TRUE(by_check[c]->span.valid()) << c;
    EXPECT_EQ(a.result->sources->file(by_check[c]->span.file).path, path) << c;
  }
  EXPECT_EQ(by_check["missing_default_profile"]->span.line, 4u);
  EXPECT_EQ(by_check["missing_default_profile"]->span.col, 10u);
  ASSERT_TRUE(by_check.count("required_unassigned"));
  EXPECT_EQ(by_check["required_unassigned"]->subject, "it_service_desk");
}

TEST(FmSuite, ExampleScenariosPass) {
  std::vector<std::string> files;
  for (const auto& e : fs::directory_iterator(example_dir()))
    if (e.path().extension() == ".yaml") files.push_back(e.path().string());
  std::sort(files.begin(), files.end());
  ASSERT_GE(files.size(), 6u);
  sim::RunReport rep = sim::run_scenarios(files, {});
  EXPECT_FALSE(rep.input_errors()) << rep.diags.render_text(*rep.sources);
  EXPECT_EQ(rep.failed, 0);
  EXPECT_EQ(rep.unresolved, 0);
  EXPECT_GT(rep.passed, 100);
}
