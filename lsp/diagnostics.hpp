// The checker's diagnostics as LSP Diagnostic objects, grouped by file: the
// same messages and hints as `keyplan check` (the hint on its own line, and
// in `data.hint`; a did-you-mean also in `data.replacement` for the code
// action), notes as related information.
#pragma once

#include "lsp/analysis.hpp"

#include <map>
#include <nlohmann/json.hpp>
#include <string>

namespace keyplan::lsp {

// Path -> array of Diagnostic. Diagnostics without a position go to `root_path`.
std::map<std::string, nlohmann::json> lsp_diagnostics(const Analysis& a,
                                                      const std::string& root_path);

// The name a did-you-mean hint proposes ("did you mean 'x'?" -> x), or "".
std::string suggested_name(const std::string& hint);

} // namespace keyplan::lsp
