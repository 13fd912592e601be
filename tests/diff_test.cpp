// keyplan diff (docs/what-if.md "diff", docs/cli.md "keyplan diff"): two
// worlds compared decision by decision on seed 002 (DOMAIN.md, "The worked
// examples") and on the ACME tenant; exit codes like diff(1); every format.
#include "runtime/interpreter.hpp"
#include "simulator/diff.hpp"
#include "simulator/world.hpp"

#include "tests/test_support.hpp"
#include "tests/what_if_support.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <sys/wait.h>
#include <unistd.h>

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

using keyplan::what_if_test::read;
using keyplan::what_if_test::run_keyplan;
using keyplan::what_if_test::show;
using keyplan::what_if_test::source_root;
using DiffRun = keyplan::what_if_test::Run;

const std::string kSeed = "policies/examples/seed002/example_building.kp --today 2026-11-23";

const json& action(const json& j, const std::string& signature) {
  for (const auto& a : j["actions"])
    if (a["signature"] == signature) return a;
  static const json none;
  ADD_FAILURE() << "no action " << signature;
  return none;
}

// The flipped cells of one action as "change user object" strings.
std::set<std::string> cells(const json& j, const std::string& name) {
  std::set<std::string> out;
  for (const auto& c : j["cells"])
    if (c["action"] == name) {
      std::string s = c["change"].get<std::string>();
      for (const auto& [k, v] : c["args"].items()) s += " " + k + "=" + v.get<std::string>();
      out.insert(s);
    }
  return out;
}

} // namespace

// "What changes if all_is_everyone is off?" Schmidt (only in Legal) loses
// ALL's implicit membership: the building, the floor, both tables' status
// and TABLE_2 (F-G1, F-A1, F-A7); nobody gains anything.
TEST(DiffWhatIf, AllIsEveryoneOffSchmidtLosesWhatAllGaveHim) {
  DiffRun r =
      run_keyplan("diff " + kSeed +
                  " --what-if tests/data/diff/all_is_everyone_off.yaml --format json --explain 1");
  ASSERT_EQ(r.code, 1) << show(r);
  json j = json::parse(r.out);
  EXPECT_EQ(j["gained"], 0);
  EXPECT_EQ(j["changed"], true);
  EXPECT_EQ(cells(j, "book"), (std::set<std::string>{"lost object=TABLE_2 user=schmidt"}));
  EXPECT_EQ(cells(j, "see_status"), (std::set<std::string>{"lost object=TABLE_1 user=schmidt",
                                                           "lost object=TABLE_2 user=schmidt"}));
  const json& book = action(j, "book(user: User, object: Object, on: date)");
  EXPECT_EQ(book["allowed_before"], 2);
  EXPECT_EQ(book["allowed_after"], 1);
  EXPECT_EQ(book["defaults"]["after"]["on"], "2026-11-23");
  // The sample explains its cell on both sides and names the setting.
  ASSERT_EQ(j["explanations"].size(), 1u);
  const json& ex = j["explanations"][0];
  EXPECT_EQ(ex["before"]["decision"], "allow");
  EXPECT_EQ(ex["after"]["decision"], "deny");
  // The deciding clause that flipped, then its cause: the setting.
  ASSERT_EQ(ex["changed"].size(), 2u) << ex["changed"].dump(2);
  EXPECT_EQ(ex["changed"][0]["text"], "groups_of(u) meets whitelist");
  EXPECT_EQ(ex["changed"][0]["deciding"], true);
  EXPECT_EQ(ex["changed"][1]["text"], "all_is_everyone");
  EXPECT_EQ(ex["changed"][1]["deciding"], false);
  EXPECT_EQ(ex["changed"][1]["before"], "true");
  EXPECT_EQ(ex["changed"][1]["after"], "false");
  // Grouped: Schmidt's group, the table's floor.
  bool found = false;
  for (const auto& g : j["groups"])
    if (g["action"] == "book" && g["change"] == "lost") {
      found = true;
      EXPECT_EQ(g["group"]["user"], "Legal");
      EXPECT_EQ(g["group"]["object"], "first_floor");
      EXPECT_EQ(g["summary"], "groups Legal: 1 user loses `book` on 1 object of floor first_floor");
    }
  EXPECT_TRUE(found) << r.out;
  // The text view shows the changed clause on both sides.
  DiffRun t =
      run_keyplan("diff " + kSeed +
                  " --what-if tests/data/diff/all_is_everyone_off.yaml --action book --explain 1");
  EXPECT_EQ(t.code, 1) << show(t);
  EXPECT_NE(t.out.find("because: all_is_everyone: true → false"), std::string::npos) << t.out;
  EXPECT_NE(t.out.find("deciding: groups_of(u) meets whitelist: true → false"), std::string::npos)
      << t.out;
  EXPECT_NE(t.out.find("BEFORE ("), std::string::npos) << t.out;
  EXPECT_NE(t.out.find("AFTER ("), std::string::npos) << t.out;
}

