// The compiler's paper cuts of a consultant's first day (issue 16): Unicode
// identifiers, one error for a missing library import, a did-you-mean for a
// module name, type errors that say what was expected, and import cycles
// that print their chain.
#include "compiler/compile.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <unistd.h>

namespace fs = std::filesystem;
using namespace keyplan;

namespace {

int errors(const CompileResult& r) {
  int n = 0;
  for (const auto& d : r.diags.items()) n += d.severity == Severity::Error;
  return n;
}

std::string all(const CompileResult& r) {
  return r.diags.render_text(*r.sources);
}

TEST(CompilerPaperCuts, IdentifiersAndIdsMayUseUnicodeLetters) {
  auto r = compile_source("client.kp", "import std.desk_booking\n"
                                       "Group Fuhrpark_Süd\n"
                                       "Group Geschäftsführung\n"
                                       "User jürgen { groups: [Fuhrpark_Süd, Geschäftsführung] }\n"
                                       "rule bevorzugt(u: User) = Fuhrpark_Süd in u.groups\n");
  EXPECT_EQ(errors(r), 0) << all(r);
  ASSERT_TRUE(r.policy);
  int32_t g = r.policy->find_entity("Group");
  ASSERT_GE(g, 0);
  EXPECT_TRUE(r.policy->entities[static_cast<size_t>(g)].instance_index.count("Fuhrpark_Süd"));
}

TEST(CompilerPaperCuts, BadCharacterInAnIdentifierIsOneError) {
  // An en dash is no identifier character (XID): one error at it, not a
  // second, false one for what follows on the line.
  auto r = compile_source("client.kp", "import std.desk_booking\n"
                                       "Group Fuhrpark–Süd\n"
                                       "Group IT\n");
  EXPECT_EQ(errors(r), 1) << all(r);
  EXPECT_NE(all(r).find("unexpected character '–'"), std::string::npos) << all(r);
}

TEST(CompilerPaperCuts, MissingLibraryImportIsOneErrorSuggestingIt) {
  auto r = compile_source("client.kp", "Group IT\nGroup Legal\n"
                                       "User mueller { groups: [ALL, IT] }\n"
                                       "User schmidt { groups: [Legal] }\n"
                                       "Building hq {\n  Floor f1 {\n    Object T1 { groups: [IT] }\n"
                                       "  }\n}\n"
                                       "set all_is_everyone = false\n");
  EXPECT_EQ(errors(r), 1) << all(r);
  ASSERT_FALSE(r.diags.items().empty());
  const auto& d = r.diags.items().front();
  EXPECT_NE(d.message.find("std.desk_booking"), std::string::npos) << all(r);
  EXPECT_NE(d.hint.find("import std.desk_booking"), std::string::npos) << all(r);
}

TEST(CompilerPaperCuts, MisspeltModuleGetsADidYouMean) {
  auto r = compile_source("client.kp", "import std.deskbooking\nGroup IT\n");
  ASSERT_GE(errors(r), 1);
  const auto& d = r.diags.items().front();
  EXPECT_NE(d.message.find("cannot find module 'std.deskbooking'"), std::string::npos) << all(r);
  EXPECT_NE(d.message.find("did you mean 'std.desk_booking'?"), std::string::npos) << all(r);
}

TEST(CompilerPaperCuts, TypeErrorsSayWhatWasExpected) {
  auto r = compile_source("client.kp", "import std.desk_booking\n"
                                       "Building hq { published: yes }\n");
  ASSERT_EQ(errors(r), 1) << all(r);
  EXPECT_NE(r.diags.items().front().hint.find("expected true or false"), std::string::npos)
      << all(r);
  r = compile_source("client.kp", "import std.desk_booking\n"
                                  "Building hq { published: 1 }\n");
  ASSERT_EQ(errors(r), 1) << all(r);
  EXPECT_NE(r.diags.items().front().hint.find("expected true or false"), std::string::npos)
      << all(r);
}

TEST(CompilerPaperCuts, ImportCyclePrintsTheChain) {
  fs::path dir = fs::temp_directory_path() / ("keyplan_cycle_" + std::to_string(::getpid()));
  fs::create_directories(dir);
  std::ofstream(dir / "a.kp") << "import b\n";
  std::ofstream(dir / "b.kp") << "import c\n";
  std::ofstream(dir / "c.kp") << "import a\n";
  std::ofstream(dir / "main.kp") << "import a\n";
  auto r = compile_policy((dir / "main.kp").string());
  fs::remove_all(dir);
  ASSERT_GE(errors(r), 1);
  EXPECT_NE(all(r).find("a → b → c → a"), std::string::npos) << all(r);
}

} // namespace
