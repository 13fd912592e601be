#include "runtime/data_chunks.hpp"

#include <algorithm>
#include <cstring>

namespace keyplan::rt {

bool may_use_anchors(const std::string& text) {
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c != '&' && c != '*') continue;
    char before = i == 0 ? '\n' : text[i - 1];
    char after = i + 1 < text.size() ? text[i + 1] : '\n';
    bool token_start = std::strchr(" \t\r\n[{,:-?", before) != nullptr;
    bool name_follows = std::strchr(" \t\r\n,]}", after) == nullptr;
    if (token_start && name_follows) return true;
  }
  return false;
}

bool split_chunks(const std::string& text, std::vector<Chunk>& out,
                  std::vector<std::string>& headers) {
  std::string header, indent;
  size_t header_pos = 0, header_line = 0;
  bool header_has_items = true;
  size_t chunk_start = std::string::npos, chunk_line = 0, count = 0;
  auto flush = [&](size_t end) {
    if (chunk_start == std::string::npos) return;
    Chunk c;
    c.text = header + text.substr(chunk_start, end - chunk_start);
    c.shift.line = static_cast<int64_t>(chunk_line) - 1;
    c.shift.pos = static_cast<int64_t>(chunk_start) - static_cast<int64_t>(header.size());
    out.push_back(std::move(c));
    chunk_start = std::string::npos;
  };
  // A type without items (`Type:` then the next type) is a chunk of its own,
  // so that an unknown type name is reported as in a whole parse.
  auto flush_empty_header = [&] {
    if (header_has_items) return;
    Chunk c;
    c.text = header;
    c.shift.line = static_cast<int64_t>(header_line);
    c.shift.pos = static_cast<int64_t>(header_pos);
    out.push_back(std::move(c));
  };
  size_t line = 0;
  for (size_t pos = 0; pos < text.size(); ++line) {
    size_t nl = text.find('\n', pos);
    size_t end = nl == std::string::npos ? text.size() : nl + 1;
    std::string_view l(text.data() + pos, end - pos);
    size_t first = l.find_first_not_of(" \t\r\n");
    bool blank = first == std::string_view::npos || l[first] == '#';
    if (blank) {
      // belongs to the current chunk, if any
    } else if (first == 0) {
      size_t colon = l.find(':');
      if (colon == std::string_view::npos || colon == 0 ||
          l.substr(colon + 1).find_first_not_of(" \t\r\n") != std::string_view::npos)
        return false;
      for (size_t i = 0; i < colon; ++i)
        if (!(std::isalnum(static_cast<unsigned char>(l[i])) || l[i] == '_')) return false;
      std::string name(l.substr(0, colon));
      // A type given twice is a duplicate key: the whole parse reports it.
      if (std::find(headers.begin(), headers.end(), name) != headers.end()) return false;
      headers.push_back(name);
      flush(pos);
      flush_empty_header();
      header = name + ":\n";
      header_pos = pos;
      header_line = line;
      header_has_items = false;
      indent.clear();
    } else {
      if (header.empty()) return false;
      bool item = l.substr(first, 2) == "- " || l.substr(first) == "-\n";
      if (item && indent.empty()) indent = std::string(l.substr(0, first));
      if (item && l.substr(0, first) == indent) {
        if (chunk_start == std::string::npos || count == kItemsPerChunk) {
          flush(pos);
          chunk_start = pos;
          chunk_line = line;
          count = 0;
        }
        header_has_items = true;
        ++count;
      } else if (chunk_start == std::string::npos) {
        return false;
      }
    }
    pos = end;
  }
  flush(text.size());
  flush_empty_header();
  return true;
}

} // namespace keyplan::rt