// A data edit: IT removed from TABLE_1's whitelist (F-A3): Müller loses
// TABLE_1 (also when booking for himself, book_for), nothing else changes.
TEST(DiffWhatIf, RemovingAGroupFromAnObjectLosesItsBookings) {
  DiffRun r = run_keyplan("diff " + kSeed +
                          " --what-if tests/data/diff/table1_without_it.yaml --format json");
  ASSERT_EQ(r.code, 1) << show(r);
  json j = json::parse(r.out);
  EXPECT_EQ(j["gained"], 0);
  EXPECT_EQ(j["lost"], 2);
  EXPECT_EQ(cells(j, "book"), (std::set<std::string>{"lost object=TABLE_1 user=mueller"}));
  EXPECT_EQ(cells(j, "book_for"),
            (std::set<std::string>{"lost actor=mueller object=TABLE_1 user=mueller"}));
  EXPECT_TRUE(cells(j, "see_status").empty());
}

// A new policy version (`policy:` in the what-if file): cells are matched by
// action signature and instance ids; TABLE_2 (gone) and TABLE_3 (new), and
// the new action water_plants, are reported as one-sided, not crashed on.
TEST(DiffWhatIf, NewPolicyVersionMatchesCellsByIdsAndReportsOneSidedOnes) {
  DiffRun r =
      run_keyplan("diff " + kSeed + " --what-if tests/data/diff/new_version.yaml --format json");
  ASSERT_EQ(r.code, 1) << show(r);
  json j = json::parse(r.out);
  EXPECT_EQ(cells(j, "book"), (std::set<std::string>{"gained object=TABLE_3 user=schmidt",
                                                     "lost object=TABLE_2 user=schmidt"}));
  const json& water = action(j, "water_plants(user: User, object: Object)");
  EXPECT_EQ(water["in_before"], false);
  EXPECT_EQ(water["in_after"], true);
  EXPECT_EQ(water["gained"], 2); // Müller (IT) on TABLE_1 and TABLE_3
  std::set<std::string> one_side;
  for (const auto& i : j["instances_one_side"])
    one_side.insert(i["type"].get<std::string>() + " " + i["id"].get<std::string>() + " " +
                    i["only_in"].get<std::string>());
  EXPECT_EQ(one_side, (std::set<std::string>{"Object TABLE_2 before", "Object TABLE_3 after"}));
}

// Scenario documents are worlds: seed 002's example 1 against example 2
// (the floor's ALL replaced by Legal): Müller loses TABLE_1, Schmidt gains TABLE_2.
TEST(DiffWorlds, ScenarioDocumentsAreWorlds) {
  DiffRun r =
      run_keyplan("diff policies/examples/seed002/worked_examples.yaml#1 "
                  "policies/examples/seed002/worked_examples.yaml#2 --action book --format json");
  ASSERT_EQ(r.code, 1) << show(r);
  json j = json::parse(r.out);
  EXPECT_EQ(cells(j, "book"), (std::set<std::string>{"gained object=TABLE_2 user=schmidt",
                                                     "lost object=TABLE_1 user=mueller"}));
  // Without #N, a file of several documents is its first, with a warning.
  r = run_keyplan("diff policies/examples/seed002/worked_examples.yaml "
                  "policies/examples/seed002/worked_examples.yaml#2 --action book --format json");
  ASSERT_EQ(r.code, 1) << show(r);
  EXPECT_NE(r.err.find("has 2 documents: using the first"), std::string::npos) << r.err;
  EXPECT_EQ(cells(json::parse(r.out), "book"),
            (std::set<std::string>{"gained object=TABLE_2 user=schmidt",
                                   "lost object=TABLE_1 user=mueller"}));
  // A world file without cases, with a what-if on top of it.
  r = run_keyplan("diff tests/data/diff/seed002_world.yaml --what-if "
                  "tests/data/diff/table1_without_it.yaml --action book --format json");
  ASSERT_EQ(r.code, 1) << show(r);
  EXPECT_EQ(cells(json::parse(r.out), "book"),
            (std::set<std::string>{"lost object=TABLE_1 user=mueller"}));
}

