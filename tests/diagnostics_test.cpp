// Golden tests for diagnostics: every tests/data/diagnostics/NAME.kp is a
// broken policy, NAME.expected the text rendering of its diagnostics
// (Diagnostics::render_text, paths relative to the data directory; files of
// the source tree, such as the standard library, relative to its root).
//
// To regenerate after a deliberate change of a message:
//   KEYPLAN_UPDATE_GOLDEN=1 ./build/keyplan_tests --gtest_filter='Golden/*'
// then read every changed .expected file before committing it.
#include "compiler/compile.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace fs = std::filesystem;

namespace {

fs::path data_dir() {
  return fs::path(KEYPLAN_TEST_DATA) / "diagnostics";
}

// The cases: the .kp files directly in the data directory (subdirectories
// hold modules that the cases import).
std::vector<std::string> case_names() {
  std::vector<std::string> names;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(data_dir(), ec))
    if (entry.is_regular_file() && entry.path().extension() == ".kp")
      names.push_back(entry.path().stem().string());
  std::sort(names.begin(), names.end());
  return names;
}

std::string read_file(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void replace_all(std::string& s, const std::string& from, const std::string& to) {
  if (from.empty()) return;
  for (size_t at = s.find(from); at != std::string::npos; at = s.find(from, at + to.size()))
    s.replace(at, from.size(), to);
}

// Makes a rendering independent of where the source tree lives.
std::string relativize(std::string text) {
  replace_all(text, data_dir().string() + "/", "");
  replace_all(text, std::string(KEYPLAN_SOURCE_DIR) + "/", "");
  return text;
}

bool update_golden() {
  const char* v = std::getenv("KEYPLAN_UPDATE_GOLDEN");
  return v && std::string(v) == "1";
}

class DiagnosticsGolden : public ::testing::TestWithParam<std::string> {};

TEST_P(DiagnosticsGolden, Diagnostics) {
  const std::string name = GetParam();
  const fs::path kp = data_dir() / (name + ".kp");
  const fs::path expected_path = data_dir() / (name + ".expected");

  keyplan::CompileResult result = keyplan::compile_policy(kp.string());
  const std::string actual = relativize(result.diags.render_text(*result.sources));

  // Every case is a broken policy: it must say something.
  EXPECT_FALSE(result.diags.items().empty()) << name << ".kp compiled without any diagnostic";
  // A policy comes back exactly when there are no errors.
  EXPECT_EQ(result.policy.has_value(), !result.diags.has_errors()) << name;

  // The JSON rendering carries the same diagnostics and counts.
  auto json = nlohmann::json::parse(result.diags.render_json(*result.sources));
  EXPECT_EQ(json["errors"].get<int>(), result.diags.error_count()) << name;
  EXPECT_EQ(json["warnings"].get<int>(), result.diags.warning_count()) << name;
  EXPECT_EQ(json["diagnostics"].size(), result.diags.sorted().size()) << name;
  for (const auto& d : json["diagnostics"]) {
    EXPECT_GE(d["line"].get<int>(), 1) << name << ": " << d.dump();
    EXPECT_GE(d["column"].get<int>(), 1) << name << ": " << d.dump();
  }

  if (update_golden()) {
    std::ofstream out(expected_path, std::ios::binary);
    out << actual;
    GTEST_SKIP() << "wrote " << expected_path.string();
  }
  ASSERT_TRUE(fs::exists(expected_path))
      << expected_path.string()
      << " is missing; run with KEYPLAN_UPDATE_GOLDEN=1 to create it, then read it. Actual:\n"
      << actual;
  EXPECT_EQ(actual, read_file(expected_path))
      << "diagnostics of " << name << ".kp differ from " << name
      << ".expected (KEYPLAN_UPDATE_GOLDEN=1 rewrites it)";
}

std::string test_name(const ::testing::TestParamInfo<std::string>& info) {
  std::string s = info.param;
  for (char& c : s)
    if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
  return s;
}

INSTANTIATE_TEST_SUITE_P(Golden, DiagnosticsGolden, ::testing::ValuesIn(case_names()), test_name);

TEST(GoldenFiles, EveryExpectedFileHasACase) {
  const auto names = case_names();
  EXPECT_GE(names.size(), 15u);
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(data_dir(), ec)) {
    if (entry.path().extension() != ".expected") continue;
    const std::string stem = entry.path().stem().string();
    EXPECT_TRUE(std::find(names.begin(), names.end(), stem) != names.end())
        << entry.path().string() << " has no " << stem << ".kp";
  }
}

} // namespace

namespace {

// A message may quote a name from data: control sequences in it are shown,
// never sent to the terminal raw (the excerpt already shows them as pictures).
TEST(DiagnosticsText, ControlSequencesInMessagesAreShownNotSent) {
  keyplan::SourceManager sm;
  const int file = sm.add("d.yaml", "x\n");
  keyplan::Diagnostics diags;
  keyplan::Span at;
  at.file = file;
  at.line = at.end_line = 1;
  at.col = 1;
  at.end_col = 2;
  at.begin = 0;
  at.end = 1;
  diags.error(at, "unknown Group '\x1b[31mIT'",
              "did you mean '\xc2\x9b"
              "2J'?");
  diags.note(at, "first given as '\x07'");
  const std::string text = diags.render_text(sm, false);
  EXPECT_EQ(text.find('\x1b'), std::string::npos) << text;
  EXPECT_EQ(text.find('\x07'), std::string::npos) << text;
  EXPECT_EQ(text.find("\xc2\x9b"), std::string::npos) << text;
  EXPECT_NE(text.find("unknown Group '\xe2\x90\x9b[31mIT'"), std::string::npos) << text;
  EXPECT_NE(text.find("did you mean '\\u009b2J'?"), std::string::npos) << text;
}

} // namespace
