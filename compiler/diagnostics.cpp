#include "compiler/diagnostics.hpp"

#include <algorithm>
#include <cctype>
#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <tuple>
#include <vector>

namespace keyplan {

void Diagnostics::error(const Span& s, std::string message, std::string hint) {
  items_.push_back({Severity::Error, s, std::move(message), std::move(hint), {}});
  ++errors_;
}

void Diagnostics::warning(const Span& s, std::string message, std::string hint) {
  items_.push_back({Severity::Warning, s, std::move(message), std::move(hint), {}});
  ++warnings_;
}

void Diagnostics::note(const Span& s, std::string message) {
  if (!items_.empty()) items_.back().notes.emplace_back(s, std::move(message));
}

std::vector<Diagnostic> Diagnostics::sorted() const {
  std::vector<Diagnostic> out = items_;
  auto key = [](const Diagnostic& d) {
    return std::make_tuple(d.span.file, d.span.line, d.span.col, static_cast<int>(d.severity),
                           d.message);
  };
  std::stable_sort(out.begin(), out.end(),
                   [&](const Diagnostic& a, const Diagnostic& b) { return key(a) < key(b); });
  out.erase(std::unique(out.begin(), out.end(),
                        [&](const Diagnostic& a, const Diagnostic& b) { return key(a) == key(b); }),
            out.end());
  return out;
}

static const char* severity_name(Severity s) {
  switch (s) {
  case Severity::Error:
    return "error";
  case Severity::Warning:
    return "warning";
  case Severity::Note:
    return "note";
  }
  return "error";
}

static std::string location(const SourceManager& sm, const Span& s) {
  if (!s.valid()) return "keyplan";
  return fmt::format("{}:{}:{}", sm.file(s.file).path, s.line, s.col);
}

// The source line with a caret (and tildes) under the span, tabs kept so the
// caret lines up in a terminal. A long line shows a window around the caret
// (… marks the cut), so that many diagnostics on one huge line print in
// linear size.
// Text of a message, hint or note as printed on a terminal: it may quote
// names from data (an id with an escape sequence), so C0 controls and DEL
// are shown as their Unicode pictures and C1 controls (U+0080..U+009F, which
// some terminals obey) as \u00XX; newlines and tabs stay.
static std::string terminal_text(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    const unsigned char u = static_cast<unsigned char>(s[i]);
    if ((u < 0x20 && u != '\n' && u != '\t') || u == 0x7F) {
      const unsigned cp = u == 0x7F ? 0x2421 : 0x2400 + u;
      out += static_cast<char>(0xE0 | (cp >> 12));
      out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    } else if (u == 0xC2 && i + 1 < s.size() && static_cast<unsigned char>(s[i + 1]) >= 0x80 &&
               static_cast<unsigned char>(s[i + 1]) <= 0x9F) {
      out += fmt::format("\\u{:04x}", static_cast<unsigned char>(s[i + 1]));
      ++i;
    } else {
      out += s[i];
    }
  }
  return out;
}

static std::string excerpt(const SourceManager& sm, const Span& s) {
  if (!s.valid() || s.line == 0) return {};
  const SourceFile& f = sm.file(s.file);
  std::string_view line = f.line(s.line);
  constexpr size_t kWindow = 160, kBefore = 60;
  // Columns count code points. On a long line only the bytes around the
  // span are looked at (its byte offset is known), so each excerpt costs the
  // same however long the line is.
  size_t skipped_cps = 0; // code points of the line before `line` now starts
  if (line.size() > 4 * kWindow && s.line <= f.line_starts.size()) {
    size_t start = f.line_starts[s.line - 1];
    if (s.begin >= start && s.begin <= start + line.size()) {
      size_t at = s.begin - start, from = at > 4 * kBefore ? at - 4 * kBefore : 0;
      while (from > 0 && (static_cast<unsigned char>(line[from]) & 0xC0) == 0x80) --from;
      skipped_cps = s.col - 1; // then subtract the code points kept before the caret
      for (size_t i = from; i < at; ++i)
        skipped_cps -= (static_cast<unsigned char>(line[i]) & 0xC0) != 0x80 && skipped_cps > 0;
      line = line.substr(from, std::min(line.size() - from, at - from + 4 * kWindow));
    }
  }
  std::vector<size_t> cps; // byte offset of each code point
  for (size_t i = 0; i < line.size(); ++i)
    if ((static_cast<unsigned char>(line[i]) & 0xC0) != 0x80) cps.push_back(i);
  const size_t n = cps.size();
  bool cut_before = skipped_cps > 0,
       cut_after = line.data() + line.size() != f.line(s.line).data() + f.line(s.line).size();
  size_t col = s.col > skipped_cps ? s.col - skipped_cps : 1; // within `line`
  size_t caret = std::min<size_t>(col - 1, n);
  size_t first = 0, last = n; // the code points shown
  if (n > kWindow || cut_before || cut_after) {
    first = caret > kBefore ? caret - kBefore : 0;
    last = std::min(n, first + kWindow);
    first = last - std::min(last, kWindow);
  }
  bool windowed = first > 0 || cut_before || last < n || cut_after;
  auto at = [&](size_t cp) { return cp < n ? cps[cp] : line.size(); };
  std::string_view shown_line = line.substr(at(first), at(last) - at(first));
  std::string marker = first > 0 || cut_before ? " " : "";
  for (size_t cp = first; cp < caret; ++cp) marker += line[cps[cp]] == '\t' ? '\t' : ' ';
  uint32_t width = 1;
  if (s.end_line == s.line && s.end_col > s.col)
    width = s.end_col - s.col;
  else if (s.end_line > s.line && n >= col)
    width = static_cast<uint32_t>(n - col + 1);
  if (windowed) // the tildes stop where the window does
    width = static_cast<uint32_t>(
        std::max<size_t>(1, std::min<size_t>(width, last > caret ? last - caret : 1)));
  marker += '^';
  for (uint32_t i = 1; i < width; ++i) marker += '~';
  // Control characters (a NUL, a stray CR) are shown as their Unicode
  // pictures: one code point each, so the caret still lines up.
  std::string shown = first > 0 || cut_before ? "…" : "";
  for (char c : shown_line) {
    unsigned char u = static_cast<unsigned char>(c);
    if ((u < 0x20 && c != '\t') || u == 0x7F) {
      unsigned cp = u == 0x7F ? 0x2421 : 0x2400 + u;
      shown += static_cast<char>(0xE0 | (cp >> 12));
      shown += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
      shown += static_cast<char>(0x80 | (cp & 0x3F));
    } else {
      shown += c;
    }
  }
  if (last < n || cut_after) shown += "…";
  return fmt::format("  {}\n  {}\n", shown, marker);
}

