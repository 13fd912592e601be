// The syntax trees of imported modules, kept between checks: a keystroke in
// a document re-parses the document, not std.desk_booking. A module is
// parsed again when its text changes; a tree handed out is a copy with its
// spans stamped with the file id of the check that asked.
#pragma once

#include "compiler/ast.hpp"
#include "compiler/diagnostics.hpp"

#include <map>
#include <memory>
#include <optional>
#include <string>

namespace keyplan::lsp {

class ParseCache {
public:
  // parse_file with the cache, for every file but `uncached` (the document
  // being edited, which changes at every keystroke).
  std::optional<ast::File> parse(const SourceManager& sm, int id, Diagnostics& diags,
                                 int uncached = 0);
  size_t size() const { return trees_.size(); }

private:
  struct Entry {
    std::string text;
    std::shared_ptr<const ast::File> tree;
  };
  std::map<std::string, Entry> trees_; // by path
};

// A deep copy of `f` with every span's file set to `file_id`.
ast::File clone_file(const ast::File& f, int file_id);

} // namespace keyplan::lsp
