// `check` declarations (docs/checks.md): the language (parse, types,
// message templates, fmt), running them on a tenant, silencing one for an
// instance, and each check of the std models with a tenant that triggers it
// and one that does not (tests named after the DOMAIN ids).
#include "compiler/compile.hpp"
#include "compiler/format.hpp"
#include "compiler/parse.hpp"
#include "runtime/data_loader.hpp"
#include "simulator/checks.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sys/wait.h>

using namespace keyplan;

namespace {

// A policy (source text) and tenant data (YAML), with the checks run on it.
struct World {
  World(const std::string& src, const std::string& yaml = "") {
    res = std::make_unique<CompileResult>(compile_source("test.kp", src));
    if (!res->policy) {
      ADD_FAILURE() << res->diags.render_text(*res->sources);
      return;
    }
    snap = std::make_unique<rt::Snapshot>(*res->policy);
    if (yaml.empty()) return;
    int before = res->sources->count();
    if (!rt::load_data(*snap, yaml, "tenant.yaml", diags, *res->sources))
      ADD_FAILURE() << diags.render_text(*res->sources);
    for (int id = before; id < res->sources->count(); ++id)
      locator.add_data_file(*res->sources, id);
  }
  sim::CheckRun run() const { return sim::run_checks(*res->policy, *snap, locator, 0); }
  // "check: message" of every finding.
  std::vector<std::string> findings() const {
    std::vector<std::string> out;
    if (!snap) return out;
    for (const auto& f : run().findings) out.push_back(f.check + ": " + f.message);
    return out;
  }
  bool fires(const std::string& check) const {
    auto all = findings();
    return std::any_of(all.begin(), all.end(),
                       [&](const std::string& f) { return f.rfind(check + ":", 0) == 0; });
  }
  std::unique_ptr<CompileResult> res;
  std::unique_ptr<rt::Snapshot> snap;
  sim::InstanceLocator locator;
  Diagnostics diags;
};

std::string errors_of(const std::string& src) {
  CompileResult r = compile_source("test.kp", src);
  std::string out;
  for (const auto& d : r.diags.sorted())
    out += std::to_string(d.span.line) + ":" + std::to_string(d.span.col) + ": " + d.message + "\n";
  return out;
}

const std::string kPeople = R"(
entity Team { lead: string = "" }
entity Person { name: string = ""  team: Team? }
)";

const std::string kDesk = R"(
import std.desk_booking
Group IT
Group Legal
Building hq {
  Floor f1 {
    Object d1
    Object d2 { groups: [Legal] }
  }
}
)";

} // namespace

// ---------------------------------------------------------------- language

TEST(CheckLanguage, FindingPerBindingWithInterpolatedMessage) {
  World w(kPeople + R"(
/// people need a team
@implements("W-4")
check no_team(p: Person) error "person {p} ({p.name}) has no team" = p.team == none
)",
          "Person: [{id: ann, name: Ann}, {id: bob, name: Bob, team: t}]\nTeam: [{id: t}]");
  EXPECT_EQ(w.findings(), std::vector<std::string>{"no_team: person ann (Ann) has no team"});
  auto run = w.run();
  ASSERT_EQ(run.findings.size(), 1u);
  EXPECT_EQ(run.findings[0].implements, std::vector<std::string>{"W-4"});
  EXPECT_EQ(run.findings[0].span.line, 1u); // the data file's line of ann
  EXPECT_TRUE(run.findings[0].in_data);
  EXPECT_EQ(run.errors(), 1);
  EXPECT_EQ(w.res->policy->checks[0].doc, "people need a team");
}

TEST(CheckLanguage, SeveralParametersRangeOverTheCrossProduct) {
  World w(kPeople + R"(
check same_name(a: Person, b: Person) warning "{a} and {b} share a name" =
  a != b and a.name == b.name
)",
          "Person: [{id: a1, name: X}, {id: a2, name: X}, {id: a3, name: Y}]");
  EXPECT_EQ(w.findings(), (std::vector<std::string>{"same_name: a1 and a2 share a name",
                                                    "same_name: a2 and a1 share a name"}));
  EXPECT_EQ(w.run().warnings(), 2);
  EXPECT_FALSE(w.run().fails(false));
  EXPECT_TRUE(w.run().fails(true));
}

