// Lists of texts (`[TEXT for x in S where F]`) and tables repeated per
// instance (`table NAME for x: T where F = TITLE { ... }`) in `report`
// declarations (docs/language.md "Reports", "Building text"): parse, fmt,
// located errors, rendering; and the two FM-suite reports built with them
// (dashboard, effective access) through `keyplan report` in every format.
#include "compiler/compile.hpp"
#include "compiler/format.hpp"
#include "compiler/parse.hpp"
#include "runtime/snapshot.hpp"
#include "simulator/declared_report.hpp"
#include "tests/test_support.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <unistd.h>

using namespace keyplan;
namespace fs = std::filesystem;

namespace {

const std::string kPeople = R"kp(
entity Team { lead: string = "" }
entity Person { name: string = ""  team: Team?  active: bool = true }
Team red { lead: "Ann" }
Team blue
Team green
Person cid { name: "Cid"  team: red  active: false }
Person ann { name: "Ann"  team: red }
Person bob { name: "Bob"  team: blue }
rule members(t: Team): set<Person> = {p in Person where p.team == t}
)kp";

struct Rendered {
  explicit Rendered(const std::string& report, const std::vector<std::string>& only = {}) {
    res = std::make_unique<CompileResult>(compile_source("test.kp", kPeople + report));
    if (!res->policy) {
      ADD_FAILURE() << res->diags.render_text(*res->sources);
      return;
    }
    snap = std::make_unique<rt::Snapshot>(*res->policy);
    tables = sim::render_declared_report(*res->policy, *snap, res->policy->reports.at(0), 0, only,
                                         &error);
  }
  std::unique_ptr<CompileResult> res;
  std::unique_ptr<rt::Snapshot> snap;
  std::vector<sim::Table> tables;
  std::string error;
};

// Errors and warnings as "line:col: message" (the report starts on line 11).
std::string diags_of(const std::string& report, Severity severity = Severity::Error) {
  CompileResult r = compile_source("test.kp", kPeople + report);
  std::string out;
  for (const auto& d : r.diags.sorted())
    if (d.severity == severity)
      out +=
          std::to_string(d.span.line) + ":" + std::to_string(d.span.col) + ": " + d.message + "\n";
  return out;
}

std::string cli(const std::string& args, int* status) {
  fs::path root = fs::path(KEYPLAN_TEST_DATA).parent_path().parent_path();
  auto r = testing_support::run_command("cd '" + root.string() + "' && '" + KEYPLAN_BINARY + "' " +
                                        args + " 2>/dev/null");
  *status = r.code;
  return r.out;
}

} // namespace

// ------------------------------------------------------------ text lists

TEST(ReportTextList, OneTextPerElementInTheSetsOrderSplicedIntoJoin) {
  Rendered r(R"kp(report people {
  rows t: Team
  column "Members" = join("; ", "lead {t.lead}", ["{p} ({p.name})" for p in members(t)])
})kp");
  ASSERT_EQ(r.tables.size(), 1u);
  ASSERT_EQ(r.tables[0].rows.size(), 3u);
  // Declaration order (cid before ann), not the texts' alphabetical order.
  EXPECT_EQ(r.tables[0].rows[0][0], "lead Ann; cid (Cid); ann (Ann)");
  EXPECT_EQ(r.tables[0].rows[1][0], "lead ; bob (Bob)");
  EXPECT_EQ(r.tables[0].rows[2][0], "lead ") << "an empty list adds no piece";
}

TEST(ReportTextList, AloneInACellJoinsWithCommaAndKeepsRepeatedTexts) {
  Rendered r(R"kp(report people {
  rows t: Team where t.lead != ""
  column "Marked" = [if p.active then p else "{p} (inactive)" for p in members(t)]
  column "Leads" = [t.lead for _p in members(t)]
})kp");
  ASSERT_EQ(r.tables.size(), 1u);
  ASSERT_EQ(r.tables[0].rows.size(), 1u);
  EXPECT_EQ(r.tables[0].rows[0][0], "cid (inactive), ann");
  // A set {e for x in S} would keep one "Ann": a list keeps every text.
  EXPECT_EQ(r.tables[0].rows[0][1], "Ann, Ann");
}