TEST(DiffExit, NothingChangedExitsZero) {
  DiffRun r = run_keyplan("diff " + kSeed + " policies/examples/seed002/example_building.kp");
  EXPECT_EQ(r.code, 0) << show(r);
  EXPECT_NE(r.out.find("0 gained, 0 lost"), std::string::npos) << r.out;
  EXPECT_TRUE(r.err.empty()) << r.err; // no progress when stderr is not a terminal
  // Under all_is_everyone: false Schmidt is not in ALL: switching it off again changes nothing.
  r = run_keyplan("diff tests/data/diff/seed002_world.yaml --what-if "
                  "tests/data/diff/all_is_everyone_off.yaml --format json");
  EXPECT_EQ(r.code, 0) << show(r);
  EXPECT_EQ(json::parse(r.out)["changed"], false);
}

TEST(DiffExit, BadInputExitsTwoWithDiagnostics) {
  // An unknown setting in the what-if file: file:line:col, the line, a caret.
  DiffRun r = run_keyplan("diff " + kSeed + " --what-if tests/data/diff/unknown_setting.yaml");
  EXPECT_EQ(r.code, 2) << show(r);
  EXPECT_NE(r.err.find("unknown_setting.yaml:2:3: error: unknown setting 'all_is_everyon'"),
            std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find("^~~"), std::string::npos) << r.err;
  EXPECT_TRUE(r.out.empty()) << r.out;
  struct Case {
    std::string args, message;
  };
  const std::vector<Case> cases = {
      {kSeed + " --what-if tests/data/diff/all_is_everyone_off.yaml --action bok",
       "did you mean 'book'?"},
      {kSeed, "give AFTER"},
      {"policies/examples/seed002/worked_examples.yaml#3 " + kSeed, "not 3"},
      {kSeed + " --what-if tests/data/diff/nope.yaml", "nope.yaml"},
      {kSeed + " --what-if tests/data/diff", "directory"},
      {kSeed + " --what-if tests/data/diff/unknown_key.yaml", "did you mean 'settings'?"},
      {kSeed + " --what-if tests/data/diff/all_is_everyone_off.yaml --max-cells 15 --action "
               "grant_role",
       "over the budget of 15"},
      {kSeed + " --what-if tests/data/diff/all_is_everyone_off.yaml --group colour",
       "attribute 'colour'"},
      {kSeed + " --what-if tests/data/diff/all_is_everyone_off.yaml --group user=floor",
       "--group user=floor"},
      {"tests/data/diff/seed002_world.yaml --what-if tests/data/diff/all_is_everyone_off.yaml "
       "--set all_is_everyone=true",
       "--set"},
      {kSeed + " --what-if tests/data/fuzz/scenario/billion-laughs.yaml", "alias"},
      {kSeed + " --what-if tests/data/diff/all_is_everyone_off.yaml --format xlsx",
       "needs --output"},
  };
  for (const auto& c : cases) {
    DiffRun b = run_keyplan("diff " + c.args);
    EXPECT_EQ(b.code, 2) << c.args << "\n" << show(b);
    EXPECT_NE(b.err.find(c.message), std::string::npos) << c.args << "\n" << show(b);
  }
  // A policy with errors: the compiler's diagnostics.
  r = run_keyplan("diff tests/data/scenarios/broken_policy.kp " + kSeed);
  EXPECT_EQ(r.code, 2) << show(r);
  EXPECT_NE(r.err.find("broken_policy.kp:"), std::string::npos) << r.err;
}

// grant_role's `role: Role` has no default: its members are enumerated
// (2 actors x 2 users x 4 roles = 16 cells), bounded by --max-cells.
TEST(DiffBudget, EnumParametersAreEnumeratedWithinTheBudget) {
  DiffRun r = run_keyplan("diff " + kSeed +
                          " --what-if tests/data/diff/all_is_everyone_off.yaml --action grant_role "
                          "--max-cells 16 --format json");
  EXPECT_EQ(r.code, 0) << show(r);
  const json doc = json::parse(r.out);
  const json& a = action(doc, "grant_role(actor: User, user: User, role: Role)");
  EXPECT_EQ(a["cells"], 16);
  EXPECT_EQ(a["params"], (json{"actor", "user", "role"}));
}

