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
