// Generative robustness tests of the front end: whatever text it is given,
// keyplan::compile_source returns (diagnostics or a policy) without crashing
// or hanging, and every diagnostic points at a real place in a real file.
//
// Bounded so that the suite stays fast: each property runs kCases cases of
// small size unless RC_PARAMS is set (e.g. RC_PARAMS="max_success=5000
// max_size=400" for a longer local run; "reproduce=..." replays a failure).
#include "compiler/compile.hpp"

#include <gtest/gtest.h>
#include <rapidcheck.h>
#include <rapidcheck/gtest.h>

#include "tests/test_support.hpp"

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace fs = std::filesystem;

namespace {

constexpr int kCases = 300;
constexpr int kMaxSize = 60;
// A generous bound: a front end that needs this long for a few hundred bytes hangs.
constexpr double kSecondsPerInput = 10.0;

template <typename Property>
void check_bounded(Property&& property, int cases = kCases, int max_size = kMaxSize) {
  keyplan::testing_support::check_bounded(std::forward<Property>(property), cases, max_size);
}

// Why a span is not a valid place in its file, or "" when it is.
std::string span_problem(const keyplan::SourceManager& sm, const keyplan::Span& s) {
  if (!s.valid()) return "no file";
  if (s.file >= sm.count()) return "file id out of range";
  const keyplan::SourceFile& f = sm.file(s.file);
  const size_t lines = f.line_starts.size();
  if (s.line < 1 || s.line > lines) return "line out of range";
  if (s.col < 1) return "column 0";
  if (s.end_line < s.line) return "ends before it starts (line)";
  if (s.end_line == s.line && s.end_col < s.col) return "ends before it starts (column)";
  if (s.end_line > lines + 1) return "end line out of range";
  if (s.begin > s.end) return "byte range reversed";
  if (s.end > f.text.size()) return "byte range past the end of the file";
  if (s.begin < f.line_starts[s.line - 1]) return "byte offset before its line";
  return {};
}

// Feeds one text to the front end and checks the result is well formed.
void front_end_survives(const std::string& text) {
  const auto start = std::chrono::steady_clock::now();
  keyplan::CompileResult r = keyplan::compile_source("fuzz.kp", text);
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  RC_ASSERT(seconds < kSecondsPerInput);

  // A policy comes back exactly when there is no error.
  RC_ASSERT(r.policy.has_value() == !r.diags.has_errors());
  for (const keyplan::Diagnostic& d : r.diags.items()) {
    RC_ASSERT(!d.message.empty());
    if (d.severity != keyplan::Severity::Error) continue;
    const std::string problem = span_problem(*r.sources, d.span);
    if (!problem.empty()) RC_FAIL("diagnostic '" + d.message + "' has a bad span: " + problem);
    for (const auto& [span, note] : d.notes) {
      const std::string note_problem = span_problem(*r.sources, span);
      if (!note_problem.empty())
        RC_FAIL("note '" + note + "' of '" + d.message + "' has a bad span: " + note_problem);
    }
  }
  // Rendering must not trip over any span either.
  (void)r.diags.render_text(*r.sources);
  (void)r.diags.render_json(*r.sources);
}

// ---------------------------------------------------------------- generators

const std::vector<std::string>& soup_tokens() {
  static const std::vector<std::string> tokens = {
      // keywords and soft keywords
      "module", "import", "enum", "entity", "extend", "setting", "set", "alias", "rule", "action",
      "invariant", "forall", "parent", "if", "then", "else", "any", "all", "in", "not", "implies",
      "or", "and", "meets", "within", "union", "except", "intersect", "for", "where", "true",
      "false", "none", "today",
      // punctuation and operators
      "{", "}", "(", ")", "[", "]", "<", ">", ":", ",", ".", "=", "==", "!=", "<=", ">=", "+", "-",
      "*", "/", "%", "??", "?", "@",
      // names of the standard model and of typical client policies
      "std", "desk_booking", "std.desk_booking", "User", "Group", "Building", "Floor", "Object",
      "ALL", "IT", "Legal", "first_floor", "TABLE_1", "u", "o", "f", "g", "x", "see", "book",
      "see_status", "groups_of", "admitted", "groups", "floor", "building", "kind", "status",
      "hidden", "published", "ignore_groups_within", "all_is_everyone", "floor_needs_building",
      "desk", "flexible", "blocked", "internal", "bool", "int", "string", "date", "count", "max",
      "min", "implements",
      // literals, good and bad
      "0", "1", "42", "-1", "9223372036854775807", "99999999999999999999", "\"text\"", "\"\"",
      "\"F-A4\"", "\"unterminated", "2026-11-23", "2026-02-30", "0000-00-00", "'", "#", "$", "\\",
      "/*", "*/", "//", "///", "\n", "\t"};
  return tokens;
}

rc::Gen<std::string> gen_token_soup() {
  return rc::gen::map(
      rc::gen::container<std::vector<std::string>>(rc::gen::elementOf(soup_tokens())),
      [](const std::vector<std::string>& toks) {
        std::string s;
        for (const auto& t : toks) s += t + " ";
        return s;
      });
}

// Random bytes, including NUL, control characters and invalid UTF-8.
rc::Gen<std::string> gen_bytes() {
  return rc::gen::oneOf(rc::gen::container<std::string>(rc::gen::map(
                            rc::gen::inRange(0, 256), [](int b) { return static_cast<char>(b); })),
                        rc::gen::arbitrary<std::string>());
}

// A random expression over the names a rule with the parameters of
// kExprRule can see: mostly ill-typed, to exercise the type checker.
rc::Gen<std::string> gen_expr(int depth) {
  static const std::vector<std::string> atoms = {"u",
                                                 "o",
                                                 "f",
                                                 "d",
                                                 "n",
                                                 "s",
                                                 "u.groups",
                                                 "o.floor",
                                                 "o.floor.building",
                                                 "o.groups",
                                                 "o.kind",
                                                 "o.status",
                                                 "o.ignore_groups_within",
                                                 "f.building",
                                                 "ALL",
                                                 "IT",
                                                 "desk",
                                                 "flexible",
                                                 "today",
                                                 "none",
                                                 "true",
                                                 "false",
                                                 "0",
                                                 "7",
                                                 "\"x\"",
                                                 "2026-11-23",
                                                 "[]",
                                                 "[ALL, IT]",
                                                 "[1, 2]",
                                                 "User",
                                                 "Object",
                                                 "Floor",
                                                 "all_is_everyone",
                                                 "n.x",
                                                 "u.nope",
                                                 "nope",
                                                 "IT.groups"};
  static const std::vector<std::string> binops = {
      "and",   "or",     "implies", "==", "!=", "<",     "<=",     ">", ">=", "in", "not in",
      "meets", "within", "??",      "+",  "-",  "union", "except", "*", "/",  "%",  "intersect"};
  if (depth <= 0) return rc::gen::elementOf(atoms);
  // Lazy: only the branches a case takes are built.
  const auto sub = [depth] { return rc::gen::lazy([depth] { return gen_expr(depth - 1); }); };
  const auto list_of = [sub] {
    return rc::gen::mapcat(rc::gen::inRange<size_t>(0, 4), [sub](size_t n) {
      return rc::gen::container<std::vector<std::string>>(n, sub());
    });
  };
  return rc::gen::oneOf(
      rc::gen::elementOf(atoms),
      rc::gen::map(rc::gen::tuple(sub(), rc::gen::elementOf(binops), sub()),
                   [](const auto& t) {
                     return "(" + std::get<0>(t) + " " + std::get<1>(t) + " " + std::get<2>(t) +
                            ")";
                   }),
      rc::gen::map(rc::gen::tuple(rc::gen::elementOf(std::vector<std::string>{"not ", "-"}), sub()),
                   [](const auto& t) { return std::get<0>(t) + std::get<1>(t); }),
      rc::gen::map(rc::gen::tuple(sub(), sub(), sub()),
                   [](const auto& t) {
                     return "(if " + std::get<0>(t) + " then " + std::get<1>(t) + " else " +
                            std::get<2>(t) + ")";
                   }),
      rc::gen::map(
          rc::gen::tuple(rc::gen::elementOf(std::vector<std::string>{"any", "all"}), sub(), sub()),
          [](const auto& t) {
            return "(" + std::get<0>(t) + " x in " + std::get<1>(t) + ": " + std::get<2>(t) + ")";
          }),
      rc::gen::map(
          rc::gen::tuple(sub(), sub()),
          [](const auto& t) { return "{" + std::get<0>(t) + " for x in " + std::get<1>(t) + "}"; }),
      rc::gen::map(rc::gen::tuple(sub(), sub()),
                   [](const auto& t) {
                     return "{x in " + std::get<0>(t) + " where " + std::get<1>(t) + "}";
                   }),
      rc::gen::map(rc::gen::tuple(rc::gen::elementOf(std::vector<std::string>{
                                      "see", "book", "admitted", "groups_of", "count", "max", "min",
                                      "r", "nope"}),
                                  list_of()),
                   [](const auto& t) {
                     std::string s = std::get<0>(t) + "(";
                     const auto& args = std::get<1>(t);
                     for (size_t i = 0; i < args.size(); ++i) s += (i ? ", " : "") + args[i];
                     return s + ")";
                   }),
      rc::gen::map(list_of(), [](const std::vector<std::string>& elems) {
        std::string s = "[";
        for (size_t i = 0; i < elems.size(); ++i) s += (i ? ", " : "") + elems[i];
        return s + "]";
      }));
}

constexpr const char* kExprPrelude =
    "import std.desk_booking\n"
    "Group IT\n"
    "rule r(u: User, o: Object, f: Floor, d: date, n: int, s: set<Group>)";

// The real policies of the source tree.
std::vector<std::string> policy_texts() {
  std::vector<std::string> texts;
  std::error_code ec;
  const fs::path root = fs::path(KEYPLAN_SOURCE_DIR) / "policies";
  for (auto it = fs::recursive_directory_iterator(root, ec); !ec && it != fs::end(it);
       it.increment(ec)) {
    if (!it->is_regular_file() || it->path().extension() != ".kp") continue;
    std::ifstream in(it->path(), std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    texts.push_back(ss.str());
  }
  return texts;
}

struct Mutation {
  int kind; // 0 delete, 1 duplicate, 2 swap, 3 insert a token
  size_t a, b, len;
  std::string token;
};

// Found by RapidCheck through ADL, to print a counterexample.
void showValue(const Mutation& m, std::ostream& os) {
  static const char* kinds[] = {"delete", "duplicate", "swap", "insert"};
  os << kinds[m.kind & 3] << "(a=" << m.a << ", b=" << m.b << ", len=" << m.len
     << ", token=" << m.token << ")";
}

std::string mutate(std::string text, const std::vector<Mutation>& mutations) {
  for (const Mutation& m : mutations) {
    if (text.empty()) break;
    const size_t n = text.size();
    const size_t a = m.a % n, len = std::min(m.len, n - a);
    switch (m.kind) {
    case 0:
      text.erase(a, len);
      break;
    case 1:
      text.insert(a, text.substr(a, len));
      break;
    case 2: {
      size_t b = m.b % n;
      size_t first = std::min(a, b), second = std::max(a, b);
      size_t l = std::min(len, second - first);
      if (second + l > n) l = n - second;
      std::string x = text.substr(first, l), y = text.substr(second, l);
      text.replace(second, l, x);
      text.replace(first, l, y);
      break;
    }
    default:
      text.insert(a, " " + m.token + " ");
      break;
    }
  }
  return text;
}

rc::Gen<Mutation> gen_mutation() {
  return rc::gen::build<Mutation>(
      rc::gen::set(&Mutation::kind, rc::gen::inRange(0, 4)),
      rc::gen::set(&Mutation::a, rc::gen::inRange<size_t>(0, 1u << 20)),
      rc::gen::set(&Mutation::b, rc::gen::inRange<size_t>(0, 1u << 20)),
      rc::gen::set(&Mutation::len, rc::gen::inRange<size_t>(0, 80)),
      rc::gen::set(&Mutation::token, rc::gen::elementOf(soup_tokens())));
}

// ---------------------------------------------------------------- properties

TEST(FrontEndFuzz, RandomBytes) {
  check_bounded([] { front_end_survives(*gen_bytes()); });
}

TEST(FrontEndFuzz, TokenSoup) {
  check_bounded([] { front_end_survives(*gen_token_soup()); });
}

TEST(FrontEndFuzz, TokenSoupAfterImport) {
  check_bounded([] { front_end_survives("import std.desk_booking\n" + *gen_token_soup()); });
}

TEST(FrontEndFuzz, RandomExpressions) {
  check_bounded([] {
    const std::string result = *rc::gen::elementOf(
        std::vector<std::string>{"", ": bool", ": int", ": set<Group>", ": date?", ": Nope"});
    front_end_survives(std::string(kExprPrelude) + result + " = " + *gen_expr(3) + "\n");
  });
}

TEST(FrontEndFuzz, MutatedPolicies) {
  static const std::vector<std::string> texts = policy_texts();
  ASSERT_FALSE(texts.empty()) << "no .kp files under " << KEYPLAN_SOURCE_DIR << "/policies";
  check_bounded([] {
    const std::string& original = *rc::gen::elementOf(texts);
    const size_t count = *rc::gen::inRange<size_t>(1, 5);
    const auto mutations = *rc::gen::container<std::vector<Mutation>>(count, gen_mutation());
    const std::string mutated = mutate(original, mutations);
    RC_LOG() << "mutated text:\n" << mutated << "\n";
    front_end_survives(mutated);
  });
}

// The real policies themselves must check without a single error.
TEST(FrontEndFuzz, RealPoliciesAreClean) {
  std::error_code ec;
  const fs::path root = fs::path(KEYPLAN_SOURCE_DIR) / "policies";
  int seen = 0;
  for (auto it = fs::recursive_directory_iterator(root, ec); !ec && it != fs::end(it);
       it.increment(ec)) {
    if (!it->is_regular_file() || it->path().extension() != ".kp") continue;
    ++seen;
    keyplan::CompileResult r = keyplan::compile_policy(it->path().string());
    EXPECT_FALSE(r.diags.has_errors()) << it->path().string() << ":\n"
                                       << r.diags.render_text(*r.sources);
  }
  EXPECT_GT(seen, 0);
}

// ---------------------------------------------------------------- deep nesting

bool reports_nesting(const std::string& text) {
  keyplan::CompileResult r = keyplan::compile_source("deep.kp", text);
  for (const auto& d : r.diags.items())
    if (d.severity == keyplan::Severity::Error &&
        d.message.find("nested more than") != std::string::npos)
      return !r.policy.has_value();
  ADD_FAILURE() << "no nesting error; diagnostics:\n" << r.diags.render_text(*r.sources);
  return false;
}

std::string repeat(const std::string& s, size_t n) {
  std::string out;
  out.reserve(s.size() * n);
  for (size_t i = 0; i < n; ++i) out += s;
  return out;
}

constexpr size_t kDeep = 100000;

TEST(FrontEndDeepNesting, Parentheses) {
  EXPECT_TRUE(
      reports_nesting("rule deep(): int = " + repeat("(", kDeep) + "1" + repeat(")", kDeep)));
}

TEST(FrontEndDeepNesting, Nots) {
  EXPECT_TRUE(reports_nesting("rule deep(): bool = " + repeat("not ", kDeep) + "true"));
}

TEST(FrontEndDeepNesting, UnaryMinus) {
  EXPECT_TRUE(reports_nesting("rule deep(): int = " + repeat("-", kDeep) + "1"));
}

TEST(FrontEndDeepNesting, SetLiterals) {
  EXPECT_TRUE(reports_nesting("rule deep() = " + repeat("[", kDeep) + repeat("]", kDeep)));
}

TEST(FrontEndDeepNesting, IfChains) {
  EXPECT_TRUE(reports_nesting("rule deep(): int = " + repeat("if true then 1 else ", kDeep) + "0"));
}

TEST(FrontEndDeepNesting, InstanceBlocks) {
  EXPECT_TRUE(reports_nesting("import std.desk_booking\n" + repeat("Floor f {\n", kDeep) +
                              repeat("}\n", kDeep)));
}

TEST(FrontEndDeepNesting, UnclosedParentheses) {
  EXPECT_TRUE(reports_nesting("rule deep(): int = " + repeat("(", kDeep)));
}

// Long flat chains are not nesting in the source, but the parse tree of a
// left-associative chain is deep: the front end must still return.
TEST(FrontEndDeepNesting, LongOperatorChains) {
  for (const std::string op : {" + ", " or ", " union ", " ?? "}) {
    const std::string text = "rule chain(n: int?) = n" + repeat(op + "n", kDeep);
    keyplan::CompileResult r = keyplan::compile_source("chain.kp", text);
    EXPECT_TRUE(r.policy.has_value() || r.diags.has_errors()) << op;
  }
}

} // namespace
