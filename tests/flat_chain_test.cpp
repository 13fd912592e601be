// A flat chain of one operator (`a or b or c ...`, thousands of operands, as
// generated policies write them) is not nesting: check, fmt and decide with
// both engines accept it without exhausting the stack. Real nesting keeps
// its limit of kMaxNesting levels.
#include "compiler/compile.hpp"
#include "compiler/format.hpp"
#include "compiler/parse.hpp"
#include "runtime/interpreter.hpp"

#include "tests/test_support.hpp"
#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <sys/wait.h>
#include <unistd.h>

using namespace keyplan;
namespace fs = std::filesystem;

namespace {

constexpr int kOperands = 5000;

// op-joined operands made by `operand(i)`, i = 0 .. n-1.
template <class F> std::string chain(const std::string& op, int n, F operand) {
  std::string out;
  for (int i = 0; i < n; ++i) out += (i ? " " + op + " " : "") + operand(i);
  return out;
}

// A policy with one action per associative operator, each over a chain of
// kOperands operands.
std::string chain_policy() {
  auto num = [](int i) { return std::to_string(i); };
  std::string p;
  p +=
      "action any_of(x: int) = " + chain("or", kOperands, [&](int i) { return "x == " + num(i); }) +
      "\n";
  p += "action none_of(x: int) = " +
       chain("and", kOperands, [&](int i) { return "x != " + num(i); }) + "\n";
  p += "rule times(x: int): int = " + chain("+", kOperands, [](int) { return "x"; }) + "\n";
  p += "action sum_is(x: int, y: int) = times(x) == y\n";
  p += "action product_is(x: int, y: int) = " +
       chain("*", kOperands, [](int i) { return i ? "1" : "x"; }) + " == y\n";
  p += "action in_union(x: int) = x in " +
       chain("union", kOperands, [&](int i) { return "[" + num(2 * i) + "]"; }) + "\n";
  p += "action in_both(x: int) = x in " +
       chain("intersect", kOperands, [](int) { return "[1, 2, 3]"; }) + "\n";
  return p;
}

using CliRun = keyplan::testing_support::CommandRun;

CliRun keyplan_in(const fs::path& dir, const std::string& args) {
  std::string cmd =
      "cd '" + dir.string() + "' && timeout 300 '" + KEYPLAN_BINARY + "' " + args + " 2>&1";
  return keyplan::testing_support::run_command(cmd);
}

struct Scratch {
  Scratch() : dir(fs::temp_directory_path() / ("keyplan_chain_" + std::to_string(::getpid()))) {
    fs::create_directories(dir);
  }
  ~Scratch() { fs::remove_all(dir); }
  fs::path dir;
};

} // namespace

TEST(FlatChains, ThousandsOfOperandsPassCheckAndDecideInTheInterpreter) {
  CompileResult r = compile_source("chain.kp", chain_policy());
  ASSERT_TRUE(r.policy) << r.diags.render_text(*r.sources).substr(0, 2000);
  const ir::Policy& p = *r.policy;
  rt::Snapshot snap(p);
  auto decide = [&](const char* action, std::vector<int64_t> args) {
    std::vector<rt::RtValue> v;
    for (int64_t a : args) v.push_back(rt::RtValue::integer(a));
    auto d = rt::evaluate(p, snap, p.find_rules(action)[0], v, {0, false});
    EXPECT_TRUE(d.error.empty()) << d.error;
    return d.allowed;
  };
  EXPECT_TRUE(decide("any_of", {0}));
  EXPECT_TRUE(decide("any_of", {kOperands - 1}));
  EXPECT_FALSE(decide("any_of", {kOperands}));
  EXPECT_TRUE(decide("none_of", {kOperands}));
  EXPECT_FALSE(decide("none_of", {1234}));
  EXPECT_TRUE(decide("sum_is", {3, 3 * kOperands}));
  EXPECT_FALSE(decide("sum_is", {3, 3 * kOperands + 1}));
  // int + wraps: 2^62 * 5000 = 2^62 * (5000 mod 4) = 0 (mod 2^64), in any grouping.
  EXPECT_TRUE(decide("sum_is", {int64_t{1} << 62, 0}));
  EXPECT_TRUE(decide("product_is", {7, 7}));
  EXPECT_TRUE(decide("in_union", {2 * (kOperands - 1)}));
  EXPECT_FALSE(decide("in_union", {3}));
  EXPECT_TRUE(decide("in_both", {2}));
  EXPECT_FALSE(decide("in_both", {4}));
}

