// `explain --brief`: the decision in the data's terms, with the minimal edits
// of tenant data or settings that were checked to change it (issue 16), the
// same summary atop the full explanation and in `simulate --explain`, and
// library clauses shown by their rule's doc comment, not a path into std.
#include "tests/what_if_support.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

using namespace keyplan::what_if_test;

namespace {

const std::string kDeny = " book user=schmidt object=TABLE_1 --today 2026-11-23";

TEST(ExplainBrief, DenialNamesTheDataAndTheSingleEditsThatAllow) {
  auto r = run_keyplan("explain --brief " + kOffice + kDeny);
  ASSERT_EQ(r.code, 0) << show(r);
  // schmidt (Legal) may not book TABLE_1 (IT): either membership fixes it.
  EXPECT_NE(r.out.find("denied: "), std::string::npos) << show(r);
  EXPECT_NE(r.out.find("schmidt's groups are [Legal]"), std::string::npos) << show(r);
  EXPECT_NE(r.out.find("TABLE_1's groups are [IT]"), std::string::npos) << show(r);
  EXPECT_NE(r.out.find("To allow: "), std::string::npos) << show(r);
  EXPECT_NE(r.out.find("add IT to schmidt's groups"), std::string::npos) << show(r);
  EXPECT_NE(r.out.find("add Legal to TABLE_1's groups"), std::string::npos) << show(r);
  // One or two sentences, no rule internals.
  EXPECT_EQ(r.out.find("groups_of"), std::string::npos) << show(r);
  EXPECT_EQ(r.out.find(".kp"), std::string::npos) << show(r);
  EXPECT_LE(std::count(r.out.begin(), r.out.end(), '\n'), 2) << show(r);
}

TEST(ExplainBrief, EveryFixInTheJsonReallyFlipsTheDecision) {
  auto r = run_keyplan("explain --brief --format json " + kOffice + kDeny);
  ASSERT_EQ(r.code, 0) << show(r);
  nlohmann::json j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["decision"], "deny");
  ASSERT_TRUE(j["fixes"].is_array() && !j["fixes"].empty()) << r.out;
  // Re-decide with each single-edit fix applied to the data through the CLI
  // (`--set` for settings, a data file otherwise): each must allow.
  Scratch s;
  int checked = 0;
  for (const auto& fix : j["fixes"]) {
    ASSERT_EQ(fix.size(), 1u) << fix.dump(); // a single edit suffices here
    const auto& e = fix[0];
    if (e["op"] != "add" || e["attribute"] != "groups") continue;
    std::string who = e["instance"], what = e["value"];
    // The edited office: the instance's groups gain the element.
    std::string policy = read(source_root() / kOffice);
    std::string from =
        who == "schmidt" ? "User schmidt { groups: [Legal] }" : "Object TABLE_1 { groups: [IT] }";
    auto at = policy.find(from);
    if (at == std::string::npos) continue;
    std::string to = from;
    to.insert(to.find(']'), ", " + what);
    policy.replace(at, from.size(), to);
    auto file = s.write("office.kp", policy);
    auto d = run_keyplan("decide " + quote(file.string()) + kDeny);
    EXPECT_EQ(d.out, "allow\n") << e.dump() << "\n" << show(d);
    ++checked;
  }
  EXPECT_GE(checked, 2);
}

TEST(ExplainBrief, SettingsAreEditsToo) {
  // all_is_everyone=false: schmidt no longer sees the floor; flipping the
  // setting back is a fix the search finds (a setting, not an instance).
  auto r = run_keyplan("explain --brief " + kOffice +
                       " see user=schmidt target=first_floor --set all_is_everyone=false");
  ASSERT_EQ(r.code, 0) << show(r);
  EXPECT_NE(r.out.find("set setting all_is_everyone to true"), std::string::npos) << show(r);
}

TEST(ExplainBrief, SummaryTopsTheFullExplanationAndSimulate) {
  auto r = run_keyplan("explain " + kOffice + kDeny);
  ASSERT_EQ(r.code, 0) << show(r);
  // Right under the decision and the call, before the tree.
  EXPECT_NE(r.out.find("on = 2026-11-23)\ndenied: schmidt's groups"), std::string::npos) << show(r);
  auto sim = run_keyplan("simulate --explain tests/data/scenarios/pass.yaml");
  EXPECT_NE(sim.out.find("To allow: "), std::string::npos) << show(sim);
}

TEST(ExplainBrief, LibraryClausesShowTheRuleDocNotAPathIntoStd) {
  auto r = run_keyplan("explain " + kOffice + kDeny);
  ASSERT_EQ(r.code, 0) << show(r);
  auto failing = r.out.substr(r.out.find("failing:"));
  // The reasons speak through the library rule's doc comment and DOMAIN id,
  // with the client's instances, never `std/desk_booking.kp:line:col`.
  EXPECT_EQ(failing.find("desk_booking.kp:"), std::string::npos) << show(r);
  EXPECT_NE(failing.find("[F-"), std::string::npos) << show(r);
  EXPECT_NE(failing.find("schmidt"), std::string::npos) << show(r);
}

} // namespace