TEST(ReportTextList, MisuseIsALocatedError) {
  // Outside a report's text: rules compute no text.
  EXPECT_EQ(diags_of("rule names(): set<string> = [p.name for p in Person]\n"),
            "11:29: a list of texts `[... for x in S]` is only allowed in a report's text\n");
  EXPECT_EQ(diags_of("report people {\n  rows t: Team\n  column \"A\" = count([p for p in "
                     "members(t)]) > 0\n}\n"),
            "13:22: a list of texts `[... for x in S]` is only allowed in a report's text\n");
  EXPECT_EQ(diags_of("report people {\n  rows t: Team\n  column \"A\" = [p for p in t]\n}\n"),
            "13:28: expected a set or an entity type here\n");
  EXPECT_EQ(diags_of("report people {\n  rows t: Team\n  column \"A\" = [p for p in members(t) "
                     "where p.name]\n}\n"),
            "13:45: the 'where' condition must be bool\n");
  EXPECT_EQ(diags_of("report people {\n  rows t: Team\n  column \"A\" = [\"x\" for p in "
                     "members(t)]\n}\n",
                     Severity::Warning),
            "13:25: variable 'p' is never used\n");
}

// ------------------------------------------------------- repeated tables

TEST(ReportRepeatedTable, OneTablePerInstanceNamedAndTitledByIt) {
  Rendered r(R"kp(report people {
  table team for t: Team where t != green = join("", "Team {t}", if t.lead == "" then "" else " led by {t.lead}") {
    rows p: Person where p.team == t
    column "Person" = p
    note = join(", ", join(" ", count(members(t)), "member(s)"), [p.name for p in members(t)])
    note if t.lead == "" "no lead"
}
table everyone "Everyone" {
  rows p : Person column "Person" = p
}
})kp");
  ASSERT_EQ(r.tables.size(), 3u);
  EXPECT_EQ(r.tables[0].name, "team_red");
  EXPECT_EQ(r.tables[0].title, "Team red led by Ann");
  EXPECT_EQ(r.tables[0].rows, (std::vector<std::vector<std::string>>{{"cid"}, {"ann"}}));
  EXPECT_EQ(r.tables[0].notes, std::vector<std::string>{"2 member(s), Cid, Ann"});
  EXPECT_EQ(r.tables[1].name, "team_blue");
  EXPECT_EQ(r.tables[1].title, "Team blue");
  EXPECT_EQ(r.tables[1].notes, (std::vector<std::string>{"1 member(s), Bob", "no lead"}));
  EXPECT_EQ(r.tables[2].name, "everyone") << "green fails the filter; other tables stay";
}

TEST(ReportRepeatedTable, OnlyTheListedInstancesInTheirOrder) {
  const std::string report = R"kp(report people {
  table team for t: Team = "Team {t}" {
    rows p: Person where p.team == t
    column "Person" = p
  }
})kp";
  Rendered r(report, {"blue", "red", "blue"});
  EXPECT_EQ(r.error, "");
  ASSERT_EQ(r.tables.size(), 2u);
  EXPECT_EQ(r.tables[0].name, "team_blue");
  EXPECT_EQ(r.tables[1].name, "team_red");
  Rendered bad(report, {"red", "gren"});
  EXPECT_TRUE(bad.tables.empty());
  EXPECT_EQ(bad.error, "unknown Team 'gren' (did you mean 'green'?)");
  Rendered plain("report people {\n  rows p: Person\n  column \"P\" = p\n}\n", {"ann"});
  EXPECT_TRUE(plain.tables.empty());
  EXPECT_NE(plain.error.find("no table repeated per instance"), std::string::npos) << plain.error;
}

