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

} // namespace

OpenParam find_open_param(const ir::Policy& policy, const std::string& action,
                          const std::map<std::string, std::string>& args, std::string& error) {
  std::vector<Fit> all = fits(policy, action, args, error);
  std::vector<Fit> one = single_open(policy, all, error);
  std::set<std::pair<std::string, int32_t>> distinct;
  for (const Fit& f : one) {
    const auto& p =
        policy.rules[static_cast<size_t>(f.rule)].params[static_cast<size_t>(f.missing[0])];
    distinct.insert({p.name, policy.types[p.type].ref});
  }
  if (distinct.size() == 1) {
    error.clear();
    return {distinct.begin()->first, distinct.begin()->second};
  }
  if (distinct.size() > 1) {
    std::vector<std::string> sigs;
    for (const Fit& f : one) sigs.push_back(policy.rules[static_cast<size_t>(f.rule)].signature);
    error = fmt::format("the open parameter of '{}' is ambiguous: {} fit these arguments", action,
                        fmt::join(sigs, " and "));
  }
  return {};
}

OpenRequest resolve_open(const ir::Policy& policy, const rt::Snapshot& snapshot,
                         const std::string& action, const std::map<std::string, std::string>& args,
                         std::vector<std::string> open, int64_t today) {
  OpenRequest out;
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
    values[name] = [&policy, name](ir::TypeId type,
                                   std::string& error) -> std::optional<ir::Value> {
      if (!is_entity(policy, type)) {
        error = fmt::format("'{}' is not an entity parameter: only entity parameters can be left "
                            "open",
                            name);
        return std::nullopt;
      }
      return ir::Value::entity(policy.types[type].ref, 0);
    };
  }
  out.req = rt::resolve_request(policy, snapshot, action, values, today);
  if (!out.req.ok()) {
    out.error = out.req.error;
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
