// Parsing: .kp text to the AST, with syntax errors as diagnostics.
#pragma once

#include "compiler/ast.hpp"
#include "compiler/diagnostics.hpp"

#include <optional>

namespace keyplan {

// Expressions nest at most this deep; deeper input gets a clear error
// instead of exhausting the stack.
constexpr int kMaxNesting = 200;

// Parses file `file_id` of `sm`. Returns nothing when the file has syntax
// errors (all of them reported to `diags`).
std::optional<ast::File> parse_file(const SourceManager& sm, int file_id, Diagnostics& diags);

} // namespace keyplan
