// `report` declarations (docs/checks.md, "Reports"): the language (parse,
// types, precise errors, fmt), rendering them with the interpreter
// (simulator/declared_report.*), and `keyplan report KIND` / `--list`.
#include "compiler/compile.hpp"
#include "compiler/format.hpp"
#include "compiler/parse.hpp"
#include "runtime/data_loader.hpp"
#include "simulator/declared_report.hpp"

#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <sys/wait.h>

using namespace keyplan;
namespace fs = std::filesystem;

namespace {

const std::string kPeople = R"(
entity Team { lead: string = "" }
entity Person { name: string = ""  team: Team?  active: bool = true }
Team red { lead: "Ann" }
Team blue
Person ann { name: "Ann"  team: red }
Person bob { name: "Bob"  team: blue }
Person cid { name: "Cid"  active: false }
rule member(p: Person, t: Team) = p.team == t
)";

struct Rendered {
  explicit Rendered(const std::string& src, const std::string& report = "") {
    res = std::make_unique<CompileResult>(compile_source("test.kp", src));
    if (!res->policy) {
      ADD_FAILURE() << res->diags.render_text(*res->sources);
      return;
    }
    snap = std::make_unique<rt::Snapshot>(*res->policy);
    int32_t r = res->policy->find_report(report.empty() ? "people" : report);
    if (r < 0) {
      ADD_FAILURE() << "no report";
      return;
    }
    tables = sim::render_declared_report(*res->policy, *snap,
                                         res->policy->reports[static_cast<size_t>(r)], 0);
  }
  std::unique_ptr<CompileResult> res;
  std::unique_ptr<rt::Snapshot> snap;
  std::vector<sim::Table> tables;
};

std::string errors_of(const std::string& src) {
  CompileResult r = compile_source("test.kp", src);
  std::string out;
  for (const auto& d : r.diags.sorted())
    if (d.severity == Severity::Error)
      out += std::to_string(d.span.line) + ":" + std::to_string(d.span.col) + ": " + d.message +
             (d.hint.empty() ? "" : " (" + d.hint + ")") + "\n";
  return out;
}

std::string shell(const std::string& cmd, int* status) {
  std::string out;
  FILE* p = ::popen(cmd.c_str(), "r");
  if (!p) return out;
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
  int st = ::pclose(p);
  *status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
  return out;
}

std::string cli(const std::string& args, int* status) {
  fs::path root = fs::path(KEYPLAN_TEST_DATA).parent_path().parent_path();
  return shell("cd '" + root.string() + "' && '" + KEYPLAN_BINARY + "' " + args + " 2>&1", status);
}

} // namespace

// ---------------------------------------------------------------- language

TEST(ReportLanguage, RowsFilterNamedColumnsAndNotes) {
  Rendered r(kPeople + R"(
/// Who is in which team.
@implements("W-18")
report people "People and their teams" {
  rows p: Person where p.active
  column "Person" = p
  column "Name" = p.name
  column "Team" = p.team
  note "inactive people are left out"
}
)");
  ASSERT_EQ(r.tables.size(), 1u);
  const auto& t = r.tables[0];
  EXPECT_EQ(t.name, "people");
  EXPECT_EQ(t.title, "People and their teams");
  EXPECT_EQ(t.headers, (std::vector<std::string>{"Person", "Name", "Team"}));
  ASSERT_EQ(t.rows.size(), 2u) << "cid is filtered out";
  EXPECT_EQ(t.rows[0], (std::vector<std::string>{"ann", "Ann", "red"}));
  EXPECT_EQ(t.notes, std::vector<std::string>{"inactive people are left out"});
  EXPECT_EQ(r.res->policy->reports[0].implements, std::vector<std::string>{"W-18"});
  EXPECT_EQ(r.res->policy->reports[0].doc, "Who is in which team.");
}

TEST(ReportLanguage, ColumnsPerInstanceWithCellExpression) {
  Rendered r(kPeople + R"(
report people {
  rows p: Person
  column "Person" = p
  columns t: Team where t.lead != "" or true = if member(p, t) then "x" else ""
  note for t: Team where t.lead != "" "{t} is led by {t.lead}"
}
)");
  ASSERT_EQ(r.tables.size(), 1u);
  const auto& t = r.tables[0];
  EXPECT_EQ(t.headers, (std::vector<std::string>{"Person", "red", "blue"}));
  EXPECT_EQ(t.rows[0], (std::vector<std::string>{"ann", "x", ""}));
  EXPECT_EQ(t.rows[1], (std::vector<std::string>{"bob", "", "x"}));
  EXPECT_EQ(t.rows[2], (std::vector<std::string>{"cid", "", ""}));
  EXPECT_EQ(t.notes, std::vector<std::string>{"red is led by Ann"});
}

