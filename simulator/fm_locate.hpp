// Where an instance was written: its declaration in the policy, or the last
// tenant data file that gave (or edited) it, so that FM checks can point at
// the user or profile they are about.
#pragma once

#include "compiler/ir.hpp"
#include "compiler/source.hpp"

#include <map>
#include <string>
#include <utility>

namespace YAML {
class Node;
}

namespace keyplan::sim {

class InstanceLocator {
public:
  // Records the `id` of every instance of a data file (YAML, the format of
  // runtime/data_loader.hpp) registered as `file` in `sources`; later files
  // win, as their edits do.
  void add_data_file(const SourceManager& sources, int file);
  // The span of `id` of entity type `type`: the data file's, else the
  // policy's declaration (rows below the declared count), else invalid.
  Span find(const ir::Policy& policy, int32_t type, int32_t row, const std::string& id) const;

private:
  void add_document(const YAML::Node& root, int file);
  std::map<std::pair<std::string, std::string>, Span> data_; // (type name, id) -> span
};

} // namespace keyplan::sim
