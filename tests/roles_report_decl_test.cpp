// Issue 13: the roles report (F-R1 – F-R6) is std.desk_booking's `report
// roles`, built from `rows a in actions(actor: User)` and `columns a in
// actions(actor: User)` (docs/language.md "Reports"); the language's errors
// for them, and `keyplan report roles` in every format.
#include "compiler/compile.hpp"
#include "compiler/format.hpp"
#include "compiler/parse.hpp"
#include "runtime/snapshot.hpp"
#include "simulator/declared_report.hpp"
#include "tests/what_if_support.hpp"

#include <gtest/gtest.h>

using namespace keyplan;
using namespace keyplan::what_if_test;

namespace {

const std::string kPolicy = R"(entity Person { admin: bool = false }
entity Room {}
action open(actor: Person, room: Room) = actor.admin
action look(person: Person, room: Room) = true
)";

// "line:col: message" of every error compiling kPolicy + `report`.
std::string errors_of(const std::string& report) {
  CompileResult r = compile_source("test.kp", kPolicy + report);
  std::string out;
  for (const auto& d : r.diags.sorted())
    if (d.severity == Severity::Error)
      out += std::to_string(d.span.line) + ":" + std::to_string(d.span.col) + ": " + d.message +
             (d.hint.empty() ? "" : " (" + d.hint + ")") + "\n";
  return out;
}

const std::string kRolesOffice = "policies/examples/desk_booking_roles/office.kp --data "
                                 "policies/examples/desk_booking_roles/data/users.yaml";

} // namespace

TEST(ReportActions, UnknownSourceIsLocatedWithWhatWasExpected) {
  std::string e = errors_of("report r { rows p: Person\n  rows a in actionz(actor: Person)\n"
                            "  column \"a\" = a }\n");
  EXPECT_NE(e.find("6:13: unknown source 'actionz': expected 'actions' (e.g. rows a in "
                   "actions(actor: User))"),
            std::string::npos)
      << e;
}

TEST(ReportActions, ActorMustBeOfTheRowsType) {
  std::string e = errors_of("report r { rows p: Person\n  rows a in actions(actor: Room)\n"
                            "  column \"a\" = a }\n");
  EXPECT_NE(e.find("6:28: the actions' first parameter 'actor' must be of the rows' type "
                   "'Person'"),
            std::string::npos)
      << e;
}

TEST(ReportActions, ActionCellMustBeKnown) {
  std::string e = errors_of("report r { rows p: Person\n  rows a in actions(actor: Person)\n"
                            "  column \"a\" = scop(a) }\n");
  EXPECT_NE(e.find("7:16: 'scop' is not a cell of an action (expected a, scope(a), allowed(a) "
                   "or summary(a))"),
            std::string::npos)
      << e;
  e = errors_of("report r { rows p: Person\n  columns a in actions(actor: Person) = p }\n");
  EXPECT_NE(e.find("6:41: a cell of `columns a in actions(...)` is about the action"),
            std::string::npos)
      << e;
  e = errors_of("report r { rows p: Person\n  rows p in actions(actor: Person)\n"
                "  column \"a\" = p }\n");
  EXPECT_NE(e.find("the action variable 'p' hides the rows variable"), std::string::npos) << e;
}

TEST(ReportActions, RowsPerAllowedActionAndColumnsPerAction) {
  CompileResult r = compile_source("test.kp", kPolicy + R"(Person boss { admin: true }
Person clerk
Room r1
Room r2
report r {
  table list {
    rows p: Person
    rows a in actions(actor: Person)
    column "who" = p
    column "what" = a
    column "scope" = scope(a)
    column "allowed" = allowed(a)
  }
  table matrix {
    rows p: Person
    column "who" = p
    columns a in actions(actor: Person) = summary(a)
  }
}
)");
  ASSERT_TRUE(r.policy) << r.diags.render_text(*r.sources);
  rt::Snapshot s(*r.policy);
  auto t = sim::render_declared_report(*r.policy, s, r.policy->reports.at(0), 0);
  ASSERT_EQ(t.size(), 2u);
  // `look` has no `actor` parameter: it is not an action of the actor.
  EXPECT_EQ(t[0].rows, (std::vector<std::vector<std::string>>{{"boss", "open", "all (2)", "2/2"}}));
  EXPECT_EQ(t[1].headers, (std::vector<std::string>{"who", "open"}));
  EXPECT_EQ(t[1].rows, (std::vector<std::vector<std::string>>{{"boss", "all"}, {"clerk", "-"}}));
}