TEST(ReportRepeatedTable, MisuseIsALocatedError) {
  EXPECT_EQ(diags_of("report people {\n  table a for t: string {\n    rows p: Person\n    column "
                     "\"P\" = p\n  }\n}\n"),
            "12:18: the table variable 't' must be of an entity type\n");
  EXPECT_EQ(diags_of("report people {\n  table a for t: Team {\n    rows t: Person\n    column "
                     "\"P\" = t\n  }\n}\n"),
            "13:10: the rows variable 't' hides the table's variable\n");
  EXPECT_EQ(diags_of("report people {\n  table a for t: Team where t.lead = \"x\" {\n    rows p: "
                     "Person\n    column \"P\" = p\n  }\n}\n"),
            "12:29: a report's `where` filter must be a bool condition\n");
  EXPECT_EQ(diags_of("report people {\n  table a for t: Team {\n    rows p: Person\n    column "
                     "\"P\" = p\n  }\n}\n",
                     Severity::Warning),
            "10:6: rule 'members' is never used\n"
            "12:15: variable 't' of report table 'a' is never used\n");
  // A note's text sees the table's variable, not the row's.
  EXPECT_EQ(diags_of("report people {\n  table a for t: Team {\n    rows p: Person where p.team "
                     "== t\n    column \"P\" = p\n    note = \"{p}\"\n  }\n}\n"),
            "15:12: unknown name 'p'\n");
}

TEST(ReportRepeatedTable, FmtPrintsTheNewFormsAndIsStable) {
  std::string src = kPeople + R"kp(
report people {
  table a   for t: Team   where t.lead != ""   = "T {t}" {
    rows p: Person where p.team == t
    column "P" = [ "{q}"  for q in members(t) where q != p ]
    note if true   = join(", ", [q.name for q in members(t)])
  }
}
)kp";
  SourceManager sm;
  Diagnostics d;
  auto file = parse_file(sm, sm.add("a.kp", src), d);
  ASSERT_TRUE(file) << d.render_text(sm);
  std::string once = format_file(*file, sm);
  EXPECT_NE(once.find("  table a for t: Team where t.lead != \"\" = \"T {t}\" {\n"
                      "    rows p: Person where p.team == t\n"
                      "    column \"P\" = [\"{q}\" for q in members(t) where q != p]\n"
                      "    note if true = join(\", \", [q.name for q in members(t)])\n  }\n"),
            std::string::npos)
      << once;
  auto again = parse_file(sm, sm.add("b.kp", once), d);
  ASSERT_TRUE(again);
  EXPECT_EQ(format_file(*again, sm), once);
}

// ------------------------------------------- the FM suite's declarations

// `keyplan report dashboard` / `effective-access` are std.fm_suite's
// `report` declarations now: every format renders them.
TEST(ReportCli, DashboardAndEffectiveAccessRenderInEveryFormat) {
  const std::string policy = " policies/examples/fm_suite/acme_fm.kp";
  int st = -1;
  for (const char* fmt : {"table", "csv", "markdown", "html"}) {
    std::string out = cli(std::string("report dashboard") + policy + " --format " + fmt, &st);
    EXPECT_EQ(st, 0) << fmt;
    EXPECT_NE(out.find("create_requests, create_reservations, service_desk_employee"),
              std::string::npos)
        << fmt;
    out =
        cli(std::string("report effective-access") + policy + " --user fiona --format " + fmt, &st);
    EXPECT_EQ(st, 0) << fmt;
    EXPECT_NE(out.find("edit at hq via edit_buildings (fiona_edits_hq)"), std::string::npos) << fmt;
  }
  std::string json =
      cli("report effective-access" + policy + " --user rita --user carl --format json", &st);
  EXPECT_EQ(st, 0);
  EXPECT_LT(json.find("\"access_rita\""), json.find("\"access_carl\"")) << "in the order asked";
  auto j = nlohmann::json::parse(json, nullptr, false);
  ASSERT_TRUE(j.is_object());
  ASSERT_EQ(j.size(), 2u);
  EXPECT_NE(j["access_carl"]["title"].get<std::string>().find("additional profiles ["),
            std::string::npos);
  fs::path xlsx =
      fs::temp_directory_path() / ("keyplan_13a_" + std::to_string(::getpid()) + ".xlsx");
  cli("report effective-access" + policy + " --format xlsx -o '" + xlsx.string() + "'", &st);
  EXPECT_EQ(st, 0);
  auto wb = testing_support::run_command("unzip -p '" + xlsx.string() + "' xl/workbook.xml");
  EXPECT_NE(wb.out.find("name=\"access_rita\""), std::string::npos) << wb.out;
  fs::remove(xlsx);
  cli("report dashboard" + policy + " --user rita", &st);
  EXPECT_EQ(st, 2) << "the dashboard has no table per user";
}
