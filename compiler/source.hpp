// Source files and spans: every diagnostic and every explanation points back
// into the text through these.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace keyplan {

// A half-open range of one source file; lines and columns are 1-based.
struct Span {
  int file = -1;
  uint32_t line = 0, col = 0;
  uint32_t end_line = 0, end_col = 0; // end_col is one past the last character
  uint32_t begin = 0, end = 0;        // byte offsets
  bool valid() const { return file >= 0; }
};

// Merges two spans of the same file into the smallest span covering both.
Span cover(const Span& a, const Span& b);

struct SourceFile {
  std::string path;
  std::string text;
  std::vector<uint32_t> line_starts;
  std::string_view line(uint32_t n) const; // 1-based, without the newline
};

class SourceManager {
public:
  int add(std::string path, std::string text);
  const SourceFile& file(int id) const { return files_.at(static_cast<size_t>(id)); }
  int count() const { return static_cast<int>(files_.size()); }
  std::string_view text(const Span& s) const;

private:
  std::vector<SourceFile> files_;
};

} // namespace keyplan
