// `keyplan matrix` end to end: two entity parameters open, every format,
// grouping by attribute, --summary, and the input errors (exit 2). The
// matrix is checked against `search` (each row is one search) and against
// per-cell `decide` on the small tenants.
#include "tests/what_if_support.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

using namespace keyplan::what_if_test;

namespace {

const std::string kBook = "matrix " + kOffice + " book --rows user --cols object --data " +
                          kOfficeData + " --today 2026-11-23";

nlohmann::json json_of(const Run& r) {
  nlohmann::json j;
  EXPECT_NO_THROW(j = nlohmann::json::parse(r.out)) << show(r);
  return j;
}

} // namespace

// Seed 002: Müller books IT's TABLE_1, Schmidt Legal's TABLE_2.
TEST(Matrix, Seed002BookMatrixIsTheDiagonal) {
  auto r = run_keyplan("matrix " + kSeed002 +
                       " book --rows user --cols object --today 2026-11-23 --format json");
  ASSERT_EQ(r.code, 0) << show(r);
  auto j = json_of(r);
  EXPECT_EQ(j["action"], "book");
  EXPECT_EQ(j["rows"], nlohmann::json::array({"mueller", "schmidt"}));
  EXPECT_EQ(j["cols"], nlohmann::json::array({"TABLE_1", "TABLE_2"}));
  EXPECT_EQ(j["allowed"], 2);
  EXPECT_EQ(j["cells"], nlohmann::json::array({"10", "01"}));
}

// Every cell equals `decide` on that request (the reference path).
TEST(Matrix, EveryCellEqualsDecide) {
  auto j = json_of(run_keyplan(kBook + " on=2026-11-25 --format json"));
  ASSERT_EQ(j["rows"].size(), 4u);
  size_t allowed = 0;
  for (size_t i = 0; i < j["rows"].size(); ++i)
    for (size_t c = 0; c < j["cols"].size(); ++c) {
      auto d = run_keyplan("decide " + kOffice + " book user=" + j["rows"][i].get<std::string>() +
                           " object=" + j["cols"][c].get<std::string>() + " --data " + kOfficeData +
                           " --today 2026-11-23 on=2026-11-25");
      const bool cell = j["cells"][i].get<std::string>()[c] == '1';
      EXPECT_EQ(cell, d.out == "allow\n") << j["rows"][i] << " " << j["cols"][c];
      allowed += cell;
    }
  EXPECT_EQ(j["allowed"], allowed);
}

TEST(Matrix, RowsAgreeWithSearch) {
  auto j = json_of(run_keyplan(kBook + " --format json --engine interp"));
  for (size_t i = 0; i < j["rows"].size(); ++i) {
    const std::string user = j["rows"][i];
    auto s = run_keyplan("search " + kOffice + " book user=" + user + " --data " + kOfficeData +
                         " --today 2026-11-23");
    std::string expect;
    for (size_t c = 0; c < j["cols"].size(); ++c)
      if (j["cells"][i].get<std::string>()[c] == '1')
        expect += j["cols"][c].get<std::string>() + "\n";
    EXPECT_EQ(s.out, expect) << user;
  }
}

TEST(Matrix, TableCsvMarkdownShowTheSameCells) {
  auto t = run_keyplan(kBook);
  EXPECT_EQ(t.code, 0) << show(t);
  EXPECT_NE(t.out.find("book: user x object, 6 of 8 cells allowed (75.0%)"), std::string::npos)
      << show(t);
  auto c = run_keyplan(kBook + " --format csv");
  EXPECT_EQ(c.out, "user \\ object,TABLE_1,TABLE_2\r\nmueller,1,1\r\nschmidt,0,1\r\nrob,1,1\r\n"
                   "ann,0,1\r\n")
      << show(c);
  auto m = run_keyplan(kBook + " --format markdown");
  EXPECT_NE(m.out.find("| schmidt | 0 | 1 |"), std::string::npos) << show(m);
}

TEST(Matrix, XlsxNeedsAnOutputFileAndIsWritten) {
  EXPECT_EQ(run_keyplan(kBook + " --format xlsx").code, 2);
  Scratch s;
  auto r = run_keyplan(kBook + " --format xlsx -o " + quote((s.dir / "m.xlsx").string()));
  EXPECT_EQ(r.code, 0) << show(r);
  auto x = keyplan::testing_support::run_command("unzip -p " + quote((s.dir / "m.xlsx").string()) +
                                                 " xl/sharedStrings.xml");
  EXPECT_NE(x.out.find("schmidt"), std::string::npos) << x.out;
  EXPECT_NE(x.out.find("TABLE_2"), std::string::npos) << x.out;
}

