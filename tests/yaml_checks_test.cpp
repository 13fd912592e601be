// runtime/yaml_checks: duplicate keys with both positions, and the node and
// depth budget that keeps alias expansion (billion laughs, cycles) bounded
// for every YAML input.
#include "runtime/yaml_checks.hpp"

#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include <chrono>
#include <string>

using namespace keyplan;

namespace {

struct Checked {
  explicit Checked(const std::string& text, rt::YamlLimits limits = {})
      : file(sources.add("in.yaml", text)),
        checker(file, diags, limits.max_nodes ? limits : rt::YamlLimits::for_size(text.size())) {}
  bool check(const std::string& text) { return checker.check(YAML::Load(text)); }
  SourceManager sources;
  Diagnostics diags;
  int file;
  rt::YamlChecker checker;
};

// "line:col: message" for each error, and "line:col: note" for its notes.
std::vector<std::string> lines(const Diagnostics& diags) {
  std::vector<std::string> out;
  for (const auto& d : diags.items()) {
    out.push_back(std::to_string(d.span.line) + ":" + std::to_string(d.span.col) + ": " +
                  d.message);
    for (const auto& [s, text] : d.notes)
      out.push_back(std::to_string(s.line) + ":" + std::to_string(s.col) + ": " + text);
  }
  return out;
}

std::string laughs(int levels) {
  std::string y = "a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]\n";
  for (int i = 1; i < levels; ++i) {
    y += "a" + std::to_string(i) + ": &a" + std::to_string(i) + " [";
    for (int k = 0; k < 10; ++k) y += (k ? ", *a" : "*a") + std::to_string(i - 1);
    y += "]\n";
  }
  return y;
}

} // namespace

TEST(YamlChecks, DuplicateKeysInAnyMapWithBothPositions) {
  std::string text =
      "a: 1\nlist:\n  - {x: 1, y: 2, x: 3}\n  - nested: {deep: {k: 1, k: 2}}\na: 2\n";
  Checked c(text);
  EXPECT_FALSE(c.check(text));
  EXPECT_FALSE(c.checker.exhausted());
  EXPECT_EQ(lines(c.diags),
            (std::vector<std::string>{"5:1: duplicate key 'a'", "1:1: first given here",
                                      "3:18: duplicate key 'x'", "3:6: first given here",
                                      "4:27: duplicate key 'k'", "4:21: first given here"}));
}

TEST(YamlChecks, DuplicateKeysInLargeMapsAndQuotedSpellings) {
  std::string text;
  for (int i = 0; i < 40; ++i) text += "k" + std::to_string(i) + ": " + std::to_string(i) + "\n";
  text += "\"k7\": again\n";
  Checked c(text);
  EXPECT_FALSE(c.check(text));
  EXPECT_EQ(lines(c.diags),
            (std::vector<std::string>{"41:1: duplicate key 'k7'", "8:1: first given here"}));
}

// A map reached through several aliases is reported once.
TEST(YamlChecks, ADuplicateBehindAnAliasIsReportedOnce) {
  std::string text = "base: &b {p: 1, p: 2}\nuse1: *b\nuse2: *b\n";
  Checked c(text);
  EXPECT_FALSE(c.check(text));
  EXPECT_EQ(c.diags.error_count(), 1);
}

TEST(YamlChecks, BillionLaughsStopsAtTheNodeBudget) {
  std::string text = laughs(10) + "boom: *a9\n"; // 10^9 nodes behind 700 bytes
  ASSERT_LT(text.size(), 1024u);
  Checked c(text);
  auto start = std::chrono::steady_clock::now();
  EXPECT_FALSE(c.check(text));
  auto secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  EXPECT_LT(secs, 10.0);
  EXPECT_TRUE(c.checker.exhausted());
  EXPECT_EQ(c.checker.nodes_seen(), rt::YamlLimits::for_size(text.size()).max_nodes + 1);
  ASSERT_EQ(c.diags.error_count(), 1);
  EXPECT_EQ(c.diags.items()[0].message.rfind("YAML too large: more than ", 0), 0u);
}

// `&x [*x]` makes the node graph a cycle: a reader would never stop.
TEST(YamlChecks, AnAliasInsideItsOwnAnchorIsRefused) {
  for (std::string text : {"a: &x [1, *x]\n", "a: &m {self: *m}\n"}) {
    Checked c(text);
    EXPECT_FALSE(c.check(text)) << text;
    EXPECT_TRUE(c.checker.exhausted());
    ASSERT_EQ(c.diags.error_count(), 1);
    EXPECT_EQ(c.diags.items()[0].message, "YAML nested more than 64 deep");
  }
}

// The budget is for the whole input: documents (or chunks) checked one by
// one cannot each spend it.
TEST(YamlChecks, TheBudgetIsSharedByEveryDocumentOfAnInput) {
  std::string doc = laughs(3) + "x: *a2\n"; // 2,349 nodes with aliases expanded
  rt::YamlLimits limits{5000, 64};
  Checked c(doc, limits);
  EXPECT_TRUE(c.check(doc));
  EXPECT_TRUE(c.check(doc));
  EXPECT_FALSE(c.check(doc));
  EXPECT_TRUE(c.checker.exhausted());
  EXPECT_FALSE(c.check("small: 1")); // spent
}

TEST(YamlChecks, OrdinaryDocumentsPassAndMarksAreShifted) {
  std::string text = "User:\n  - {id: a, groups: &g [x, y]}\n  - {id: b, groups: *g}\n";
  Checked c(text);
  EXPECT_TRUE(c.check(text));
  EXPECT_EQ(c.diags.error_count(), 0);
  EXPECT_LT(c.checker.nodes_seen(), 20u);
  // A chunk starting at line 100, byte 5000 of its file.
  c.checker.check(YAML::Load("k: 1\nk: 2\n"), rt::YamlMarkShift{99, 5000});
  ASSERT_EQ(c.diags.error_count(), 1);
  EXPECT_EQ(c.diags.items()[0].span.line, 101u);
  EXPECT_EQ(c.diags.items()[0].span.begin, 5005u);
}

namespace {

// yaml-cpp 0.7's LoadAll never returns on these (found by
// FuzzYaml.MutatedScenariosLoadOrAreRejected): it makes empty documents
// without end, until memory runs out.
TEST(YamlLoadAll, AStrayCommaOrBracketAtTheTopLevelIsAnErrorNotAHang) {
  for (const std::string text : {", b\n", "[a], b\n", "a: 1\n---\n, b\n", "]\n", "{a: 1}}\n",
                                 "# data\nUser:\n  - {id: rob}\n---\n,\n"}) {
    const auto start = std::chrono::steady_clock::now();
    EXPECT_THROW(rt::load_all_yaml(text), YAML::ParserException) << text;
    EXPECT_LT(std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count(), 5.0)
        << text;
  }
}

TEST(YamlLoadAll, ReadsEveryDocumentLikeLoadAll) {
  const std::string text = "a: 1\n---\n---\n[x, y]\n...\n--- b\n";
  const auto ours = rt::load_all_yaml(text);
  const auto theirs = YAML::LoadAll(text);
  ASSERT_EQ(ours.size(), theirs.size());
  for (size_t i = 0; i < ours.size(); ++i) EXPECT_EQ(YAML::Dump(ours[i]), YAML::Dump(theirs[i]));
  EXPECT_TRUE(rt::load_all_yaml("").empty());
}

} // namespace
