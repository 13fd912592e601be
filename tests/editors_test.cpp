// editors/: the VS Code extension folder (TextMate grammar, language
// configuration, manifest, extension.js) and the Vim syntax must stay in
// step with the language: their keyword lists are the grammar's keywords.
#include "tests/what_if_support.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <regex>
#include <set>

namespace keyplan {
namespace {

using namespace what_if_test;

// Every keyword of grammar/Keyplan.g4: the quoted lower-case words.
std::set<std::string> grammar_keywords() {
  std::string g = read(source_root() / "grammar/Keyplan.g4");
  std::set<std::string> out;
  std::regex word("'([a-z_]+)'");
  for (auto it = std::sregex_iterator(g.begin(), g.end(), word); it != std::sregex_iterator(); ++it)
    out.insert((*it)[1]);
  return out;
}

TEST(Editors, TextMateGrammarIsValidJsonWithTheLanguagesKeywords) {
  auto g = nlohmann::json::parse(
      read(source_root() / "editors/vscode/syntaxes/keyplan.tmLanguage.json"));
  EXPECT_EQ(g["scopeName"], "source.keyplan");
  std::set<std::string> words;
  std::regex alternation(R"(\\b\(([a-z_|]+)\)\\b)");
  for (const auto& p : g["repository"]["keywords"]["patterns"]) {
    std::string m = p["match"];
    std::smatch sm;
    ASSERT_TRUE(std::regex_search(m, sm, alternation)) << m;
    std::stringstream ss(sm[1].str());
    std::string w;
    while (std::getline(ss, w, '|')) EXPECT_TRUE(words.insert(w).second) << "listed twice: " << w;
  }
  auto keywords = grammar_keywords();
  EXPECT_GT(keywords.size(), 30u);
  EXPECT_EQ(words, keywords);
  // Every regex of the grammar compiles (as ECMAScript: Oniguruma is a superset
  // for what is used here).
  std::function<void(const nlohmann::json&)> walk = [&](const nlohmann::json& j) {
    if (j.is_object()) {
      for (const char* key : {"match", "begin", "end"})
        if (j.contains(key)) {
          EXPECT_NO_THROW(std::regex(j[key].get<std::string>())) << j[key];
        }
      for (const auto& [k, v] : j.items()) walk(v);
    } else if (j.is_array()) {
      for (const auto& v : j) walk(v);
    }
  };
  walk(g);
}

TEST(Editors, VimSyntaxKeywordsAreTheLanguages) {
  std::string vim = read(source_root() / "editors/vim/syntax/keyplan.vim");
  std::set<std::string> words;
  std::stringstream lines(vim);
  std::string line;
  while (std::getline(lines, line)) {
    std::stringstream ss(line);
    std::string syn, keyword, group, w;
    ss >> syn >> keyword >> group;
    if (syn != "syn" || keyword != "keyword" || group == "keyplanPrimitive") continue;
    while (ss >> w) words.insert(w);
  }
  EXPECT_EQ(words, grammar_keywords());
  EXPECT_NE(read(source_root() / "editors/vim/ftdetect/keyplan.vim").find("*.kp"),
            std::string::npos);
}

TEST(Editors, VsCodeExtensionManifestNamesFilesThatExist) {
  fs::path dir = source_root() / "editors/vscode";
  auto pkg = nlohmann::json::parse(read(dir / "package.json"));
  EXPECT_TRUE(fs::is_regular_file(dir / pkg["main"].get<std::string>()));
  const auto& lang = pkg["contributes"]["languages"][0];
  EXPECT_EQ(lang["id"], "keyplan");
  EXPECT_EQ(lang["extensions"][0], ".kp");
  auto conf = nlohmann::json::parse(read(dir / lang["configuration"].get<std::string>()));
  EXPECT_EQ(conf["comments"]["lineComment"], "//");
  const auto& grammar = pkg["contributes"]["grammars"][0];
  EXPECT_TRUE(fs::is_regular_file(dir / grammar["path"].get<std::string>()));
  EXPECT_EQ(grammar["scopeName"], "source.keyplan");
  EXPECT_FALSE(pkg.contains("dependencies")) << "the folder must work without npm install";
  std::string js = read(dir / "extension.js");
  EXPECT_NE(js.find("'lsp'"), std::string::npos); // it starts `keyplan lsp`
  EXPECT_EQ(js.find("require('vscode-languageclient"), std::string::npos);
  if (testing_support::run_command("command -v node >/dev/null").code == 0) {
    auto r = testing_support::run_command("node --check " + quote((dir / "extension.js").string()) +
                                          " 2>&1");
    EXPECT_EQ(r.code, 0) << r.out;
  }
}

} // namespace
} // namespace keyplan