// A user counts in each group they list (mueller: ALL and IT).
TEST(Matrix, GroupingCountsPerAttributeValue) {
  auto r = run_keyplan(kBook + " --group-rows groups --group-cols floor --format json");
  ASSERT_EQ(r.code, 0) << show(r);
  auto j = json_of(r);
  EXPECT_EQ(j["rows"], nlohmann::json::array({"ALL", "IT", "Legal"}));
  EXPECT_EQ(j["row_sizes"], nlohmann::json::array({1, 2, 2}));
  EXPECT_EQ(j["cols"], nlohmann::json::array({"first_floor"}));
  EXPECT_EQ(j["col_sizes"], nlohmann::json::array({2}));
  // ALL: mueller (2 tables); IT: mueller, rob (2 + 2); Legal: schmidt, ann (1 + 1).
  EXPECT_EQ(j["cells"], nlohmann::json::array({{2}, {4}, {2}}));
  EXPECT_EQ(j["allowed"], 6); // the matrix's own count, not the groups' sum
  // A dotted path through entity attributes.
  r = run_keyplan(kBook + " --group-cols floor.building --format csv");
  EXPECT_EQ(r.out, "user \\ object.floor.building,example_building (2)\r\nmueller,2\r\n"
                   "schmidt,1\r\nrob,2\r\nann,1\r\n")
      << show(r);
}

TEST(Matrix, SummaryPrintsOnlyCounts) {
  auto r = run_keyplan(kBook + " --summary");
  EXPECT_EQ(r.code, 0) << show(r);
  EXPECT_NE(r.out.find("allowed: 6 (75.0%)"), std::string::npos) << show(r);
  EXPECT_EQ(r.out.find("mueller"), std::string::npos) << show(r);
  auto j = json_of(run_keyplan(kBook + " --summary --format json"));
  EXPECT_EQ(j["allowed"], 6);
  EXPECT_EQ(j["cell_count"], 8);
  EXPECT_EQ(j["row_count"], 4);
}

TEST(Matrix, ExplainPlanSaysHowColumnsAreDecided) {
  auto r = run_keyplan(kBook + " --summary --explain-plan");
  EXPECT_EQ(r.code, 0) << show(r);
  EXPECT_NE(r.err.find("plan: book(user: User, object: Object, on: date), "), std::string::npos)
      << show(r);
}

TEST(Matrix, InputErrorsExitTwo) {
  struct Case {
    std::string args, message;
  };
  const std::string base = "matrix " + kOffice + " ";
  const std::vector<Case> cases = {
      {"bok --rows user --cols object", "unknown action 'bok' (did you mean 'book'?)"},
      {"book --rows user --cols on", "'on' of 'book' is not an entity parameter"},
      {"book --rows user --cols user", "both name 'user'"},
      {"book --rows user --cols object user=mueller", "'user' is both open and given"},
      {"book --rows user --cols objetc", "has no parameter 'objetc'"},
      {"book --rows user --cols object --group-rows grups", "did you mean 'groups'"},
      {"book --rows user --cols object --group-cols floor.published.x", "is not an entity"},
      {"book --rows user --cols object --format xlsx", "needs --output FILE"},
      {"book --rows user --cols object on=someday", "not a date"},
  };
  for (const auto& c : cases) {
    auto r = run_keyplan(base + c.args);
    EXPECT_EQ(r.code, 2) << c.args << "\n" << show(r);
    EXPECT_EQ(r.out, "") << c.args;
    EXPECT_NE(r.err.find(c.message), std::string::npos) << c.args << "\n" << show(r);
  }
  // CLI11: --rows and --cols are required.
  EXPECT_EQ(run_keyplan(base + "book --rows user").code, 2);
}

TEST(Matrix, JsonAndCsvStaySafeForHostileIds) {
  Scratch s;
  auto data = s.write("hostile.yaml", "User:\n"
                                      "  - {id: \"=cmd|' /C calc'!A0\", groups: [IT]}\n"
                                      "  - {id: \"q\\\"uote</script>\\u001b[31m\", groups: [IT]}\n"
                                      "  - {id: \"bad\\xff\", groups: [IT]}\n");
  const std::string args = "matrix " + kSeed002 + " book --rows user --cols object --today " +
                           "2026-11-23 --data " + quote(data.string());
  auto r = run_keyplan(args + " --format json");
  ASSERT_EQ(r.code, 0) << show(r);
  auto j = json_of(r);
  EXPECT_EQ(j["rows"].size(), 5u);
  EXPECT_EQ(j["allowed"], 5); // mueller and the three on TABLE_1, schmidt on TABLE_2
  auto c = run_keyplan(args + " --format csv");
  EXPECT_EQ(c.out.find("\n=cmd"), std::string::npos) << c.out; // neutralised formula
  auto t = run_keyplan(args);
  EXPECT_EQ(t.out.find('\x1b'), std::string::npos) << t.out;
}

