// Recursion is a compile error wherever it hides, so that the interpreter
// and the JIT (which assume callees come before callers) never see it. A
// parameter default runs at every call that omits the parameter, so the
// calls a default makes are calls of that caller.
#include "compiler/compile.hpp"
#include "runtime/interpreter.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <sys/wait.h>
#include <unistd.h>

using namespace keyplan;
namespace fs = std::filesystem;

namespace {

std::string errors_of(const std::string& src) {
  CompileResult r = compile_source("rec.kp", src);
  EXPECT_FALSE(r.policy) << "expected a compile error in:\n" << src;
  return r.diags.render_text(*r.sources);
}

void expect_ok(const std::string& src) {
  CompileResult r = compile_source("rec.kp", src);
  EXPECT_TRUE(r.policy) << r.diags.render_text(*r.sources);
}

// The reproducer: g's call f() runs f's default g().
const std::string kThroughDefault = "rule f(x: int = g()): int = x\n"
                                    "rule g(): int = f()\n"
                                    "action a(y: int) = g() == y\n";

} // namespace

TEST(Recursion, ThroughParameterDefaultIsAnError) {
  std::string text = errors_of(kThroughDefault);
  EXPECT_NE(text.find("rec.kp:2:17: error: the default of 'x' in 'f' calls itself: "
                      "f (default of x) → g → f (default of x)"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("recursion is not allowed"), std::string::npos) << text;
}

TEST(Recursion, ThroughParameterDefaultIsFoundWhicheverRuleIsDeclaredFirst) {
  std::string text = errors_of("rule g(): int = f()\n"
                               "rule f(x: int = g()): int = x\n"
                               "action a(y: int) = g() == y\n");
  EXPECT_NE(text.find("rec.kp:2:17: error: 'g' calls itself: g → f (default of x) → g"),
            std::string::npos)
      << text;
}

TEST(Recursion, ThroughADefaultThatUsesAnotherDefault) {
  // f() runs h(), whose own default runs g(), which calls f() again.
  std::string text = errors_of("rule f(x: int = h()): int = x\n"
                               "rule h(y: int = g()): int = y\n"
                               "rule g(): int = f()\n"
                               "action a(z: int) = g() == z\n");
  EXPECT_NE(text.find("calls itself: f (default of x) → h (default of y) → g → f (default of x)"),
            std::string::npos)
      << text;
}

TEST(Recursion, ADefaultCallingItsOwnRuleWithoutTheParameterIsAnError) {
  std::string text = errors_of("rule f(x: int = f()): int = x\n"
                               "action a(y: int) = f(y) == y\n");
  EXPECT_NE(
      text.find("the default of 'x' in 'f' calls itself: f (default of x) → f (default of x)"),
      std::string::npos)
      << text;
}

TEST(Recursion, ThroughAnActionParameterDefaultIsAnError) {
  // A request that omits y runs the default too; here g's call a() does.
  std::string text = errors_of("action a(y: int = g()) = y > 0\n"
                               "rule g(): int = if a() then 1 else 0\n");
  EXPECT_NE(
      text.find("the default of 'y' in 'a' calls itself: a (default of y) → g → a (default of y)"),
      std::string::npos)
      << text;
}

TEST(Recursion, ADefaultThatCallsItsRuleWithTheParameterGivenIsNotRecursion) {
  // Only calls that omit a parameter run its default: these terminate.
  expect_ok("rule f(x: int = f(1)): int = x\n"
            "action a(y: int) = f() == y\n");
  expect_ok("rule f(x: int = g(), z: int = 2): int = x + z\n"
            "rule g(): int = f(1)\n"
            "action a(y: int) = f() == y\n");
  // And the one that terminates gives its answer: f() = f(1) = 1.
  CompileResult r = compile_source("rec.kp", "rule f(x: int = f(1)): int = x\n"
                                             "action a(y: int) = f() == y\n");
  ASSERT_TRUE(r.policy) << r.diags.render_text(*r.sources);
  rt::Snapshot snap(*r.policy);
  int32_t a = r.policy->find_rules("a")[0];
  auto yes = rt::evaluate(*r.policy, snap, a, {rt::RtValue::integer(1)}, {0, false});
  auto no = rt::evaluate(*r.policy, snap, a, {rt::RtValue::integer(2)}, {0, false});
  EXPECT_TRUE(yes.allowed);
  EXPECT_FALSE(no.allowed);
}

TEST(Recursion, ThroughParameterDefaultNeverReachesAnEngine) {
  // check, and decide with either engine, stop at the compile error (exit 2)
  // instead of crashing the interpreter or hanging the JIT.
  fs::path dir = fs::temp_directory_path() / ("keyplan_recursion_" + std::to_string(::getpid()));
  fs::create_directories(dir);
  std::ofstream(dir / "rec.kp") << kThroughDefault;
  for (std::string args : {"check rec.kp", "decide rec.kp a y=1 --engine interp",
                           "decide rec.kp a y=1 --engine jit", "decide rec.kp a y=1"}) {
    std::string cmd =
        "cd '" + dir.string() + "' && timeout 60 '" + KEYPLAN_BINARY + "' " + args + " 2>&1";
    FILE* p = ::popen(cmd.c_str(), "r");
    ASSERT_TRUE(p);
    std::string out;
    char buf[4096];
    size_t n;
    while ((n = std::fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
    int status = ::pclose(p);
    ASSERT_TRUE(WIFEXITED(status)) << args << "\n" << out;
    EXPECT_EQ(WEXITSTATUS(status), 2) << args << "\n" << out;
    EXPECT_NE(out.find("calls itself"), std::string::npos) << args << "\n" << out;
  }
  fs::remove_all(dir);
}

namespace {

// n rules, r0 calling r1 calling ... r(n-1); `leaf_first` declares them
// backwards (and the action last), so that each is checked before its
// caller: no deep recursion in the checker, only in evaluation.
std::string call_chain(int n, bool leaf_first) {
  std::vector<std::string> rules;
  for (int i = 0; i + 1 < n; ++i)
    rules.push_back("rule r" + std::to_string(i) + "(): int = r" + std::to_string(i + 1) +
                    "() + 1\n");
  rules.push_back("rule r" + std::to_string(n - 1) + "(): int = 1\n");
  std::string action = "action a(x: int) = r0() == x\n", src;
  if (leaf_first) std::reverse(rules.begin(), rules.end());
  if (!leaf_first) src += action;
  for (const auto& r : rules) src += r;
  return leaf_first ? src + action : src;
}

} // namespace

TEST(CallDepth, AVeryLongChainOfRulesIsAnErrorNotAStackOverflow) {
  // 20,000 rules calling each other overflowed the checker's stack (declared
  // caller first) or the interpreter's (declared callee first, exit 139).
  for (bool leaf_first : {false, true}) {
    CompileResult r = compile_source("chain.kp", call_chain(20000, leaf_first));
    EXPECT_FALSE(r.policy) << leaf_first;
    std::string text = r.diags.render_text(*r.sources);
    EXPECT_NE(text.find(leaf_first ? "nests 257 levels deep"
                                   : "expressions and calls nested more than 256 levels deep"),
              std::string::npos)
        << text.substr(0, 1000);
  }
}

TEST(CallDepth, AChainWithinTheBoundIsEvaluated) {
  for (bool leaf_first : {false, true}) {
    CompileResult r = compile_source("chain.kp", call_chain(120, leaf_first));
    ASSERT_TRUE(r.policy) << r.diags.render_text(*r.sources).substr(0, 1000);
    rt::Snapshot snap(*r.policy);
    int32_t a = r.policy->find_rules("a")[0];
    EXPECT_TRUE(rt::evaluate(*r.policy, snap, a, {rt::RtValue::integer(120)}, {0, false}).allowed);
  }
}
