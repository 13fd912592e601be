// The FM-suite model against seed 004 (the FM-suite manual), section by
// section: the readings of issue 11 (items 1-6), each named after the seed
// section and the DOMAIN rule it rests on. The readings are documented in
// docs/fm-suite.md; every test would fail on the model before the reading.
#include "simulator/declared_report.hpp"
#include "tests/fm_fixture.hpp"
#include "tests/test_support.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>

using namespace keyplan;
using fm_test::Acme;

namespace {

// A customer group that edits buildings but may not be given in a context,
// and a full user who holds nothing about buildings in general.
const char* const kNonContextual =
    "SystemGroup:\n"
    "  - {id: building_admin, description: x, module: buildings_and_areas, min_license: full, "
    "edits: [buildings]}\n"
    "User:\n"
    "  - {id: bert, license: full, default_profile: end_user}\n"
    "ContextAssignment:\n"
    "  - {id: bert_admin_hq, user: bert, group: building_admin, context: hq}\n";

bool has_finding(const std::vector<sim::CheckFinding>& findings, const std::string& check,
                 const std::string& subject) {
  return std::any_of(findings.begin(), findings.end(), [&](const sim::CheckFinding& f) {
    return f.check == check && f.subject == subject;
  });
}

// A report std.fm_suite declares (dashboard, effective-access), on the tenant.
std::vector<sim::Table> declared(const Acme& a, const std::string& kind,
                                 const std::vector<std::string>& only = {}) {
  const ir::Policy& p = *a.result->policy;
  int32_t r = p.find_report(kind);
  EXPECT_GE(r, 0) << kind;
  if (r < 0) return {};
  std::string error;
  auto tables =
      sim::render_declared_report(p, *a.snap, p.reports[static_cast<size_t>(r)], 0, only, &error);
  EXPECT_EQ(error, "");
  return tables;
}

} // namespace

// s.3.1 / W-9: "a user can be given some of the view and edit system groups
// related to buildings, areas and assets" in a context: any other group
// given there grants nothing, and the check keeps reporting it.
TEST(FmSeed004, S3_1_ContextualAssignmentOfNonContextualGroupGrantsNothing) {
  Acme a(kNonContextual);
  EXPECT_FALSE(a.allows("edit", {{"user", "bert"}, {"subject", "buildings"}, {"at", "hq"}}));
  EXPECT_FALSE(a.allows("view", {{"user", "bert"}, {"subject", "buildings"}, {"at", "hq"}}));
  EXPECT_TRUE(a.allows("context_not_allowed", {{"assignment", "bert_admin_hq"}}));
  EXPECT_TRUE(has_finding(a.findings(), "context_not_allowed", "bert_admin_hq"));
  // A contextual group given in the same place still holds there.
  EXPECT_TRUE(a.allows("edit", {{"user", "fiona"}, {"subject", "buildings"}, {"at", "hq"}}));
}

// s.4 / W-12: "the minimum license required for the user is determined by
// the highest license required for all assigned system groups"; s.4.1 /
// W-13: the warning on assigning a group above the license. A group given
// in a context is assigned (s.3.1 calls it a direct assignment): both count
// it. The decision side still caps it to view.
TEST(FmSeed004, S4_NeededLicenseCountsGroupsAssignedInAContext) {
  Acme a("User:\n  - {id: lena, license: limited, default_profile: end_user}\n"
         "ContextAssignment:\n"
         "  - {id: lena_edits_hq, user: lena, group: edit_buildings, context: hq}\n");
  EXPECT_FALSE(a.allows("license_sufficient", {{"user", "lena"}}));
  EXPECT_TRUE(a.allows("license_exceeded", {{"user", "lena"}, {"group", "edit_buildings"}}));
  EXPECT_TRUE(a.allows("view", {{"user", "lena"}, {"subject", "buildings"}, {"at", "hq"}}));
  EXPECT_FALSE(a.allows("edit", {{"user", "lena"}, {"subject", "buildings"}, {"at", "hq"}}));
  // The effective-access report's title shows needed_license (declared in std.fm_suite).
  auto tables = declared(a, "effective-access", {"lena"});
  ASSERT_EQ(tables.size(), 1u);
  EXPECT_NE(tables[0].title.find("license limited (needs full)"), std::string::npos)
      << tables[0].title;
}

TEST(FmSeed004, S4_1_LicenseWarningNamesTheContextualAssignment) {
  Acme a("User:\n  - {id: lena, license: limited, default_profile: end_user}\n"
         "ContextAssignment:\n"
         "  - {id: lena_edits_hq, user: lena, group: edit_buildings, context: hq}\n");
  bool found = false;
  for (const auto& f : a.findings())
    if (f.check == "license_exceeded" && f.subject == "lena") {
      found = true;
      EXPECT_EQ(f.message,
                "user 'lena' has license limited, but system group 'edit_buildings' needs "
                "license full; it is held through contextual assignment 'lena_edits_hq'");
    }
  EXPECT_TRUE(found);
}