TEST(CheckLanguage, BodyMustBeBool) {
  EXPECT_NE(errors_of(kPeople + "check c(p: Person) error \"x\" = p.name\n")
                .find("check 'c' must be a bool condition"),
            std::string::npos);
}

TEST(CheckLanguage, UnknownSeverityIsAnError) {
  EXPECT_NE(errors_of(kPeople + "check c(p: Person) fatal \"x\" = p.team == none\n")
                .find("unknown severity 'fatal'"),
            std::string::npos);
}

TEST(CheckLanguage, ParametersMustBeEntities) {
  EXPECT_NE(errors_of(kPeople + "check c(n: int) error \"x\" = n > 1\n")
                .find("check parameter 'n' must be an entity type"),
            std::string::npos);
}

TEST(CheckLanguage, MessagePiecesAreChecked) {
  EXPECT_NE(errors_of(kPeople + "check c(p: Person) error \"{p.nme}\" = p.team == none\n")
                .find("no attribute 'nme'"),
            std::string::npos);
  EXPECT_NE(errors_of(kPeople + "check c(p: Person) error \"{p + 1}\" = p.team == none\n")
                .find("not a parameter or attribute path"),
            std::string::npos);
  EXPECT_NE(errors_of(kPeople + "check c(p: Person) error \"{p\" = p.team == none\n")
                .find("a '{' without '}'"),
            std::string::npos);
}

TEST(CheckLanguage, DeclaredTwiceIsAnError) {
  EXPECT_NE(errors_of(kPeople + "check c(p: Person) error \"x\" = p.team == none\n"
                                "check c(p: Person) error \"y\" = p.team == none\n")
                .find("check 'c' is declared twice"),
            std::string::npos);
}

TEST(CheckLanguage, FmtFormatsAndIsStable) {
  std::string src = kPeople + "@implements(\"W-4\")\ncheck   no_team( p :Person )   error "
                              "\"person {p}\"   =   p.team==none\n";
  SourceManager sm;
  Diagnostics d;
  int id = sm.add("a.kp", src);
  auto file = parse_file(sm, id, d);
  ASSERT_TRUE(file) << d.render_text(sm);
  std::string out = format_file(*file, sm);
  EXPECT_NE(out.find("check no_team(p: Person) error \"person {p}\" = p.team == none\n"),
            std::string::npos)
      << out;
  int id2 = sm.add("b.kp", out);
  auto again = parse_file(sm, id2, d);
  ASSERT_TRUE(again);
  EXPECT_EQ(format_file(*again, sm), out);
}

// ---------------------------------------------------------------- silencing

TEST(CheckAllow, DataAllowSilencesOneInstance) {
  World w(kPeople + "check no_team(p: Person) error \"{p}\" = p.team == none\n",
          "Person: [{id: ann, _allow: [no_team]}, {id: bob}]");
  EXPECT_EQ(w.findings(), std::vector<std::string>{"no_team: bob"});
  EXPECT_EQ(w.run().allowed, 1u);
}

TEST(CheckAllow, PolicyAllowAnnotationSilencesOneInstance) {
  World w(kPeople + "check no_team(p: Person) error \"{p}\" = p.team == none\n"
                    "@allow(no_team)\nPerson ann\nPerson bob\n");
  EXPECT_EQ(w.findings(), std::vector<std::string>{"no_team: bob"});
}

TEST(CheckAllow, AllowOnANestedInstanceSilencesIt) {
  World w(kDesk.substr(0, kDesk.find("    Object d2")) +
              "    @allow(unbookable_object)\n    Object d2 { groups: [Legal] }\n  }\n}\n",
          "User: [{id: nina, groups: [IT]}]");
  EXPECT_FALSE(w.fires("unbookable_object"));
  EXPECT_EQ(w.run().allowed, 1u);
}

