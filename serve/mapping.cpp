#include "serve/mapping.hpp"

#include "runtime/yaml_checks.hpp"

#include <algorithm>
#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

namespace keyplan::serve {

namespace {

struct MappingError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

[[noreturn]] void fail(const std::string& file, const YAML::Node& at, const std::string& what) {
  const YAML::Mark m = at.Mark();
  if (m.is_null()) throw MappingError(fmt::format("{}: {}", file, what));
  throw MappingError(fmt::format("{}:{}:{}: {}", file, m.line + 1, m.column + 1, what));
}

std::string scalar(const std::string& file, const YAML::Node& n, const std::string& what) {
  if (!n.IsScalar()) fail(file, n, what + ": expected a name");
  return n.as<std::string>();
}

bool valid_source(const std::string& s) {
  for (const char* prefix :
       {"context.", "subject.properties.", "resource.properties.", "action.properties."})
    if (s.rfind(prefix, 0) == 0 && s.size() > std::string(prefix).size()) return true;
  return false;
}

// Every overload of `action` that has a parameter named `param` (entity
// typed when `entity`): false when none has.
bool has_param(const ir::Policy& policy, const std::string& action, const std::string& param,
               bool entity) {
  for (int32_t r : policy.find_rules(action))
    for (const auto& p : policy.rules[static_cast<size_t>(r)].params)
      if (p.name == param && (!entity || policy.types.kind(p.type) == ir::TypeKind::Entity))
        return true;
  return false;
}

void parse(const YAML::Node& root, const std::string& file, const ir::Policy& policy,
           Mapping& out) {
  if (!root.IsMap()) fail(file, root, "expected a map with `types` and `actions`");
  for (const auto& kv : root) {
    const std::string key = kv.first.as<std::string>();
    if (key != "types" && key != "actions" && key != "policy")
      fail(file, kv.first, "unknown key '" + key + "' (expected types, actions or policy)");
  }
  const YAML::Node types = root["types"];
  if (!types || !types.IsMap()) fail(file, root, "`types` (a map AuthZEN type: Entity) missing");
  for (const auto& kv : types) {
    const std::string name = scalar(file, kv.first, "type"),
                      entity = scalar(file, kv.second, "entity");
    auto it = std::find_if(policy.entities.begin(), policy.entities.end(),
                           [&](const ir::EntityType& e) { return e.name == entity; });
    if (it == policy.entities.end())
      fail(file, kv.second, "type '" + name + "': the policy has no entity '" + entity + "'");
    out.types[name] = static_cast<int32_t>(it - policy.entities.begin());
  }
  const YAML::Node actions = root["actions"];
  if (!actions || !actions.IsMap()) fail(file, root, "`actions` (a map name: mapping) missing");
  for (const auto& kv : actions) {
    ActionMapping a;
    a.name = scalar(file, kv.first, "action name");
    const YAML::Node& m = kv.second;
    if (!m.IsMap()) fail(file, m, "action '" + a.name + "': expected a map");
    for (const auto& f : m) {
      const std::string k = f.first.as<std::string>();
      if (k != "action" && k != "subject" && k != "resource" && k != "params")
        fail(file, f.first,
             "unknown key '" + k + "' (expected action, subject, resource or params)");
    }
    a.action = m["action"] ? scalar(file, m["action"], "action") : a.name;
    bool is_action = false;
    for (int32_t r : policy.find_rules(a.action))
      is_action = is_action || policy.rules[static_cast<size_t>(r)].is_action;
    if (!is_action)
      fail(file, m["action"] ? m["action"] : kv.first,
           "the policy has no action '" + a.action + "'");
    if (!m["subject"]) fail(file, m, "action '" + a.name + "': `subject` (a parameter) missing");
    a.subject = scalar(file, m["subject"], "subject");
    if (!has_param(policy, a.action, a.subject, true))
      fail(file, m["subject"],
           "action '" + a.action + "' has no entity parameter '" + a.subject + "'");
    if (m["resource"]) {
      a.resource = scalar(file, m["resource"], "resource");
      if (!has_param(policy, a.action, a.resource, true))
        fail(file, m["resource"],
             "action '" + a.action + "' has no entity parameter '" + a.resource + "'");
    }
    if (const YAML::Node params = m["params"]) {
      if (!params.IsMap()) fail(file, params, "`params`: expected a map parameter: source(s)");
      for (const auto& p : params) {
        ParamSource ps;
        ps.param = scalar(file, p.first, "parameter");
        if (!has_param(policy, a.action, ps.param, false))
          fail(file, p.first, "action '" + a.action + "' has no parameter '" + ps.param + "'");
        if (ps.param == a.subject || ps.param == a.resource)
          fail(file, p.first, "parameter '" + ps.param + "' is already the subject or resource");
        if (p.second.IsSequence())
          for (const auto& s : p.second) ps.sources.push_back(scalar(file, s, "source"));
        else
          ps.sources.push_back(scalar(file, p.second, "source"));
        for (const auto& s : ps.sources)
          if (!valid_source(s))
            fail(file, p.second,
                 "source '" + s +
                     "': expected context.NAME or subject|resource|action.properties.NAME");
        a.params.push_back(std::move(ps));
      }
    }
    a.rules = policy.find_rules(a.action);
    out.actions.push_back(std::move(a));
  }
}

} // namespace

const ActionMapping* Mapping::find(const std::string& name) const {
  for (const auto& a : actions)
    if (a.name == name) return &a;
  return nullptr;
}

std::vector<std::string> Mapping::type_names(int32_t entity) const {
  std::vector<std::string> out;
  for (const auto& [name, e] : types)
    if (e == entity) out.push_back(name);
  return out;
}

bool parse_mapping(const std::string& text, const std::string& file, const ir::Policy& policy,
                   Mapping& out, std::string& error) {
  try {
    std::vector<YAML::Node> docs = rt::load_all_yaml(text);
    if (docs.size() != 1) {
      error = file + ": expected one YAML document";
      return false;
    }
    Diagnostics diags;
    rt::YamlChecker check(0, diags, rt::YamlLimits::for_size(text.size()));
    if (!check.check(docs[0])) {
      error = file + ": " + (diags.items().empty() ? "invalid YAML" : diags.items()[0].message);
      return false;
    }
    out = Mapping{};
    parse(docs[0], file, policy, out);
    return true;
  } catch (const MappingError& e) {
    error = e.what();
  } catch (const YAML::Exception& e) {
    error =
        fmt::format("{}:{}:{}: invalid YAML: {}", file, e.mark.line + 1, e.mark.column + 1, e.msg);
  }
  return false;
}

} // namespace keyplan::serve
