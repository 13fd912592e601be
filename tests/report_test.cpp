// keyplan report: the table renderers (simulator/table.hpp), golden files of
// the FM-suite reports on the example client (tests/data/reports/; set
// KEYPLAN_UPDATE_GOLDEN=1 to rewrite them), an XLSX workbook read back cell
// by cell (unzip -p), and the CLI's exit codes.
#include "compiler/compile.hpp"
#include "runtime/data_loader.hpp"
#include "simulator/checks.hpp"
#include "simulator/declared_report.hpp"
#include "simulator/table.hpp"

#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <regex>
#include <sstream>
#include <sys/wait.h>
#include <unistd.h>

using namespace keyplan;
namespace fs = std::filesystem;

namespace {

fs::path root() {
  return fs::path(KEYPLAN_TEST_DATA).parent_path().parent_path();
}

std::string read(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string shell(const std::string& cmd, int* status = nullptr) {
  std::string out;
  FILE* p = ::popen(cmd.c_str(), "r");
  if (!p) return out;
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
  int st = ::pclose(p);
  if (status) *status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
  return out;
}

// Paths in reports relative to the source root, as in the repository.
std::string relative(std::string text) {
  std::string prefix = root().string() + "/";
  for (size_t at; (at = text.find(prefix)) != std::string::npos;) text.erase(at, prefix.size());
  return text;
}

void golden(const std::string& name, const std::string& actual) {
  fs::path file = fs::path(KEYPLAN_TEST_DATA) / "reports" / name;
  if (std::getenv("KEYPLAN_UPDATE_GOLDEN")) {
    std::ofstream(file, std::ios::binary) << actual;
    return;
  }
  ASSERT_TRUE(fs::exists(file)) << file << " (run with KEYPLAN_UPDATE_GOLDEN=1)";
  EXPECT_EQ(actual, read(file)) << "golden " << name;
}

// The example client, optionally with data/problems.yaml.
struct Acme {
  explicit Acme(bool problems) {
    result = std::make_unique<CompileResult>(
        compile_policy((root() / "policies/examples/fm_suite/acme_fm.kp").string()));
    if (!result->policy) {
      ADD_FAILURE() << result->diags.render_text(*result->sources);
      return;
    }
    snap = std::make_unique<rt::Snapshot>(*result->policy);
    if (problems) {
      std::string rel = "policies/examples/fm_suite/data/problems.yaml";
      Diagnostics diags;
      int before = result->sources->count();
      EXPECT_TRUE(rt::load_data(*snap, read(root() / rel), rel, diags, *result->sources));
      for (int f = before; f < result->sources->count(); ++f)
        locator.add_data_file(*result->sources, f);
    }
    ok = true;
  }
  // A report std.fm_suite declares, by its CLI name (dashboard, effective-access, ...).
  std::vector<sim::Table> report(const std::string& kind, const std::vector<std::string>& only = {},
                                 std::string* error = nullptr) const {
    const ir::Policy& p = *result->policy;
    int32_t r = p.find_report(kind);
    EXPECT_GE(r, 0) << kind;
    if (r < 0) return {};
    return sim::render_declared_report(p, *snap, p.reports[static_cast<size_t>(r)], 0, only, error);
  }
  std::unique_ptr<CompileResult> result;
  std::unique_ptr<rt::Snapshot> snap;
  bool ok = false;
  sim::InstanceLocator locator;
};

std::vector<sim::Table> sample() {
  sim::Table t{"sample", "A sample", {"Name", "Note"}, {}, {"a note"}};
  t.rows = {{"plain", "a, comma"}, {"quote \"x\"", "pipe | and\nnewline"}, {"Müller", ""}};
  return {t};
}

} // namespace

TEST(Report, CsvQuotesByRfc4180) {
  EXPECT_EQ(sim::render_csv(sample()), "Name,Note\r\nplain,\"a, comma\"\r\n\"quote \"\"x\"\"\","
                                       "\"pipe | and\nnewline\"\r\nMüller,\r\n");
}

TEST(Report, MarkdownEscapesPipesAndNewlines) {
  std::string md = sim::render_markdown(sample());
  EXPECT_NE(md.find("### A sample\n\n| Name | Note |\n|---|---|\n"), std::string::npos) << md;
  EXPECT_NE(md.find("| quote \"x\" | pipe \\| and<br>newline |"), std::string::npos) << md;
  EXPECT_NE(md.find("- a note"), std::string::npos);
}

TEST(Report, JsonKeysTablesByName) {
  auto j = nlohmann::json::parse(sim::render_json(sample()));
  EXPECT_EQ(j["sample"]["title"], "A sample");
  EXPECT_EQ(j["sample"]["rows"][0]["Note"], "a, comma");
  EXPECT_EQ(j["sample"]["rows"].size(), 3u);
}

TEST(Report, TerminalAlignsByCodePoints) {
  std::string t = sim::render_terminal(sample());
  EXPECT_NE(t.find("  Müller\n"), std::string::npos) << t;
  EXPECT_NE(t.find("  plain      a, comma\n"), std::string::npos) << t;
}

TEST(Report, GoldenAuthorizationMatrix) {
  Acme a(false);
  ASSERT_TRUE(a.ok);
  // Declared in std.fm_suite (`report authorization_matrix`), rendered by the interpreter.
  const ir::Policy& p = *a.result->policy;
  int32_t r = p.find_report("authorization-matrix");
  ASSERT_GE(r, 0);
  golden("authorization_matrix.txt", sim::render_terminal(sim::render_declared_report(
                                         p, *a.snap, p.reports[static_cast<size_t>(r)], 0)));
}

TEST(Report, GoldenProfileMatrix) {
  Acme a(false);
  ASSERT_TRUE(a.ok);
  // Declared in std.fm_suite (`report profile_matrix`): the grants are built text.
  const ir::Policy& p = *a.result->policy;
  int32_t r = p.find_report("profile-matrix");
  ASSERT_GE(r, 0);
  golden("profile_matrix.csv", sim::render_csv(sim::render_declared_report(
                                   p, *a.snap, p.reports[static_cast<size_t>(r)], 0)));
}

// Declared in std.fm_suite (`report dashboard`, four tables): W-17's note
// says whether a required group is in no profile.
TEST(Report, GoldenDashboardFlagsRequiredGroups) {
  Acme ok(false);
  ASSERT_TRUE(ok.ok);
  auto fine = ok.report("dashboard");
  ASSERT_EQ(fine.size(), 4u);
  EXPECT_EQ(fine[1].notes,
            std::vector<std::string>{"W-17: ok, every required system group is in a profile"});
  Acme a(true);
  ASSERT_TRUE(a.ok);
  auto tables = a.report("dashboard");
  ASSERT_EQ(tables.size(), 4u);
  EXPECT_EQ(tables[1].rows.size(), 1u);
  golden("dashboard_problems.md", sim::render_markdown(tables));
}

// Declared in std.fm_suite (`table access for u: User`): one table per
// user, only those asked for, in that order; an unknown id is an error.
TEST(Report, GoldenEffectiveAccess) {
  Acme a(false);
  ASSERT_TRUE(a.ok);
  std::string error;
  auto tables = a.report("effective-access", {"rita", "fiona"}, &error);
  EXPECT_EQ(error, "");
  golden("effective_access.json", sim::render_json(tables));
  EXPECT_TRUE(a.report("effective-access", {"ghost"}, &error).empty());
  EXPECT_EQ(error, "unknown User 'ghost'");
  // Without a list: every user, in declaration order.
  auto all = a.report("effective-access");
  EXPECT_EQ(all.size(), static_cast<size_t>(a.snap->count(a.result->policy->find_entity("User"))));
}

TEST(Report, GoldenChecks) {
  Acme a(true);
  ASSERT_TRUE(a.ok);
  auto findings = sim::run_checks(*a.result->policy, *a.snap, a.locator, 0);
  // Relative before rendering: column widths must not depend on the checkout's path.
  sim::Table t = sim::checks_table(findings, *a.result->sources);
  for (auto& row : t.rows)
    for (auto& cell : row) cell = relative(cell);
  golden("checks_problems.txt", sim::render_terminal({t}));
}

TEST(Report, XlsxReadBack) {
  Acme a(true);
  ASSERT_TRUE(a.ok);
  auto tables = a.report("dashboard");
  fs::path out =
      fs::temp_directory_path() / ("keyplan_report_test_" + std::to_string(::getpid()) + ".xlsx");
  std::string error;
  ASSERT_TRUE(sim::write_xlsx(out.string(), tables, &error)) << error;
  auto part = [&](const std::string& name) {
    return shell("unzip -p '" + out.string() + "' " + name + " 2>/dev/null");
  };
  // One sheet per table, named by the table.
  std::string workbook = part("xl/workbook.xml");
  for (const char* s : {"profiles", "required", "optional", "active"})
    EXPECT_NE(workbook.find(std::string("name=\"") + s + "\""), std::string::npos) << s;
  // Shared strings, in order.
  std::vector<std::string> strings;
  std::string ss = part("xl/sharedStrings.xml");
  std::regex si("<si><t[^>]*>([^<]*)</t></si>");
  for (auto it = std::sregex_iterator(ss.begin(), ss.end(), si); it != std::sregex_iterator(); ++it)
    strings.push_back((*it)[1]);
  ASSERT_FALSE(strings.empty());
  // The cells of a sheet: reference -> text.
  auto cells = [&](int sheet) {
    std::map<std::string, std::string> out;
    std::string xml = part("xl/worksheets/sheet" + std::to_string(sheet) + ".xml");
    std::regex c("<c r=\"([A-Z]+[0-9]+)\"[^>]*t=\"s\"[^>]*><v>([0-9]+)</v></c>");
    for (auto it = std::sregex_iterator(xml.begin(), xml.end(), c); it != std::sregex_iterator();
         ++it)
      out[(*it)[1]] = strings.at(std::stoul((*it)[2]));
    out["xml"] = xml;
    return out;
  };
  auto profiles = cells(1);
  EXPECT_EQ(profiles["A1"], "Profile");
  EXPECT_EQ(profiles["B1"], "Description");
  EXPECT_EQ(profiles["A2"], "end_user");
  EXPECT_EQ(profiles["B2"], "End user");
  EXPECT_EQ(profiles["A3"], "it_service_desk_profile");
  EXPECT_EQ(profiles["C3"], "create_requests, create_reservations, service_desk_employee");
  EXPECT_EQ(profiles["F2"], "anna, stripped, victor");
  // Header row frozen, autofilter over the data.
  EXPECT_NE(profiles["xml"].find("state=\"frozen\""), std::string::npos);
  EXPECT_NE(profiles["xml"].find("ySplit=\"1\""), std::string::npos);
  EXPECT_NE(profiles["xml"].find("<autoFilter ref=\"A1:G6\"/>"), std::string::npos);
  auto required = cells(2);
  EXPECT_EQ(required["A1"], "System group");
  EXPECT_EQ(required["A2"], "it_service_desk");
  EXPECT_EQ(required["B2"], "requests");
  EXPECT_EQ(required["C2"], "limited");
  fs::remove(out);
}

TEST(Report, XlsxSheetNamesAreValidAndUnique) {
  sim::Table t{"a/b:c*d?e[f]g\\h-and-a-name-longer-than-31-chars", "", {"x"}, {{"1"}}, {}};
  fs::path out =
      fs::temp_directory_path() / ("keyplan_names_" + std::to_string(::getpid()) + ".xlsx");
  std::string error;
  ASSERT_TRUE(sim::write_xlsx(out.string(), {t, t}, &error)) << error;
  std::string wb = shell("unzip -p '" + out.string() + "' xl/workbook.xml");
  EXPECT_NE(wb.find("name=\"a_b_c_d_e_f_g_h-and-a-name-long\""), std::string::npos) << wb;
  EXPECT_NE(wb.find("name=\"a_b_c_d_e_f_g_h-and-a-name-lo_2\""), std::string::npos) << wb;
  fs::remove(out);
  EXPECT_FALSE(sim::write_xlsx("/nonexistent-dir/x.xlsx", {t}, &error));
  EXPECT_NE(error, "");
}

TEST(Report, CliExitCodes) {
  std::string cd = "cd '" + root().string() + "' && '" + KEYPLAN_BINARY + "' report ";
  std::string policy = " policies/examples/fm_suite/acme_fm.kp";
  std::string problems = " --data policies/examples/fm_suite/data/problems.yaml";
  int st = -1;
  shell(cd + "authorization-matrix" + policy + " 2>/dev/null", &st);
  EXPECT_EQ(st, 0);
  shell(cd + "dashboard" + policy + " --strict 2>/dev/null", &st);
  EXPECT_EQ(st, 1) << "rita's license warning fails --strict";
  shell(cd + "dashboard" + policy + problems + " 2>/dev/null", &st);
  EXPECT_EQ(st, 1) << "check errors";
  shell(cd + "dashboard" + policy + " --format xlsx 2>/dev/null", &st);
  EXPECT_EQ(st, 2) << "xlsx needs --output";
  shell(cd + "dashboard std.desk_booking 2>/dev/null", &st);
  EXPECT_EQ(st, 2) << "not an FM policy";
  shell(cd + "effective-access" + policy + " --user ghost 2>/dev/null", &st);
  EXPECT_EQ(st, 2);
  std::string out = shell(cd + "dashboard" + policy +
                              " --add-to-all-profiles view_contacts --format json 2>/dev/null",
                          &st);
  auto j = nlohmann::json::parse(out, nullptr, false);
  ASSERT_FALSE(j.is_discarded()) << out;
  EXPECT_EQ(j["optional"]["rows"].size(), 6u) << "view_contacts is in every profile now";
  EXPECT_EQ(j["profiles"]["rows"][0]["System groups"],
            "create_requests, create_reservations, view_contacts");
}
