#include "compiler/parse_input.hpp"

namespace keyplan::parse_input {
namespace {

// A character as a message shows it: control characters by code.
std::string shown(const std::string& text) {
  if (text.size() == 1 && (static_cast<unsigned char>(text[0]) < 0x20 || text[0] == 0x7F))
    return fmt::format("U+{:04X}", static_cast<unsigned>(static_cast<unsigned char>(text[0])));
  return fmt::format("'{}'", text);
}

// The escapes a string may use: \" \\ \n \t. Reports the first other one.
bool check_escapes(antlr4::Token* t, int file, const Positions& pos, Diagnostics& diags) {
  std::string text = t->getText();
  size_t cp = 0; // code points before the backslash, within the token
  for (size_t i = 0; i + 1 < text.size(); ++i) {
    if ((static_cast<unsigned char>(text[i]) & 0xC0) == 0x80) continue;
    if (text[i] == '\\') {
      char c = text[i + 1];
      if (c != '"' && c != '\\' && c != 'n' && c != 't') {
        Span s = token_span(file, pos, t);
        s.col += static_cast<uint32_t>(cp);
        s.begin += static_cast<uint32_t>(i);
        size_t n = 1; // the escaped character, whole
        while (i + 1 + n < text.size() &&
               (static_cast<unsigned char>(text[i + 1 + n]) & 0xC0) == 0x80)
          ++n;
        s.end = s.begin + 1 + static_cast<uint32_t>(n);
        s.end_line = s.line;
        s.end_col = s.col + 2;
        std::string what = static_cast<unsigned char>(c) < 0x20 || c == 0x7F
                               ? "'\\' before " + shown(std::string(1, c))
                               : "'\\" + text.substr(i + 1, n) + "'";
        diags.error(s, fmt::format("unknown escape {} in a string", what),
                    "the escapes are \\\" \\\\ \\n \\t; write a backslash as \\\\");
        return false;
      }
      ++i, ++cp; // the escaped character
    }
    ++cp;
  }
  return true;
}

} // namespace

bool scan_tokens(antlr4::CommonTokenStream& tokens, int file, const Positions& pos,
                 Diagnostics& diags) {
  using L = parser::KeyplanLexer;
  bool ok = true;
  int depth = 0;
  // Prefix operators whose operand is still open, innermost last: each is a
  // level of nesting until the operand ends. `not` and unary `-` end at a
  // looser operator; `if`, quantifiers and `implies` run to the end of the
  // enclosing bracket or list item. A flat chain (`not a and not b ...`)
  // thus never accumulates.
  enum Kind { Neg, Not, Open };
  std::vector<std::pair<Kind, int>> pending; // kind, bracket depth
  auto close = [&](Kind loosest) {
    while (!pending.empty() && pending.back().second == depth && pending.back().first <= loosest)
      pending.pop_back();
  };
  static const std::set<std::string> binary = {
      "==", "!=", "<",  "<=",    ">",      ">=",    "+",      "*",        "/",
      "%",  "??", "in", "meets", "within", "union", "except", "intersect"};
  static const std::set<std::string> loose = {"and",  "or",  "implies", "then",
                                              "else", "for", "where",   ":"};
  static const std::set<std::string> declarations = {"rule",    "action", "invariant", "check",
                                                     "setting", "set",    "entity",    "enum",
                                                     "extend",  "alias",  "import",    "module"};
  bool after_operand = false; // the previous token ends an operand: `-` is binary
  int optional_run = 0;       // `T ? ? ?`: each `?` wraps the type once more
  const auto& all = tokens.getTokens();
  for (size_t k = 0; k < all.size(); ++k) {
    antlr4::Token* t = all[k];
    size_t type = t->getType();
    if (type == L::ERROR_CHAR) {
      std::string text = t->getText();
      if (text == "\"")
        diags.error(token_span(file, pos, t), "unterminated string literal",
                    "expected a closing '\"' on the same line");
      else
        diags.error(token_span(file, pos, t), fmt::format("unexpected character {}", shown(text)));
      ok = false;
      continue;
    }
    std::string text = t->getText();
    if (type == L::UNTERMINATED_COMMENT) {
      Span s = token_span(file, pos, t);
      s.end_line = s.line;
      s.end_col = s.col + 2;
      s.end = s.begin + 2;
      diags.error(s, "unterminated comment", "expected '*/' to close the comment opened here");
      return false;
    }
    if (type == L::UNTERMINATED_STRING) {
      Span s = token_span(file, pos, t);
      s.end_col = s.col + 1;
      s.end = s.begin + 1;
      diags.error(s, "unterminated string literal", "expected a closing '\"' on the same line");
      ok = false;
      continue;
    }
    if (type == L::STRING && !check_escapes(t, file, pos, diags)) ok = false;
    if (t->getChannel() != 0) continue;
    bool operand = false;
    if (text == "(" || text == "[" || text == "{") {
      ++depth;
    } else if (text == ")" || text == "]" || text == "}") {
      close(Open);
      depth = std::max(0, depth - 1);
      operand = true;
    } else if (text == ",") {
      close(Open);
    } else if (depth == 0 && (text == "=" || declarations.count(text))) {
      pending.clear(); // a new declaration or body
    } else if (text == "-" && after_operand) {
      close(Neg);
    } else if (text == "-") {
      pending.push_back({Neg, depth});
    } else if (text == "not") {
      pending.push_back({Not, depth});
    } else if (binary.count(text)) {
      close(Neg);
    } else if (loose.count(text)) {
      close(Not);
      if (text == "implies") pending.push_back({Open, depth});
    } else if (text == "if" || text == "any" || text == "all") {
      pending.push_back({Open, depth});
    } else {
      operand = true; // a name, literal or keyword literal
    }
    after_operand = operand;
    optional_run = text == "?" ? optional_run + 1 : 0;
    if (depth + static_cast<int>(pending.size()) + optional_run > kMaxNesting) {
      diags.error(token_span(file, pos, t),
                  fmt::format("expression nested more than {} levels deep", kMaxNesting),
                  "split it into named rules");
      return false;
    }
  }
  return ok;
}

size_t invalid_utf8(const std::string& t) {
  size_t i = 0;
  while (i < t.size()) {
    unsigned char c = static_cast<unsigned char>(t[i]);
    size_t n = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xE ? 3 : (c >> 3) == 0x1E ? 4 : 0;
    if (n == 0 || i + n > t.size()) return i;
    uint32_t cp = n == 1 ? c : n == 2 ? (c & 0x1F) : n == 3 ? (c & 0x0F) : (c & 0x07);
    for (size_t k = 1; k < n; ++k) {
      unsigned char cc = static_cast<unsigned char>(t[i + k]);
      if ((cc & 0xC0) != 0x80) return i;
      cp = (cp << 6) | (cc & 0x3F);
    }
    bool overlong = (n == 2 && cp < 0x80) || (n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000);
    if (overlong || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return i;
    i += n;
  }
  return std::string::npos;
}

} // namespace keyplan::parse_input