TEST(FlatChains, ThousandsOfOperandsPassCheckFmtAndDecideWithBothEngines) {
  Scratch s;
  std::ofstream(s.dir / "chain.kp") << chain_policy();
  CliRun check = keyplan_in(s.dir, "check chain.kp");
  EXPECT_EQ(check.code, 0) << check.out.substr(0, 2000);
  CliRun fmt = keyplan_in(s.dir, "fmt chain.kp");
  ASSERT_EQ(fmt.code, 0) << fmt.out.substr(0, 2000);
  // Formatted: one operand per line, and formatting it again changes nothing.
  EXPECT_NE(fmt.out.find("\n    or x == 4999\n"), std::string::npos);
  std::ofstream(s.dir / "formatted.kp") << fmt.out;
  CliRun again = keyplan_in(s.dir, "fmt --check formatted.kp");
  EXPECT_EQ(again.code, 0) << again.out.substr(0, 2000);
  // Each run compiles the whole policy (the JIT all of it, slowly): a few
  // answers per engine, the same as the interpreter's in the test above.
  for (std::string engine : {"interp", "jit"}) {
    auto decide = [&](const std::string& file, const std::string& args) {
      CliRun r = keyplan_in(s.dir, "decide " + file + " " + args + " --engine " + engine);
      EXPECT_EQ(r.code, 0) << engine << " " << args << "\n" << r.out.substr(0, 2000);
      return r.out.rfind("allow", 0) == 0;
    };
    EXPECT_TRUE(decide("chain.kp", "any_of x=4999")) << engine;
    EXPECT_FALSE(decide("chain.kp", "none_of x=17")) << engine;
    EXPECT_TRUE(decide("chain.kp", "sum_is x=4611686018427387904 y=0")) << engine;
    EXPECT_TRUE(decide("chain.kp", "in_union x=9998")) << engine;
    EXPECT_FALSE(decide("formatted.kp", "any_of x=5000")) << engine;
    EXPECT_TRUE(decide("formatted.kp", "product_is x=7 y=7")) << engine;
  }
}

TEST(FlatChains, ShortChainsKeepTheirTreeAsWritten) {
  // Up to kBalanceFrom operands the IR is the parser's left-deep tree, so
  // explanations of ordinary policies do not change.
  CompileResult r = compile_source("chain.kp", "action a(x: int) = x == 1 or x == 2 or x == 3\n");
  ASSERT_TRUE(r.policy);
  const ir::Expr& body = *r.policy->rules[0].body;
  ASSERT_EQ(body.op, ir::Op::Or);
  EXPECT_EQ(body.kids[0]->op, ir::Op::Or);
  EXPECT_EQ(body.kids[1]->op, ir::Op::Eq);
}

TEST(FlatChains, LongChainsAreEvaluatedAsABalancedTree) {
  CompileResult r = compile_source("chain.kp", "action a(x: int) = " + chain("or", 4096, [](int i) {
                                                 return "x == " + std::to_string(i);
                                               }) + "\n");
  ASSERT_TRUE(r.policy);
  int depth = 0;
  for (const ir::Expr* e = r.policy->rules[0].body.get(); e->op == ir::Op::Or; e = e->kids[0].get())
    ++depth;
  EXPECT_EQ(depth, 12); // log2(4096)
}