// Table formats hold one string per cell: past the limit they refuse and say
// what to do instead (JSON and grouped output still work).
TEST(Matrix, TooLargeForATableSaysHowToAggregate) {
  Scratch s;
  const std::string data = quote((s.dir / "t.yaml").string());
  auto gen =
      run_keyplan("gen --users 1100 --groups 12 --buildings 1 --floors 2 --desks 500 -o " + data);
  ASSERT_EQ(gen.code, 0) << show(gen);
  const std::string args =
      "matrix std.desk_booking book --rows user --cols object --today 2026-11-23 --data " + data;
  auto r = run_keyplan(args + " --format csv");
  EXPECT_EQ(r.code, 2) << show(r);
  EXPECT_NE(r.err.find("--group-rows ATTR"), std::string::npos) << show(r);
  auto g = run_keyplan(args + " --group-rows groups --group-cols floor --format csv");
  EXPECT_EQ(g.code, 0) << show(g);
  // Group labels in natural order: g2 before g10.
  EXPECT_NE(g.out.find("\ng2 ("), std::string::npos) << g.out;
  EXPECT_LT(g.out.find("\ng2 ("), g.out.find("\ng10 (")) << g.out;
  auto run = run_keyplan(args + " --summary --format json");
  auto sum = json_of(run);
  EXPECT_EQ(sum["cell_count"], 1100 * 1000);
  EXPECT_EQ(run.err, ""); // stderr is not a terminal: no progress line
}

// A wrong answer from the engine (the testing aid KEYPLAN_TESTING_FLIP_JIT
// negates every JIT decision) is never printed as a matrix: the
// interpreter's cross-check fails the run with exit 3 (or the engine did not
// use the JIT, and the matrix is the right one).
TEST(Matrix, EngineDisagreementIsNeverASilentWrongMatrix) {
  auto good = run_keyplan(kBook + " --format csv");
  ASSERT_EQ(good.code, 0);
  const std::string flip = "KEYPLAN_TESTING_FLIP_JIT=1";
  auto r = run_keyplan(kBook + " --format csv", 60, flip);
  if (r.code == 0)
    EXPECT_EQ(r.out, good.out);
  else {
    EXPECT_EQ(r.code, 3) << show(r);
    EXPECT_NE(r.err.find("disagree"), std::string::npos) << show(r);
    EXPECT_EQ(r.out, "");
  }
  auto s =
      run_keyplan("search " + kOffice + " book object=TABLE_1 --data " + kOfficeData, 60, flip);
  auto s_good = run_keyplan("search " + kOffice + " book object=TABLE_1 --data " + kOfficeData);
  if (s.code == 0)
    EXPECT_EQ(s.out, s_good.out);
  else
    EXPECT_EQ(s.code, 3) << show(s);
}

// `see` is overloaded by the target's type: --cols target is ambiguous
// (exit 2, naming the choices); --cols target:Floor / Building choose.
TEST(Matrix, OverloadedActionIsChosenByTheOpenParameterType) {
  auto r = run_keyplan("matrix " + kSeed002 + " see --rows user --cols target");
  EXPECT_EQ(r.code, 2) << show(r);
  EXPECT_EQ(r.out, "");
  EXPECT_NE(r.err.find("target:Building or target:Floor"), std::string::npos) << show(r);
  for (std::string type : {"Floor", "Building"}) {
    r = run_keyplan("matrix " + kSeed002 + " see --rows user --cols target:" + type +
                    " --today 2026-11-23 --format json");
    ASSERT_EQ(r.code, 0) << show(r);
    auto j = nlohmann::json::parse(r.out);
    EXPECT_EQ(j["cols"],
              nlohmann::json::array({type == "Floor" ? "first_floor" : "example_building"}));
    EXPECT_EQ(j["rows"], nlohmann::json::array({"mueller", "schmidt"}));
    EXPECT_EQ(j["allowed"], 2) << r.out; // ALL: both users see it (F-G1)
  }
}
