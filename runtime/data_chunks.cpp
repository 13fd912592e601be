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

// No instance of the plain shape is shorter than 8 bytes (`- {id: a}`), so
// a count above a key's bytes / 8 is capped there: a hostile file of `-`
// lines does not make the loader reserve more than its own size in rows.
std::vector<std::pair<std::string_view, size_t>> count_block_items(std::string_view text) {
  std::vector<std::pair<std::string_view, size_t>> out;
  size_t indent = std::string_view::npos; // of the current key's items
  size_t key_pos = 0;
  auto cap = [&](size_t end) {
    if (!out.empty()) out.back().second = std::min(out.back().second, (end - key_pos) / 8);
  };
  for (size_t pos = 0; pos < text.size();) {
    const char* nl =
        static_cast<const char*>(std::memchr(text.data() + pos, '\n', text.size() - pos));
    size_t end = nl ? static_cast<size_t>(nl - text.data()) + 1 : text.size();
    std::string_view l = text.substr(pos, end - pos);
    size_t first = l.find_first_not_of(' ');
    if (first == std::string_view::npos || l[first] == '#' || l[first] == '\r' ||
        l[first] == '\n') {
      pos = end;
      continue;
    }
    if (first == 0 && l[0] != '-') { // a top-level key
      cap(pos);
      size_t colon = l.find(':');
      out.emplace_back(l.substr(0, colon == std::string_view::npos ? 0 : colon), 0);
      indent = std::string_view::npos;
      key_pos = pos;
      pos = end;
      continue;
    }
    pos = end;
    bool item = l[first] == '-' && (first + 1 == l.size() || l[first + 1] == ' ' ||
                                    l[first + 1] == '\n' || l[first + 1] == '\r');
    if (!item || out.empty()) continue;
    if (indent == std::string_view::npos) indent = first;
    if (first == indent) ++out.back().second;
  }
  cap(text.size());
  return out;
}

} // namespace keyplan::rt