TEST(ReportActions, FormatterKeepsActionItems) {
  std::string src = kPolicy + "report r {\n  rows p: Person\n  rows a in actions(actor: Person)\n"
                              "  column \"a\" = scope(a)\n  columns b in actions(actor: Person) = "
                              "summary(b)\n}\n";
  SourceManager sm;
  Diagnostics d;
  auto file = parse_file(sm, sm.add("t.kp", src), d);
  ASSERT_TRUE(file) << d.render_text(sm);
  std::string out = format_file(*file, sm);
  EXPECT_NE(out.find("rows a in actions(actor: Person)"), std::string::npos) << out;
  EXPECT_NE(out.find("columns b in actions(actor: Person) = summary(b)"), std::string::npos) << out;
}

// `keyplan report roles` keeps its command and tables: the report is now
// declared in std.desk_booking and rendered by the generic path.
TEST(RolesReportCli, EveryFormatRendersTheDeclaredReport) {
  what_if_test::Run table = run_keyplan("report roles " + kRolesOffice + " --today 2026-11-23");
  ASSERT_EQ(table.code, 0) << show(table);
  EXPECT_NE(table.out.find("What each user with a role may administer (F-R1 – F-R6)"),
            std::string::npos)
      << table.out;
  EXPECT_NE(table.out.find("nina, adam → G_01, G_02, M_01, M_10"), std::string::npos)
      << table.out;
  EXPECT_NE(table.out.find("Fixed parameter, book_for: on = 2026-11-23"), std::string::npos)
      << table.out;
  what_if_test::Run csv =
      run_keyplan("report roles " + kRolesOffice + " --today 2026-11-23 --format csv");
  ASSERT_EQ(csv.code, 0) << show(csv);
  EXPECT_NE(csv.out.find("user,roles,action,scope,allowed"), std::string::npos) << csv.out;
  EXPECT_NE(csv.out.find("frieda,(group administrator),edit_group,Facility,"), std::string::npos)
      << csv.out;
  what_if_test::Run md =
      run_keyplan("report roles " + kRolesOffice + " --today 2026-11-23 --format markdown");
  ASSERT_EQ(md.code, 0) << show(md);
  EXPECT_NE(md.out.find("| user | roles |"), std::string::npos) << md.out;
  what_if_test::Run json =
      run_keyplan("report roles " + kRolesOffice + " --today 2026-11-23 --format json");
  ASSERT_EQ(json.code, 0) << show(json);
  EXPECT_NE(json.out.find("\"roles_matrix\""), std::string::npos) << json.out;
  Scratch dir;
  fs::path xlsx = dir.dir / "roles.xlsx";
  what_if_test::Run book =
      run_keyplan("report roles " + kRolesOffice + " --today 2026-11-23 --format xlsx -o " +
                  quote(xlsx.string()));
  ASSERT_EQ(book.code, 0) << show(book);
  EXPECT_GT(fs::file_size(xlsx), 0u);
}

TEST(RolesReportCli, ListedAmongTheDeclaredKinds) {
  what_if_test::Run r = run_keyplan("report --list " + kRolesOffice);
  ASSERT_EQ(r.code, 0) << show(r);
  EXPECT_NE(r.out.find("roles"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("std.desk_booking"), std::string::npos) << r.out;
}
