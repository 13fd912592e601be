// keyplan bench matrix end to end (docs/performance.md, "Whole matrices"):
// the JSON fields the issue names, allow counts that agree with the JIT
// cell by cell, and exit 3 when they do not. No timing is asserted.
#include "test_support.hpp"

#include <filesystem>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace {

namespace fs = std::filesystem;
using keyplan::testing_support::CommandRun;

// A small generated tenant: 120 users x 48 desks.
const std::string kSmall = " --users 120 --groups 8 --buildings 2 --floors 2 --desks 12";

CommandRun bench(const std::string& args, const std::string& env = "") {
  fs::path root = fs::path(KEYPLAN_TEST_DATA).parent_path().parent_path();
  return keyplan::testing_support::run_command("cd '" + root.string() + "' && " + env + " '" +
                                               KEYPLAN_BINARY + "' bench matrix " + args +
                                               " 2>/dev/null");
}

} // namespace

TEST(BenchMatrix, JsonReportsCellsAllowedTimesCrossChecksAndPlan) {
  CommandRun r = bench("--format json --runs 2" + kSmall);
  ASSERT_EQ(r.code, 0) << r.out;
  nlohmann::json j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["action"], "book");
  EXPECT_EQ(j["open"], "user");
  EXPECT_EQ(j["rows_param"], "object");
  EXPECT_EQ(j["cells"].get<int64_t>(), 120 * 48);
  for (const char* f : {"matrix_ms", "per_decision_ms", "speedup", "crosschecked_fraction"})
    EXPECT_TRUE(j[f].is_number()) << f;
  // Every cell decided by the JIT too (the matrix is small): same allows.
  EXPECT_FALSE(j["per_decision_extrapolated"].get<bool>());
  EXPECT_EQ(j["per_decision_allowed"], j["allowed"]);
  EXPECT_GT(j["allowed"].get<int64_t>(), 0);
  EXPECT_LT(j["allowed"].get<int64_t>(), 120 * 48);
  EXPECT_EQ(j["crosschecked_cells"].get<int64_t>(), 48 * 64); // 64 cells of each of 48 columns
  EXPECT_TRUE(j["plan"]["vectorised"].get<bool>()) << j["plan"];
  EXPECT_EQ(j["plan"]["how"], "vectorised");
}

// Objects open (what can each user book?): the same allow count.
TEST(BenchMatrix, OpenObjectGivesTheSameAllowCount) {
  CommandRun users = bench("--format json --runs 1" + kSmall);
  CommandRun objects = bench("--format json --runs 1 --open object" + kSmall);
  ASSERT_EQ(users.code, 0);
  ASSERT_EQ(objects.code, 0);
  auto a = nlohmann::json::parse(users.out), b = nlohmann::json::parse(objects.out);
  EXPECT_EQ(b["open"], "object");
  EXPECT_EQ(a["allowed"], b["allowed"]);
}

// A sample of rows for the JIT when the matrix is larger than
// --per-decision-cells, and the report says it is extrapolated.
TEST(BenchMatrix, PerDecisionSampleIsMarkedExtrapolated) {
  CommandRun r = bench("--format json --runs 1 --per-decision-cells 1000" + kSmall);
  ASSERT_EQ(r.code, 0);
  auto j = nlohmann::json::parse(r.out);
  EXPECT_TRUE(j["per_decision_extrapolated"].get<bool>());
  EXPECT_LT(j["per_decision_cells"].get<int64_t>(), j["cells"].get<int64_t>());
}

// The JIT's answers flipped (testing aid): the comparison catches it, exit 3.
TEST(BenchMatrix, DisagreementWithTheJitExitsThree) {
  CommandRun r = bench("--format json --runs 1" + kSmall, "KEYPLAN_TESTING_FLIP_JIT=1");
  EXPECT_EQ(r.code, 3) << r.out;
}

TEST(BenchMatrix, UnknownActionOrParameterIsBadInput) {
  EXPECT_EQ(bench("--action nosuch" + kSmall).code, 2);
  EXPECT_EQ(bench("--open nosuch" + kSmall).code, 2);
  EXPECT_EQ(bench("--action admin_area" + kSmall).code, 2); // one entity parameter
}

// The diff target is measured: the diff of a one-setting what-if
// (floor_needs_building off, F-A5) for `book` and `see`, its changed cells,
// and its time against the same actions' full matrices. No timing is asserted.
TEST(BenchMatrix, JsonReportsDiffOfOneSettingWhatIf) {
  CommandRun r = bench("--format json --runs 1" + kSmall);
  ASSERT_EQ(r.code, 0) << r.out;
  nlohmann::json j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["diff_what_if"], "floor_needs_building=false");
  EXPECT_EQ(j["diff_actions"], nlohmann::json::array({"book", "see"}));
  for (const char* f : {"diff_ms", "diff_matrix_ms", "diff_ratio"})
    EXPECT_TRUE(j[f].is_number()) << f;
  // book, see(Building), see(Floor): every overload compared.
  ASSERT_EQ(j["diff_per_action"].size(), 3u) << j["diff_per_action"];
  uint64_t changed = 0, cells = 0;
  for (const auto& a : j["diff_per_action"]) {
    changed += a["gained"].get<uint64_t>() + a["lost"].get<uint64_t>();
    cells += a["cells"].get<uint64_t>();
    // The BEFORE side of the diff is the matrix the bench times.
    EXPECT_EQ(a["allowed_before"], a["matrix_allowed"]) << a;
  }
  EXPECT_EQ(j["diff_changed"].get<uint64_t>(), changed);
  EXPECT_EQ(j["diff_cells"].get<uint64_t>(), cells);
  // A floor no longer needs its building's groups: access is only gained.
  EXPECT_GT(j["diff_gained"].get<uint64_t>(), 0u);
  EXPECT_EQ(j["diff_lost"].get<uint64_t>(), 0u);
  for (const auto& a : j["diff_per_action"]) {
    if (a["signature"].get<std::string>().rfind("book(", 0) == 0) {
      EXPECT_EQ(a["allowed_before"], j["allowed"]);
    }
  }
  // Another setting: every generated user is listed in ALL, so switching
  // all_is_everyone off (F-G2) changes nothing. A bad one: exit 2.
  r = bench("--format json --runs 1 --diff-set all_is_everyone=false --diff-action book" + kSmall);
  ASSERT_EQ(r.code, 0) << r.out;
  j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["diff_what_if"], "all_is_everyone=false");
  EXPECT_EQ(j["diff_per_action"].size(), 1u);
  EXPECT_EQ(j["diff_changed"], 0);
  EXPECT_EQ(bench("--runs 1 --diff-set no_such_setting=1" + kSmall).code, 2);
  EXPECT_EQ(bench("--runs 1 --diff-set all_is_everyone" + kSmall).code, 2);
  EXPECT_EQ(bench("--runs 1 --diff-set all_is_everyone=maybe" + kSmall).code, 2);
}
