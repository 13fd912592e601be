#include "simulator/text.hpp"

#include <fmt/format.h>

namespace keyplan::sim {

namespace {

constexpr std::string_view kReplacement = "\xEF\xBF\xBD"; // U+FFFD

// Decodes one code point at `s[i]`; returns its length in bytes, or 0 when
// the bytes at `i` do not start a valid sequence. `bad` is then the length of
// the maximal invalid subpart (at least 1), replaced by one U+FFFD.
size_t decode(std::string_view s, size_t i, char32_t& cp, size_t& bad) {
  auto b = [&](size_t k) { return static_cast<unsigned char>(s[i + k]); };
  unsigned char c = b(0);
  bad = 1;
  if (c < 0x80) {
    cp = c;
    return 1;
  }
  size_t len;
  unsigned char lo = 0x80, hi = 0xBF; // the range of the second byte
  if (c >= 0xC2 && c <= 0xDF) {
    len = 2, cp = c & 0x1F;
  } else if (c >= 0xE0 && c <= 0xEF) {
    len = 3, cp = c & 0x0F;
    if (c == 0xE0) lo = 0xA0; // overlong
    if (c == 0xED) hi = 0x9F; // surrogates
  } else if (c >= 0xF0 && c <= 0xF4) {
    len = 4, cp = c & 0x07;
    if (c == 0xF0) lo = 0x90; // overlong
    if (c == 0xF4) hi = 0x8F; // above U+10FFFF
  } else {
    return 0;
  }
  for (size_t k = 1; k < len; ++k) {
    if (i + k >= s.size()) return 0;
    unsigned char x = b(k);
    if (k == 1 ? (x < lo || x > hi) : (x & 0xC0) != 0x80) return 0;
    cp = (cp << 6) | (x & 0x3F);
    bad = k + 1;
  }
  return len;
}

// Walks `s` as code points (invalid sequences as U+FFFD), calling
// `emit(cp, bytes)` with the valid UTF-8 bytes of each.
template <class F> void each_code_point(std::string_view s, F emit) {
  for (size_t i = 0; i < s.size();) {
    char32_t cp = 0;
    size_t bad = 1;
    size_t n = decode(s, i, cp, bad);
    if (n == 0) {
      emit(char32_t{0xFFFD}, kReplacement);
      i += bad;
    } else {
      emit(cp, s.substr(i, n));
      i += n;
    }
  }
}

std::string escaped(char32_t cp) {
  return cp < 0x100 ? fmt::format("\\x{:02x}", static_cast<unsigned>(cp))
                    : fmt::format("\\u{:04x}", static_cast<unsigned>(cp));
}

} // namespace

std::string valid_utf8(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  each_code_point(s, [&](char32_t, std::string_view bytes) { out += bytes; });
  return out;
}

size_t display_width(const std::string& s) {
  size_t n = 0;
  for (unsigned char c : s) n += (c & 0xC0) != 0x80;
  return n;
}

std::string pad_right(const std::string& s, size_t w) {
  size_t n = display_width(s);
  return n >= w ? s : s + std::string(w - n, ' ');
}

std::string indent_lines(const std::string& text, const std::string& by) {
  std::string out;
  size_t start = 0;
  while (start < text.size()) {
    size_t nl = text.find('\n', start);
    out += by + text.substr(start, nl == std::string::npos ? std::string::npos : nl - start) + "\n";
    if (nl == std::string::npos) break;
    start = nl + 1;
  }
  return out;
}

std::string xml_escape(std::string_view s) {
  std::string o;
  o.reserve(s.size());
  each_code_point(s, [&](char32_t cp, std::string_view bytes) {
    switch (cp) {
    case '&':
      o += "&amp;";
      return;
    case '<':
      o += "&lt;";
      return;
    case '>':
      o += "&gt;";
      return;
    case '"':
      o += "&quot;";
      return;
    case '\t':
      o += "&#9;";
      return;
    case '\n':
      o += "&#10;";
      return;
    case '\r':
      o += "&#13;";
      return;
    default:
      break;
    }
    if (cp < 0x20 || cp == 0xFFFE || cp == 0xFFFF)
      o += escaped(cp);
    else
      o += bytes;
  });
  return o;
}

std::string terminal_safe(std::string_view s, bool keep_newlines) {
  std::string o;
  o.reserve(s.size());
  each_code_point(s, [&](char32_t cp, std::string_view bytes) {
    if (cp == '\n' && keep_newlines)
      o += '\n';
    else if (cp == '\n')
      o += "\\n";
    else if (cp == '\t')
      o += "\\t";
    else if (cp == '\r')
      o += "\\r";
    else if (cp == 0x1B)
      o += "\\e";
    else if (cp < 0x20 || (cp >= 0x7F && cp <= 0x9F) || (cp >= 0x202A && cp <= 0x202E) ||
             (cp >= 0x2066 && cp <= 0x2069))
      o += escaped(cp);
    else
      o += bytes;
  });
  return o;
}

} // namespace keyplan::sim