TEST(CheckAllow, AllowOfAnUnknownCheckIsAnError) {
  EXPECT_NE(errors_of(kPeople + "@allow(no_such)\nPerson ann\n").find("@allow names no check"),
            std::string::npos);
  World w(kPeople + "check no_team(p: Person) error \"{p}\" = p.team == none\n");
  Diagnostics d;
  EXPECT_FALSE(rt::load_data(*w.snap, "Person: [{id: ann, _allow: [no_tem]}]", "t.yaml", d,
                             *w.res->sources));
  EXPECT_NE(d.render_text(*w.res->sources).find("_allow names no check 'no_tem'"),
            std::string::npos);
}

// ------------------------------------------------------- std.fm_suite (W-4)

const std::string kFm = "import std.fm_suite\nProfile p1\n";

TEST(ChecksW4, MissingDefaultProfileFires) {
  World w(kFm, "User: [{id: nobody}]");
  EXPECT_EQ(w.findings(), std::vector<std::string>{
                              "missing_default_profile: user 'nobody' has no default profile"});
  EXPECT_EQ(w.run().errors(), 1);
}

TEST(ChecksW4, MissingDefaultProfileQuietWithOne) {
  World w(kFm, "User: [{id: anna, default_profile: p1}]");
  EXPECT_FALSE(w.fires("missing_default_profile"));
}

TEST(ChecksW4, DefaultAlsoAdditionalFires) {
  World w(kFm, "User: [{id: twice, default_profile: p1, additional_profiles: [p1]}]");
  EXPECT_TRUE(w.fires("default_also_additional"));
  World ok(kFm, "User: [{id: once, default_profile: p1, additional_profiles: []}]");
  EXPECT_FALSE(ok.fires("default_also_additional"));
}

// ------------------------------------------------------ std.desk_booking

TEST(ChecksFA3, UnbookableObjectFires) {
  World w(kDesk, "User: [{id: nina, groups: [IT]}]");
  EXPECT_TRUE(w.fires("unbookable_object")); // d2: only Legal, and nobody is in Legal
  World ok(kDesk, "User: [{id: nina, groups: [IT]}, {id: leo, groups: [Legal]}]");
  EXPECT_FALSE(ok.fires("unbookable_object"));
}

TEST(ChecksFA2, InvisibleFloorFires) {
  World w(kDesk + "Building b2 { Floor f2 { groups: [Legal] } }\n",
          "User: [{id: nina, groups: [IT]}]");
  EXPECT_TRUE(w.fires("invisible_floor"));
  World ok(kDesk, "User: [{id: nina, groups: [IT]}]");
  EXPECT_FALSE(ok.fires("invisible_floor"));
}

TEST(ChecksFA1, InvisibleBuildingFiresAndItsFloorsDoNot) {
  World w(kDesk + "Building b2 { groups: [Legal]  Floor f2 }\n",
          "User: [{id: nina, groups: [IT]}]");
  EXPECT_EQ(w.findings(), (std::vector<std::string>{
                              "unbookable_object: object d2 cannot be booked by any user",
                              "invisible_building: building b2 is visible to no user",
                              "empty_group_in_whitelist: group Legal is in a whitelist but has "
                              "no members"}));
  World ok(kDesk + "Building b2 { groups: [Legal]  Floor f2 }\n",
           "User: [{id: nina, groups: [IT]}, {id: leo, groups: [Legal]}]");
  EXPECT_FALSE(ok.fires("invisible_building"));
  World unpublished(kDesk + "Building b2 { groups: [Legal]  published: false  Floor f2 }\n",
                    "User: [{id: nina, groups: [IT]}]");
  EXPECT_FALSE(unpublished.fires("invisible_building"));
}

TEST(ChecksFR3, UnknownManagedLocationFires) {
  World w(kDesk, "User: [{id: lars, roles: [location_manager_light], managed_locations: [hqq]}]");
  EXPECT_EQ(w.run().errors(), 1);
  // The message names the entry (a rule's set, shown as prose).
  auto all = w.findings();
  EXPECT_NE(std::find(all.begin(), all.end(),
                      "unknown_managed_location: user lars manages 'hqq', which names no "
                      "building or floor: a typo manages nothing"),
            all.end());
  World ok(kDesk,
           "User: [{id: lars, roles: [location_manager_light], managed_locations: [hq, f1]}]");
  EXPECT_FALSE(ok.fires("unknown_managed_location"));
}

