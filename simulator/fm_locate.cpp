#include "simulator/fm_locate.hpp"

#include "runtime/yaml_checks.hpp"

#include <yaml-cpp/yaml.h>

namespace keyplan::sim {

void InstanceLocator::add_data_file(const SourceManager& sources, int file) {
  std::vector<YAML::Node> documents;
  try {
    documents = rt::load_all_yaml(sources.file(file).text);
  } catch (const YAML::Exception&) {
    return; // the data loader has reported it
  }
  // Every document applies in order (as the loader applies them): a later
  // document's edit of an instance is where it was last written.
  for (const YAML::Node& root : documents)
    if (root.IsMap()) add_document(root, file);
}

void InstanceLocator::add_document(const YAML::Node& root, int file) {
  for (const auto& kv : root) {
    if (!kv.second.IsSequence()) continue;
    std::string type = kv.first.Scalar();
    for (const auto& inst : kv.second) {
      if (!inst.IsMap() || !inst["id"] || !inst["id"].IsScalar()) continue;
      const YAML::Node id = inst["id"];
      YAML::Mark m = id.Mark();
      if (m.line < 0) continue;
      uint32_t len = static_cast<uint32_t>(id.Scalar().size());
      Span s;
      s.file = file;
      s.line = s.end_line = static_cast<uint32_t>(m.line) + 1;
      s.col = static_cast<uint32_t>(m.column) + 1;
      s.end_col = s.col + len;
      s.begin = static_cast<uint32_t>(m.pos);
      s.end = s.begin + len;
      data_[{type, id.Scalar()}] = s;
      if (const YAML::Node allow = inst["_allow"]; allow && allow.IsSequence()) {
        auto& list = allow_[{type, id.Scalar()}];
        list.clear();
        for (const auto& n : allow)
          if (n.IsScalar()) list.push_back(n.Scalar());
      }
    }
  }
}

Span InstanceLocator::find(const ir::Policy& policy, int32_t type, int32_t row,
                           const std::string& id) const {
  const ir::EntityType& et = policy.entities[static_cast<size_t>(type)];
  auto it = data_.find({et.name, id});
  if (it != data_.end()) return it->second;
  if (row >= 0 && static_cast<size_t>(row) < et.instances.size() &&
      et.instances[static_cast<size_t>(row)].id == id)
    return et.instances[static_cast<size_t>(row)].span;
  return Span{};
}

bool InstanceLocator::allows(const ir::Policy& policy, int32_t type, int32_t row,
                             const std::string& id, const std::string& check) const {
  const ir::EntityType& et = policy.entities[static_cast<size_t>(type)];
  if (auto it = allow_.find({et.name, id}); it != allow_.end())
    for (const auto& c : it->second)
      if (c == check) return true;
  if (row >= 0 && static_cast<size_t>(row) < et.instances.size() &&
      et.instances[static_cast<size_t>(row)].id == id)
    for (const auto& c : et.instances[static_cast<size_t>(row)].allow)
      if (c == check) return true;
  return false;
}

} // namespace keyplan::sim