TEST(DiffFormats, EveryFormatIsValid) {
  const std::string base = "diff " + kSeed +
                           " --what-if tests/data/diff/hostile_user.yaml "
                           "--action book --explain 1";
  // JSON parses and has the counts of the table.
  DiffRun j = run_keyplan(base + " --format json");
  ASSERT_EQ(j.code, 1) << show(j);
  json doc = json::parse(j.out);
  EXPECT_EQ(doc["gained"], 1);
  DiffRun t = run_keyplan(base);
  EXPECT_EQ(t.code, 1) << show(t);
  EXPECT_NE(t.out.find("1 gained, 0 lost"), std::string::npos) << t.out;
  // CSV: the hostile id is quoted and neutralised (never a formula).
  DiffRun c = run_keyplan(base + " --format csv");
  EXPECT_EQ(c.code, 1) << show(c);
  EXPECT_NE(c.out.find("book,gained,\"'=HYPERLINK(\"\"x\"\"),1\",TABLE_2"), std::string::npos)
      << c.out;
  EXPECT_EQ(c.out.find("\n=HYPERLINK"), std::string::npos) << c.out;
  EXPECT_EQ(c.out.find(",=HYPERLINK"), std::string::npos) << c.out;
  // Markdown: tables, and the explanation in a code block.
  DiffRun m = run_keyplan(base + " --format markdown");
  EXPECT_EQ(m.code, 1) << show(m);
  EXPECT_NE(m.out.find("| action |"), std::string::npos) << m.out;
  EXPECT_NE(m.out.find("```"), std::string::npos) << m.out;
  // XLSX: a workbook with the diff's sheets; -o writes files for the others too.
  fs::path dir = fs::temp_directory_path() / ("keyplan_diff_formats_" + std::to_string(::getpid()));
  fs::create_directories(dir);
  DiffRun x = run_keyplan(base + " --format xlsx -o '" + (dir / "d.xlsx").string() + "'");
  EXPECT_EQ(x.code, 1) << show(x);
  EXPECT_EQ(read(dir / "d.xlsx").substr(0, 2), "PK");
  DiffRun o = run_keyplan(base + " --format json -o '" + (dir / "d.json").string() + "'");
  EXPECT_EQ(o.code, 1) << show(o);
  EXPECT_TRUE(o.out.empty());
  EXPECT_EQ(json::parse(read(dir / "d.json"))["gained"], 1);
  fs::remove_all(dir);
}

// Grouping: `--group PARAM=ATTR` picks the attribute, `--group none` groups by
// nothing; automatic grouping leaves out a set member every instance holds.
TEST(DiffGroups, GroupOptionsChooseTheAttribute) {
  DiffRun r =
      run_keyplan("diff " + kSeed +
                  " --what-if tests/data/diff/all_is_everyone_off.yaml --action book --group "
                  "object=groups --format json");
  ASSERT_EQ(r.code, 1) << show(r);
  json j = json::parse(r.out);
  ASSERT_EQ(j["groups"].size(), 1u);
  EXPECT_EQ(j["groups"][0]["group"]["object"], "Legal"); // TABLE_2's whitelist
  r = run_keyplan("diff " + kSeed +
                  " --what-if tests/data/diff/all_is_everyone_off.yaml --action book --group none "
                  "--format json");
  ASSERT_EQ(r.code, 1) << show(r);
  j = json::parse(r.out);
  ASSERT_EQ(j["groups"].size(), 1u);
  EXPECT_TRUE(j["groups"][0]["group"].empty());
  EXPECT_EQ(j["groups"][0]["summary"], "1 user loses `book` on 1 object");
}

TEST(DiffGroups, AMemberEveryInstanceHoldsIsLeftOut) {
  // With all_is_everyone on, the seed's users are [ALL, IT] and [Legal]; give
  // Schmidt ALL too, then every user holds ALL: Müller's loss of TABLE_1
  // is grouped under IT only.
  const std::string dir =
      fs::temp_directory_path() / ("keyplan_diff_all_" + std::to_string(::getpid()));
  fs::create_directories(dir);
  std::ofstream(dir + "/w.yaml")
      << "policy: " << (source_root() / "policies/examples/seed002/example_building.kp").string()
      << "\ntoday: 2026-11-23\ndata:\n  User:\n    - {id: schmidt, groups: [ALL, Legal]}\n";
  DiffRun r = run_keyplan("diff '" + dir +
                          "/w.yaml' --what-if tests/data/diff/table1_without_it.yaml "
                          "--action book --format json");
  fs::remove_all(dir);
  ASSERT_EQ(r.code, 1) << show(r);
  json j = json::parse(r.out);
  ASSERT_EQ(j["groups"].size(), 1u) << r.out;
  EXPECT_EQ(j["groups"][0]["group"]["user"], "IT");
}

