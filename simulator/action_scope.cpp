// The scope of an action for one actor (simulator/action_scope.hpp): every
// combination of its other parameters is decided by the reference
// interpreter; the allowed ones are rendered short (issue 16: a scope of many
// locations by the largest locations it fills, at most a dozen items).
#include "simulator/action_scope.hpp"

#include "runtime/interpreter.hpp"
#include "runtime/rt_value.hpp"

#include <algorithm>
#include <cctype>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <tuple>
#include <vector>

namespace keyplan::sim {

namespace {

using Domain = ActionDomain;

std::string join(const std::vector<std::string>& parts, const char* sep) {
  std::string out;
  for (size_t i = 0; i < parts.size(); ++i) {
    if (i) out += sep;
    out += parts[i];
  }
  return out;
}

// The values a parameter ranges over, or nullopt (with `why`) when it
// cannot be enumerated. A parameter with a default takes its default only.
std::optional<Domain> domain_of(const ir::Policy& policy, const rt::Snapshot& snapshot,
                                rt::Interpreter& interp, const ir::Param& p, int64_t today,
                                std::string* why) {
  Domain d;
  if (p.default_value) {
    std::vector<rt::RtValue> frame;
    rt::RtValue v = interp.eval(*p.default_value, frame, today);
    d.labels.push_back(rt::rt_format(v, snapshot));
    d.values.push_back(std::move(v));
    return d;
  }
  ir::TypeId t = policy.types.strip_optional(p.type);
  const ir::Type& type = policy.types[t];
  switch (type.kind) {
  case ir::TypeKind::Entity:
    d.entity = type.ref;
    for (int32_t row = 0; row < snapshot.count(type.ref); ++row) {
      d.values.push_back(rt::RtValue::entity(type.ref, row));
      d.labels.push_back(snapshot.id(type.ref, row));
    }
    return d;
  case ir::TypeKind::Enum: {
    const auto& members = policy.enums[static_cast<size_t>(type.ref)].members;
    for (size_t i = 0; i < members.size(); ++i) {
      d.values.push_back(rt::RtValue::enumerator(type.ref, static_cast<int64_t>(i)));
      d.labels.push_back(members[i]);
    }
    return d;
  }
  case ir::TypeKind::Bool:
    d.values = {rt::RtValue::boolean(false), rt::RtValue::boolean(true)};
    d.labels = {"false", "true"};
    return d;
  case ir::TypeKind::Date:
    d.values.push_back(rt::RtValue::date(today));
    d.labels.push_back(rt::rt_format(d.values.back(), snapshot));
    return d;
  default:
    *why = "parameter '" + p.name + "' of type " + policy.type_name(p.type) +
           " has no default and cannot be enumerated";
    return std::nullopt;
  }
}

// Items listed in one scope at most; the rest are counted (issue 16: on a
// large tenant a scope listed every object on one 5,000-character line).
constexpr size_t kMaxListed = 12;

std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// The location an instance lies in (its `parent` attribute), or none.
std::optional<std::pair<int32_t, int32_t>>
parent_of(const ir::Policy& policy, const rt::Snapshot& snapshot, int32_t type, int32_t row) {
  int32_t attr = policy.entities[static_cast<size_t>(type)].parent_attr;
  if (attr < 0) return std::nullopt;
  ir::Value v = snapshot.get(type, row, attr);
  if (v.tag != ir::Value::Tag::Entity) return std::nullopt;
  return std::make_pair(v.ref, static_cast<int32_t>(v.num));
}

// Chosen instances of a location type summarised by the largest locations
// they fill: "all 40 objects of building b0". Returns the parts, in order.
std::vector<std::string> by_location(const ir::Policy& policy, const rt::Snapshot& snapshot,
                                     const std::vector<size_t>& chosen, const Domain& d) {
  using Node = std::pair<int32_t, int32_t>;
  // Every ancestor of a domain member: how many members lie under it, how many chosen.
  std::map<Node, std::pair<size_t, size_t>> under;
  std::vector<std::vector<Node>> chains(d.values.size());
  std::vector<bool> is_chosen(d.values.size(), false);
  for (size_t i : chosen) is_chosen[i] = true;
  for (size_t i = 0; i < d.values.size(); ++i) {
    Node n{d.entity, static_cast<int32_t>(d.values[i].num)};
    for (int depth = 0; depth < 64; ++depth) {
      auto p = parent_of(policy, snapshot, n.first, n.second);
      if (!p) break;
      n = *p;
      chains[i].push_back(n);
      ++under[n].first;
      under[n].second += is_chosen[i];
    }
  }
  std::vector<std::string> parts;
  std::set<Node> shown;
  std::string plural = lower(policy.entities[static_cast<size_t>(d.entity)].name) + "s";
  for (size_t i : chosen) {
    // The outermost ancestor whose members are all chosen (two at least).
    std::optional<Node> top;
    for (const Node& a : chains[i]) {
      const auto& [all, picked] = under[a];
      if (all == picked && all >= 2) top = a;
    }
    if (!top) {
      parts.push_back(d.labels[i]);
      continue;
    }
    if (!shown.insert(*top).second) continue;
    parts.push_back("all " + std::to_string(under[*top].first) + " " + plural + " of " +
                    lower(policy.entities[static_cast<size_t>(top->first)].name) + " " +
                    snapshot.id(top->first, top->second));
  }
  return parts;
}

// At most kMaxListed parts, then how many more.
std::string bounded(const std::vector<std::string>& parts) {
  if (parts.size() <= kMaxListed) return join(parts, ", ");
  std::vector<std::string> head(parts.begin(), parts.begin() + kMaxListed);
  return join(head, ", ") + " … (" + std::to_string(parts.size() - kMaxListed) + " more)";
}

// Some of a domain by name, or by location when there are many.
std::string listed(const rt::Snapshot& snapshot, const std::vector<size_t>& chosen,
                   const Domain& d) {
  if (d.entity >= 0 && chosen.size() > kMaxListed)
    return bounded(by_location(snapshot.policy(), snapshot, chosen, d));
  std::vector<std::string> names;
  for (size_t i : chosen) names.push_back(d.labels[i]);
  return bounded(names);
}

// A set of labels out of a domain: "all (N)" when it is the whole domain,
// "all except x (k of N)" when only a few are missing, locations summarised
// by what they fill when many are chosen.
std::string render_subset(const rt::Snapshot& snapshot, const std::vector<size_t>& chosen,
                          const Domain& d) {
  const size_t n = d.labels.size();
  if (chosen.size() == n && n > 1) return "all (" + std::to_string(n) + ")";
  if (n > 4 && chosen.size() < n && (n - chosen.size()) * 3 <= n) {
    std::vector<size_t> missing;
    size_t next = 0;
    for (size_t i = 0; i < n; ++i) {
      if (next < chosen.size() && chosen[next] == i)
        ++next;
      else
        missing.push_back(i);
    }
    return "all except " + listed(snapshot, missing, d) + " (" + std::to_string(chosen.size()) +
           " of " + std::to_string(n) + ")";
  }
  return listed(snapshot, chosen, d);
}

// Self-service (the actor as another User parameter: one's own bookings and
// profile, F-R1) is left out: the report is about administering others.
} // namespace

ActionScope scope_of(rt::Interpreter& interp, const ScopedAction& action, const rt::RtValue& actor,
                     int64_t today) {
  ScopedAction a = action;
  for (auto& d : a.domains) {
    for (size_t i = d.values.size(); i-- > 0;) {
      const rt::RtValue& v = d.values[i];
      if (v.kind == rt::RtKind::Entity && v.ref == actor.ref && v.num == actor.num) {
        d.values.erase(d.values.begin() + static_cast<std::ptrdiff_t>(i));
        d.labels.erase(d.labels.begin() + static_cast<std::ptrdiff_t>(i));
      }
    }
    if (d.values.empty()) return {};
  }
  rt::EvalOptions eo;
  eo.today = today;
  ActionScope s;
  s.varying = !a.varying.empty();
  std::vector<rt::RtValue> args(a.domains.size() + 1);
  args[0] = actor;
  for (size_t i = 0; i < a.domains.size(); ++i) args[i + 1] = a.domains[i].values.at(0);

  auto decide = [&]() { return interp.evaluate(a.rule, args, eo).allowed; };

  if (a.varying.empty()) {
    s.total = 1;
    s.allowed = decide() ? 1 : 0;
    s.text = s.allowed ? "yes" : "";
    return s;
  }
  // The first varying parameter is the row key; the others form the column
  // key (their labels joined by '/').
  const size_t first = a.varying[0];
  std::vector<size_t> rest(a.varying.begin() + 1, a.varying.end());
  size_t rest_count = 1;
  for (size_t r : rest) rest_count *= a.domains[r].values.size();
  const Domain& head = a.domains[first];

  // For each head value, the indices (into the flattened rest) allowed.
  std::vector<std::vector<size_t>> allowed(head.values.size());
  for (size_t h = 0; h < head.values.size(); ++h) {
    args[first + 1] = head.values[h];
    for (size_t k = 0; k < rest_count; ++k) {
      size_t code = k;
      for (size_t j = rest.size(); j-- > 0;) {
        const Domain& d = a.domains[rest[j]];
        args[rest[j] + 1] = d.values[code % d.values.size()];
        code /= d.values.size();
      }
      ++s.total;
      if (decide()) {
        allowed[h].push_back(k);
        ++s.allowed;
      }
    }
  }
  if (s.allowed == 0) return s;

  if (rest.empty()) {
    std::vector<size_t> heads;
    for (size_t h = 0; h < allowed.size(); ++h)
      if (!allowed[h].empty()) heads.push_back(h);
    s.text = render_subset(interp.snapshot(), heads, head);
    return s;
  }
  // The rest as one domain of joined labels.
  Domain rest_domain;
  for (size_t k = 0; k < rest_count; ++k) {
    std::vector<std::string> parts(rest.size());
    size_t code = k;
    for (size_t j = rest.size(); j-- > 0;) {
      const Domain& d = a.domains[rest[j]];
      parts[j] = d.labels[code % d.values.size()];
      code /= d.values.size();
    }
    rest_domain.labels.push_back(join(parts, "/"));
    rest_domain.values.push_back(rt::RtValue::none());
  }
  // Group the head values that allow the same set: "nina, adam → G_02; …".
  std::vector<std::pair<std::vector<size_t>, std::vector<size_t>>> groups; // rest set, heads
  for (size_t h = 0; h < allowed.size(); ++h) {
    if (allowed[h].empty()) continue;
    auto it = std::find_if(groups.begin(), groups.end(),
                           [&](const auto& g) { return g.first == allowed[h]; });
    if (it == groups.end())
      groups.push_back({allowed[h], {h}});
    else
      it->second.push_back(h);
  }
  std::vector<std::string> parts;
  for (const auto& [rest_set, heads] : groups)
    parts.push_back(render_subset(interp.snapshot(), heads, head) + " → " +
                    render_subset(interp.snapshot(), rest_set, rest_domain));
  if (parts.size() > kMaxListed) {
    size_t more = parts.size() - kMaxListed;
    parts.resize(kMaxListed);
    parts.push_back("… (" + std::to_string(more) + " more)");
  }
  s.text = join(parts, "; ");
  return s;
}

std::vector<ScopedAction> scoped_actions(const ir::Policy& policy, const rt::Snapshot& snapshot,
                                         rt::Interpreter& interp, const std::string& param,
                                         int32_t actor_type, int64_t today,
                                         std::vector<std::string>& notes,
                                         std::vector<std::string>& fixed_notes) {
  std::vector<int32_t> rules;
  for (int32_t r : policy.actions()) {
    const ir::Rule& rule = policy.rules[static_cast<size_t>(r)];
    if (rule.params.empty() || rule.params[0].name != param) continue;
    const ir::Type& t = policy.types[rule.params[0].type];
    if (t.kind != ir::TypeKind::Entity || t.ref != actor_type) continue;
    rules.push_back(r);
  }
  std::sort(rules.begin(), rules.end(), [&](int32_t a, int32_t b) {
    const ir::Rule& x = policy.rules[static_cast<size_t>(a)];
    const ir::Rule& y = policy.rules[static_cast<size_t>(b)];
    return std::tie(x.module, x.span.begin) < std::tie(y.module, y.span.begin);
  });
  std::map<std::string, int> overloads;
  for (int32_t r : rules) ++overloads[policy.rules[static_cast<size_t>(r)].name];

  std::vector<ScopedAction> actions;
  std::set<std::string> fixed;
  for (int32_t r : rules) {
    const ir::Rule& rule = policy.rules[static_cast<size_t>(r)];
    ScopedAction a;
    a.rule = r;
    a.label = rule.name;
    std::vector<std::string> types;
    bool ok = true;
    for (size_t i = 1; i < rule.params.size() && ok; ++i) {
      const ir::Param& p = rule.params[i];
      types.push_back(p.name + ": " + policy.type_name(p.type));
      std::string why;
      auto d = domain_of(policy, snapshot, interp, p, today, &why);
      if (!d) {
        notes.push_back(rule.name + " is left out: " + why);
        ok = false;
        break;
      }
      if (d->values.empty()) d->labels.clear();
      if (d->values.size() == 1)
        a.fixed.push_back(p.name + " = " + d->labels[0]);
      else if (!d->values.empty())
        a.varying.push_back(i - 1);
      a.domains.push_back(std::move(*d));
    }
    if (!ok) continue;
    // A parameter with no values at all (no instances): nothing is allowed.
    bool empty = std::any_of(a.domains.begin(), a.domains.end(),
                             [](const Domain& d) { return d.values.empty(); });
    if (empty) {
      notes.push_back(rule.name + ": a parameter type has no instances");
      continue;
    }
    if (overloads[rule.name] > 1) a.label += "(" + join(types, ", ") + ")";
    if (!a.fixed.empty()) fixed.insert(a.label + ": " + join(a.fixed, ", "));
    actions.push_back(std::move(a));
  }
  for (const auto& n : fixed) fixed_notes.push_back("Fixed parameter, " + n);
  return actions;
}

std::string ActionScope::count() const {
  return varying ? std::to_string(allowed) + "/" + std::to_string(total) : "yes";
}

std::string ActionScope::summary() const {
  if (allowed == 0) return "-";
  if (!varying) return "yes";
  return allowed == total ? "all" : count();
}

} // namespace keyplan::sim