TEST(FlatChains, OperandsWithPrefixOperatorsAreNotNesting) {
  // `not x and not x ...`: each `not` ends at the next `and`; `-` at the next
  // operator; a bracketed `if` at its `)`. None of them accumulates.
  auto num = [](int i) { return std::to_string(i); };
  std::string src =
      "action a(x: bool) = " + chain("and", 1000, [](int) { return "not x"; }) + "\n" +
      "action b(x: int) = " + chain("or", 1000, [&](int i) { return "x - 1 == -" + num(i); }) +
      "\n" + "action c(x: int) = " +
      chain("or", 1000, [&](int i) { return "(if x > " + num(i) + " then true else false)"; }) +
      "\n" + "rule d(x: int): int = " + chain("+", 1000, [](int) { return "-x"; }) + "\n" +
      "action e(x: int) = d(x) == -1000 * x\n";
  CompileResult r = compile_source("chain.kp", src);
  ASSERT_TRUE(r.policy) << r.diags.render_text(*r.sources).substr(0, 1000);
  rt::Snapshot snap(*r.policy);
  auto decide = [&](const char* action, rt::RtValue v) {
    return rt::evaluate(*r.policy, snap, r.policy->find_rules(action)[0], {v}, {0, false}).allowed;
  };
  EXPECT_FALSE(decide("a", rt::RtValue::boolean(true)));
  EXPECT_TRUE(decide("a", rt::RtValue::boolean(false)));
  EXPECT_TRUE(decide("b", rt::RtValue::integer(-998)));
  EXPECT_FALSE(decide("b", rt::RtValue::integer(2)));
  EXPECT_TRUE(decide("c", rt::RtValue::integer(5)));
  EXPECT_TRUE(decide("e", rt::RtValue::integer(7)));
  // Real nesting of prefix operators still counts.
  CompileResult deep = compile_source(
      "chain.kp", "action a(x: bool) = " + chain("", 300, [](int) { return "not"; }) + " x\n");
  EXPECT_FALSE(deep.policy);
  EXPECT_NE(deep.diags.render_text(*deep.sources).find("nested more than 200 levels"),
            std::string::npos);
}

TEST(FlatChains, NestingStillHasItsLimit) {
  auto errors = [](const std::string& src) {
    CompileResult r = compile_source("chain.kp", src);
    EXPECT_FALSE(r.policy) << src.substr(0, 200);
    return r.diags.render_text(*r.sources);
  };
  std::string nested = "x";
  for (int i = 0; i < kMaxNesting + 5; ++i) nested = "(" + nested + " or x)";
  EXPECT_NE(errors("action a(x: bool) = " + nested + "\n").find("nested more than 200 levels"),
            std::string::npos);
  // `-` is not associative: each one is a level of the evaluated tree.
  std::string minus = chain("-", kMaxNesting + 50, [](int) { return "x"; });
  EXPECT_NE(errors("action a(x: int) = " + minus + " == 0\n").find("nested more than 200 levels"),
            std::string::npos);
  // Nor is `+` on a date (date + int + int): it is not balanced either.
  std::string dates = "d + " + chain("+", kMaxNesting + 50, [](int) { return "1"; });
  std::string text = errors("action a(d: date) = " + dates + " > d\n");
  EXPECT_NE(text.find("a chain of 250 '+' on 'date' is nested too deeply to evaluate"),
            std::string::npos)
      << text.substr(0, 1000);
  // Up to the limit it is fine.
  std::string few = "d + " + chain("+", 100, [](int) { return "1"; });
  CompileResult ok = compile_source("chain.kp", "action a(d: date) = " + few + " > d\n");
  EXPECT_TRUE(ok.policy) << ok.diags.render_text(*ok.sources);
}

