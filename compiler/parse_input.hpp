// The parser's input checks and syntax messages, before and beside the
// ANTLR parse proper (compiler/parse.cpp builds the AST): byte/code-point
// positions of tokens, the syntax error listener, the token scan that bounds
// nesting and reports bad characters and escapes, and the UTF-8 check.
#pragma once

#include "KeyplanLexer.h"
#include "KeyplanParser.h"
#include "compiler/diagnostics.hpp"
#include "compiler/parse.hpp"

#include <fmt/format.h>
#include <string>
#include <vector>

namespace keyplan::parse_input {

// ANTLR counts positions in code points; spans keep byte offsets too, for
// slicing the text, and code-point columns, for carets.
struct Positions {
  std::vector<uint32_t> cp_to_byte;
  explicit Positions(const std::string& text) {
    for (uint32_t i = 0; i < text.size(); ++i)
      if ((static_cast<unsigned char>(text[i]) & 0xC0) != 0x80) cp_to_byte.push_back(i);
    cp_to_byte.push_back(static_cast<uint32_t>(text.size()));
  }
  uint32_t byte(size_t cp) const {
    return cp < cp_to_byte.size() ? cp_to_byte[cp] : cp_to_byte.back();
  }
};

inline Span token_span(int file, const Positions& pos, antlr4::Token* t) {
  Span s;
  if (!t) return s;
  s.file = file;
  s.line = static_cast<uint32_t>(t->getLine());
  s.col = static_cast<uint32_t>(t->getCharPositionInLine()) + 1;
  size_t start = t->getStartIndex(), stop = t->getStopIndex();
  if (t->getType() == antlr4::Token::EOF || stop + 1 < start + 1) stop = start - 1;
  s.begin = pos.byte(start);
  s.end = pos.byte(stop + 1);
  // Tokens never span lines except block comments; good enough for carets.
  s.end_line = s.line;
  s.end_col = s.col + static_cast<uint32_t>(stop + 1 - start);
  return s;
}

class ErrorListener : public antlr4::BaseErrorListener {
public:
  ErrorListener(int file, const Positions& pos, Diagnostics& d)
      : file_(file), pos_(pos), diags_(d) {}

  void syntaxError(antlr4::Recognizer*, antlr4::Token* offending, size_t line, size_t col,
                   const std::string& msg, std::exception_ptr) override {
    ++count;
    // A bad character was already reported by the lexer scan.
    if (offending && offending->getType() == parser::KeyplanLexer::ERROR_CHAR) return;
    // An unterminated string was reported too; what follows in its
    // declaration only repeats it.
    if (offending && offending->getType() == parser::KeyplanLexer::UNTERMINATED_STRING) {
      reported_decl_ = decl_start(static_cast<uint32_t>(offending->getLine()));
      return;
    }
    Span s;
    if (offending)
      s = token_span(file_, pos_, offending);
    else {
      s.file = file_;
      s.line = static_cast<uint32_t>(line);
      s.col = static_cast<uint32_t>(col) + 1;
      s.end_line = s.line;
      s.end_col = s.col + 1;
    }
    // One syntax error per declaration: ANTLR's recovery reports follow-on
    // errors that only repeat the first one.
    uint32_t decl = decl_start(s.line);
    if (reported_decl_ && *reported_decl_ == decl) return;
    // A bad character was reported by the scan: the rest of its declaration
    // would only produce a false second error.
    if (bad_decls.count(decl)) return;
    // Nor an "unexpected end of file" that recovery from it runs into.
    if (!bad_decls.empty() && offending && offending->getType() == antlr4::Token::EOF) return;
    reported_decl_ = decl;
    std::string message = msg, hint;
    auto at = msg.find(" expecting ");
    if (at != std::string::npos) {
      message = msg.substr(0, at);
      hint = "expected " + readable_expected(msg.substr(at + 11));
    }
    if (offending && offending->getType() == antlr4::Token::EOF)
      message = "unexpected end of file";
    else if (message.rfind("mismatched input ", 0) == 0 ||
             message.rfind("extraneous input ", 0) == 0)
      message = "unexpected " + message.substr(message.find("input ") + 6);
    else if (message.rfind("no viable alternative at input ", 0) == 0 && offending)
      message = fmt::format("unexpected '{}'", offending->getText());
    diags_.error(s, "syntax error: " + message, hint);
    if (offending && offending->getType() == antlr4::Token::EOF)
      for (const Span& open : unclosed) diags_.note(open, "this bracket is never closed");
  }
  int count = 0;
  std::vector<uint32_t> decl_lines; // lines where a top-level declaration starts
  std::vector<Span> unclosed;       // opening brackets without a partner
  std::set<uint32_t> bad_decls;     // declarations holding a bad character

  uint32_t decl_start(uint32_t line) const {
    uint32_t best = 0;
    for (uint32_t l : decl_lines)
      if (l <= line) best = l;
    return best;
  }

  // ANTLR's token names, as a consultant would say them.
  static std::string readable_expected(std::string s) {
    bool set = s.size() >= 2 && s.front() == '{' && s.back() == '}';
    if (set) s = s.substr(1, s.size() - 2);
    std::vector<std::string> items;
    for (size_t start = 0; start <= s.size();) {
      size_t comma = s.find(", ", start);
      std::string item =
          s.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
      static const std::map<std::string, std::string> names = {
          {"<EOF>", "end of file"}, {"ID", "a name"},       {"INT", "a number"},
          {"STRING", "a string"},   {"DATE", "a date"},     {"PARENT", "'parent'"},
          {"RULE", "'rule'"},       {"ACTION", "'action'"}, {"NOT", "'not'"}};
      // The report words are soft keywords: where a name may stand, they are
      // names too, and listing them would only lengthen the message.
      static const std::set<std::string> report_words = {"'report'", "'table'",   "'rows'",
                                                         "'column'", "'columns'", "'note'"};
      auto it = names.find(item);
      if (!(report_words.count(item) && s.find("ID") != std::string::npos))
        items.push_back(it == names.end() ? item : it->second);
      if (comma == std::string::npos) break;
      start = comma + 2;
    }
    std::string out;
    for (size_t i = 0; i < items.size(); ++i) out += (i ? ", " : "") + items[i];
    return set ? "one of " + out : out;
  }

private:
  int file_;
  const Positions& pos_;
  Diagnostics& diags_;
  std::optional<uint32_t> reported_decl_;
};

// Reports bad characters, unterminated strings and comments and unknown
// escapes, and bounds bracket and prefix-operator nesting before the
// recursive-descent parser sees the input. False when parsing cannot go on.
bool scan_tokens(antlr4::CommonTokenStream& tokens, int file, const Positions& pos,
                 Diagnostics& diags);

// The byte offset of the first invalid UTF-8 sequence, or npos. ANTLR's
// input stream throws on invalid UTF-8, so it is rejected before.
size_t invalid_utf8(const std::string& t);

} // namespace keyplan::parse_input
