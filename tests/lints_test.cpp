// Language lints (compiler/sema_lints.cpp, docs/checks.md): a setting
// overridden to its default, an instance attribute given its default, an
// import nothing uses. Warnings of the root file only, at the value's
// position; @allow(setting_default) / @allow(attribute_default) keeps one
// on purpose. Each with a file that triggers it and one that does not.
#include "compiler/compile.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>

using namespace keyplan;

namespace {

// "line:col: message" of every warning.
std::string warnings_of(const std::string& src) {
  CompileResult r = compile_source("test.kp", src);
  std::string out;
  for (const auto& d : r.diags.sorted())
    if (d.severity == Severity::Warning)
      out +=
          std::to_string(d.span.line) + ":" + std::to_string(d.span.col) + ": " + d.message + "\n";
  EXPECT_TRUE(r.policy) << r.diags.render_text(*r.sources);
  return out;
}

const std::string kModel = R"(entity Team { size: int = 3  tags: set<string> = ["a", "b"] }
setting limit: int = 10
setting names: set<string> = ["x", "y"]
)";

} // namespace

TEST(LintSettingDefault, OverrideToTheDefaultWarnsAtTheValue) {
  EXPECT_EQ(warnings_of(kModel + "set limit = 10\n"),
            "4:13: setting 'limit' is set to its default value 10\n");
  // Sets are compared as sets: order and repeats do not matter.
  EXPECT_NE(
      warnings_of(kModel + "set names = [\"y\", \"x\", \"x\"]\n").find("setting 'names' is set"),
      std::string::npos);
}

TEST(LintSettingDefault, OtherValueOrAllowIsQuiet) {
  EXPECT_EQ(warnings_of(kModel + "set limit = 11\n"), "");
  EXPECT_EQ(warnings_of(kModel + "@allow(setting_default)\nset limit = 10\n"), "");
}

TEST(LintAttributeDefault, AttributeGivenItsDefaultWarns) {
  EXPECT_EQ(warnings_of(kModel + "Team t1 { size: 3 }\n"),
            "4:17: 'size' of Team 't1' is set to its default value 3\n");
  EXPECT_NE(warnings_of(kModel + "Team t1 { tags: [\"b\", \"a\"] }\n").find("'tags' of Team 't1'"),
            std::string::npos);
}

TEST(LintAttributeDefault, OtherValueAliasOverrideOrAllowIsQuiet) {
  EXPECT_EQ(warnings_of(kModel + "Team t1 { size: 4 }\n"), "");
  EXPECT_EQ(warnings_of(kModel + "@allow(attribute_default)\nTeam t1 { size: 3 }\n"), "");
  // Giving the default back over an alias's preset is not redundant.
  EXPECT_EQ(warnings_of(kModel + "alias BigTeam = Team { size: 9 }\nBigTeam t1 { size: 3 }\n"), "");
}

TEST(LintUnusedImport, ImportNothingUsesWarns) {
  EXPECT_EQ(warnings_of("import std.desk_booking\nentity Team { size: int = 3 }\n"),
            "1:8: import 'std.desk_booking' is never used\n");
}

TEST(LintUnusedImport, ImportWhoseNamesAreUsedIsQuiet) {
  EXPECT_EQ(warnings_of("import std.desk_booking\nGroup IT\n"), "");
  // A name in a comment or a string does not count as a use.
  EXPECT_EQ(warnings_of("import std.desk_booking\n// Group\nentity Team { n: string = \"Group\" "
                        "}\n"),
            "1:8: import 'std.desk_booking' is never used\n");
}

// The standard library and the shipped examples stay free of these lints.
TEST(LintShipped, ExamplesAndStdHaveNoLanguageLints) {
  std::filesystem::path root =
      std::filesystem::path(KEYPLAN_TEST_DATA).parent_path().parent_path() / "policies";
  for (const auto& e : std::filesystem::recursive_directory_iterator(root)) {
    if (e.path().extension() != ".kp") continue;
    CompileOptions o;
    o.search_path = {root.string()};
    CompileResult r = compile_policy(e.path().string(), o);
    for (const auto& d : r.diags.sorted()) {
      bool lint = d.message.find("set to its default value") != std::string::npos ||
                  d.message.rfind("import '", 0) == 0;
      EXPECT_FALSE(lint && d.severity == Severity::Warning)
          << e.path() << ": " << d.span.line << ":" << d.span.col << ": " << d.message;
    }
  }
}
