#include "runtime/request.hpp"

#include "compiler/diagnostics.hpp"
#include "runtime/value_text.hpp"

#include <algorithm>
#include <fmt/format.h>
#include <fmt/ranges.h>

namespace keyplan::rt {

const char* status_name(RequestStatus s) {
  switch (s) {
  case RequestStatus::Ok:
    return "ok";
  case RequestStatus::UnknownAction:
    return "unknown-action";
  case RequestStatus::NotAnAction:
    return "not-an-action";
  case RequestStatus::UnknownParameter:
    return "unknown-parameter";
  case RequestStatus::MissingParameter:
    return "missing-parameter";
  case RequestStatus::BadValue:
    return "bad-value";
  case RequestStatus::UnknownInstance:
    return "unknown-instance";
  case RequestStatus::NoMatch:
    return "no-match";
  case RequestStatus::Ambiguous:
    return "ambiguous";
  }
  return "?";
}

namespace {

std::string with_hint(std::string message, const std::string& hint) {
  return hint.empty() ? message : fmt::format("{} ({})", message, hint);
}

// Binds the arguments to one overload.
ResolvedRequest bind(const ir::Policy& policy, Interpreter& in, int32_t index,
                     const std::map<std::string, ArgValue>& args, int64_t today) {
  const ir::Rule& rule = policy.rules[static_cast<size_t>(index)];
  ResolvedRequest r;
  r.rule = index;
  std::vector<std::string> names;
  for (const auto& p : rule.params) names.push_back(p.name);
  for (const auto& [key, value] : args) {
    if (std::find(names.begin(), names.end(), key) != names.end()) continue;
    r.status = RequestStatus::UnknownParameter;
    r.error = with_hint(fmt::format("{} has no parameter '{}'", rule.signature, key),
                        did_you_mean(key, names));
    return r;
  }
  for (const auto& p : rule.params) {
    auto it = args.find(p.name);
    if (it == args.end()) {
      if (!p.default_value) {
        r.status = RequestStatus::MissingParameter;
        r.error = fmt::format("missing parameter '{}' of {}", p.name, rule.signature);
        return r;
      }
      std::vector<RtValue> frame(static_cast<size_t>(std::max<int32_t>(rule.frame_size, 0)));
      r.args.push_back(to_ir(in.eval(*p.default_value, frame, today)));
      continue;
    }
    std::string err;
    auto v = it->second(p.type, err);
    if (!v) {
      r.param = p.name;
      bool entity = policy.types.kind(policy.types.strip_optional(p.type)) == ir::TypeKind::Entity;
      r.status = entity ? RequestStatus::UnknownInstance : RequestStatus::BadValue;
      r.error = entity ? err : fmt::format("parameter '{}' of {}: {}", p.name, rule.signature, err);
      return r;
    }
    r.args.push_back(std::move(*v));
  }
  r.status = RequestStatus::Ok;
  return r;
}

} // namespace

ResolvedRequest resolve_request(const ir::Policy& policy, const Snapshot& snapshot,
                                const std::string& action,
                                const std::map<std::string, std::string>& args, int64_t today) {
  std::map<std::string, ArgValue> values;
  for (const auto& [key, text] : args)
    values[key] = [&snapshot, &text](ir::TypeId type, std::string& error) {
      return parse_value_text(snapshot, type, text, error);
    };
  return resolve_request(policy, snapshot, action, values, today);
}

ResolvedRequest resolve_request(const ir::Policy& policy, const Snapshot& snapshot,
                                const std::string& action,
                                const std::map<std::string, ArgValue>& args, int64_t today) {
  ResolvedRequest out;
  std::vector<int32_t> candidates;
  for (int32_t i : policy.find_rules(action))
    if (policy.rules[static_cast<size_t>(i)].is_action) candidates.push_back(i);
  if (candidates.empty()) {
    if (!policy.find_rules(action).empty()) {
      out.status = RequestStatus::NotAnAction;
      out.error = fmt::format("'{}' is a rule, not an action", action);
      return out;
    }
    std::vector<std::string> names;
    for (int32_t i : policy.actions()) names.push_back(policy.rules[static_cast<size_t>(i)].name);
    out.status = RequestStatus::UnknownAction;
    out.error = with_hint(fmt::format("unknown action '{}'", action), did_you_mean(action, names));
    return out;
  }
  Interpreter in(policy, snapshot);
  std::vector<ResolvedRequest> ok, failed;
  for (int32_t c : candidates) {
    ResolvedRequest r = bind(policy, in, c, args, today);
    (r.ok() ? ok : failed).push_back(std::move(r));
  }
  if (ok.size() == 1) return std::move(ok.front());
  if (ok.size() > 1) {
    std::vector<std::string> sigs;
    for (const auto& r : ok) sigs.push_back(policy.rules[static_cast<size_t>(r.rule)].signature);
    out.status = RequestStatus::Ambiguous;
    out.error =
        fmt::format("ambiguous request for '{}': it matches {}", action, fmt::join(sigs, " and "));
    return out;
  }
  if (failed.size() == 1) return std::move(failed.front());
  // Several overloads, none matches: one reason when they agree, else each.
  bool same = true;
  for (const auto& r : failed) same = same && r.error == failed.front().error;
  if (same) return std::move(failed.front());
  // Prefer the overloads that got furthest: unknown ids / bad values over
  // unknown parameters (which only say that the names did not fit).
  std::vector<std::string> reasons;
  for (const auto& r : failed)
    if (r.status != RequestStatus::UnknownParameter || failed.size() == 1)
      reasons.push_back(r.error);
  if (reasons.empty())
    for (const auto& r : failed) reasons.push_back(r.error);
  if (reasons.size() == 1) {
    for (auto& r : failed)
      if (r.error == reasons.front()) return std::move(r);
  }
  out.status = RequestStatus::NoMatch;
  out.error = fmt::format("no overload of '{}' accepts these arguments: {}", action,
                          fmt::join(reasons, "; "));
  return out;
}

Decision decide(const ir::Policy& policy, const Snapshot& snapshot, const std::string& action,
                const std::map<std::string, std::string>& args, const EvalOptions& options) {
  ResolvedRequest r = resolve_request(policy, snapshot, action, args, options.today);
  if (!r.ok()) {
    Decision d;
    d.rule = r.rule;
    d.error = r.error;
    return d;
  }
  const ir::Rule& rule = policy.rules[static_cast<size_t>(r.rule)];
  Interpreter in(policy, snapshot);
  return in.evaluate(r.rule, to_rt_args(snapshot, rule, r.args), options);
}

} // namespace keyplan::rt
