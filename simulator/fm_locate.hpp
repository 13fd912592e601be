// Where an instance was written: its declaration in the policy, or the last
// tenant data file that gave (or edited) it, so that FM checks can point at
// the user or profile they are about.
#pragma once

#include "compiler/ir.hpp"
#include "compiler/source.hpp"

#include <map>
#include <string>
#include <utility>
#include <vector>

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
  // Whether `id` of type `type` was found in a data file (else find() gives
  // the policy's declaration).
  bool in_data(const ir::Policy& policy, int32_t type, const std::string& id) const {
    return data_.count({policy.entities[static_cast<size_t>(type)].name, id}) > 0;
  }
  // Whether the instance silences check `check`: `_allow` in its data (the
  // last file that gives it one) or `@allow` on its policy declaration.
  bool allows(const ir::Policy& policy, int32_t type, int32_t row, const std::string& id,
              const std::string& check) const;
  // One data document (a map of entity type names to lists), e.g. a
  // scenario's embedded `data:`, registered as `file`.
  void add_document(const YAML::Node& root, int file);

private:
  std::map<std::pair<std::string, std::string>, Span> data_; // (type name, id) -> span
  std::map<std::pair<std::string, std::string>, std::vector<std::string>> allow_;
};

} // namespace keyplan::sim
