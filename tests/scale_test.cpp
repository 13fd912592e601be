// The checker's time grows linearly with the policy: no pass compares every
// declaration with every other (a generated policy may have 100,000 rules),
// and did-you-mean hints stop after the first hundred unknown names.
#include "compiler/compile.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <string>

using namespace keyplan;

namespace {

double seconds_to_check(const std::string& src, bool expect_ok) {
  auto start = std::chrono::steady_clock::now();
  CompileResult r = compile_source("scale.kp", src);
  EXPECT_EQ(r.policy.has_value(), expect_ok) << r.diags.render_text(*r.sources).substr(0, 500);
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

} // namespace

TEST(Scale, AHundredThousandRulesCheckInLinearTime) {
  // Overloads were found by comparing each rule with every earlier one, and
  // each call scanned every rule: 100,000 rules took about 35 s.
  std::string src = "rule r0(): int = 0\n";
  for (int i = 1; i < 100000; ++i)
    src += "rule r" + std::to_string(i) + "(): int = r0() + " + std::to_string(i) + "\n";
  src += "action a(x: int) = r99999() == x\n";
  EXPECT_LT(seconds_to_check(src, true), 30.0);
}

TEST(Scale, ManyUnknownNamesAmongManyInstancesCheckInLinearTime) {
  // Each unknown name was compared with every instance id for a hint.
  std::string src = "entity U { }\n";
  for (int i = 0; i < 50000; ++i) src += "U u" + std::to_string(i) + "\n";
  for (int i = 0; i < 10000; ++i)
    src += "rule r" + std::to_string(i) + "(): bool = uu" + std::to_string(i) + " == u1\n";
  EXPECT_LT(seconds_to_check(src, false), 30.0);
  // The first unknown names still get their hint.
  CompileResult r =
      compile_source("scale.kp", "entity U { }\nU mueller\naction a() = muller == mueller\n");
  EXPECT_NE(r.diags.render_text(*r.sources).find("mueller"), std::string::npos);
}
