#include "lsp/position.hpp"

#include <algorithm>

namespace keyplan::lsp {

LineIndex::LineIndex(std::string_view text) : text_(text) {
  starts_.push_back(0);
  for (uint32_t i = 0; i < text.size(); ++i)
    if (text[i] == '\n') starts_.push_back(i + 1);
}

static int utf16_units(unsigned char lead) {
  return lead >= 0xF0 ? 2 : 1; // a 4-byte sequence is a surrogate pair
}

nlohmann::json LineIndex::position(uint32_t offset) const {
  offset = std::min<uint32_t>(offset, static_cast<uint32_t>(text_.size()));
  size_t line = std::upper_bound(starts_.begin(), starts_.end(), offset) - starts_.begin() - 1;
  int character = 0;
  for (uint32_t i = starts_[line]; i < offset; ++i) {
    unsigned char c = static_cast<unsigned char>(text_[i]);
    if ((c & 0xC0) != 0x80) character += utf16_units(c);
  }
  return {{"line", line}, {"character", character}};
}

uint32_t LineIndex::offset(int line, int character) const {
  if (line < 0) return 0;
  if (static_cast<size_t>(line) >= starts_.size()) return static_cast<uint32_t>(text_.size());
  uint32_t i = starts_[static_cast<size_t>(line)];
  int units = 0;
  while (i < text_.size() && text_[i] != '\n' && units < character) {
    unsigned char c = static_cast<unsigned char>(text_[i]);
    units += utf16_units(c);
    ++i;
    while (i < text_.size() && (static_cast<unsigned char>(text_[i]) & 0xC0) == 0x80) ++i;
  }
  return i;
}

uint32_t LineIndex::offset(const nlohmann::json& p) const {
  if (!p.is_object()) return 0;
  return offset(p.value("line", 0), p.value("character", 0));
}

nlohmann::json LineIndex::range(uint32_t begin, uint32_t end) const {
  return {{"start", position(begin)}, {"end", position(std::max(begin, end))}};
}

nlohmann::json span_range(const SourceManager& sm, const Span& s) {
  if (!s.valid()) return LineIndex("").range(0, 0);
  LineIndex index(sm.file(s.file).text);
  return index.range(s.begin, s.end);
}

} // namespace keyplan::lsp
