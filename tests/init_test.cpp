// `keyplan init [--model desk_booking|fm_suite] DIR` (issue 16): the starter
// passes out of the box, through the same commands its CI job runs.
#include "tests/what_if_support.hpp"

#include <gtest/gtest.h>

using namespace keyplan::what_if_test;

namespace {

void expect_starter_passes(const std::string& model, const std::string& scenario) {
  Scratch s;
  fs::path dir = s.dir / "client";
  auto r = run_keyplan("init --model " + model + " " + quote(dir.string()));
  ASSERT_EQ(r.code, 0) << show(r);
  for (const char* f : {"policies/client/main.kp", "data/tenant.yaml",
                        ".github/workflows/keyplan.yml"})
    EXPECT_TRUE(fs::exists(dir / f)) << f;
  ASSERT_TRUE(fs::exists(dir / scenario)) << scenario;
  // The CI job points at the starter's files.
  std::string ci = read(dir / ".github/workflows/keyplan.yml");
  EXPECT_NE(ci.find("POLICY: policies/client/main.kp"), std::string::npos) << ci;
  EXPECT_NE(ci.find("DATA: data/tenant.yaml"), std::string::npos) << ci;
  const std::string policy = quote((dir / "policies/client/main.kp").string());
  auto check = run_keyplan("check --strict " + policy);
  EXPECT_EQ(check.code, 0) << show(check);
  auto fmt = run_keyplan("fmt --check " + policy);
  EXPECT_EQ(fmt.code, 0) << show(fmt);
  auto sim = run_keyplan("simulate " + quote((dir / scenario).string()));
  EXPECT_EQ(sim.code, 0) << show(sim);
  EXPECT_NE(sim.out.find(" 0 failed"), std::string::npos) << show(sim);
  auto test = run_keyplan("test " + policy + " --data " +
                              quote((dir / "data/tenant.yaml").string()) + " --scenario " +
                              quote((dir / scenario).string()) +
                              " --today 2026-11-23 --seed 1 --max-success 20",
                          300);
  EXPECT_EQ(test.code, 0) << show(test);
}

TEST(Init, DeskBookingStarterPassesCheckSimulateAndTest) {
  expect_starter_passes("desk_booking", "scenarios/booking.yaml");
}

TEST(Init, FmSuiteStarterPassesCheckSimulateAndTest) {
  expect_starter_passes("fm_suite", "scenarios/access.yaml");
}

TEST(Init, NeverOverwritesExistingFiles) {
  Scratch s;
  auto kp = s.dir / "policies/client/main.kp";
  fs::create_directories(kp.parent_path());
  std::ofstream(kp) << "// mine\n";
  auto r = run_keyplan("init " + quote(s.dir.string()));
  EXPECT_EQ(r.code, 2) << show(r);
  EXPECT_NE(r.err.find("exists"), std::string::npos) << show(r);
  EXPECT_EQ(read(kp), "// mine\n");
  EXPECT_FALSE(fs::exists(s.dir / "data/tenant.yaml"));
  EXPECT_EQ(run_keyplan("init --model nope " + quote((s.dir / "x").string())).code, 2);
}

} // namespace
