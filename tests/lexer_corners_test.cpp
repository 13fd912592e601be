// Lexical corners of the policy language: each bad input is an error with
// its position (never a crash, never silently accepted), and odd but valid
// input (CR-only line endings) gets the same positions as usual.
#include "compiler/compile.hpp"
#include "compiler/format.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <string>

using namespace keyplan;

namespace {

// The rendered diagnostics of a source that must not compile.
std::string errors_of(const std::string& src) {
  CompileResult r = compile_source("lex.kp", src);
  EXPECT_FALSE(r.policy) << "expected an error in:\n" << src;
  return r.diags.render_text(*r.sources);
}

bool has(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

// The string constant that action `a`'s body compares with.
std::string string_of(const std::string& literal) {
  CompileResult r = compile_source("lex.kp", "setting s: string = " + literal + "\n");
  EXPECT_TRUE(r.policy) << r.diags.render_text(*r.sources);
  if (!r.policy) return {};
  return r.policy->settings[static_cast<size_t>(r.policy->find_setting("s"))].value.str;
}

} // namespace

TEST(LexerCorners, UnknownEscapeInAStringIsAnError) {
  std::string text = errors_of("setting s: string = \"ab\\qc\"\n");
  EXPECT_TRUE(has(text, "lex.kp:1:24: error: unknown escape '\\q' in a string")) << text;
  EXPECT_TRUE(has(text, "                         ^~")) << text;
  EXPECT_TRUE(has(text, "the escapes are \\\" \\\\ \\n \\t")) << text;
  // Also in annotations and invariant names, and for a non-ASCII character.
  EXPECT_TRUE(has(errors_of("invariant \"x\\y\": true\n"), "unknown escape '\\y'"));
  EXPECT_TRUE(has(errors_of("setting s: string = \"\\é\"\n"), "unknown escape '\\é'"));
  EXPECT_TRUE(has(errors_of("@implements(\"D\\1\")\naction a() = true\n"), "unknown escape '\\1'"));
}

TEST(LexerCorners, KnownEscapesKeepTheirMeaning) {
  EXPECT_EQ(string_of("\"q\\\"\\\\\\n\\t\""), "q\"\\\n\t");
  EXPECT_EQ(string_of("\"\\\\q\""), "\\q"); // an escaped backslash, then q
}

TEST(LexerCorners, NulByteInSourceIsAnError) {
  std::string src = "action a() = true\naction b() = tr";
  src += '\0';
  src += "ue\n";
  std::string text = errors_of(src);
  EXPECT_TRUE(has(text, "lex.kp:2:16: error: the file contains a NUL byte")) << text;
  // The excerpt shows the NUL as a visible symbol, not as a raw byte.
  EXPECT_FALSE(has(text, std::string(1, '\0'))) << text;
  EXPECT_TRUE(has(text, "tr\u2400ue")) << text;
  // Inside a string literal too.
  std::string in_string = "setting s: string = \"a";
  in_string += '\0';
  in_string += "\"\n";
  EXPECT_TRUE(has(errors_of(in_string), "NUL byte"));
}

TEST(LexerCorners, CrOnlyLineEndingsGiveTheRightLineNumbers) {
  // Line 3 holds the mistake, whatever the line endings.
  for (std::string eol : {"\n", "\r\n", "\r"}) {
    std::string src = "action a() = true" + eol + eol + "action b() = unknown_name" + eol;
    std::string text = errors_of(src);
    EXPECT_TRUE(has(text, "lex.kp:3:14: error: unknown name 'unknown_name'")) << text;
    EXPECT_TRUE(has(text, "  action b() = unknown_name\n"
                          "               ^~~~~~~~~~~~"))
        << text;
  }
  // And a syntax error (reported by the lexer's positions) as well.
  std::string text = errors_of("action a() = true\r\raction b( = true\r");
  EXPECT_TRUE(has(text, "lex.kp:3:")) << text;
}

TEST(LexerCorners, FormattingKeepsTheBlankLinesOfCrOnlyFiles) {
  for (std::string eol : {"\n", "\r\n", "\r"}) {
    std::string src = "action a() = true" + eol + eol + "// note" + eol + "action b() = true" + eol;
    CompileResult r = compile_source("lex.kp", src);
    ASSERT_TRUE(r.policy) << r.diags.render_text(*r.sources);
    EXPECT_EQ(format_file(r.files.back(), *r.sources),
              "action a() = true\n\n// note\naction b() = true\n");
  }
}

TEST(LexerCorners, UnterminatedBlockCommentIsReportedWhereItOpens) {
  std::string text = errors_of("action a() = true\n"
                               "  /* never closed\n"
                               "action b() = true\n");
  EXPECT_TRUE(has(text, "lex.kp:2:3: error: unterminated comment")) << text;
  EXPECT_TRUE(has(text, "expected '*/' to close the comment opened here")) << text;
  EXPECT_EQ(CompileResult(compile_source("lex.kp", "action a() = 1 /*x*/ == 1 // /*\n"))
                .policy.has_value(),
            true);
  // Right after an operand too, where `/` would otherwise be division.
  EXPECT_TRUE(has(errors_of("rule r(): int = 4/*2\n"), "lex.kp:1:18: error: unterminated comment"));
}

TEST(LexerCorners, DateOutsideTheSupportedRangeIsAnError) {
  std::string text = errors_of("setting d: date = 0000-12-31\n");
  EXPECT_TRUE(has(text, "lex.kp:1:19: error: '0000-12-31' is outside the supported dates")) << text;
  EXPECT_TRUE(has(text, "dates range from 0001-01-01 to 9999-12-31")) << text;
  EXPECT_TRUE(has(text, "^~~~~~~~~~")) << text;
  text = errors_of("action a(d: date) = d < 2026-02-30\n");
  EXPECT_TRUE(has(text, "lex.kp:1:25: error: '2026-02-30' is not a calendar date")) << text;
  EXPECT_TRUE(has(errors_of("action a(d: date) = d < 2025-02-29\n"), "not a calendar date"));
  // The ends of the range are fine.
  CompileResult ok = compile_source("lex.kp", "setting lo: date = 0001-01-01\n"
                                              "setting hi: date = 9999-12-31\n"
                                              "action a(d: date) = d >= lo and d <= hi\n");
  EXPECT_TRUE(ok.policy) << ok.diags.render_text(*ok.sources);
  int64_t days = 0;
  EXPECT_FALSE(ir::parse_date("0000-01-01", days));
  EXPECT_TRUE(ir::parse_date("0001-01-01", days));
  EXPECT_EQ(ir::format_date(days), "0001-01-01");
}

TEST(LexerCorners, ManyUnterminatedCommentsAndStringsLexInLinearTime) {
  // Each `/*` (and each `"` of a line) used to rescan the rest of the input:
  // 90 KB took 45 s. Now the unterminated rest is one token.
  auto seconds = [](const std::string& src, const std::string& expected) {
    auto start = std::chrono::steady_clock::now();
    CompileResult r = compile_source("lex.kp", src);
    EXPECT_FALSE(r.policy);
    EXPECT_TRUE(has(r.diags.render_text(*r.sources), expected)) << expected;
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  };
  std::string comments = "action a() = true\n", quotes = comments;
  for (int i = 0; i < 200000; ++i) comments += "/* ", quotes += "\"\\";
  EXPECT_LT(seconds(comments, "lex.kp:2:1: error: unterminated comment"), 20.0);
  EXPECT_LT(seconds(quotes, "lex.kp:2:1: error: unterminated string literal"), 20.0);
}

TEST(LexerCorners, DiagnosticsOnAHugeLineShowAWindowInLinearSize) {
  // 100,000 bad characters on one line: each error used to print the whole
  // line, 20 GB in all (bad_alloc). Now a window of the line around each.
  std::string src = "rule r() = ";
  // (`€`: not a letter, so not a name character under Unicode XID, as `é` now is.)
  for (int i = 0; i < 20000; ++i) src += "€";
  CompileResult r = compile_source("lex.kp", src + "\n");
  ASSERT_FALSE(r.policy);
  std::string text = r.diags.render_text(*r.sources);
  EXPECT_EQ(r.diags.error_count(), 20000);
  EXPECT_LT(text.size(), 20000u * 1000u);
  // The caret still points at the character, with the cut marked.
  std::string line = "rule r(): int = ";
  for (int i = 0; i < 300; ++i) line += "1 + ";
  line += "zz + 1\n";
  CompileResult w = compile_source("lex.kp", line);
  std::string shown = w.diags.render_text(*w.sources);
  // 160 characters shown: the line's last ones here, "zz + 1" among them.
  std::string tail = line.substr(line.size() - 1 - 160, 160);
  EXPECT_TRUE(has(shown, "lex.kp:1:1217: error: unknown name 'zz'\n  …" + tail + "\n" +
                             std::string(2 + 1 + 160 - 6, ' ') + "^~\n"))
      << shown;
}