// s.5.1 / W-15, W-16: "giving users the group Edit buildings automatically
// also allows them to view and create buildings"; "there is no need to give
// a user profile more system groups than necessary". A group is redundant
// when the profile yields the same without it under every license, so view
// buildings next to edit buildings is reported under the default
// over_license_level (edit buildings still yields view to a limited user),
// but not under over_license_level none.
TEST(FmSeed004, S5_1_ViewBuildingsNextToEditBuildingsIsRedundant) {
  const char* data =
      "SystemGroup:\n  - {id: view_places, description: x, module: contracts, min_license: "
      "limited, views: [contracts, buildings]}\n"
      "Profile:\n  - {id: keeper, system_groups: [view_buildings, edit_buildings]}\n"
      "  - {id: viewer, system_groups: [view_contracts, view_buildings, view_places]}\n";
  Acme a(data);
  EXPECT_TRUE(
      a.allows("redundant_in_profile", {{"profile", "keeper"}, {"group", "view_buildings"}}));
  EXPECT_FALSE(
      a.allows("redundant_in_profile", {{"profile", "keeper"}, {"group", "edit_buildings"}}));
  EXPECT_TRUE(a.allows("redundant_in_profile", {{"profile", "viewer"}, {"group", "view_places"}}));
  std::vector<std::string> messages;
  for (const auto& f : a.findings())
    if (f.check == "redundant_in_profile") messages.push_back(f.message);
  EXPECT_EQ(messages,
            (std::vector<std::string>{
                "profile 'keeper': system group 'view_buildings' is redundant: under every "
                "license the profile yields at least as much without it, since "
                "'edit_buildings' alone already does",
                "profile 'viewer': system group 'view_places' is redundant: under every "
                "license the profile yields at least as much without it"}));
  Acme strict(data, {{"over_license_level", "none"}});
  EXPECT_FALSE(
      strict.allows("redundant_in_profile", {{"profile", "keeper"}, {"group", "view_buildings"}}));
}

// s.5 / W-14: "system groups can be assigned directly to selected user
// profiles or to all existing user profiles". The what-if is the model's
// setting add_to_all_profiles: every customer profile holds the groups, so
// "what if contract_manager were in every profile" replays as a scenario.
TEST(FmSeed004, S5_AddToAllProfilesIsASettingOfTheModel) {
  Acme before;
  EXPECT_FALSE(before.allows("edit", {{"user", "fiona"}, {"subject", "contracts"}}));
  EXPECT_TRUE(before.allows("optional_unassigned", {{"group", "view_contacts"}}));
  Acme a("", {{"add_to_all_profiles", "[contract_manager, view_contacts]"}});
  EXPECT_TRUE(a.allows("edit", {{"user", "fiona"}, {"subject", "contracts"}}));
  EXPECT_TRUE(a.allows("view", {{"user", "anna"}, {"subject", "contacts"}}));
  EXPECT_TRUE(a.allows("holds", {{"user", "ivan"}, {"group", "contract_manager"}}));
  EXPECT_FALSE(a.allows("optional_unassigned", {{"group", "view_contacts"}}));
  // ivan's limited license now falls short of contract_manager (W-13).
  EXPECT_TRUE(a.allows("license_exceeded", {{"user", "ivan"}, {"group", "contract_manager"}}));
  // Only customer profiles: the baseline profile is not edited (W-7).
  EXPECT_FALSE(a.allows("baseline_edited", {{"profile", "administrator_wpm"}}));
}

// The report flag is a thin use of the setting: --add-to-all-profiles G and
// --set add_to_all_profiles=[G] give the same dashboard; the flag adds to
// what --set states.
TEST(FmSeed004, S5_AddToAllProfilesFlagSetsTheSetting) {
  using testing_support::run_command;
  std::string cd = "cd '" + fm_test::example_dir().string() + "' && '" + KEYPLAN_BINARY +
                   "' report dashboard acme_fm.kp --format json ";
  auto flag = run_command(cd + "--add-to-all-profiles view_contacts 2>/dev/null");
  auto set = run_command(cd + "--set 'add_to_all_profiles=[view_contacts]' 2>/dev/null");
  EXPECT_EQ(flag.code, set.code);
  EXPECT_EQ(flag.out, set.out);
  EXPECT_NE(flag.out.find("create_requests, create_reservations, view_contacts"),
            std::string::npos);
  auto both = run_command(cd + "--set 'add_to_all_profiles=[view_contacts]' "
                               "--add-to-all-profiles view_contracts 2>/dev/null");
  EXPECT_NE(both.out.find("create_requests, create_reservations, view_contacts, view_contracts"),
            std::string::npos)
      << both.out;
  EXPECT_EQ(run_command(cd + "--add-to-all-profiles ghost 2>/dev/null").code, 2);
}