TEST(ReportLanguage, CellsShowSetsBoolsAndNoneAsText) {
  Rendered r(kPeople + R"(
report people {
  rows t: Team
  column "Members" = {p in Person where member(p, t)}
  column "Led" = t.lead != ""
  column "Lead's team" = {p in Person where p.name == t.lead}
}
)");
  ASSERT_EQ(r.tables.size(), 1u);
  EXPECT_EQ(r.tables[0].rows[0], (std::vector<std::string>{"ann", "yes", "ann"}));
  EXPECT_EQ(r.tables[0].rows[1], (std::vector<std::string>{"bob", "no", ""}));
}

TEST(ReportLanguage, SeveralTablesAndConditionalNotes) {
  Rendered r(kPeople + R"(
report people {
  table active "Active" {
    rows p: Person where p.active
    column "Person" = p
    note if all p in Person: p.active "everyone is active"
    note if any p in Person: not p.active "some are inactive"
  }
  table teams {
    rows t: Team
    column "Team" = t
  }
}
)");
  ASSERT_EQ(r.tables.size(), 2u);
  EXPECT_EQ(r.tables[0].name, "active");
  EXPECT_EQ(r.tables[0].notes, std::vector<std::string>{"some are inactive"});
  EXPECT_EQ(r.tables[1].name, "teams");
  EXPECT_EQ(r.tables[1].rows.size(), 2u);
}

TEST(ReportLanguage, ErrorsAreLocatedAndSayWhatWasExpected) {
  EXPECT_EQ(errors_of(kPeople + "report people {\n  column \"A\" = 1\n}\n"),
            "10:8: table 'people' has no `rows` line (e.g. rows u: User where u.active)\n");
  EXPECT_EQ(errors_of(kPeople + "report people {\n  rows p: Person\n}\n"),
            "10:8: table 'people' has no columns (add `column \"Header\" = expression` or "
            "`columns x: Type = expression`)\n");
  EXPECT_EQ(errors_of(kPeople + "report people {\n  rows p: string\n  column \"A\" = p\n}\n"),
            "11:11: the rows variable 'p' must be of an entity type (found 'string'; a report "
            "ranges over every instance of a type)\n");
  EXPECT_EQ(errors_of(kPeople + "report people {\n  rows p: Person where p.name\n  column \"A\" "
                                "= p\n}\n"),
            "11:24: a report's `where` filter must be a bool condition (found 'string')\n");
  EXPECT_NE(errors_of(kPeople + "report people {\n  rows p: Person\n  column \"A\" = p.nam\n}\n")
                .find("12:"),
            std::string::npos)
      << "an unknown attribute in a cell is reported on its line";
  EXPECT_EQ(errors_of(kPeople + "report people {\n  rows p: Person\n  rows q: Person\n  column "
                                "\"A\" = p\n}\n"),
            "12:3: table 'people' declares its rows twice (one `rows` line per table)\n");
  EXPECT_EQ(errors_of(kPeople + "report people {\n  rows p: Person\n  columns t: Team where "
                                "member(p, t) = \"x\"\n}\n"),
            "12:32: unknown name 'p' (did you mean 't'?)\n")
      << "a columns filter sees no row";
  EXPECT_EQ(errors_of(kPeople + "report people {\n  rows p: Person\n  column \"A\" = p\n  note "
                                "\"{p.name}\"\n}\n"),
            "13:8: unknown name 'p'\n")
      << "a note sees no row";
  EXPECT_EQ(errors_of(kPeople + "report people {\n  rows p: Person\n  column \"A\" = p\n}\n"
                                "report people {\n  rows p: Person\n  column \"A\" = p\n}\n"),
            "14:8: report 'people' is declared twice\n");
}

TEST(ReportLanguage, SoftKeywordsStayUsableAsNames) {
  CompileResult r = compile_source("test.kp", R"(
entity Row { note: string = ""  column: int = 0  rows: int = 0  table: bool = false }
Row report { note: "n" }
rule report(r: Row) = r.table
)");
  EXPECT_TRUE(r.policy) << r.diags.render_text(*r.sources);
}

