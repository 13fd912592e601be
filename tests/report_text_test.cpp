// Building text in a report cell (docs/language.md "Building text"): a
// template string, `if` between texts of any type, `join` of the non-empty
// texts; type-checked with located errors, rendered by the interpreter.
#include "compiler/compile.hpp"
#include "runtime/snapshot.hpp"
#include "simulator/declared_report.hpp"

#include <gtest/gtest.h>

using namespace keyplan;

namespace {

const std::string kPeople = R"(
entity Team { lead: string = "" }
entity Person { name: string = ""  team: Team?  active: bool = true  skills: set<string> = [] }
Team red { lead: "Ann" }
Team blue
Person ann { name: "Ann"  team: red  skills: ["c++", "go"] }
Person bob { name: "Bob"  team: blue }
Person cid { name: "Cid"  active: false }
rule members(t: Team): set<Person> = {p in Person where p.team == t}
)";

std::vector<std::vector<std::string>> rows_of(const std::string& report) {
  CompileResult res = compile_source("test.kp", kPeople + report);
  if (!res.policy) {
    ADD_FAILURE() << res.diags.render_text(*res.sources);
    return {};
  }
  rt::Snapshot snap(*res.policy);
  auto tables = sim::render_declared_report(*res.policy, snap, res.policy->reports[0], 0);
  return tables.at(0).rows;
}

std::string errors_of(const std::string& report) {
  CompileResult r = compile_source("test.kp", kPeople + report);
  std::string out;
  for (const auto& d : r.diags.sorted())
    if (d.severity == Severity::Error)
      out +=
          std::to_string(d.span.line) + ":" + std::to_string(d.span.col) + ": " + d.message + "\n";
  return out;
}

} // namespace

TEST(ReportText, TemplateCellJoinsLiteralAndExpressionPieces) {
  auto rows = rows_of(R"(report people {
  rows t: Team
  column "Summary" = "{t} (lead {t.lead}): {members(t)}"
})");
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0][0], "red (lead Ann): ann");
  EXPECT_EQ(rows[1][0], "blue (lead ): bob");
}

TEST(ReportText, IfBetweenTextsOfDifferentTypes) {
  auto rows = rows_of(R"(report people {
  rows p: Person
  column "Team" = if p.team == none then "-" else p.team
  column "State" = if p.active then "active since {p.name}" else false
})");
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows[0], (std::vector<std::string>{"red", "active since Ann"}));
  EXPECT_EQ(rows[2], (std::vector<std::string>{"-", "no"}));
}

TEST(ReportText, JoinLeavesOutEmptyTexts) {
  auto rows = rows_of(R"(report people {
  rows p: Person
  column "Facts" = join("; ", if p.active then "active" else "", "skills: {p.skills}",
                          if p.team == none then "" else "team {p.team}")
})");
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows[0][0], "active; skills: c++, go; team red");
  EXPECT_EQ(rows[2][0], "skills: ");
}

TEST(ReportText, BracesEscapeAndPlainStringsStayLiteral) {
  auto rows = rows_of(R"(report people {
  rows p: Person where p.name == "Ann"
  column "A" = "{{{p.name}}}"
  column "B" = "plain"
})");
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0], (std::vector<std::string>{"{Ann}", "plain"}));
}

TEST(ReportText, ErrorsAreLocated) {
  EXPECT_EQ(errors_of("report people {\n  rows p: Person\n  column \"A\" = \"{p.nam}\"\n}\n"),
            "12:16: entity 'Person' has no attribute 'nam'\n")
      << "a bad piece is reported at its template";
  EXPECT_EQ(errors_of("report people {\n  rows p: Person\n  column \"A\" = if p.name then \"a\" "
                      "else \"b\"\n}\n"),
            "12:19: the condition of 'if' must be a bool\n");
  EXPECT_EQ(errors_of("report people {\n  rows p: Person\n  column \"A\" = join(\"; \")\n}\n"),
            "12:16: join needs a separator and at least one text\n");
  EXPECT_EQ(errors_of("report people {\n  rows p: Person\n  column \"A\" = \"{p.name\"\n}\n"),
            "12:16: a '{' without '}' in the message\n");
}
