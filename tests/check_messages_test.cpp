// Issue 13: a check's message is built like a report cell (docs/language.md
// "Building text"): a template "{…}", `if C then A else B`, `join(SEP, …)`,
// so the std models word their findings as prose (docs/checks.md).
#include "compiler/compile.hpp"
#include "compiler/format.hpp"
#include "compiler/parse.hpp"
#include "runtime/data_loader.hpp"
#include "simulator/checks.hpp"

#include <gtest/gtest.h>

using namespace keyplan;

namespace {

const std::string kPeople = R"(
entity Team {}
entity Person { name: string = ""  teams: set<Team> = []  lead: bool = false }
)";

// The messages of every finding on `yaml`.
std::vector<std::string> messages(const std::string& src, const std::string& yaml) {
  CompileResult r = compile_source("test.kp", src);
  if (!r.policy) {
    ADD_FAILURE() << r.diags.render_text(*r.sources);
    return {};
  }
  rt::Snapshot snap(*r.policy);
  Diagnostics d;
  if (!rt::load_data(snap, yaml, "tenant.yaml", d, *r.sources))
    ADD_FAILURE() << d.render_text(*r.sources);
  sim::InstanceLocator locator;
  std::vector<std::string> out;
  for (const auto& f : sim::run_checks(*r.policy, snap, locator, 0).findings)
    out.push_back(f.message);
  return out;
}

std::string errors_of(const std::string& src) {
  CompileResult r = compile_source("test.kp", src);
  std::string out;
  for (const auto& d : r.diags.sorted())
    if (d.severity == Severity::Error)
      out += std::to_string(d.span.line) + ":" + std::to_string(d.span.col) + ": " + d.message +
             (d.hint.empty() ? "" : " (" + d.hint + ")") + "\n";
  return out;
}

const std::string kJoinIf = kPeople + R"(
check alone(p: Person) warning join("",
    "{p.name} is in ",
    if count(p.teams) == 0 then "no team" else "team {p.teams}",
    join(", ", "", if p.lead then " and leads" else "")) =
  count(p.teams) < 2
)";

} // namespace

TEST(CheckMessages, JoinAndIfBuildProse) {
  EXPECT_EQ(messages(kJoinIf, "Team: [{id: a}, {id: b}]\n"
                              "Person:\n"
                              "  - {id: p1, name: Ann}\n"
                              "  - {id: p2, name: Bob, teams: [a], lead: true}\n"
                              "  - {id: p3, name: Cy, teams: [a, b]}\n"),
            (std::vector<std::string>{"Ann is in no team", "Bob is in team a and leads"}));
}

TEST(CheckMessages, SetsAndStringsReadAsInReportCells) {
  // A set reads "a, b" (not "[a, b]"), a string without quotes, a bool yes/no.
  EXPECT_EQ(messages(kPeople + "check c(p: Person) warning \"{p} ({p.name}): {p.teams}; lead: "
                               "{p.lead}\" = true\n",
                     "Team: [{id: a}, {id: b}]\nPerson: [{id: p1, name: Ann, teams: [a, b]}]\n"),
            (std::vector<std::string>{"p1 (Ann): a, b; lead: no"}));
}

TEST(CheckMessages, ErrorsInATextMessageAreLocated) {
  std::string e = errors_of(kPeople + "check c(p: Person) warning join(\", \") = true\n");
  EXPECT_NE(e.find("4:28: join needs a separator and at least one text"), std::string::npos) << e;
  e = errors_of(kPeople + "check c(p: Person) warning if p.name then \"a\" else \"b\" = true\n");
  EXPECT_NE(e.find("4:31: the condition of 'if' must be a bool (found 'string')"),
            std::string::npos)
      << e;
  e = errors_of(kPeople + "check c(p: Person) warning join(\"\", \"{p.nme}\") = true\n");
  EXPECT_NE(e.find("no attribute 'nme'"), std::string::npos) << e;
}

TEST(CheckMessages, FormatterKeepsATextMessage) {
  SourceManager sm;
  Diagnostics d;
  auto file = parse_file(sm, sm.add("t.kp", kJoinIf), d);
  ASSERT_TRUE(file) << d.render_text(sm);
  std::string out = format_file(*file, sm);
  EXPECT_NE(out.find("check alone(p: Person) warning join(\"\", \"{p.name} is in \", if"),
            std::string::npos)
      << out;
  // And what it writes parses to the same messages.
  EXPECT_EQ(messages(out, "Person: [{id: p1, name: Ann}]\n"),
            (std::vector<std::string>{"Ann is in no team"}));
}
