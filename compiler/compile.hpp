// The front end in one call: load a policy file (or a module such as
// std.desk_booking), resolve its imports, parse and check everything, and
// return the linked IR with every diagnostic.
#pragma once

#include "compiler/ast.hpp"
#include "compiler/diagnostics.hpp"
#include "compiler/ir.hpp"

#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace keyplan {

struct CompileOptions {
  // Extra directories searched for imported modules, after the importing
  // file's own directory. The standard library (policies/ of the source tree,
  // or $KEYPLAN_PATH) is always searched last.
  std::vector<std::string> search_path;
  // Extra source texts (name, text) checked as files of the root module,
  // after it: `keyplan search --filter` types its expression as a rule of the
  // policy (a synthetic rule with the open parameter in scope). Diagnostics
  // point into them by name.
  std::vector<std::pair<std::string, std::string>> extra_files;
};

struct CompileResult {
  std::shared_ptr<SourceManager> sources = std::make_shared<SourceManager>();
  Diagnostics diags;
  std::vector<ast::File> files;     // every file parsed, root last
  std::optional<ir::Policy> policy; // present when there are no errors
};

// `target` is a path to a .kp file or a module name (std.desk_booking).
CompileResult compile_policy(const std::string& target, const CompileOptions& options = {});
// Compiles source text given in memory (tests, fuzzing); imports are resolved
// as for a file in the current directory.
CompileResult compile_source(const std::string& path, const std::string& text,
                             const CompileOptions& options = {});

// Where the standard library lives: $KEYPLAN_PATH when set, else the source
// tree's policies/ directory.
std::vector<std::string> standard_search_path();

} // namespace keyplan
