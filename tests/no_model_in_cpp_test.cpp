// Issue 13: "no C++ file names a rule, type or attribute of a std model".
// A vendor model is a .kp library; C++ that looks a rule or attribute up by
// name breaks when a client renames it and needs new code for a third model.
// This test compiles every policies/std/*.kp, collects the names of its
// rules, actions, entity and enum types and attributes, and scans the C++
// sources for string literals that spell one.
#include "compiler/compile.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>

using namespace keyplan;
namespace fs = std::filesystem;

namespace {

fs::path root() {
  return fs::path(KEYPLAN_TEST_DATA).parent_path().parent_path();
}

// Words a std model uses that are also the C++ code's own generic
// vocabulary (JSON fields, CLI words, language keywords): naming one does
// not bind C++ to a model. Keep this list short and justify additions.
const std::set<std::string> kGenericWords = {
    "id",    "name", "kind", "description", "module", "level",   "user",     "users",  "groups",
    "group", "view", "edit", "create",      "active", "allowed", "required", "action", "object",
    "start", "end",  "date", "type", "edits",        "parent", "source",  "status",
};

// TEMPORARY (issue 13 is open until they move): files that still name a std
// model because their reports are not yet `report` declarations: the
// FM-suite dashboard and effective access (fm_model, fm_reports, fm_access),
// and the command that calls them. (Their headers name nothing and are
// scanned.) The roles report is std.desk_booking's `report roles`.
const std::set<std::string> kTemporarilyExcluded = {
    "simulator/fm_model.cpp",     "simulator/fm_reports.cpp", "simulator/fm_access.cpp",
    "cli/cmd_report.cpp",
};

// KNOWN, outside issue 13's moves (reported to the lead): C++ that still
// generates or imports tenants of one std model. The benchmarks build
// std.desk_booking tenants (`keyplan bench`, `gen`); the user import
// (F-I1..F-I4) reads User.email; the identity-provider imports and exports
// (SCIM, SAML memberOf, export users/group-members; F-G2, F-G5) and the
// read-only external groups of a what-if read User and Group. Each needs its
// own declaration in the language (a generator or import mapping) before it
// can leave C++.
const std::set<std::string> kKnownCouplings = {
    "simulator/desk_bench.cpp",     "simulator/matrix_bench.hpp",   "simulator/import_users.cpp",
    "simulator/load_bench.cpp",     "simulator/export_users.cpp",   "simulator/world_external.cpp",
    "simulator/scim_document.cpp",  "simulator/import_saml.cpp",    "simulator/import_scim.cpp",
};

std::set<std::string> std_model_names() {
  std::set<std::string> names;
  for (const auto& entry : fs::directory_iterator(root() / "policies/std")) {
    if (entry.path().extension() != ".kp") continue;
    CompileResult r = compile_policy(entry.path().string());
    EXPECT_TRUE(r.policy) << entry.path() << "\n" << r.diags.render_text(*r.sources);
    if (!r.policy) continue;
    const ir::Policy& p = *r.policy;
    for (const auto& e : p.entities) {
      names.insert(e.name);
      for (const auto& a : e.attributes) names.insert(a.name);
    }
    for (const auto& e : p.enums) names.insert(e.name);
    for (const auto& rule : p.rules) names.insert(rule.name);
  }
  for (const auto& g : kGenericWords) names.erase(g);
  return names;
}

} // namespace

TEST(NoModelInCpp, StdModelNamesCollected) {
  auto names = std_model_names();
  // The scan below is only as good as this list: it must see both models.
  EXPECT_TRUE(names.count("needed_license")) << "std.fm_suite";
  EXPECT_TRUE(names.count("SystemGroup")) << "std.fm_suite";
  EXPECT_TRUE(names.count("managed_locations")) << "std.desk_booking";
}

TEST(NoModelInCpp, NoCppFileNamesAStdModelIdentifier) {
  auto names = std_model_names();
  ASSERT_FALSE(names.empty());
  const std::regex literal("\"([A-Za-z_][A-Za-z0-9_]*)\"");
  std::string found;
  for (const char* dir : {"compiler", "runtime", "engine", "simulator", "cli", "api"}) {
    if (!fs::exists(root() / dir)) continue;
    for (const auto& entry : fs::recursive_directory_iterator(root() / dir)) {
      auto ext = entry.path().extension();
      if (ext != ".cpp" && ext != ".hpp" && ext != ".h" && ext != ".c") continue;
      std::string rel = fs::relative(entry.path(), root()).generic_string();
      if (kTemporarilyExcluded.count(rel) || kKnownCouplings.count(rel)) continue;
      std::ifstream in(entry.path());
      std::string line;
      for (int n = 1; std::getline(in, line); ++n) {
        // Comments may name a model (examples); code may not.
        if (auto c = line.find("//"); c != std::string::npos) line.erase(c);
        for (std::sregex_iterator it(line.begin(), line.end(), literal), end; it != end; ++it)
          if (names.count((*it)[1]))
            found += rel + ":" + std::to_string(n) + ": \"" + (*it)[1].str() + "\"\n";
      }
    }
  }
  EXPECT_EQ(found, "") << "C++ names identifiers of a std model: declare the report or check "
                          "in policies/std/*.kp instead";
}