// Every action's gained and lost counts, decided cell by cell by the
// interpreter in both worlds (the judge of compute_diff).
static void expect_interpreter_counts(const keyplan::sim::DiffResult& r, keyplan::sim::World w[2],
                                      const std::string& what, uint64_t* changed = nullptr) {
  using namespace keyplan;
  for (const auto& a : r.actions) {
    uint64_t gained = 0, lost = 0;
    rt::Interpreter in0(w[0].policy(), *w[0].snapshot), in1(w[1].policy(), *w[1].snapshot);
    std::vector<uint32_t> labels(a.axes.size(), 0);
    bool empty = false;
    for (const auto& ax : a.axes) empty = empty || ax.labels.empty();
    while (!empty) {
      bool allowed[2] = {false, false};
      for (int s = 0; s < 2; ++s) {
        std::vector<ir::Value> args;
        std::string why;
        if (!sim::side_args(a, w[s], s, labels, args, why)) continue;
        std::vector<rt::RtValue> rargs;
        const auto& rule = w[s].policy().rules[static_cast<size_t>(a.rule[s])];
        for (size_t i = 0; i < args.size(); ++i)
          rargs.push_back(rt::to_rt(args[i], rule.params[i].type, *w[s].snapshot));
        rt::EvalOptions eo;
        eo.today = w[s].today;
        rt::Decision d = (s ? in1 : in0).evaluate(a.rule[s], rargs, eo);
        allowed[s] = d.allowed && d.error.empty();
      }
      gained += allowed[1] && !allowed[0];
      lost += allowed[0] && !allowed[1];
      size_t i = labels.size();
      for (; i-- > 0;) {
        if (++labels[i] < a.axes[i].labels.size()) break;
        labels[i] = 0;
      }
      if (i == static_cast<size_t>(-1)) break;
    }
    EXPECT_EQ(a.gained, gained) << a.signature << " " << what;
    EXPECT_EQ(a.lost, lost) << a.signature << " " << what;
    if (changed) *changed += gained + lost;
  }
}

// The interpreter is the judge: on the ACME tenant and its planned changes,
// every action's gained and lost counts equal a cell-by-cell comparison of
// the interpreter's decisions in both worlds, with the JIT and without.
TEST(DiffEngine, CountsEqualTheInterpreterCellByCell) {
  using namespace keyplan;
  const fs::path acme = source_root() / "policies/examples/desk_booking";
  for (bool jit : {true, false}) {
    SourceManager sm;
    Diagnostics diags;
    sim::WorldSpec before;
    before.label = "acme";
    before.policy = (acme / "acme_office.kp").string();
    before.data.push_back(sim::DataEdit{(acme / "data/tenant.yaml").string(), std::nullopt, -1});
    before.today = 20415; // 2025-11-23
    sim::WorldSpec after = before;
    after.data.push_back(
        sim::DataEdit{(acme / "data/tenant_changes.yaml").string(), std::nullopt, -1});
    sim::WorldOptions wo;
    wo.jit = jit;
    sim::World w[2];
    ASSERT_TRUE(sim::load_world(w[0], before, wo, sm, diags)) << diags.render_text(sm);
    ASSERT_TRUE(sim::load_world(w[1], after, wo, sm, diags)) << diags.render_text(sm);
    sim::DiffOptions o;
    o.actions = {"book", "see", "see_status", "edit_object"};
    sim::DiffResult r;
    std::string error;
    ASSERT_TRUE(sim::compute_diff(w[0], w[1], o, r, error)) << error;
    uint64_t changed = 0;
    expect_interpreter_counts(r, w, jit ? "(jit)" : "(interp)", &changed);
    EXPECT_GT(changed, 0u);       // the planned changes change something
    EXPECT_FALSE(r.only.empty()); // new_campus, C_01, G_04 ... exist only after
  }
}

