// Semantic analysis: a set of parsed files (imports first, the root last)
// becomes one checked, typed, linked ir::Policy, or diagnostics.
#pragma once

#include "compiler/ast.hpp"
#include "compiler/diagnostics.hpp"
#include "compiler/ir.hpp"

#include <memory>
#include <optional>
#include <vector>

namespace keyplan {

struct SemaInput {
  const ast::File* file;
  std::string module_name; // "std.desk_booking", or the root file's path
  std::string path;
};

std::optional<ir::Policy> analyze(const std::vector<SemaInput>& files,
                                  std::shared_ptr<SourceManager> sources, Diagnostics& diags);

} // namespace keyplan
