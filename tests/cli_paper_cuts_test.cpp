// The CLI's paper cuts (issue 16): `fmt --check`/`--diff` show a unified
// diff, ids on the command line get a did-you-mean, `help [COMMAND]`,
// shell completion and the man page come from the CLI definition, and
// `--version` names the git revision.
#include "tests/what_if_support.hpp"

#include <gtest/gtest.h>

using namespace keyplan::what_if_test;

namespace {

const std::string kMessy =
    "import std.desk_booking\nGroup   IT\nUser mueller { groups: [ALL,IT] }\n";

TEST(CliPaperCuts, FmtCheckPrintsAUnifiedDiff) {
  Scratch s;
  auto f = s.write("messy.kp", kMessy);
  auto r = run_keyplan("fmt --check " + quote(f.string()));
  EXPECT_EQ(r.code, 1) << show(r);
  EXPECT_NE(r.err.find(f.string()), std::string::npos) << show(r); // still lists the file
  // An absolute path as is (a relative one gets git's a/ and b/).
  EXPECT_NE(r.out.find("--- " + f.string() + "\n+++ " + f.string() + "\n"), std::string::npos)
      << show(r);
  EXPECT_NE(r.out.find("@@ -1,3 +1,4 @@\n import std.desk_booking\n-Group   IT\n"
                       "-User mueller { groups: [ALL,IT] }\n+\n+Group IT\n"),
            std::string::npos)
      << show(r);
  EXPECT_EQ(read(f), kMessy); // --check never writes
}

TEST(CliPaperCuts, FmtDiffPrintsOnlyTheDiffAndAppliesWithPatch) {
  Scratch s;
  auto f = s.write("messy.kp", kMessy);
  auto r = run_keyplan("fmt --diff " + quote(f.string()));
  EXPECT_EQ(r.code, 1) << show(r);
  EXPECT_EQ(r.err, "") << show(r);
  // The diff is a real one: patch(1) turns the file into fmt's output.
  s.write("fix.diff", r.out);
  auto formatted = run_keyplan("fmt " + quote(f.string())).out;
  auto p = keyplan::testing_support::run_command("cd " + quote(s.dir.string()) +
                                                 " && patch -s messy.kp fix.diff 2>&1");
  EXPECT_EQ(p.code, 0) << p.out;
  EXPECT_EQ(read(f), formatted);
  // A formatted file: no diff, exit 0.
  r = run_keyplan("fmt --diff " + quote(f.string()));
  EXPECT_EQ(r.code, 0) << show(r);
  EXPECT_EQ(r.out, "") << show(r);
}

TEST(CliPaperCuts, ReportUserIdGetsADidYouMean) {
  auto r = run_keyplan("report effective-access policies/examples/fm_suite/acme_fm.kp "
                       "--user olee --today 2026-11-23");
  EXPECT_EQ(r.code, 2) << show(r);
  EXPECT_NE(r.err.find("unknown User 'olee' (did you mean 'olga'?)"), std::string::npos) << show(r);
}

TEST(CliPaperCuts, DecideIdsGetADidYouMean) {
  auto r = run_keyplan("decide " + kOffice + " book user=mueler object=TABLE_1");
  EXPECT_EQ(r.code, 2) << show(r);
  EXPECT_NE(r.err.find("did you mean 'mueller'?"), std::string::npos) << show(r);
}

TEST(CliPaperCuts, ScenarioCaretOfABadValuePointsAtTheValue) {
  Scratch s;
  auto f =
      s.write("s.yaml", "policy: " + (source_root() / kOffice).string() +
                            "\ntoday: 2026-11-23\ncases:\n"
                            "  - {action: book, user: mueller, object: TABLE_1, on: 2026-02-30}\n"
                            "  - action: book\n    user: mueller\n    object: TABEL_2\n");
  auto r = run_keyplan("simulate " + quote(f.string()));
  EXPECT_EQ(r.code, 2) << show(r);
  // Line 4, column 56: the date itself, underlined whole.
  EXPECT_NE(r.err.find("s.yaml:4:56: error"), std::string::npos) << show(r);
  EXPECT_NE(r.err.find("\n" + std::string(57, ' ') + "^~~~~~~~~~\n"), std::string::npos) << show(r);
  // A case written as a block map: the value on its line, not the case.
  EXPECT_NE(r.err.find("s.yaml:7:13: error"), std::string::npos) << show(r);
}

TEST(CliPaperCuts, HelpCommandShowsTheAppOrOneCommand) {
  auto r = run_keyplan("help");
  EXPECT_EQ(r.code, 0) << show(r);
  EXPECT_NE(r.out.find("Subcommands:"), std::string::npos) << show(r);
  EXPECT_NE(r.out.find("explain"), std::string::npos) << show(r);
  r = run_keyplan("help explain");
  EXPECT_EQ(r.code, 0) << show(r);
  EXPECT_NE(r.out.find("--brief"), std::string::npos) << show(r);
  r = run_keyplan("help explian");
  EXPECT_EQ(r.code, 2) << show(r);
  EXPECT_NE(r.err.find("unknown command 'explian' (did you mean 'explain'?)"), std::string::npos)
      << show(r);
}

TEST(CliPaperCuts, CompletionScriptsNameEveryCommand) {
  for (const char* shell : {"bash", "zsh", "fish"}) {
    auto r = run_keyplan(std::string("completion ") + shell);
    ASSERT_EQ(r.code, 0) << shell << show(r);
    for (const char* cmd : {"check", "fmt", "explain", "simulate", "report", "init", "help"})
      EXPECT_NE(r.out.find(cmd), std::string::npos) << shell << " lacks " << cmd;
    EXPECT_NE(r.out.find(std::string(shell) == "fish" ? "-l brief" : "--brief"), std::string::npos)
        << shell;
  }
  // The bash script is valid bash and completes a command name.
  Scratch s;
  auto script = s.write("keyplan.bash", run_keyplan("completion bash").out);
  auto b = keyplan::testing_support::run_command(
      "bash -c " + quote("source " + script.string() +
                         " && COMP_WORDS=(keyplan expl) COMP_CWORD=1 && _keyplan && "
                         "echo ${COMPREPLY[@]}"));
  EXPECT_EQ(b.code, 0) << b.out;
  EXPECT_EQ(b.out, "explain\n");
  EXPECT_EQ(run_keyplan("completion tcsh").code, 2);
}

TEST(CliPaperCuts, ManPageIsGeneratedAndUpToDate) {
  auto r = run_keyplan("help --man");
  ASSERT_EQ(r.code, 0) << show(r);
  EXPECT_EQ(r.out.rfind(".\\\" Generated by `keyplan help --man`", 0), 0u) << r.out.substr(0, 200);
  EXPECT_NE(r.out.find(".SS \"keyplan explain"), std::string::npos);
  // docs/man/keyplan.1 is this output: regenerate it with
  //   build/keyplan help --man > docs/man/keyplan.1
  EXPECT_EQ(read(source_root() / "docs/man/keyplan.1"), r.out)
      << "docs/man/keyplan.1 is stale: run `build/keyplan help --man > docs/man/keyplan.1`";
}

TEST(CliPaperCuts, VersionNamesTheGitRevision) {
  auto r = run_keyplan("--version");
  EXPECT_EQ(r.code, 0) << show(r);
  EXPECT_EQ(r.out.rfind("keyplan 0.1 (revision ", 0), 0u) << show(r);
  if (fs::exists(source_root() / ".git")) {
    auto head = keyplan::testing_support::run_command("git -C " + quote(source_root().string()) +
                                                      " rev-parse --short=7 HEAD");
    ASSERT_EQ(head.code, 0);
    EXPECT_NE(r.out.find(head.out.substr(0, 7)), std::string::npos) << show(r);
  }
}

TEST(CliPaperCuts, VersionFromATarballReadsTheRevisionFile) {
  // cmake/revision.cmake without .git: the REVISION file, else "unknown".
  Scratch s;
  auto run = [&] {
    return keyplan::testing_support::run_command(
        "cmake -DSRC=" + quote(s.dir.string()) + " -DOUT=" + quote((s.dir / "rev.cpp").string()) +
        " -P " + quote((source_root() / "cmake/revision.cmake").string()));
  };
  ASSERT_EQ(run().code, 0);
  EXPECT_NE(read(s.dir / "rev.cpp").find("\"unknown\""), std::string::npos);
  s.write("REVISION", "v0.1-42-gabcdef012345\n");
  ASSERT_EQ(run().code, 0);
  EXPECT_NE(read(s.dir / "rev.cpp").find("\"v0.1-42-gabcdef012345\""), std::string::npos);
}

} // namespace