// The same judge on random what-ifs of the ACME tenant: random values of the
// model's bool settings on each side, and random groups for random users in
// AFTER (data edits of existing ids).
TEST(DiffEngine, RandomWhatIfsEqualTheInterpreterCellByCell) {
  using namespace keyplan;
  const fs::path acme = source_root() / "policies/examples/desk_booking";
  const fs::path dir =
      fs::temp_directory_path() / ("keyplan_diff_random_" + std::to_string(::getpid()));
  fs::create_directories(dir);
  const std::vector<std::string> settings = {"all_is_everyone", "floor_needs_building",
                                             "home_office_enabled", "protect_admin_profiles",
                                             "group_access_counts_all"};
  const std::vector<std::string> groups = {
      "IT", "HR", "Graphics", "Legal", "Car_Pool", "Wheelchair", "Mobile_Workers", "Sales_Munich"};
  const std::vector<std::string> users = {"lena", "jonas", "petra", "ahmet", "sophie", "tom"};
  int run = 0;
  keyplan::testing_support::check_bounded(
      [&] {
        const auto before_bits = *rc::gen::inRange<int>(0, 32);
        const auto after_bits = *rc::gen::inRange<int>(0, 32);
        const auto edits = *rc::gen::container<std::vector<std::pair<int, int>>>(
            rc::gen::pair(rc::gen::inRange<int>(0, 6), rc::gen::inRange<int>(0, 256)));
        std::string yaml = "User:\n";
        std::set<int> seen;
        for (const auto& [u, gs] : edits) {
          if (!seen.insert(u).second) continue;
          yaml += "  - {id: " + users[static_cast<size_t>(u)] + ", groups: [";
          bool first = true;
          for (size_t g = 0; g < groups.size(); ++g)
            if (gs & (1 << g)) {
              yaml += (first ? "" : ", ") + groups[g];
              first = false;
            }
          yaml += "]}\n";
        }
        const fs::path edit = dir / ("edit" + std::to_string(run++) + ".yaml");
        std::ofstream(edit) << (seen.empty() ? "User: []\n" : yaml);
        SourceManager sm;
        Diagnostics diags;
        sim::WorldSpec spec[2];
        for (int s = 0; s < 2; ++s) {
          spec[s].label = s ? "after" : "before";
          spec[s].policy = (acme / "acme_office.kp").string();
          spec[s].data.push_back(
              sim::DataEdit{(acme / "data/tenant.yaml").string(), std::nullopt, -1});
          spec[s].today = 20415;
          const int bits = s ? after_bits : before_bits;
          for (size_t i = 0; i < settings.size(); ++i) {
            sim::SettingEdit e;
            e.name = settings[i];
            e.text = (bits >> i) & 1 ? "true" : "false";
            spec[s].settings.push_back(e);
          }
        }
        spec[1].data.push_back(sim::DataEdit{edit.string(), std::nullopt, -1});
        sim::World w[2];
        for (int s = 0; s < 2; ++s)
          RC_ASSERT(sim::load_world(w[s], spec[s], sim::WorldOptions{}, sm, diags));
        sim::DiffOptions o;
        o.actions = {"book", "see", "see_status", "edit_user"};
        sim::DiffResult r;
        std::string error;
        RC_ASSERT(sim::compute_diff(w[0], w[1], o, r, error));
        expect_interpreter_counts(r, w, "random what-if");
        RC_ASSERT(!::testing::Test::HasFailure());
      },
      15, 20);
  fs::remove_all(dir);
}

// Every parameter shape: an action without parameters is one cell, a bool
// and an enum parameter are enumerated (and grouped by value), an int
// parameter without a default is left out (listed) or, asked for, refused.
TEST(DiffShapes, NoParameterBoolEnumAndIntParameters) {
  DiffRun r = run_keyplan("diff tests/data/diff/shapes.kp --what-if "
                          "tests/data/diff/maintenance_on.yaml --format json");
  ASSERT_EQ(r.code, 1) << show(r);
  json j = json::parse(r.out);
  EXPECT_EQ(action(j, "maintenance_mode()")["cells"], 1);
  EXPECT_EQ(action(j, "maintenance_mode()")["gained"], 1);
  EXPECT_EQ(cells(j, "flag"), (std::set<std::string>{"gained on=true team=blue"}));
  EXPECT_EQ(cells(j, "clearance"),
            (std::set<std::string>{"gained level=high team=blue", "gained level=high team=red"}));
  ASSERT_EQ(j["skipped"].size(), 1u);
  EXPECT_NE(j["skipped"][0].get<std::string>().find("quota(team: Team, n: int)"),
            std::string::npos);
  std::set<std::string> sentences;
  for (const auto& g : j["groups"]) sentences.insert(g["summary"].get<std::string>());
  EXPECT_EQ(sentences, (std::set<std::string>{"`maintenance_mode` is gained",
                                              "1 team gains `flag` with on = true",
                                              "2 teams gain `clearance` with level = high"}));
  DiffRun q = run_keyplan("diff tests/data/diff/shapes.kp --what-if "
                          "tests/data/diff/maintenance_on.yaml --action quota");
  EXPECT_EQ(q.code, 2) << show(q);
  EXPECT_NE(q.err.find("cannot enumerate quota"), std::string::npos) << q.err;
}

