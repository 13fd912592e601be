// Every writer produces valid output for any input: ids, names and notes with
// invalid UTF-8, control characters, terminal escape sequences, spreadsheet
// formulas and date-like text. Outputs are checked with real parsers:
// nlohmann::json for JSON, xmllint for XML (JUnit, the XLSX parts; installed
// by scripts/setup.sh), and the shared sanitiser (simulator/text.hpp) itself.
#include "simulator/invariant_report.hpp"
#include "simulator/report.hpp"
#include "simulator/table.hpp"
#include "simulator/text.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <sys/wait.h>
#include <unistd.h>

namespace fs = std::filesystem;
using namespace keyplan;

namespace {

// Bytes that broke a writer: invalid UTF-8 (a lone continuation byte, a
// truncated sequence, an overlong '/', a surrogate, beyond U+10FFFF), C0
// controls, an OSC title sequence with BEL, a CSI colour, a C1 CSI
// (U+009B) and a right-to-left override.
const std::string kHostile = std::string("id\x80-\xC3-\xC0\xAF-\xED\xA0\x80-\xF4\x90\x80\x80-") +
                             std::string("\x01\x02\x1b]0;pwned\x07-\x1b[31mred\x1b[0m-") +
                             "\xC2\x9B"
                             "2J-\xE2\x80\xAE"
                             "evil-" +
                             std::string(1, '\0') + "-end";

std::string read(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

bool have(const char* tool) {
  return std::system((std::string("command -v ") + tool + " >/dev/null 2>&1").c_str()) == 0;
}

// True when `xml` is well-formed by xmllint (which must be installed).
bool xml_well_formed(const std::string& xml, std::string* diag) {
  fs::path f = fs::temp_directory_path() / ("keyplan_xml_" + std::to_string(::getpid()) + ".xml");
  std::ofstream(f, std::ios::binary) << xml;
  fs::path err = f.string() + ".err";
  int rc = std::system(("xmllint --noout '" + f.string() + "' 2>'" + err.string() + "'").c_str());
  *diag = read(err);
  fs::remove(f);
  fs::remove(err);
  return WIFEXITED(rc) && WEXITSTATUS(rc) == 0;
}

// Valid UTF-8 by a strict decoder of its own (not the one under test).
bool strict_utf8(const std::string& s) {
  for (size_t i = 0; i < s.size();) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    size_t n = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
    if (n == 0 || i + n > s.size()) return false;
    uint32_t cp = n == 1 ? c : n == 2 ? c & 0x1F : n == 3 ? c & 0x0F : c & 0x07;
    for (size_t k = 1; k < n; ++k) {
      unsigned char x = static_cast<unsigned char>(s[i + k]);
      if ((x & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (x & 0x3F);
    }
    static const uint32_t min[] = {0, 0, 0x80, 0x800, 0x10000};
    if (cp < min[n] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return false;
    i += n;
  }
  return true;
}

// No raw control character but newline: what a terminal may safely print.
bool terminal_clean(const std::string& s) {
  if (!strict_utf8(s)) return false;
  for (size_t i = 0; i < s.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    if ((c < 0x20 && c != '\n') || c == 0x7F) return false;
    if (c == 0xC2 && i + 1 < s.size() && static_cast<unsigned char>(s[i + 1]) < 0xA0)
      return false; // C1 control
    if (s.compare(i, 3, "\xE2\x80\xAE") == 0) return false;
  }
  return true;
}

std::vector<sim::Table> hostile_tables() {
  sim::Table t{"sheet" + kHostile, "title " + kHostile, {"Name", "Note " + kHostile}, {}, {}};
  t.rows = {{kHostile, kHostile}, {"=cmd|' /C calc'!A0", "2/11"}};
  t.notes = {"note " + kHostile};
  return {t};
}

// A scenario run whose names, calls, notes and errors carry kHostile.
struct HostileRun {
  sim::Scenario scenario;
  sim::Case pass, fail;
  sim::RunReport report;
  HostileRun() {
    scenario.name = "scenario " + kHostile;
    scenario.file = "file" + kHostile + ".yaml";
    pass.action = fail.action = "book";
    pass.expect = true;
    fail.expect = false;
    pass.note = "note " + kHostile;
    sim::ScenarioResult r;
    r.scenario = &scenario;
    r.loaded = true;
    sim::CaseResult ok;
    ok.c = &pass;
    ok.call = "book(user = " + kHostile + ")";
    ok.allowed = true;
    sim::CaseResult bad = ok;
    bad.c = &fail;
    bad.passed = false;
    bad.error = "unknown User '" + kHostile + "'";
    r.cases = {ok, bad};
    report.results.push_back(r);
    report.passed = report.failed = 1;
  }
};

sim::TestRun hostile_test_run(const sim::RunReport* scenarios) {
  sim::TestRun run;
  run.policy = "policy" + kHostile + ".kp";
  sim::InvariantOutcome o;
  o.name = "invariant " + kHostile;
  o.mode = "exhaustive";
  o.status = sim::Status::Fail;
  o.witness_text = "u = " + kHostile;
  o.explanation = "because " + kHostile + "\n";
  o.note = kHostile;
  run.outcomes.push_back(o);
  o.status = sim::Status::Skipped;
  run.outcomes.push_back(o);
  run.scenarios = scenarios;
  return run;
}

} // namespace

// ------------------------------------------------------------ the sanitiser

TEST(TextSanitising, InvalidUtf8BecomesOneReplacementPerMaximalSubpart) {
  const std::string fffd = "\xEF\xBF\xBD";
  EXPECT_EQ(sim::valid_utf8("M\xC3\xBCller"), "M\xC3\xBCller");
  EXPECT_EQ(sim::valid_utf8("a\x80z"), "a" + fffd + "z");
  EXPECT_EQ(sim::valid_utf8("a\xE2\x82z"), "a" + fffd + "z");     // truncated: one U+FFFD
  EXPECT_EQ(sim::valid_utf8("\xC0\xAF"), fffd + fffd);            // overlong
  EXPECT_EQ(sim::valid_utf8("\xED\xA0\x80"), fffd + fffd + fffd); // surrogate
  EXPECT_EQ(sim::valid_utf8("\xF4\x90\x80\x80"), fffd + fffd + fffd + fffd);
  EXPECT_EQ(sim::valid_utf8("\xF0\x9F\x98\x80"), "\xF0\x9F\x98\x80"); // an emoji stays
  EXPECT_EQ(sim::valid_utf8("end\xF0\x9F"), "end" + fffd);
  EXPECT_TRUE(strict_utf8(sim::valid_utf8(kHostile)));
}

TEST(TextSanitising, TerminalEscapesControlSequences) {
  EXPECT_EQ(sim::terminal_safe("a\x1b[31mb"), "a\\e[31mb");
  EXPECT_EQ(sim::terminal_safe("t\tn\nr\r"), "t\\tn\\nr\\r");
  EXPECT_EQ(sim::terminal_safe("l1\nl2", true), "l1\nl2");
  EXPECT_EQ(sim::terminal_safe("\xC2\x9B"
                               "2J"),
            "\\x9b2J");
  EXPECT_EQ(sim::terminal_safe("\xE2\x80\xAE"), "\\u202e");
  EXPECT_EQ(sim::terminal_safe("M\xC3\xBCller"), "M\xC3\xBCller");
  EXPECT_TRUE(terminal_clean(sim::terminal_safe(kHostile)));
}

// ------------------------------------------------------------ report tables

// report --format json aborted with nlohmann's type_error 316.
TEST(ReportWriters, JsonIsValidForInvalidUtf8) {
  std::string text;
  ASSERT_NO_THROW(text = sim::render_json(hostile_tables()));
  ASSERT_TRUE(strict_utf8(text));
  auto j = nlohmann::json::parse(text);
  ASSERT_EQ(j.size(), 1u);
  const auto& t = j.begin().value();
  EXPECT_EQ(t["rows"].size(), 2u);
  EXPECT_EQ(t["rows"][1]["Name"], "=cmd|' /C calc'!A0") << "JSON keeps the data as it is";
}

TEST(ReportWriters, TerminalTableShowsEscapeSequencesEscaped) {
  std::string text = sim::render_terminal(hostile_tables());
  EXPECT_TRUE(terminal_clean(text)) << text;
  EXPECT_NE(text.find("\\e]0;pwned\\x07"), std::string::npos) << text;
  EXPECT_NE(text.find("\\e[31mred"), std::string::npos) << text;
}

TEST(ReportWriters, MarkdownIsCleanTextWithoutHtml) {
  std::vector<sim::Table> tables = hostile_tables();
  tables[0].rows.push_back({"<script>alert(1)</script>", "a & b"});
  std::string md = sim::render_markdown(tables);
  EXPECT_TRUE(terminal_clean(md)) << md;
  EXPECT_EQ(md.find("<script>"), std::string::npos) << md;
  EXPECT_NE(md.find("&lt;script&gt;alert(1)&lt;/script&gt; | a &amp; b |"), std::string::npos)
      << md;
}

TEST(ReportCsv, FormulaCellsAreNeutralised) {
  sim::Table t{"t", "", {"v"}, {}, {}};
  for (const char* v :
       {"=1+1", "+cmd", "-2+3", "@SUM(A1)", "\tx", "\rx", "-1", "+5", "-", "3.5", "plain"})
    t.rows.push_back({v});
  std::string csv = sim::render_csv({t});
  EXPECT_EQ(csv, "v\r\n\"'=1+1\"\r\n\"'+cmd\"\r\n\"'-2+3\"\r\n\"'@SUM(A1)\"\r\n\"'\tx\"\r\n"
                 "\"'\rx\"\r\n-1\r\n+5\r\n-\r\n3.5\r\nplain\r\n");
}

TEST(ReportCsv, DateLikeCellsStayText) {
  sim::Table t{"t", "", {"v"}, {}, {}};
  for (const char* v : {"2/11", "1-2", "11.2.2026", "10:30", "007", "1e5", "50%", "Mar-1", "sept2",
                        "1 jan", "2026-11-23", "42", "b0_f1", "Room 2/11"})
    t.rows.push_back({v});
  std::string csv = sim::render_csv({t});
  EXPECT_EQ(csv, "v\r\n\"'2/11\"\r\n\"'1-2\"\r\n\"'11.2.2026\"\r\n\"'10:30\"\r\n\"'007\"\r\n"
                 "\"'1e5\"\r\n\"'50%\"\r\n\"'Mar-1\"\r\n\"'sept2\"\r\n\"'1 jan\"\r\n"
                 "2026-11-23\r\n42\r\nb0_f1\r\nRoom 2/11\r\n");
}

TEST(ReportCsv, InvalidUtf8IsReplaced) {
  EXPECT_TRUE(strict_utf8(sim::render_csv(hostile_tables())));
}

// The XLSX had a malformed sharedStrings.xml; its parts must parse as XML.
TEST(ReportWriters, XlsxPartsAreWellFormedForAnyBytes) {
  if (!have("xmllint") || !have("unzip")) GTEST_SKIP() << "xmllint and unzip (scripts/setup.sh)";
  fs::path out =
      fs::temp_directory_path() / ("keyplan_hostile_" + std::to_string(::getpid()) + ".xlsx");
  std::vector<sim::Table> tables = hostile_tables();
  // A sheet name whose 31st character is two bytes long: cut by bytes it was invalid UTF-8.
  tables.push_back({std::string(30, 'x') + "\xC3\xBC" + "tail", "", {"h"}, {{"v"}}, {}});
  std::string error;
  ASSERT_TRUE(sim::write_xlsx(out.string(), tables, &error)) << error;
  for (const char* part : {"xl/sharedStrings.xml", "xl/workbook.xml", "xl/worksheets/sheet1.xml",
                           "docProps/app.xml"}) {
    FILE* p = ::popen(("unzip -p '" + out.string() + "' " + part).c_str(), "r");
    ASSERT_TRUE(p);
    std::string xml;
    char buf[4096];
    for (size_t n; (n = fread(buf, 1, sizeof buf, p)) > 0;) xml.append(buf, n);
    ::pclose(p);
    ASSERT_NE(xml, "") << part;
    std::string diag;
    EXPECT_TRUE(xml_well_formed(xml, &diag)) << part << ": " << diag;
  }
  fs::remove(out);
}

// The workbook was written through OUT.tmp<pid> with a plain open: a symbolic
// link planted under that name sent the workbook into another file.
TEST(ReportWriters, XlsxIgnoresAPlantedTemporaryName) {
  fs::path dir = fs::temp_directory_path() / ("keyplan_xlsx_tmp_" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  fs::path victim = dir / "victim";
  std::ofstream(victim) << "precious";
  fs::path out = dir / "out.xlsx";
  fs::create_symlink(victim, out.string() + ".tmp" + std::to_string(::getpid()));
  std::string error;
  ASSERT_TRUE(sim::write_xlsx(out.string(), hostile_tables(), &error)) << error;
  EXPECT_EQ(read(victim), "precious");
  EXPECT_EQ(read(out).substr(0, 2), "PK");
  fs::remove_all(dir);
}

// ------------------------------------------------------------ scenario and test reports

TEST(ReportWriters, JunitIsWellFormedForAnyBytes) {
  if (!have("xmllint")) GTEST_SKIP() << "xmllint (scripts/setup.sh)";
  HostileRun h;
  std::string diag;
  std::string xml = sim::render_junit(h.report);
  EXPECT_TRUE(xml_well_formed(xml, &diag)) << diag << "\n" << xml;
  sim::TestRun run = hostile_test_run(&h.report);
  xml = sim::render_test_junit(run);
  EXPECT_TRUE(xml_well_formed(xml, &diag)) << diag << "\n" << xml;
}

TEST(ReportWriters, ScenarioAndTestTextShowEscapeSequencesEscaped) {
  HostileRun h;
  std::string text = sim::render_text(h.report, true);
  EXPECT_TRUE(terminal_clean(text)) << text;
  EXPECT_NE(text.find("\\e[31mred"), std::string::npos) << text;
  sim::TestRun run = hostile_test_run(&h.report);
  text = sim::render_test_text(run);
  EXPECT_TRUE(terminal_clean(text)) << text;
}

TEST(ReportWriters, ScenarioAndTestJsonAreValid) {
  HostileRun h;
  auto j = nlohmann::json::parse(sim::render_json(h.report, true));
  EXPECT_EQ(j["scenarios"][0]["cases"].size(), 2u);
  sim::TestRun run = hostile_test_run(&h.report);
  auto t = nlohmann::json::parse(sim::render_test_json(run));
  EXPECT_EQ(t["invariants"].size(), 2u);
}

// Through the binary: a tenant whose ids and names hold escape sequences and
// invalid UTF-8 (tests/data/fuzz/data/fm-hostile-user-text.yaml).
TEST(ReportWriters, ReportCliOutputsStayValidForHostileData) {
  fs::path root = fs::path(KEYPLAN_TEST_DATA).parent_path().parent_path();
  std::string base = "cd '" + root.string() + "' && '" + KEYPLAN_BINARY +
                     "' report effective-access policies/examples/fm_suite/acme_fm.kp "
                     "--data tests/data/fuzz/data/fm-hostile-user-text.yaml 2>/dev/null ";
  auto run = [&](const std::string& args, int* code) {
    std::string out;
    FILE* p = ::popen((base + args).c_str(), "r");
    char buf[4096];
    for (size_t n; p && (n = fread(buf, 1, sizeof buf, p)) > 0;) out.append(buf, n);
    int st = p ? ::pclose(p) : -1;
    *code = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
    return out;
  };
  int code = -1;
  std::string json = run("--format json", &code);
  EXPECT_EQ(code, 0);
  auto j = nlohmann::json::parse(json, nullptr, false);
  EXPECT_FALSE(j.is_discarded()) << json.substr(0, 300);
  std::string table = run("", &code);
  EXPECT_EQ(code, 0);
  EXPECT_TRUE(terminal_clean(table));
  EXPECT_NE(table.find("evil\\e[31mred\\x07"), std::string::npos) << table.substr(0, 300);
  std::string md = run("--format markdown", &code);
  EXPECT_TRUE(terminal_clean(md));
  EXPECT_TRUE(strict_utf8(run("--format csv", &code)));
}
