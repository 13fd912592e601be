// Editing a tenant data file in place (the imports, DOMAIN F-I5): one entity
// section (`User:`, `Group:`) gets some entries rewritten and some appended;
// every other byte, comments and layout included, stays as it was.
#pragma once

#include "runtime/snapshot.hpp"

#include <map>
#include <string>
#include <vector>

namespace keyplan::sim {

struct SectionEdit {
  std::string entity; // the section: "User", "Group"
  // id -> attribute -> new value as YAML flow text. The entry is rewritten
  // as one `{id: ..., ...}` line: its other attributes are copied from the
  // file, the named ones replaced or added.
  std::map<std::string, std::map<std::string, std::string>> updates;
  std::vector<std::string> added; // new entries, each a flow map `{id: ..., ...}`
};

// `text` with `edit` applied, into `out`. False with `why` when the file's
// shape does not allow an edit in place (several documents, a flow-style
// section, an updated id that is not an entry of the section, ...).
bool edit_data_section(const std::string& text, const SectionEdit& edit, std::string& out,
                       std::string& why);

// A value as YAML flow text (strings double-quoted, entities by id).
std::string value_yaml(const rt::Snapshot& snap, const ir::Value& v);

} // namespace keyplan::sim
