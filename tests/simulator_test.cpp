// The simulator: scenario files (parsing, with file:line:col errors), the
// runner (what it loads, how it counts, what fails closed) and the three
// reports (text, JSON, JUnit). The scenario files are in
// tests/data/scenarios; docs/scenarios.md describes the format.
#include "simulator/report.hpp"
#include "simulator/runner.hpp"
#include "simulator/scenario.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "runtime/interpreter.hpp"

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

using namespace keyplan;
namespace fs = std::filesystem;

namespace {

std::string scenario(const std::string& name) {
  return (fs::path(KEYPLAN_TEST_DATA) / "scenarios" / name).string();
}

// Every diagnostic as "file:line:col: message [hint]" (file name only).
std::vector<std::string> errors(const Diagnostics& diags, const SourceManager& sm) {
  std::vector<std::string> out;
  for (const auto& d : diags.sorted()) {
    std::string file =
        d.span.file >= 0 ? fs::path(sm.file(d.span.file).path).filename().string() : "";
    out.push_back(file + ":" + std::to_string(d.span.line) + ":" + std::to_string(d.span.col) +
                  ": " + d.message + (d.hint.empty() ? "" : " [" + d.hint + "]"));
  }
  return out;
}

std::vector<std::string> errors(const sim::RunReport& rep) {
  return errors(rep.diags, *rep.sources);
}

bool contains(const std::vector<std::string>& v, const std::string& s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

std::string joined(const std::vector<std::string>& v) {
  std::string s;
  for (const auto& x : v) s += x + "\n";
  return s;
}

// What `keyplan simulate` exits with (cli/cmd_simulate.cpp).
int exit_code(const sim::RunReport& rep) {
  return rep.exit_code();
}

sim::RunReport run(const std::vector<std::string>& names) {
  std::vector<std::string> files;
  for (const auto& n : names) files.push_back(scenario(n));
  return sim::run_scenarios(files, {});
}

// A scenario file written to a temporary directory (for YAML that the
// checked-in files should not hold, such as invalid YAML).
struct TempScenario {
  explicit TempScenario(const std::string& text, const std::string& name = "s.yaml") {
    dir = fs::temp_directory_path() /
          ("keyplan_sim_" + std::to_string(::testing::UnitTest::GetInstance()->random_seed()) +
           "_" + ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::create_directories(dir);
    path = (dir / name).string();
    std::ofstream(path) << text;
  }
  ~TempScenario() { fs::remove_all(dir); }
  fs::path dir;
  std::string path;
};

// A small XML well-formedness check: balanced tags, quoted attributes, and
// only the five predefined entities or character references in text.
bool well_formed_xml(const std::string& x, std::string& why) {
  std::vector<std::string> stack;
  size_t i = 0;
  auto check_text = [&](const std::string& t) {
    for (size_t k = 0; k < t.size(); ++k) {
      if (t[k] == '<') return why = "raw < in text", false;
      if (t[k] == '&') {
        size_t semi = t.find(';', k);
        if (semi == std::string::npos) return why = "unterminated entity", false;
        std::string ent = t.substr(k + 1, semi - k - 1);
        if (ent != "amp" && ent != "lt" && ent != "gt" && ent != "quot" && ent != "apos" &&
            !(ent.size() > 1 && ent[0] == '#'))
          return why = "unknown entity &" + ent + ";", false;
      }
    }
    return true;
  };
  if (x.rfind("<?xml", 0) == 0) i = x.find("?>") + 2;
  bool root_seen = false;
  while (i < x.size()) {
    size_t lt = x.find('<', i);
    std::string text = x.substr(i, lt == std::string::npos ? std::string::npos : lt - i);
    if (!check_text(text)) return false;
    if (lt == std::string::npos) break;
    size_t gt = x.find('>', lt);
    if (gt == std::string::npos) return why = "unterminated tag", false;
    std::string tag = x.substr(lt + 1, gt - lt - 1);
    i = gt + 1;
    if (tag.empty()) return why = "empty tag", false;
    if (tag[0] == '/') {
      if (stack.empty() || stack.back() != tag.substr(1))
        return why = "mismatched </" + tag + ">", false;
      stack.pop_back();
      continue;
    }
    bool self_closing = tag.back() == '/';
    if (self_closing) tag.pop_back();
    std::string name = tag.substr(0, tag.find_first_of(" \t\n"));
    // Attributes: name="value" pairs with text-safe values.
    std::string rest = tag.substr(name.size());
    size_t p = 0;
    while (p < rest.size()) {
      if (std::isspace(static_cast<unsigned char>(rest[p]))) {
        ++p;
        continue;
      }
      size_t eq = rest.find('=', p);
      if (eq == std::string::npos || eq + 1 >= rest.size() || rest[eq + 1] != '"')
        return why = "unquoted attribute in <" + name + ">", false;
      size_t close = rest.find('"', eq + 2);
      if (close == std::string::npos) return why = "unterminated attribute", false;
      if (!check_text(rest.substr(eq + 2, close - eq - 2))) return false;
      p = close + 1;
    }
    if (stack.empty() && root_seen) return why = "two root elements", false;
    root_seen = true;
    if (!self_closing) stack.push_back(name);
  }
  if (!stack.empty()) return why = "unclosed <" + stack.back() + ">", false;
  return root_seen || (why = "no root element", false);
}

} // namespace

// ------------------------------------------------------------------ parsing

TEST(ScenarioParse, CasesArgumentsAndDefaults) {
  SourceManager sm;
  Diagnostics diags;
  auto scs = sim::load_scenarios(scenario("pass.yaml"), sm, diags);
  EXPECT_FALSE(diags.has_errors()) << diags.render_text(sm);
  ASSERT_EQ(scs.size(), 2u);
  const auto& s = scs[0];
  EXPECT_EQ(s.name, "all pass");
  EXPECT_EQ(s.policy, scenario("office.kp")); // relative to the scenario file
  ASSERT_TRUE(s.today);
  ASSERT_EQ(s.cases.size(), 8u);
  const auto& c = s.cases[2];
  EXPECT_EQ(c.action, "book");
  EXPECT_EQ(c.args, (std::map<std::string, std::string>{
                        {"user", "mueller"}, {"object", "TABLE_2"}, {"on", "2026-11-24"}}));
  EXPECT_EQ(c.expect, std::optional<bool>(true));
  EXPECT_EQ(c.note, "F-A4: in the window");
  EXPECT_FALSE(c.explain);
  EXPECT_EQ(c.span.line, 8u);
  EXPECT_EQ(c.values.at("on").span.line, 8u);
  EXPECT_EQ(s.cases[1].expect, std::optional<bool>(false)); // deny
  EXPECT_EQ(s.cases[6].expect, std::optional<bool>(true));  // `true` is allow
  EXPECT_FALSE(s.cases[7].expect);                          // no expectation
  // The second document: no name (file #2), settings as YAML values (a list
  // stays a list).
  EXPECT_EQ(scs[1].name, "pass.yaml #2");
  EXPECT_EQ(sim::display(scs[1].settings.at("all_is_everyone").value), "false");
  const auto& groups = scs[1].settings.at("home_office_groups").value;
  EXPECT_EQ(groups.kind, sim::YamlValue::Kind::List);
  EXPECT_EQ(groups.items.size(), 2u);
  EXPECT_EQ(sim::display(groups), "[IT, Legal]");
  EXPECT_EQ(scs[1].cases[0].expect, std::optional<bool>(false)); // `false` is deny
}

TEST(ScenarioParse, UnknownKeyBadDateAndBadExpectHaveLineAndColumn) {
  SourceManager sm;
  Diagnostics diags;
  auto scs = sim::load_scenarios(scenario("parse_errors.yaml"), sm, diags);
  auto e = errors(diags, sm);
  EXPECT_EQ(e, (std::vector<std::string>{
                   "parse_errors.yaml:3:1: unknown scenario key 'todya' [did you mean 'today'?]",
                   "parse_errors.yaml:4:8: today must be a date [expected YYYY-MM-DD]",
                   "parse_errors.yaml:6:60: expect must be allow, deny or unresolved, not 'maybe'",
                   "parse_errors.yaml:7:5: the case has no action",
               }))
      << joined(e);
  // The rendered text has the caret line under the column.
  std::string text = diags.render_text(sm);
  EXPECT_NE(text.find("parse_errors.yaml:4:8: error: today must be a date\n  today: 2026-02-30\n"
                      "         ^~~~~~~~~~"),
            std::string::npos)
      << text;
}

TEST(ScenarioParse, MissingPolicy) {
  SourceManager sm;
  Diagnostics diags;
  auto scs = sim::load_scenarios(scenario("no_policy.yaml"), sm, diags);
  EXPECT_TRUE(scs.empty());
  EXPECT_EQ(errors(diags, sm),
            (std::vector<std::string>{"no_policy.yaml:1:1: the scenario has no policy [expected "
                                      "e.g. `policy: std.desk_booking` or a .kp path]"}));
}

TEST(ScenarioParse, InvalidYamlAndUnreadableFiles) {
  TempScenario t("policy: office.kp\ncases:\n  - {action: book, user: [mueller\n");
  SourceManager sm;
  Diagnostics diags;
  auto scs = sim::load_scenarios(t.path, sm, diags);
  EXPECT_TRUE(scs.empty());
  ASSERT_EQ(diags.items().size(), 1u);
  EXPECT_EQ(diags.items()[0].message.rfind("invalid YAML", 0), 0u) << diags.items()[0].message;
  EXPECT_GE(diags.items()[0].span.line, 3u);
  Diagnostics d2;
  EXPECT_TRUE(sim::load_scenarios(scenario("no_such_file.yaml"), sm, d2).empty());
  ASSERT_TRUE(d2.has_errors());
  EXPECT_NE(d2.items()[0].message.find("cannot read scenario file"), std::string::npos);
}

TEST(ScenarioParse, StructuralErrors) {
  TempScenario t(R"(- just a list
---
policy: office.kp
cases: {action: book}
---
policy: office.kp
settings: [a, b]
data: 42.5
cases:
  - not a map
  - {action: book, user: {id: mueller}, object: TABLE_1}
)");
  SourceManager sm;
  Diagnostics diags;
  sim::load_scenarios(t.path, sm, diags);
  auto e = errors(diags, sm);
  EXPECT_TRUE(contains(e, "s.yaml:1:1: a scenario must be a map [expected keys policy, today, "
                          "data, settings, cases]"))
      << joined(e);
  EXPECT_TRUE(contains(e, "s.yaml:3:1: the scenario has no cases [expected `cases:` with a list "
                          "of {action: ..., expect: ...}]"))
      << joined(e);
  EXPECT_TRUE(contains(e, "s.yaml:7:11: settings must be a map [e.g. settings: "
                          "{floor_needs_building: false}]"))
      << joined(e);
  EXPECT_TRUE(contains(e, "s.yaml:10:5: a case must be a map [e.g. {action: book, user: "
                          "mueller, object: TABLE_1, expect: allow}]"))
      << joined(e);
  EXPECT_TRUE(contains(e, "s.yaml:11:26: the value of 'user' must be an id, a value or a list"))
      << joined(e);
}

// ------------------------------------------------------------------ running

TEST(ScenarioRun, AllPassExitsZero) {
  auto rep = run({"pass.yaml"});
  EXPECT_FALSE(rep.input_errors()) << joined(errors(rep));
  EXPECT_EQ(rep.passed, 9);
  EXPECT_EQ(rep.failed, 0);
  EXPECT_EQ(rep.unresolved, 0);
  EXPECT_EQ(exit_code(rep), 0);
  ASSERT_EQ(rep.results.size(), 2u);
  EXPECT_TRUE(rep.results[0].loaded);
  const auto& cases = rep.results[0].cases;
  // The call shows every parameter, defaults included; `see` picked its
  // overload by the target's type.
  EXPECT_EQ(cases[0].call, "book(user = mueller, object = TABLE_1, on = 2026-11-23)");
  EXPECT_EQ(cases[4].call, "see(user = schmidt, target = example_building)");
  EXPECT_TRUE(cases[7].passed); // no expectation counts as passed
  EXPECT_TRUE(cases[7].allowed);
  // The settings of the second scenario were applied.
  EXPECT_FALSE(rep.results[1].cases[0].allowed);
}

TEST(ScenarioRun, AFailedExpectationExitsOne) {
  auto rep = run({"fail.yaml"});
  EXPECT_FALSE(rep.input_errors());
  EXPECT_EQ(rep.passed, 2);
  EXPECT_EQ(rep.failed, 1);
  EXPECT_EQ(exit_code(rep), 1);
  const auto& c = rep.results.at(0).cases.at(1);
  EXPECT_FALSE(c.passed);
  EXPECT_FALSE(c.allowed);
  ASSERT_TRUE(c.explanation); // a failing case keeps its explanation
  EXPECT_FALSE(c.explanation->allowed);
}

TEST(ScenarioRun, UnresolvedRequestsAreInputErrorsUnlessExpected) {
  auto rep = run({"unresolved.yaml"});
  // TABLE_9 is a typo: an input error at the id; the other two say
  // `expect: unresolved`.
  EXPECT_EQ(errors(rep), (std::vector<std::string>{
                             "unresolved.yaml:7:43: case book: unknown Object 'TABLE_9' (did you "
                             "mean 'TABLE_1'?) [if the case means a request that does not "
                             "resolve, write `expect: unresolved`]"}))
      << joined(errors(rep));
  EXPECT_EQ(rep.unresolved, 3);
  EXPECT_EQ(rep.passed, 2);
  EXPECT_EQ(rep.failed, 1);
  EXPECT_EQ(exit_code(rep), 2);
  const auto& cases = rep.results.at(0).cases;
  EXPECT_EQ(cases[0].error, "unknown User 'ghost'");
  EXPECT_FALSE(cases[0].allowed);
  EXPECT_FALSE(cases[0].explanation);
  EXPECT_EQ(cases[1].error.rfind("unknown action 'reserve'", 0), 0u) << cases[1].error;
  EXPECT_NE(cases[2].error.find("unknown Object 'TABLE_9'"), std::string::npos) << cases[2].error;
  // Without a resolved overload the call lists the arguments as given, sorted.
  EXPECT_EQ(cases[0].call, "book(object = TABLE_1, user = ghost)");
  std::string text = sim::render_text(rep, false);
  EXPECT_NE(text.find("! unknown User 'ghost'"), std::string::npos) << text;
  EXPECT_NE(text.find("3 cases: 2 passed, 1 failed, 3 requests did not resolve"), std::string::npos)
      << text;
}

TEST(ScenarioRun, ParseErrorsAreInputErrors) {
  auto rep = run({"parse_errors.yaml"});
  EXPECT_TRUE(rep.input_errors());
  EXPECT_EQ(exit_code(rep), 2);
  // The scenario still ran its well-formed cases.
  ASSERT_EQ(rep.results.size(), 1u);
  EXPECT_EQ(rep.results[0].cases.size(), 2u);
}

TEST(ScenarioRun, MissingPolicyFile) {
  auto rep = run({"missing_policy.yaml"});
  EXPECT_TRUE(rep.input_errors());
  EXPECT_EQ(exit_code(rep), 2);
  ASSERT_EQ(rep.results.size(), 1u);
  EXPECT_FALSE(rep.results[0].loaded);
  auto e = errors(rep);
  ASSERT_FALSE(e.empty());
  EXPECT_EQ(e[0].rfind("missing_policy.yaml:2:9: cannot load policy '", 0), 0u) << joined(e);
  EXPECT_NE(sim::render_text(rep, false).find("not run: the policy, data or settings have errors"),
            std::string::npos);
}

TEST(ScenarioRun, PolicyWithErrors) {
  auto rep = run({"broken_policy.yaml"});
  EXPECT_TRUE(rep.input_errors());
  EXPECT_EQ(exit_code(rep), 2);
  ASSERT_EQ(rep.policy_diags.size(), 1u);
  auto e = errors(rep.policy_diags[0].second, *rep.policy_diags[0].first);
  EXPECT_TRUE(contains(e, "broken_policy.kp:4:34: unknown name 'Legl' [did you mean 'Legal'?]") ||
              contains(e, "broken_policy.kp:4:34: unknown name 'Legl'"))
      << joined(e);
  EXPECT_FALSE(rep.results.at(0).loaded);
}

TEST(ScenarioRun, UnknownSettingAndBadSettingValue) {
  auto rep = run({"bad_settings.yaml"});
  EXPECT_TRUE(rep.input_errors());
  EXPECT_EQ(
      errors(rep),
      (std::vector<std::string>{
          "bad_settings.yaml:5:3: unknown setting 'all_is_everyon' (did you mean "
          "'all_is_everyone'?)",
          "bad_settings.yaml:6:25: setting 'floor_needs_building': 'maybe' is not a bool (true "
          "or false)",
      }))
      << joined(errors(rep));
  EXPECT_FALSE(rep.results.at(0).loaded);
  EXPECT_EQ(rep.passed + rep.failed, 0);
}

TEST(ScenarioRun, BadDataIdsInlineAndInFiles) {
  auto rep = run({"bad_data.yaml"});
  EXPECT_TRUE(rep.input_errors());
  auto e = errors(rep);
  EXPECT_TRUE(contains(e, "bad_data.yaml:6:26: unknown Group 'Legl' for User.groups [did you "
                          "mean 'Legal'?]"))
      << joined(e);
  EXPECT_TRUE(contains(e, "bad_data.yaml:8:21: Object has no attribute 'colour'")) << joined(e);
  // An error in a data file points into that file.
  EXPECT_TRUE(contains(e, "bad_tenant.yaml:2:28: unknown Group 'Sales' for User.groups"))
      << joined(e);
  ASSERT_EQ(rep.results.size(), 2u);
  EXPECT_FALSE(rep.results[0].loaded);
  EXPECT_FALSE(rep.results[1].loaded);
}

TEST(ScenarioRun, DataFilesLoadInOrderAndModulePolicies) {
  auto rep = run({"data_files.yaml"});
  EXPECT_FALSE(rep.input_errors()) << joined(errors(rep));
  EXPECT_EQ(rep.failed, 0);
  EXPECT_EQ(rep.passed, 6);
  ASSERT_EQ(rep.results.size(), 3u);
  EXPECT_EQ(rep.results[2].scenario->policy, "std.desk_booking");
}

TEST(ScenarioRun, MissingDataFile) {
  TempScenario t(
      "policy: " + scenario("office.kp") +
      "\ntoday: 2026-11-23\ndata: nowhere.yaml\ncases:\n  - {action: book, user: mueller, object: "
      "TABLE_1}\n");
  auto rep = sim::run_scenarios({t.path}, {});
  EXPECT_TRUE(rep.input_errors());
  EXPECT_FALSE(rep.results.at(0).loaded);
}

// ------------------------------------------------------------------ reports

TEST(ScenarioReport, TextExplainsFailuresAndAskedCases) {
  auto rep = run({"fail.yaml"});
  std::string text = sim::render_text(rep, false);
  EXPECT_NE(text.find("one fails  ("), std::string::npos) << text;
  EXPECT_NE(text.find("FAIL"), std::string::npos) << text;
  // The failing case is explained: the tree, the failing clause and what
  // would have to change.
  EXPECT_NE(text.find("case 2: book(user = schmidt, object = TABLE_1, on = 2026-11-23) -> deny "
                      "(expected allow)"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("groups_of(u) meets whitelist"), std::string::npos) << text;
  EXPECT_NE(text.find("groups_of(schmidt) needs one of [IT]"), std::string::npos) << text;
  // explain: true explains a passing case; other passing cases are not.
  EXPECT_NE(text.find("case 3: book(user = schmidt, object = TABLE_2"), std::string::npos) << text;
  EXPECT_EQ(text.find("case 1: "), std::string::npos) << text;
  EXPECT_NE(text.find("3 cases: 2 passed, 1 failed"), std::string::npos) << text;
  // --explain: every case.
  EXPECT_NE(sim::render_text(rep, true).find("case 1: "), std::string::npos);
}

TEST(ScenarioReport, JsonIsWellFormed) {
  auto rep = run({"fail.yaml", "unresolved.yaml", "missing_policy.yaml"});
  nlohmann::json j;
  ASSERT_NO_THROW(j = nlohmann::json::parse(sim::render_json(rep, false)));
  EXPECT_EQ(j["passed"], 4);
  EXPECT_EQ(j["failed"], 2);
  EXPECT_EQ(j["unresolved"], 3);
  ASSERT_EQ(j["scenarios"].size(), 3u);
  const auto& s = j["scenarios"][0];
  EXPECT_EQ(s["name"], "one fails");
  EXPECT_TRUE(s["loaded"].get<bool>());
  ASSERT_EQ(s["cases"].size(), 3u);
  const auto& fail = s["cases"][1];
  EXPECT_EQ(fail["decision"], "deny");
  EXPECT_EQ(fail["expected"], "allow");
  EXPECT_FALSE(fail["passed"].get<bool>());
  EXPECT_EQ(fail["note"], "wrong on purpose");
  EXPECT_EQ(fail["line"], 6);
  EXPECT_EQ(fail["args"]["user"], "schmidt");
  EXPECT_EQ(fail["explanation"]["decision"], "deny");
  EXPECT_FALSE(s["cases"][0].contains("explanation")); // passed, not asked
  EXPECT_TRUE(s["cases"][2].contains("explanation"));  // explain: true
  const auto& ghost = j["scenarios"][1]["cases"][0];
  EXPECT_EQ(ghost["error"], "unknown User 'ghost'");
  EXPECT_EQ(ghost["decision"], "deny");
  EXPECT_FALSE(j["scenarios"][2]["loaded"].get<bool>());
  EXPECT_TRUE(j["scenarios"][2]["cases"].empty());
  // --explain adds every explanation (the runner keeps them all then).
  sim::RunOptions explain_all;
  explain_all.explain_all = true;
  auto rep_all = sim::run_scenarios({scenario("fail.yaml")}, explain_all);
  auto all = nlohmann::json::parse(sim::render_json(rep_all, true));
  EXPECT_TRUE(all["scenarios"][0]["cases"][0].contains("explanation"));
}

TEST(ScenarioReport, JUnitIsWellFormed) {
  TempScenario t("name: \"quotes \\\" & <angles>\"\npolicy: " + scenario("office.kp") +
                 "\ntoday: 2026-11-23\ncases:\n"
                 "  - {action: book, user: schmidt, object: TABLE_1, expect: allow}\n"
                 "  - {action: book, user: mueller, object: TABLE_1, expect: allow}\n");
  auto rep = sim::run_scenarios(
      {t.path, scenario("unresolved.yaml"), scenario("missing_policy.yaml")}, {});
  std::string xml = sim::render_junit(rep);
  std::string why;
  EXPECT_TRUE(well_formed_xml(xml, why)) << why << "\n" << xml;
  EXPECT_EQ(
      xml.rfind("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"keyplan simulate\" "
                "tests=\"6\" failures=\"3\">",
                0),
      0u)
      << xml;
  EXPECT_NE(xml.find("<testsuite name=\"quotes &quot; &amp; &lt;angles&gt;\""), std::string::npos)
      << xml;
  EXPECT_NE(xml.find("<failure message=\"deny but expected allow\">"), std::string::npos);
  EXPECT_NE(xml.find("set&lt;Group&gt;"), std::string::npos); // the explanation, escaped
  EXPECT_NE(xml.find("denied: unknown Object 'TABLE_9'"), std::string::npos);
  // A scenario that could not load is one test with an error.
  EXPECT_NE(xml.find("name=\"load\"><error message=\"the policy, data or settings have errors\"/>"),
            std::string::npos);
  // The checker itself rejects broken XML.
  EXPECT_FALSE(well_formed_xml("<a><b></a></b>", why));
  EXPECT_FALSE(well_formed_xml("<a>x & y</a>", why));
  EXPECT_FALSE(well_formed_xml("<a n=1></a>", why));
}
