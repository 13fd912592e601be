#include "simulator/open_request.hpp"

#include "compiler/diagnostics.hpp"
#include "runtime/value_text.hpp"

#include <algorithm>
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <set>

namespace keyplan::sim {

namespace {

bool is_entity(const ir::Policy& policy, ir::TypeId t) {
  return policy.types.kind(t) == ir::TypeKind::Entity;
}

// Per overload of `action` whose parameters cover the given names: the
// parameters neither given nor defaulted (what `search` must leave open).
struct Fit {
  int32_t rule;
  std::vector<int32_t> missing;
};

std::vector<Fit> fits(const ir::Policy& policy, const std::string& action,
                      const std::map<std::string, std::string>& args, std::string& error) {
  std::vector<int32_t> overloads;
  for (int32_t i : policy.find_rules(action))
    if (policy.rules[static_cast<size_t>(i)].is_action) overloads.push_back(i);
  if (overloads.empty()) {
    if (!policy.find_rules(action).empty()) {
      error = fmt::format("'{}' is a rule, not an action", action);
      return {};
    }
    std::vector<std::string> names;
    for (int32_t i : policy.actions()) names.push_back(policy.rules[static_cast<size_t>(i)].name);
    std::string hint = did_you_mean(action, names);
    error = fmt::format("unknown action '{}'{}", action, hint.empty() ? "" : " (" + hint + ")");
    return {};
  }
  std::vector<Fit> out;
  std::string first_error;
  for (int32_t o : overloads) {
    const ir::Rule& rule = policy.rules[static_cast<size_t>(o)];
    std::vector<std::string> names;
    for (const auto& p : rule.params) names.push_back(p.name);
    bool covered = true;
    for (const auto& [key, value] : args)
      if (std::find(names.begin(), names.end(), key) == names.end()) {
        covered = false;
        if (first_error.empty()) {
          std::string hint = did_you_mean(key, names);
          first_error = fmt::format("{} has no parameter '{}'{}", rule.signature, key,
                                    hint.empty() ? "" : " (" + hint + ")");
        }
        break;
      }
    if (!covered) continue;
    Fit f{o, {}};
    for (size_t i = 0; i < rule.params.size(); ++i)
      if (!args.count(rule.params[i].name) && !rule.params[i].default_value)
        f.missing.push_back(static_cast<int32_t>(i));
    out.push_back(std::move(f));
  }
  if (out.empty()) error = first_error;
  return out;
}

std::string open_names(const ir::Rule& rule, const std::vector<int32_t>& missing) {
  std::vector<std::string> names;
  for (int32_t i : missing) names.push_back(rule.params[static_cast<size_t>(i)].name);
  return fmt::format("{}", fmt::join(names, ", "));
}

// The overloads that leave exactly one entity parameter open; `error` says
// why there is none.
std::vector<Fit> single_open(const ir::Policy& policy, const std::vector<Fit>& all,
                             std::string& error) {
  std::vector<Fit> out;
  for (const Fit& f : all) {
    const ir::Rule& rule = policy.rules[static_cast<size_t>(f.rule)];
    if (f.missing.size() == 1 &&
        is_entity(policy, rule.params[static_cast<size_t>(f.missing[0])].type))
      out.push_back(f);
  }
  if (out.empty() && !all.empty()) {
    const Fit& f = all.front();
    const ir::Rule& rule = policy.rules[static_cast<size_t>(f.rule)];
    if (f.missing.empty())
      error = fmt::format("every parameter of {} is given: leave one entity parameter open to "
                          "search it (or use `keyplan decide`)",
                          rule.signature);
    else if (f.missing.size() > 1)
      error = fmt::format("{} leaves {} parameters open ({}): search leaves exactly one entity "
                          "parameter open; give the others (or use `keyplan matrix` for two)",
                          rule.signature, f.missing.size(), open_names(rule, f.missing));
    else
      error = fmt::format("the open parameter '{}' of {} is not an entity parameter: only "
                          "entity parameters can be searched; give it",
                          open_names(rule, f.missing), rule.signature);
  }
  return out;
}

// The NAME:TYPE choices of the entity parameters named `name` over the
// overloads of `action` ("target:Building", "target:Floor").
std::vector<std::string> typed_choices(const ir::Policy& policy, const std::string& action,
                                       const std::string& name) {
  std::vector<std::string> out;
  for (int32_t r : policy.find_rules(action))
    for (const auto& p : policy.rules[static_cast<size_t>(r)].params)
      if (p.name == name && is_entity(policy, p.type)) {
        std::string c =
            name + ":" + policy.entities[static_cast<size_t>(policy.types[p.type].ref)].name;
        if (std::find(out.begin(), out.end(), c) == out.end()) out.push_back(c);
      }
  return out;
}

} // namespace

bool parse_open_spec(const ir::Policy& policy, const std::string& action, const std::string& text,
                     OpenSpec& out, std::string& error) {
  out = OpenSpec{};
  auto colon = text.find(':');
  std::string type_name;
  if (colon != std::string::npos) {
    out.name = text.substr(0, colon);
    type_name = text.substr(colon + 1);
    if (out.name.empty() || type_name.empty()) {
      error = fmt::format("'{}': expected NAME, NAME:TYPE or TYPE", text);
      return false;
    }
  } else {
    out.name = text;
  }
  std::set<std::string> names; // parameter names of the action's overloads
  for (int32_t r : policy.find_rules(action))
    for (const auto& p : policy.rules[static_cast<size_t>(r)].params) names.insert(p.name);
  if (colon == std::string::npos) {
    // A parameter name wins; else an entity type names the parameter.
    if (names.count(text) || policy.find_entity(text) < 0) return true;
    type_name = text;
    std::set<std::string> of_type;
    for (int32_t r : policy.find_rules(action))
      for (const auto& p : policy.rules[static_cast<size_t>(r)].params)
        if (is_entity(policy, p.type) &&
            policy.entities[static_cast<size_t>(policy.types[p.type].ref)].name == text)
          of_type.insert(p.name);
    if (of_type.size() != 1) {
      error = of_type.empty()
                  ? fmt::format("no parameter of '{}' has type {}", action, text)
                  : fmt::format("several parameters of '{}' have type {} ({}): name one as "
                                "NAME:{}",
                                action, text, fmt::join(of_type, ", "), text);
      return false;
    }
    out.name = *of_type.begin();
  }
  out.type = policy.find_entity(type_name);
  if (out.type < 0) {
    std::vector<std::string> types;
    for (const auto& e : policy.entities) types.push_back(e.name);
    std::string hint = did_you_mean(type_name, types);
    error = fmt::format("'{}': unknown entity type '{}'{}", text, type_name,
                        hint.empty() ? "" : " (" + hint + ")");
    return false;
  }
  std::vector<std::string> choices = typed_choices(policy, action, out.name);
  std::string wanted = out.name + ":" + type_name;
  if (names.count(out.name) && std::find(choices.begin(), choices.end(), wanted) == choices.end()) {
    error =
        fmt::format("no overload of '{}' has the entity parameter {} (there: {})", action, wanted,
                    choices.empty() ? "none" : fmt::format("{}", fmt::join(choices, ", ")));
    return false;
  }
  return true;
}

OpenParam find_open_param(const ir::Policy& policy, const std::string& action,
                          const std::map<std::string, std::string>& args, std::string& error,
                          const OpenSpec* spec) {
  std::vector<Fit> all = fits(policy, action, args, error);
  std::vector<Fit> one = single_open(policy, all, error);
  std::set<std::pair<std::string, int32_t>> distinct;
  std::vector<std::string> sigs;
  for (const Fit& f : one) {
    const auto& p =
        policy.rules[static_cast<size_t>(f.rule)].params[static_cast<size_t>(f.missing[0])];
    int32_t type = policy.types[p.type].ref;
    if (spec && (p.name != spec->name || (spec->type >= 0 && spec->type != type))) continue;
    distinct.insert({p.name, type});
    sigs.push_back(policy.rules[static_cast<size_t>(f.rule)].signature);
  }
  if (distinct.size() == 1) {
    error.clear();
    return {distinct.begin()->first, distinct.begin()->second};
  }
  if (distinct.size() > 1) {
    std::vector<std::string> choices;
    for (const auto& [name, type] : distinct)
      choices.push_back(
          fmt::format("--open {}:{}", name, policy.entities[static_cast<size_t>(type)].name));
    error = fmt::format("the open parameter of '{}' is ambiguous: the overloads {} fit these "
                        "arguments; choose one with {}",
                        action, fmt::join(sigs, " and "), fmt::join(choices, " or "));
  } else if (spec && !one.empty()) {
    std::vector<std::string> open;
    for (const Fit& f : one) {
      const auto& p =
          policy.rules[static_cast<size_t>(f.rule)].params[static_cast<size_t>(f.missing[0])];
      open.push_back(fmt::format(
          "{}:{}", p.name, policy.entities[static_cast<size_t>(policy.types[p.type].ref)].name));
    }
    error = fmt::format(
        "--open {}{}: no overload of '{}' leaves it open with these arguments "
        "(open: {})",
        spec->name,
        spec->type >= 0 ? ":" + policy.entities[static_cast<size_t>(spec->type)].name : "", action,
        fmt::join(open, ", "));
  }
  return {};
}

OpenRequest resolve_open(const ir::Policy& policy, const rt::Snapshot& snapshot,
                         const std::string& action, const std::map<std::string, std::string>& args,
                         std::vector<std::string> open, int64_t today) {
  OpenRequest out;
  std::map<std::string, int32_t> want_type; // open name -> entity type asked for
  for (std::string& text : open) {
    OpenSpec spec;
    if (!parse_open_spec(policy, action, text, spec, out.error)) return out;
    text = spec.name;
    if (spec.type >= 0) want_type[spec.name] = spec.type;
  }
  if (open.empty()) {
    OpenParam p = find_open_param(policy, action, args, out.error);
    if (!out.ok()) return out;
    open.push_back(p.name);
  }
  // An open name that the action has only as a non-entity parameter (a
  // date, a flag) is said so, before overload resolution words it otherwise.
  for (const std::string& name : open) {
    bool seen = false, entity = false;
    for (int32_t r : policy.find_rules(action))
      for (const auto& p : policy.rules[static_cast<size_t>(r)].params)
        if (p.name == name) {
          seen = true;
          entity = entity || is_entity(policy, p.type);
        }
    if (seen && !entity) {
      out.error = fmt::format("'{}' of '{}' is not an entity parameter: only entity parameters "
                              "can be left open",
                              name, action);
      return out;
    }
  }
  std::map<std::string, rt::ArgValue> values;
  for (const auto& [key, text] : args) {
    if (std::find(open.begin(), open.end(), key) != open.end()) {
      out.error = fmt::format("'{}' is both open and given ({}={})", key, key, text);
      return out;
    }
    values[key] = [&snapshot, &text](ir::TypeId type, std::string& error) {
      return rt::parse_value_text(snapshot, type, text, error);
    };
  }
  for (const std::string& name : open) {
    if (values.count(name)) {
      out.error = fmt::format("'{}' is open twice", name);
      return out;
    }
    // A placeholder of the parameter's entity type; the column engine binds
    // every instance in its place.
    auto wanted = want_type.find(name);
    const int32_t want = wanted == want_type.end() ? -1 : wanted->second;
    values[name] = [&policy, name, want](ir::TypeId type,
                                         std::string& error) -> std::optional<ir::Value> {
      if (!is_entity(policy, type)) {
        error = fmt::format("'{}' is not an entity parameter: only entity parameters can be left "
                            "open",
                            name);
        return std::nullopt;
      }
      // NAME:TYPE: only the overload whose open parameter has that type.
      if (want >= 0 && policy.types[type].ref != want) {
        error = fmt::format("'{}' is not of type {}", name,
                            policy.entities[static_cast<size_t>(want)].name);
        return std::nullopt;
      }
      return ir::Value::entity(policy.types[type].ref, 0);
    };
  }
  out.req = rt::resolve_request(policy, snapshot, action, values, today);
  if (!out.req.ok()) {
    out.error = out.req.error;
    if (out.req.status == rt::RequestStatus::Ambiguous) {
      // Overloads that differ in an open parameter's type: say how to choose.
      std::vector<std::string> choices;
      for (const std::string& name : open)
        if (auto typed = typed_choices(policy, action, name);
            !want_type.count(name) && typed.size() > 1)
          choices.insert(choices.end(), typed.begin(), typed.end());
      if (choices.size() > 1)
        out.error += fmt::format("; choose one by naming an open parameter with its type: {}",
                                 fmt::join(choices, " or "));
    }
    return out;
  }
  const ir::Rule& rule = policy.rules[static_cast<size_t>(out.req.rule)];
  for (const std::string& name : open)
    for (size_t i = 0; i < rule.params.size(); ++i)
      if (rule.params[i].name == name) {
        out.open.push_back(static_cast<int32_t>(i));
        out.types.push_back(policy.types[rule.params[i].type].ref);
      }
  return out;
}

} // namespace keyplan::sim