std::string Diagnostics::render_text(const SourceManager& sm, bool color) const {
  std::string out;
  for (const auto& d : sorted()) {
    const char* sev_color = d.severity == Severity::Error ? "\033[1;31m" : "\033[1;35m";
    out += fmt::format("{}: {}{}{}: {}\n", location(sm, d.span), color ? sev_color : "",
                       severity_name(d.severity), color ? "\033[0m" : "", terminal_text(d.message));
    out += excerpt(sm, d.span);
    if (!d.hint.empty()) out += fmt::format("  = {}\n", terminal_text(d.hint));
    for (const auto& [span, text] : d.notes) {
      out += fmt::format("{}: note: {}\n", location(sm, span), terminal_text(text));
      out += excerpt(sm, span);
    }
  }
  return out;
}

std::string Diagnostics::render_json(const SourceManager& sm) const {
  auto span_json = [&](const Span& s) {
    nlohmann::json j;
    j["file"] = s.valid() ? sm.file(s.file).path : "";
    j["line"] = s.line;
    j["column"] = s.col;
    j["end_line"] = s.end_line;
    j["end_column"] = s.end_col;
    return j;
  };
  nlohmann::json arr = nlohmann::json::array();
  for (const auto& d : sorted()) {
    nlohmann::json j = span_json(d.span);
    j["severity"] = severity_name(d.severity);
    j["message"] = d.message;
    if (!d.hint.empty()) j["hint"] = d.hint;
    if (!d.notes.empty()) {
      j["notes"] = nlohmann::json::array();
      for (const auto& [span, text] : d.notes) {
        auto n = span_json(span);
        n["message"] = text;
        j["notes"].push_back(n);
      }
    }
    arr.push_back(j);
  }
  nlohmann::json root;
  root["diagnostics"] = arr;
  root["errors"] = errors_;
  root["warnings"] = warnings_;
  return root.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
}

static size_t edit_distance(const std::string& a, const std::string& b) {
  std::vector<size_t> prev(b.size() + 1), cur(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) prev[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    cur[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      size_t sub = prev[j - 1] + (std::tolower(a[i - 1]) == std::tolower(b[j - 1]) ? 0 : 1);
      cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, sub});
    }
    std::swap(prev, cur);
  }
  return prev[b.size()];
}

std::string closest_match(const std::string& word, const std::vector<std::string>& candidates) {
  // A word that starts a candidate (meeting → meeting_room) is a strong hint.
  if (word.size() >= 4)
    for (const auto& c : candidates)
      if (c.size() > word.size() && c.compare(0, word.size(), word) == 0) return c;
  std::string best;
  size_t best_d = (word.size() <= 3 ? 1 : std::max<size_t>(2, word.size() / 3)) + 1;
  for (const auto& c : candidates) {
    if (c == word) continue;
    size_t d = edit_distance(word, c);
    if (d < best_d) {
      best_d = d;
      best = c;
    }
  }
  return best;
}

std::string did_you_mean(const std::string& word, const std::vector<std::string>& candidates) {
  std::string m = closest_match(word, candidates);
  return m.empty() ? std::string{} : fmt::format("did you mean '{}'?", m);
}

} // namespace keyplan