TEST(ChecksFR2, ManagerManagesNobodyFires) {
  World w(kDesk,
          "User: [{id: gus, groups: [IT], roles: [group_manager], managed_groups: [Legal]}]");
  EXPECT_TRUE(w.fires("manager_manages_nobody"));
  World ok(kDesk, "User: [{id: gus, roles: [group_manager], managed_groups: [IT]},"
                  " {id: nina, groups: [IT]}]");
  EXPECT_FALSE(ok.fires("manager_manages_nobody"));
}

TEST(ChecksFG3, EmptyGroupInWhitelistFires) {
  World w(kDesk, "User: [{id: nina, groups: [IT]}]");
  EXPECT_EQ(w.fires("empty_group_in_whitelist"), true); // Legal on d2, no members
  World ok(kDesk, "User: [{id: nina, groups: [IT]}, {id: leo, groups: [Legal]}]");
  EXPECT_FALSE(ok.fires("empty_group_in_whitelist"));
}

TEST(ChecksFG3, EmptyHiddenGroupInWhitelistFires) {
  World w(kDesk + "Group Board { hidden: true }\nBuilding b3 { Floor f3 { groups: [Board] } }\n",
          "User: [{id: nina, groups: [IT, Legal]}]");
  EXPECT_TRUE(w.fires("empty_hidden_group_in_whitelist"));
  EXPECT_FALSE(w.fires("empty_group_in_whitelist")); // one finding per group, not two
  World ok(kDesk + "Group Board { hidden: true }\nBuilding b3 { Floor f3 { groups: [Board] } }\n",
           "User: [{id: nina, groups: [IT, Legal]}, {id: bo, groups: [Board]}]");
  EXPECT_FALSE(ok.fires("empty_hidden_group_in_whitelist"));
  World unused(kDesk + "Group Board { hidden: true }\n", "User: [{id: nina, groups: [IT, Legal]}]");
  EXPECT_FALSE(unused.fires("empty_hidden_group_in_whitelist"));
}

// F-R2: managed_groups is a set of Group references, so an entry that names
// no group is a data error with a did-you-mean, before any check runs.
TEST(ChecksFR2, ManagedGroupsEntryNamingNothingIsADataError) {
  auto res = compile_source("test.kp", kDesk);
  ASSERT_TRUE(res.policy);
  rt::Snapshot snap(*res.policy);
  Diagnostics d;
  EXPECT_FALSE(rt::load_data(snap,
                             "User: [{id: gus, roles: [group_manager], managed_groups: [ITT]}]",
                             "tenant.yaml", d, *res.sources));
  EXPECT_NE(d.render_text(*res.sources).find("ITT"), std::string::npos);
  Diagnostics ok;
  EXPECT_TRUE(rt::load_data(snap, "User: [{id: gus, roles: [group_manager], managed_groups: [IT]}]",
                            "tenant.yaml", ok, *res.sources));
}

TEST(ChecksFG2, Seed002AllWithoutMembersFires) {
  World w(kDesk + "set all_is_everyone = false\n", "User: [{id: nina, groups: [IT]}]");
  EXPECT_TRUE(w.fires("all_is_empty_building"));
  EXPECT_TRUE(w.fires("all_is_empty_floor"));
  EXPECT_TRUE(w.fires("all_is_empty_object")); // d1 lists ALL by default
  World listed(kDesk + "set all_is_everyone = false\n", "User: [{id: nina, groups: [ALL, IT]}]");
  EXPECT_FALSE(listed.fires("all_is_empty_floor"));
  World everyone(kDesk, "User: [{id: nina, groups: [IT]}]");
  EXPECT_FALSE(everyone.fires("all_is_empty_floor"));
}

// ------------------------------------------------ where CI looks (the CLI)

