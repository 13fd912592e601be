// The declared mapping from AuthZEN requests to keyplan actions (a small
// YAML file beside the policy, docs/serve.md "Writing a mapping"): which
// entity type an AuthZEN `type` names, which action an `action.name` means,
// which parameter the subject and the resource fill, and which request
// fields (`context`, `properties`) fill the other parameters.
#pragma once

#include "compiler/ir.hpp"

#include <map>
#include <string>
#include <vector>

namespace keyplan::serve {

struct ParamSource {
  std::string param;                // the keyplan parameter
  std::vector<std::string> sources; // request paths, first present wins
};

struct ActionMapping {
  std::string name;     // AuthZEN action.name
  std::string action;   // keyplan action
  std::string subject;  // the parameter subject.id fills
  std::string resource; // the parameter resource.id fills ("" = the action has none)
  std::vector<ParamSource> params;
  std::vector<int32_t> rules; // the action's overloads, found once at load
};

struct Mapping {
  std::map<std::string, int32_t> types; // AuthZEN type -> entity index
  std::vector<ActionMapping> actions;   // in file order
  const ActionMapping* find(const std::string& name) const;
  // The AuthZEN type names of entity `entity` (several may map to it).
  std::vector<std::string> type_names(int32_t entity) const;
};

// Parses and checks `text` against `policy`: every type names an entity,
// every action is an action of the policy with the parameters named, every
// source is a path under context, subject/resource/action .properties.
// False with `error` ("FILE:LINE:COL: ...").
bool parse_mapping(const std::string& text, const std::string& file, const ir::Policy& policy,
                   Mapping& out, std::string& error);

} // namespace keyplan::serve
