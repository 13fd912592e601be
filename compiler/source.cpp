#include "compiler/source.hpp"

#include <algorithm>

namespace keyplan {

Span cover(const Span& a, const Span& b) {
  if (!a.valid()) return b;
  if (!b.valid() || a.file != b.file) return a;
  Span s = a;
  if (b.begin < a.begin) {
    s.begin = b.begin;
    s.line = b.line;
    s.col = b.col;
  }
  if (b.end > a.end) {
    s.end = b.end;
    s.end_line = b.end_line;
    s.end_col = b.end_col;
  }
  return s;
}

std::string_view SourceFile::line(uint32_t n) const {
  if (n == 0 || n > line_starts.size()) return {};
  size_t b = line_starts[n - 1];
  size_t e = n < line_starts.size() ? line_starts[n] : text.size();
  std::string_view v(text.data() + b, e - b);
  while (!v.empty() && (v.back() == '\n' || v.back() == '\r')) v.remove_suffix(1);
  return v;
}

int SourceManager::add(std::string path, std::string text) {
  SourceFile f;
  f.path = std::move(path);
  f.text = std::move(text);
  f.line_starts.push_back(0);
  // LF, CRLF and a lone CR each end a line.
  for (uint32_t i = 0; i < f.text.size(); ++i)
    if (f.text[i] == '\n' ||
        (f.text[i] == '\r' && (i + 1 == f.text.size() || f.text[i + 1] != '\n')))
      f.line_starts.push_back(i + 1);
  files_.push_back(std::move(f));
  return static_cast<int>(files_.size()) - 1;
}

std::string_view SourceManager::text(const Span& s) const {
  if (!s.valid()) return {};
  const auto& f = file(s.file);
  uint32_t b = std::min<uint32_t>(s.begin, f.text.size());
  uint32_t e = std::min<uint32_t>(std::max(s.end, b), f.text.size());
  return std::string_view(f.text).substr(b, e - b);
}

} // namespace keyplan