// The terminal and Markdown show the first 1000 flipped cells and say how
// many more there are; CSV and JSON list them all.
TEST(DiffFormats, TextFormatsShowAThousandCellsAndCountTheRest) {
  const fs::path dir =
      fs::temp_directory_path() / ("keyplan_diff_many_" + std::to_string(::getpid()));
  fs::create_directories(dir);
  {
    std::ofstream data(dir / "teams.yaml");
    data << "Team:\n";
    for (int i = 0; i < 1200; ++i) data << "  - {id: t" << i << ", name: T}\n";
  }
  const std::string base = "diff tests/data/diff/shapes.kp --data '" +
                           (dir / "teams.yaml").string() +
                           "' --what-if tests/data/diff/maintenance_on.yaml --action clearance";
  DiffRun t = run_keyplan(base);
  DiffRun c = run_keyplan(base + " --format csv");
  DiffRun j = run_keyplan(base + " --format json");
  fs::remove_all(dir);
  ASSERT_EQ(t.code, 1) << show(t);
  // 1202 teams gain clearance at level high.
  EXPECT_NE(t.out.find("... and 202 more flipped cells"), std::string::npos) << t.out;
  size_t csv_rows = 0;
  for (size_t p = c.out.find("\nclearance,gained,"); p != std::string::npos;
       p = c.out.find("\nclearance,gained,", p + 1))
    ++csv_rows;
  EXPECT_EQ(csv_rows, 1202u);
  EXPECT_EQ(json::parse(j.out)["cells"].size(), 1202u);
}

// The explained sample takes the changed actions in turns: with
// all_is_everyone off, five actions change (two `see` overloads, see_status,
// book, book_for) and --explain 6 explains each once, then see_status again.
TEST(DiffExplain, SampleTakesEveryChangedActionInTurn) {
  DiffRun r = run_keyplan("diff " + kSeed +
                          " --what-if tests/data/diff/all_is_everyone_off.yaml --explain 6 "
                          "--format json");
  ASSERT_EQ(r.code, 1) << show(r);
  std::vector<std::string> names;
  const json doc = json::parse(r.out);
  for (const auto& e : doc["explanations"]) names.push_back(e["action"].get<std::string>());
  EXPECT_EQ(names, (std::vector<std::string>{"see", "see", "see_status", "book", "book_for",
                                             "see_status"}));
}

// The interpreter is the judge in the command too: it re-decides a sample of
// the cells in both worlds; a column that disagrees (here a JIT made wrong on
// purpose, KEYPLAN_TESTING_FLIP_JIT) is an internal error, exit 3, never a
// diff. The reference interpreter alone is not affected.
TEST(DiffEngine, DisagreementWithTheInterpreterExitsThree) {
  const std::string args =
      "diff " + kSeed + " --what-if tests/data/diff/all_is_everyone_off.yaml --format json";
  DiffRun ok = run_keyplan(args);
  ASSERT_EQ(ok.code, 1) << show(ok);
  EXPECT_EQ(json::parse(ok.out)["cross_checked"], 192); // 96 cells in each world
  DiffRun bad = run_keyplan(args, 60, "KEYPLAN_TESTING_FLIP_JIT=1");
  EXPECT_EQ(bad.code, 3) << show(bad);
  EXPECT_NE(bad.err.find("internal error"), std::string::npos) << bad.err;
  EXPECT_TRUE(bad.out.empty()) << bad.out;
  DiffRun interp = run_keyplan(args + " --engine interp", 60, "KEYPLAN_TESTING_FLIP_JIT=1");
  EXPECT_EQ(interp.code, 1) << show(interp);
}
