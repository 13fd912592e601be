// LSP positions are (line, character) with 0-based lines and characters
// counted in UTF-16 code units; keyplan spans carry byte offsets. A LineIndex
// converts between the two for one text.
#pragma once

#include "compiler/source.hpp"

#include <nlohmann/json.hpp>

#include <string>
#include <string_view>
#include <vector>

namespace keyplan::lsp {

class LineIndex {
public:
  explicit LineIndex(std::string_view text);
  nlohmann::json position(uint32_t offset) const; // {"line", "character"}
  // The byte offset of an LSP position, clamped into the text.
  uint32_t offset(int line, int character) const;
  uint32_t offset(const nlohmann::json& position) const;
  nlohmann::json range(uint32_t begin, uint32_t end) const;

private:
  std::string_view text_;
  std::vector<uint32_t> starts_;
};

// An LSP range for a span of `sm` (its file's text); a span without a file
// becomes the start of the document.
nlohmann::json span_range(const SourceManager& sm, const Span& s);

} // namespace keyplan::lsp