TEST(FlatChains, AHundredThousandOperandsAreFreedWithoutRecursion) {
  // Parsing builds (and frees) a left-deep tree of every operand.
  std::string src = "action a(x: int) = " +
                    chain("or", 100000, [](int i) { return "x == " + std::to_string(i); }) + "\n";
  CompileResult r = compile_source("chain.kp", src);
  ASSERT_TRUE(r.policy) << r.diags.render_text(*r.sources).substr(0, 1000);
  rt::Snapshot snap(*r.policy);
  auto d = rt::evaluate(*r.policy, snap, 0, {rt::RtValue::integer(99999)}, {0, false});
  EXPECT_TRUE(d.allowed);
  EXPECT_FALSE(format_file(r.files.back(), *r.sources).empty());
}

TEST(FlatChains, AChainWhoseTypeChangesMidwayKeepsItsMeaning) {
  // `1 + 2 + d + 1`: int + int, then int + date (a date), then date + int.
  CompileResult r = compile_source("chain.kp", "action a(d: date, e: date) = 1 + 2 + d + 1 == e\n");
  ASSERT_TRUE(r.policy) << r.diags.render_text(*r.sources);
  rt::Snapshot snap(*r.policy);
  auto decide = [&](int64_t d, int64_t e) {
    return rt::evaluate(*r.policy, snap, 0, {rt::RtValue::date(d), rt::RtValue::date(e)},
                        {0, false})
        .allowed;
  };
  EXPECT_TRUE(decide(100, 104));
  EXPECT_FALSE(decide(100, 103));
  // Long: 300 ints, then a date: a tree as written, too deep to evaluate.
  std::string src =
      "action a(d: date, e: date) = " + chain("+", 300, [](int) { return "1"; }) + " + d == e\n";
  CompileResult deep = compile_source("chain.kp", src);
  EXPECT_FALSE(deep.policy);
  EXPECT_NE(deep.diags.render_text(*deep.sources).find("is nested too deeply to evaluate"),
            std::string::npos)
      << deep.diags.render_text(*deep.sources).substr(0, 500);
  // An error anywhere in a long chain is reported once, with its position.
  std::string bad =
      "action a(x: int) = " + chain("or", 100, [](int i) { return i == 50 ? "x" : "x == 1"; }) +
      "\n";
  CompileResult b = compile_source("chain.kp", bad);
  ASSERT_FALSE(b.policy);
  EXPECT_EQ(b.diags.error_count(), 1) << b.diags.render_text(*b.sources);
  EXPECT_NE(b.diags.render_text(*b.sources).find("the operands of 'or' must be bool"),
            std::string::npos);
}

TEST(Nesting, HiddenBehindSyntaxErrorsIsAnErrorNotAStackOverflow) {
  // ANTLR's error recovery deletes the stray `=` and parses on, one level
  // deeper each time, past what the token scan counts: this crashed with a
  // stack overflow (exit 139). The parser itself now bounds its depth.
  for (std::string unit : {"if true then 1 else = ", "not = ", "( = ", "any x in [1]: = "}) {
    std::string src = "rule r(): int = ";
    for (int i = 0; i < 100000; ++i) src += unit;
    CompileResult r = compile_source("deep.kp", src + "0\n");
    EXPECT_FALSE(r.policy) << unit;
    EXPECT_NE(r.diags.render_text(*r.sources).find("nested more than 200 levels deep"),
              std::string::npos)
        << unit;
  }
}

TEST(Nesting, DeepTypesAreAnErrorNotAStackOverflow) {
  // `set<set<...>>` and `int ? ? ?` 100,000 deep crashed the parser (exit 139).
  std::string sets, optionals;
  for (int i = 0; i < 100000; ++i) sets += "set<", optionals += " ?";
  sets += "int" + std::string(100000, '>');
  for (std::string src :
       {"rule r(x: " + sets + "): bool = true\n", "rule r(x: int" + optionals + "): bool = true\n",
        "entity E { a: int" + optionals + " }\n"}) {
    CompileResult r = compile_source("deep.kp", src);
    EXPECT_FALSE(r.policy);
    EXPECT_NE(r.diags.render_text(*r.sources).find("nested more than 200 levels deep"),
              std::string::npos)
        << src.substr(0, 40);
  }
}
