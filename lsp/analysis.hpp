// One check of an open document: the front end (compile_source, as `keyplan
// check` runs it: imports from the file's directory, --path, KEYPLAN_PATH and
// policies/std), the policy's own checks on its instances, and the symbol
// index of every file it reached. Immutable once built; the server keeps the
// latest one per document.
#pragma once

#include "compiler/compile.hpp"
#include "lsp/parse_cache.hpp"
#include "lsp/symbol_index.hpp"

#include <memory>
#include <string>
#include <vector>

namespace keyplan::lsp {

struct Analysis {
  CompileResult result;
  Diagnostics findings; // the policy's `check` declarations on its instances
  SymbolIndex index;
  int root_file = 0; // the document's file id in result.sources
  bool root_parsed = false;

  const SourceManager& sources() const { return *result.sources; }
  // The file id of `path` among the files checked, or -1.
  int file_of(const std::string& path) const;
  const ast::File* ast_of(int file) const;
};

// `cache` (optional) keeps the trees of the imported modules between checks.
std::shared_ptr<const Analysis> analyze_document(const std::string& path, const std::string& text,
                                                 const std::vector<std::string>& search_path,
                                                 ParseCache* cache = nullptr);

// The /// lines directly above line `line` (1-based) of `text`, annotation
// lines skipped, joined with newlines.
std::string doc_above(std::string_view text, uint32_t line);

// Whether `path` is a std module (<dir>/std/... of a standard search path
// directory): read-only for rename.
bool in_standard_library(const std::string& path);

} // namespace keyplan::lsp