TEST(ReportLanguage, FmtFormatsAndIsStable) {
  std::string src = kPeople + R"(
/// doc
report people   "T"  {
  table a {
      rows p: Person   where p.active
    column "P" = p
    columns t: Team = if member(p,t) then "x" else ""
    note for t: Team where t.lead != "" if true "{t}"
  }
}
)";
  SourceManager sm;
  Diagnostics d;
  auto file = parse_file(sm, sm.add("a.kp", src), d);
  ASSERT_TRUE(file) << d.render_text(sm);
  std::string once = format_file(*file, sm);
  EXPECT_NE(once.find("report people \"T\" {\n  table a {\n    rows p: Person where p.active\n"
                      "    column \"P\" = p\n"
                      "    columns t: Team = if member(p, t) then \"x\" else \"\"\n"
                      "    note for t: Team where t.lead != \"\" if true \"{t}\"\n  }\n}\n"),
            std::string::npos)
      << once;
  auto again = parse_file(sm, sm.add("b.kp", once), d);
  ASSERT_TRUE(again);
  EXPECT_EQ(format_file(*again, sm), once);
}

// ---------------------------------------------------------------- CLI

TEST(ReportCli, DeclaredKindRendersInEveryFormat) {
  int st = -1;
  std::string out =
      cli("report authorization-matrix policies/examples/fm_suite/acme_fm.kp --format json", &st);
  // stderr (the policy's check findings, which may quote a `{`) comes first.
  size_t json_start = out.rfind('{', 0) == 0 ? 0 : out.find("\n{") + 1;
  auto j = nlohmann::json::parse(out.substr(json_start), nullptr, false);
  ASSERT_FALSE(j.is_discarded()) << out;
  EXPECT_EQ(j["authorization_matrix"]["rows"][0]["System group"], "create_requests");
  EXPECT_EQ(j["authorization_matrix"]["rows"][0]["end_user"], "x");
  out = cli("report authorization_matrix policies/examples/fm_suite/acme_fm.kp --format csv", &st);
  EXPECT_NE(out.find("System group,Description,end_user,"), std::string::npos) << out;
  out = cli("report authorization-matrix policies/examples/fm_suite/acme_fm.kp --format markdown",
            &st);
  EXPECT_NE(out.find("| System group | Description | end_user |"), std::string::npos) << out;
}

TEST(ReportCli, ListShowsDeclaredKindsWithDocComments) {
  int st = -1;
  std::string out = cli("report --list policies/examples/fm_suite/acme_fm.kp", &st);
  EXPECT_EQ(st, 0) << out;
  EXPECT_NE(out.find("authorization-matrix"), std::string::npos) << out;
  EXPECT_NE(out.find("W-18: customer profiles x active system groups"), std::string::npos) << out;
  EXPECT_NE(out.find("std.fm_suite"), std::string::npos) << out;
  out = cli("report --list policies/examples/fm_suite/acme_fm.kp --format json", &st);
  auto j = nlohmann::json::parse(out, nullptr, false);
  ASSERT_FALSE(j.is_discarded()) << out;
  EXPECT_EQ(j["reports"]["rows"][0]["Kind"], "authorization-matrix");
}

TEST(ReportCli, UnknownKindExitsTwoNamingTheKinds) {
  int st = -1;
  std::string out = cli("report no-such policies/examples/fm_suite/acme_fm.kp", &st);
  EXPECT_EQ(st, 2);
  EXPECT_NE(out.find("the policy declares: authorization-matrix"), std::string::npos) << out;
  cli("report --list", &st);
  EXPECT_EQ(st, 2) << "--list needs a policy";
}

TEST(ReportCli, HtmlFormatIsOneEscapedSortablePage) {
  int st = -1;
  std::string out =
      cli("report authorization-matrix policies/examples/fm_suite/acme_fm.kp --format html", &st);
  EXPECT_EQ(st, 0) << out;
  EXPECT_NE(out.find("<table class=\"kp-grid\" id=\"t0\">"), std::string::npos) << out;
  EXPECT_NE(out.find("<th data-col=\"2\">end_user</th>"), std::string::npos);
  EXPECT_NE(out.find("<th>create_requests</th><td>Create requests"), std::string::npos);
  EXPECT_NE(out.find("Content-Security-Policy"), std::string::npos);
  out = cli("report profile-matrix policies/examples/fm_suite/acme_fm.kp --format html", &st);
  EXPECT_NE(out.find("kp-grid"), std::string::npos) << "built-in kinds too";
}