// s.3.1 / W-9: a contextual grant gives "only edit rights on a specific
// building": a request at a location asks about that location, so a subject
// applies only to the kinds of location it lists. "Edit buildings" at an
// asset is a deny whose reason is applies_at; an assignment that can never
// apply (edit buildings given on an asset) is reported.
TEST(FmSeed004, S3_1_SubjectAtALocationOfAnotherKindIsDeniedWithAReason) {
  Acme a("ContextAssignment:\n"
         "  - {id: fiona_edits_beamer, user: fiona, group: edit_buildings, context: beamer_1}\n"
         "  - {id: fiona_views_hq_first, user: fiona, group: view_assets, context: hq_first}\n");
  EXPECT_TRUE(a.allows("edit", {{"user", "fiona"}, {"subject", "buildings"}, {"at", "hq"}}));
  EXPECT_FALSE(a.allows("edit", {{"user", "fiona"}, {"subject", "buildings"}, {"at", "beamer_1"}}));
  EXPECT_FALSE(a.allows("view", {{"user", "carl"}, {"subject", "buildings"}, {"at", "annex_lab"}}));
  EXPECT_TRUE(a.allows("view", {{"user", "carl"}, {"subject", "areas"}, {"at", "annex_lab"}}));

  rt::EvalOptions eo;
  eo.explain = true;
  rt::Decision d =
      rt::decide(*a.result->policy, *a.snap, "edit",
                 {{"user", "fiona"}, {"subject", "buildings"}, {"at", "beamer_1"}}, eo);
  ASSERT_FALSE(d.allowed);
  ASSERT_TRUE(d.explanation);
  bool named = false;
  for (const auto& r : d.explanation->reasons)
    if (r.text == "at.kind in s.location_kinds") {
      named = true;
      EXPECT_EQ(r.implements, std::vector<std::string>{"W-9"});
      EXPECT_NE(std::find(r.via.begin(), r.via.end(), "applies_at"), r.via.end())
          << ::testing::PrintToString(r.via);
    }
  EXPECT_TRUE(named);

  EXPECT_TRUE(a.allows("context_never_applies", {{"assignment", "fiona_edits_beamer"}}));
  EXPECT_FALSE(a.allows("context_never_applies", {{"assignment", "fiona_edits_hq"}}));
  EXPECT_FALSE(a.allows("context_never_applies", {{"assignment", "fiona_views_hq_first"}}));
  bool reported = false;
  for (const auto& f : a.findings())
    if (f.check == "context_never_applies") {
      reported = true;
      EXPECT_EQ(f.subject, "fiona_edits_beamer");
      EXPECT_EQ(f.severity, ir::Severity::Warning);
    }
  EXPECT_TRUE(reported);
}

// s.5 / W-14, W-8: the dashboard shows "all available system groups based on
// the activated modules"; a profile that still holds a group of an inactive
// module (create_visitors, visitors off) lists it marked inactive.
TEST(FmSeed004, S5_DashboardMarksAnInactiveProfileGroup) {
  Acme a("Profile:\n  - {id: reception, description: Reception, system_groups: "
         "[create_requests, create_visitors]}\n");
  std::vector<sim::Table> tables = declared(a, "dashboard");
  ASSERT_FALSE(tables.empty());
  const sim::Table& profiles = tables[0];
  bool seen = false;
  for (const auto& row : profiles.rows)
    if (row.at(0) == "reception") {
      seen = true;
      EXPECT_EQ(row.at(2), "create_requests, create_visitors (inactive)");
    } else {
      EXPECT_EQ(row.at(2).find("(inactive)"), std::string::npos) << row.at(0);
    }
  EXPECT_TRUE(seen);
  EXPECT_NE(std::find_if(profiles.notes.begin(), profiles.notes.end(),
                         [](const std::string& n) { return n.rfind("(inactive):", 0) == 0; }),
            profiles.notes.end());
  // Once the module is active, the mark goes.
  Acme on("Profile:\n  - {id: reception, description: Reception, system_groups: "
          "[create_requests, create_visitors]}\n",
          {{"active_modules", "[requests, reservations, visitors]"}});
  std::vector<sim::Table> tables_on = declared(on, "dashboard");
  ASSERT_FALSE(tables_on.empty());
  for (const auto& row : tables_on[0].rows) {
    if (row.at(0) == "reception") {
      EXPECT_EQ(row.at(2), "create_requests, create_visitors");
    }
  }
}
