// Scenario and request input that used to give a silent wrong answer (issue
// 10): list values split at commas, qualified-looking ids resolved to another
// instance, typos in negative tests passing as denies, duplicate keys,
// a missing `today`, alias bombs, directories read as empty files, JIT and
// interpreter disagreements counted as passes, and explanations kept for
// every case. The reproducers are in tests/data/fuzz/.
#include "simulator/report.hpp"
#include "simulator/runner.hpp"

#include "tests/test_support.hpp"
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <sys/wait.h>
#include <unistd.h>

using namespace keyplan;
namespace fs = std::filesystem;

namespace {

fs::path source_root() {
  return fs::path(KEYPLAN_TEST_DATA).parent_path().parent_path();
}

std::string fuzz(const std::string& name) {
  return (fs::path(KEYPLAN_TEST_DATA) / "fuzz" / "scenario" / name).string();
}

std::string office() {
  return (fs::path(KEYPLAN_TEST_DATA) / "scenarios" / "office.kp").string();
}

// Every diagnostic as "file:line:col: message" (file name only), notes as
// "  note file:line:col: message".
std::string diagnostics(const sim::RunReport& rep) {
  std::string out;
  auto where = [&](const Span& s) {
    std::string file =
        s.file >= 0 ? fs::path(rep.sources->file(s.file).path).filename().string() : "";
    return file + ":" + std::to_string(s.line) + ":" + std::to_string(s.col);
  };
  for (const auto& d : rep.diags.sorted()) {
    out += where(d.span) + ": " + d.message + (d.hint.empty() ? "" : " [" + d.hint + "]") + "\n";
    for (const auto& [span, text] : d.notes) out += "  note " + where(span) + ": " + text + "\n";
  }
  return out;
}

bool has(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

// A scenario written to a scratch directory.
struct Temp {
  Temp() {
    dir = fs::temp_directory_path() /
          ("keyplan_scen_input_" + std::to_string(::getpid()) + "_" +
           ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir);
    fs::create_directories(dir);
  }
  ~Temp() { fs::remove_all(dir); }
  std::string write(const std::string& name, const std::string& text) const {
    std::ofstream(dir / name) << text;
    return (dir / name).string();
  }
  fs::path dir;
};

struct Run {
  int code = -1;
  std::string out, err;
};

std::string quote(const std::string& s) {
  std::string q = "'";
  for (char c : s) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return q + "'";
}

// `env keyplan args` in the source root.
Run run_keyplan(const std::string& args, const std::string& env = "") {
  static int counter = 0;
  fs::path err_file =
      fs::temp_directory_path() /
      ("keyplan_scen_input_stderr_" + std::to_string(::getpid()) + "_" + std::to_string(counter++));
  std::string cmd = "cd " + quote(source_root().string()) + " && " + env + " " +
                    quote(KEYPLAN_BINARY) + " " + args + " 2>" + quote(err_file.string());
  const auto ran = keyplan::testing_support::run_command(cmd);
  Run r;
  r.code = ran.code;
  r.out = ran.out;
  std::ifstream in(err_file);
  std::stringstream ss;
  ss << in.rdbuf();
  r.err = ss.str();
  fs::remove(err_file);
  return r;
}

std::string show(const Run& r) {
  return "exit " + std::to_string(r.code) + "\n--- stdout\n" + r.out + "--- stderr\n" + r.err;
}

// Sets an environment variable for one scope.
struct Env {
  Env(const char* name, const char* value) : name_(name) { ::setenv(name, value, 1); }
  ~Env() { ::unsetenv(name_); }
  const char* name_;
};

const std::string kDecide = "decide policies/examples/seed002/example_building.kp ";

} // namespace

// ------------------------------------------------- JIT/interpreter disagreement

TEST(EngineDisagreement, FailsTheSimulateRunWithExitThree) {
  // The testing aid negates every JIT answer: each case the JIT decides is a
  // disagreement, which must never count as a pass.
  Env flip("KEYPLAN_TESTING_FLIP_JIT", "1");
  sim::RunOptions jit;
  jit.engine = engine::Kind::Jit;
  auto rep =
      sim::run_scenarios({(fs::path(KEYPLAN_TEST_DATA) / "scenarios/pass.yaml").string()}, jit);
  ASSERT_GT(rep.disagreements, 0) << diagnostics(rep);
  EXPECT_EQ(rep.exit_code(), 3);
  for (const auto& r : rep.results)
    for (const auto& c : r.cases)
      if (c.disagreement) {
        EXPECT_FALSE(c.passed) << c.call;
      }
  EXPECT_TRUE(has(diagnostics(rep), "internal error: the JIT and the interpreter disagree"))
      << diagnostics(rep);
  EXPECT_TRUE(has(sim::render_text(rep, false), "disagree")) << sim::render_text(rep, false);
  EXPECT_EQ(nlohmann::json::parse(sim::render_json(rep, false))["disagreements"],
            rep.disagreements);
  // The interpreter alone has nothing to disagree with.
  sim::RunOptions interp;
  interp.engine = engine::Kind::Interp;
  auto ok =
      sim::run_scenarios({(fs::path(KEYPLAN_TEST_DATA) / "scenarios/pass.yaml").string()}, interp);
  EXPECT_EQ(ok.disagreements, 0);
  EXPECT_EQ(ok.exit_code(), 0) << diagnostics(ok);
}

TEST(EngineDisagreement, FailsSimulateDecideAndTestOnTheCommandLine) {
  const std::string flip = "KEYPLAN_TESTING_FLIP_JIT=1";
  auto sim = run_keyplan("simulate tests/data/scenarios/pass.yaml", flip);
  EXPECT_EQ(sim.code, 3) << show(sim);
  EXPECT_TRUE(has(sim.err, "the JIT and the interpreter disagree")) << show(sim);
  EXPECT_EQ(run_keyplan("simulate tests/data/scenarios/pass.yaml").code, 0);
  EXPECT_EQ(run_keyplan("simulate --engine interp tests/data/scenarios/pass.yaml", flip).code, 0);

  auto dec = run_keyplan(kDecide + "book user=mueller object=TABLE_1 --today 2026-11-23", flip);
  EXPECT_EQ(dec.code, 3) << show(dec);
  EXPECT_TRUE(has(dec.err, "disagree")) << show(dec);
  auto ok = run_keyplan(kDecide + "book user=mueller object=TABLE_1 --today 2026-11-23");
  EXPECT_EQ(ok.code, 0) << show(ok);
  EXPECT_EQ(ok.out, "allow\n");

  auto test = run_keyplan("test tests/data/scenarios/office.kp --mode exhaustive --scenario "
                          "tests/data/scenarios/pass.yaml",
                          flip);
  EXPECT_EQ(test.code, 3) << show(test);
}

// ------------------------------------------------------ typed YAML values

TEST(ScenarioValues, ListElementsWithCommasStayOneString) {
  auto rep = sim::run_scenarios({fuzz("list-element-with-comma.yaml")}, {});
  ASSERT_FALSE(rep.input_errors()) << diagnostics(rep);
  const auto& cases = rep.results.at(0).cases;
  ASSERT_EQ(cases.size(), 3u);
  EXPECT_FALSE(cases[0].allowed) << "the setting [\"Berlin, Mitte\"] was split at the comma";
  EXPECT_FALSE(cases[1].allowed) << "the argument [\"Berlin, Mitte\"] was split at the comma";
  EXPECT_TRUE(cases[2].allowed);
  EXPECT_EQ(rep.exit_code(), 0);
  // The report writes the element so that it reads back as one.
  EXPECT_EQ(cases[1].c->args.at("sites"), "[\"Berlin, Mitte\"]");
}

TEST(ScenarioValues, ConversionErrorsPointAtTheElement) {
  Temp t;
  std::string f = t.write(
      "s.yaml", "policy: " + office() +
                    "\ntoday: 2026-11-23\nsettings: {home_office_groups: [IT, Legl]}\ncases:\n"
                    "  - {action: book, user: mueller, object: TABLE_1, on: 2026-13-01}\n");
  auto rep = sim::run_scenarios({f}, {});
  EXPECT_EQ(rep.exit_code(), 2);
  std::string d = diagnostics(rep);
  // The unknown group is reported at the element, not at the setting.
  EXPECT_TRUE(has(d, "s.yaml:3:37: setting 'home_office_groups': unknown Group 'Legl'")) << d;
  // A scalar for a set is not split either: it is an error.
  std::string g = t.write("g.yaml", "policy: " + office() +
                                        "\ntoday: 2026-11-23\nsettings: {home_office_groups: "
                                        "\"IT, Legal\"}\ncases:\n"
                                        "  - {action: book, user: mueller, object: TABLE_1}\n");
  auto rep2 = sim::run_scenarios({g}, {});
  EXPECT_TRUE(has(diagnostics(rep2), "expected a list of Group such as [a, b], got 'IT, Legal'"))
      << diagnostics(rep2);
}

// ------------------------------------------------------- qualified ids

TEST(QualifiedIds, TheLiteralIdWinsOverTheTypeQualifiedForm) {
  auto rep = sim::run_scenarios({fuzz("qualified-looking-id.yaml")}, {});
  ASSERT_FALSE(rep.input_errors()) << diagnostics(rep);
  const auto& cases = rep.results.at(0).cases;
  ASSERT_EQ(cases.size(), 3u);
  EXPECT_TRUE(cases[0].allowed) << "User.adam was resolved to adam: " << cases[0].call;
  EXPECT_EQ(cases[0].call, "visit(u = User.adam)");
  EXPECT_FALSE(cases[1].allowed);
  EXPECT_EQ(rep.exit_code(), 0);
}

TEST(QualifiedIds, TypeQualifiedFormWhereNoInstanceHasTheLiteralId) {
  auto rep = sim::run_scenarios({fuzz("qualified-looking-id.yaml")}, {});
  const auto& cases = rep.results.at(0).cases;
  ASSERT_EQ(cases.size(), 3u);
  EXPECT_TRUE(cases[2].resolved);
  EXPECT_EQ(cases[2].call, "visit(u = bert)");
  // The same rule on the command line (text arguments), and the qualifier
  // must be the parameter's type.
  auto q = run_keyplan(kDecide + "book user=User.mueller object=Object.TABLE_1 --today 2026-11-23");
  EXPECT_EQ(q.code, 0) << show(q);
  EXPECT_EQ(q.out, "allow\n");
  auto wrong = run_keyplan(kDecide + "book user=Object.mueller object=TABLE_1 --today 2026-11-23");
  EXPECT_EQ(wrong.code, 2) << show(wrong);
}

// ----------------------------------------------- requests that do not resolve

TEST(UnresolvedCases, TyposInNegativeTestsAreInputErrors) {
  auto rep = sim::run_scenarios({fuzz("typo-in-negative-test.yaml")}, {});
  EXPECT_EQ(rep.exit_code(), 2);
  EXPECT_EQ(rep.passed, 0) << "a typo passed as a deny";
  std::string d = diagnostics(rep);
  EXPECT_TRUE(has(d, "typo-in-negative-test.yaml:6:26: case book: unknown User 'muller' (did "
                     "you mean 'mueller'?)"))
      << d;
  EXPECT_TRUE(has(d, "typo-in-negative-test.yaml:7:5: case reserve: unknown action 'reserve'"))
      << d;
  EXPECT_TRUE(has(d, "typo-in-negative-test.yaml:8:56: case book: parameter 'on'")) << d;
  EXPECT_TRUE(has(d, "`expect: unresolved`")) << d;
}

TEST(UnresolvedCases, ExpectUnresolvedIsTheOptIn) {
  auto rep = sim::run_scenarios({fuzz("expect-unresolved.yaml")}, {});
  EXPECT_FALSE(rep.input_errors()) << diagnostics(rep);
  EXPECT_EQ(rep.passed, 2);
  EXPECT_EQ(rep.unresolved, 1);
  EXPECT_EQ(rep.exit_code(), 0);
  EXPECT_TRUE(has(sim::render_text(rep, false), "unresolved")) << sim::render_text(rep, false);
  // A request that resolves fails an `expect: unresolved`.
  Temp t;
  std::string f = t.write("s.yaml", "policy: " + office() +
                                        "\ntoday: 2026-11-23\ncases:\n"
                                        "  - {action: book, user: mueller, object: TABLE_1, "
                                        "expect: unresolved}\n");
  auto rep2 = sim::run_scenarios({f}, {});
  EXPECT_FALSE(rep2.input_errors()) << diagnostics(rep2);
  EXPECT_EQ(rep2.failed, 1);
  EXPECT_EQ(rep2.exit_code(), 1);
  EXPECT_TRUE(has(sim::render_text(rep2, false), "(expected unresolved)"))
      << sim::render_text(rep2, false);
}

TEST(UnresolvedCases, KeyplanTestScenarioExitsTwo) {
  auto r = run_keyplan("test policies/examples/seed002/example_building.kp --mode exhaustive "
                       "--scenario tests/data/fuzz/scenario/typo-in-negative-test.yaml");
  EXPECT_EQ(r.code, 2) << show(r);
  EXPECT_TRUE(has(r.err, "did you mean 'mueller'?")) << show(r);
}

TEST(DecideRequests, MalformedRequestsAreInputErrorsLikeSimulate) {
  for (const std::string cmd : {"decide", "explain"}) {
    std::string base = cmd + " policies/examples/seed002/example_building.kp ";
    auto unknown_action =
        run_keyplan(base + "reserve user=mueller object=TABLE_1 --today 2026-11-23");
    EXPECT_EQ(unknown_action.code, 2) << show(unknown_action);
    EXPECT_TRUE(has(unknown_action.err, "unknown action 'reserve'")) << show(unknown_action);
    EXPECT_EQ(unknown_action.out, "");
    auto missing = run_keyplan(base + "book user=mueller --today 2026-11-23");
    EXPECT_EQ(missing.code, 2) << show(missing);
    EXPECT_TRUE(has(missing.err, "missing parameter 'object'")) << show(missing);
    auto date =
        run_keyplan(base + "book user=mueller object=TABLE_1 on=23.11.2026 --today 2026-11-23");
    EXPECT_EQ(date.code, 2) << show(date);
    EXPECT_TRUE(has(date.err, "is not a date")) << show(date);
    auto id = run_keyplan(base + "book user=muller object=TABLE_1 --today 2026-11-23");
    EXPECT_EQ(id.code, 2) << show(id);
    EXPECT_TRUE(has(id.err, "did you mean 'mueller'?")) << show(id);
  }
}

// ------------------------------------------------------------ duplicates

TEST(Duplicates, ScenarioKeysGivenTwiceAreErrorsWithBothPositions) {
  auto rep = sim::run_scenarios({fuzz("duplicate-keys.yaml")}, {});
  EXPECT_EQ(rep.exit_code(), 2);
  std::string d = diagnostics(rep);
  // Top level, settings, and a case (a parameter and `expect`).
  EXPECT_TRUE(has(d, "duplicate-keys.yaml:5:1: duplicate key 'today'")) << d;
  EXPECT_TRUE(has(d, "  note duplicate-keys.yaml:4:1: first given here")) << d;
  EXPECT_TRUE(has(d, "duplicate-keys.yaml:6:36: duplicate key 'all_is_everyone'")) << d;
  EXPECT_TRUE(has(d, "  note duplicate-keys.yaml:6:12: first given here")) << d;
  EXPECT_TRUE(has(d, "duplicate-keys.yaml:8:35: duplicate key 'user'")) << d;
  EXPECT_TRUE(has(d, "duplicate-keys.yaml:8:82: duplicate key 'expect'")) << d;
}

TEST(Duplicates, RepeatedCommandLineArgumentsAreErrors) {
  auto arg =
      run_keyplan(kDecide + "book user=mueller object=TABLE_1 user=schmidt --today 2026-11-23");
  EXPECT_EQ(arg.code, 2) << show(arg);
  EXPECT_TRUE(has(arg.err, "'user=schmidt' (the 3rd name=value) gives 'user' again; the 1st was "
                           "'user=mueller'"))
      << show(arg);
  auto set = run_keyplan(kDecide + "book user=mueller object=TABLE_1 --set all_is_everyone=false "
                                   "--set all_is_everyone=true --today 2026-11-23");
  EXPECT_EQ(set.code, 2) << show(set);
  EXPECT_TRUE(has(set.err, "--set all_is_everyone=true (the 2nd --set) sets 'all_is_everyone' "
                           "again; the 1st --set was all_is_everyone=false"))
      << show(set);
}

// ----------------------------------------------------------------- today

TEST(ScenarioToday, AScenarioWithoutTodayIsAnError) {
  auto rep = sim::run_scenarios({fuzz("no-today.yaml")}, {});
  EXPECT_EQ(rep.exit_code(), 2);
  std::string d = diagnostics(rep);
  EXPECT_TRUE(has(d, "no-today.yaml:2:1: the scenario has no `today` [add the date its cases "
                     "are decided on, e.g. `today: "))
      << d;
}

// ------------------------------------------------------------ alias bombs

TEST(ScenarioYaml, BillionLaughsIsRejectedInBoundedTimeAndMemory) {
  auto t0 = std::chrono::steady_clock::now();
  auto rep = sim::run_scenarios({fuzz("billion-laughs.yaml")}, {});
  double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  EXPECT_LT(s, 5.0);
  EXPECT_EQ(rep.exit_code(), 2);
  EXPECT_TRUE(has(diagnostics(rep), "YAML too large: more than")) << diagnostics(rep);
  EXPECT_TRUE(rep.results.empty());
}

TEST(ScenarioYaml, ModestAliasesStillWork) {
  Temp t;
  std::string f = t.write("s.yaml", "policy: " + office() +
                                        "\ntoday: 2026-11-23\nsettings: {home_office_groups: &g "
                                        "[IT, Legal]}\ncases:\n"
                                        "  - {action: book, user: &u mueller, object: TABLE_1, "
                                        "expect: allow}\n"
                                        "  - {action: book, user: *u, object: TABLE_1, expect: "
                                        "allow}\n");
  auto rep = sim::run_scenarios({f}, {});
  EXPECT_EQ(rep.exit_code(), 0) << diagnostics(rep);
  EXPECT_EQ(rep.passed, 2);
}

// ------------------------------------------------------------ directories

TEST(Directories, ADirectoryGivenAsAFileIsAnError) {
  auto rep = sim::run_scenarios({(fs::path(KEYPLAN_TEST_DATA) / "scenarios").string()}, {});
  EXPECT_EQ(rep.exit_code(), 2);
  EXPECT_TRUE(has(diagnostics(rep), "is a directory, not a scenario file")) << diagnostics(rep);

  auto data = sim::run_scenarios({fuzz("data-is-a-directory.yaml")}, {});
  EXPECT_EQ(data.exit_code(), 2);
  EXPECT_TRUE(has(diagnostics(data), "data-is-a-directory.yaml:6:7: data '")) << diagnostics(data);
  EXPECT_TRUE(has(diagnostics(data), "is a directory, not a file")) << diagnostics(data);

  auto sim = run_keyplan("simulate tests/data/scenarios");
  EXPECT_EQ(sim.code, 2) << show(sim);
  auto bench = run_keyplan("bench --requests-file tests/data --requests 10");
  EXPECT_EQ(bench.code, 2) << show(bench);
  EXPECT_TRUE(has(bench.err, "is a directory")) << show(bench);
}

// ----------------------------------------------------------------- memory

TEST(ScenarioMemory, OnlyExplanationsThatWillBePrintedAreKept) {
  auto file = [](const char* n) {
    return (fs::path(KEYPLAN_TEST_DATA) / "scenarios" / n).string();
  };
  auto rep = sim::run_scenarios({file("pass.yaml"), file("fail.yaml")}, {});
  int kept = 0, printed_cases = 0, failing = 0;
  for (const auto& r : rep.results)
    for (const auto& c : r.cases) {
      bool printed = !c.passed || c.c->explain;
      EXPECT_EQ(c.explanation.has_value(), printed) << c.call;
      kept += c.explanation.has_value();
      printed_cases += printed;
      failing += !c.passed;
    }
  EXPECT_GT(failing, 0);
  EXPECT_EQ(kept, printed_cases);
  EXPECT_LT(kept, 12); // of 12 cases, the failing one and one `explain: true`
  // --explain keeps every one.
  sim::RunOptions all;
  all.explain_all = true;
  auto rep2 = sim::run_scenarios({file("pass.yaml"), file("fail.yaml")}, all);
  for (const auto& r : rep2.results)
    for (const auto& c : r.cases) EXPECT_TRUE(c.explanation) << c.call;
}
