// A way for a long-lived caller (the language server) to parse files through
// its own cache while compile_policy/compile_source run on this thread: the
// modules a document imports do not change between its keystrokes
// (lsp/parse_cache.hpp). Without a hook, files are parsed with parse_file.
#pragma once

#include "compiler/ast.hpp"
#include "compiler/diagnostics.hpp"

#include <functional>
#include <optional>

namespace keyplan {

using ParseHook = std::function<std::optional<ast::File>(const SourceManager&, int, Diagnostics&)>;

// Installs `hook` for this thread while alive (the previous one after).
class ScopedParseHook {
public:
  explicit ScopedParseHook(ParseHook hook);
  ~ScopedParseHook();
  ScopedParseHook(const ScopedParseHook&) = delete;
  ScopedParseHook& operator=(const ScopedParseHook&) = delete;

  // The hook of this thread, or null.
  static const ParseHook* current();

private:
  ParseHook hook_;
  const ParseHook* previous_;
};

} // namespace keyplan