namespace {

struct Cli {
  int code = -1;
  std::string out;
};

// `keyplan ARGS` in the source root; stdout only (stderr merged when asked).
Cli run_keyplan(const std::string& args, bool merge_stderr = true) {
  std::string root = std::filesystem::path(KEYPLAN_TEST_DATA).parent_path().parent_path().string();
  std::string cmd = "cd '" + root + "' && '" + std::string(KEYPLAN_BINARY) + "' " + args +
                    (merge_stderr ? " 2>&1" : " 2>/dev/null");
  Cli r;
  FILE* p = ::popen(cmd.c_str(), "r");
  if (!p) return r;
  char buf[4096];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, p)) > 0) r.out.append(buf, n);
  int status = ::pclose(p);
  r.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
}

const std::string kAcme = "policies/examples/fm_suite/acme_fm.kp";

} // namespace

TEST(ChecksW4Cli, CheckStrictFailsOnUserWithoutDefaultProfile) {
  auto r = run_keyplan("check --strict " + kAcme + " --data tests/data/checks/fm_no_default.yaml");
  EXPECT_EQ(r.code, 1) << r.out;
  EXPECT_NE(r.out.find("tests/data/checks/fm_no_default.yaml:3:10: error: check "
                       "'missing_default_profile': user 'nobody' has no default profile"),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("implements W-4"), std::string::npos) << r.out;
  // Not --strict either: an error finding fails the run.
  EXPECT_EQ(run_keyplan("check " + kAcme + " --data tests/data/checks/fm_no_default.yaml").code, 1);
  EXPECT_EQ(run_keyplan("check " + kAcme + " --data tests/data/checks/fm_ok.yaml").code, 0);
  // --strict fails on the example's deliberate W-13 warning (rita's license).
  auto strict = run_keyplan("check --strict " + kAcme + " --data tests/data/checks/fm_ok.yaml");
  EXPECT_EQ(strict.code, 1);
  EXPECT_NE(strict.out.find("check 'license_exceeded': user 'rita'"), std::string::npos)
      << strict.out;
}

TEST(ChecksW4Cli, CheckJsonListsFindings) {
  auto r = run_keyplan(
      "check --format json " + kAcme + " --data tests/data/checks/fm_no_default.yaml", false);
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.out.find("\"check\": \"missing_default_profile\""), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("\"check_errors\": 1"), std::string::npos) << r.out;
}

TEST(ChecksW4Cli, TestFailsOnUserWithoutDefaultProfile) {
  auto r = run_keyplan("test --mode exhaustive " + kAcme +
                       " --data tests/data/checks/fm_no_default.yaml --today 2026-11-23");
  EXPECT_EQ(r.code, 1) << r.out;
  EXPECT_NE(r.out.find("missing_default_profile"), std::string::npos) << r.out;
  r = run_keyplan("test --mode exhaustive " + kAcme +
                  " --data tests/data/checks/fm_no_default_allowed.yaml --today 2026-11-23");
  EXPECT_EQ(r.code, 0) << r.out;
}

TEST(ChecksW4Cli, SimulateFailsOnScenarioWorldWithoutDefaultProfile) {
  std::string dir = std::filesystem::temp_directory_path() / "keyplan_checks_sim";
  std::filesystem::create_directories(dir);
  std::string root = std::filesystem::path(KEYPLAN_TEST_DATA).parent_path().parent_path().string();
  auto write = [&](const std::string& name, const std::string& allow) {
    std::ofstream(dir + "/" + name)
        << "name: w4\npolicy: " << root << "/" << kAcme
        << "\ntoday: 2026-11-23\ndata:\n  User:\n    - {id: nobody" << allow << "}\ncases: []\n";
    return dir + "/" + name;
  };
  auto r = run_keyplan("simulate " + write("bad.yaml", ""));
  EXPECT_EQ(r.code, 1) << r.out;
  EXPECT_NE(r.out.find("bad.yaml:6:12: error: check 'missing_default_profile'"), std::string::npos)
      << r.out;
  auto j = run_keyplan("simulate --format json " + dir + "/bad.yaml", false);
  EXPECT_NE(j.out.find("\"check_errors\": 1"), std::string::npos) << j.out;
  EXPECT_EQ(run_keyplan("simulate " + write("ok.yaml", ", _allow: [missing_default_profile]")).code,
            0);
  std::filesystem::remove_all(dir);
}
