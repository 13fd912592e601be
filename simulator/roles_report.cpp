// `keyplan report roles` (F-R1 – F-R6). The report knows no role: it finds
// the policy's admin actions (every action whose first parameter is
// `actor: User`), asks each of them, through the reference interpreter, for
// every combination of its other parameters, and lists what each user with
// a role (or a group administrator, F-G5) is allowed. Reading the vocabulary
// (User.roles, Group.administrators) only chooses whom to list.
#include "simulator/roles_report.hpp"

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

// One parameter's values to try, with their labels.
struct Domain {
  std::vector<rt::RtValue> values;
  std::vector<std::string> labels;
  int32_t entity = -1; // the entity type of an entity parameter
};

struct AdminAction {
  int32_t rule = -1;
  std::string label;              // the name, with the parameter types when overloaded
  std::vector<Domain> domains;    // one per parameter after `actor`
  std::vector<size_t> varying;    // the parameters with more than one value
  std::vector<std::string> fixed; // "on = 2026-11-23" for single-valued ones
};

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

// The allowed combinations of an action for one actor, rendered.
struct Scope {
  size_t allowed = 0, total = 0;
  std::string text;
};

// Self-service (the actor as another User parameter: one's own bookings and
// profile, F-R1) is left out: the report is about administering others.
Scope scope_of(rt::Interpreter& interp, AdminAction a, const rt::RtValue& actor, int64_t today) {
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
  Scope s;
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

std::string roles_text(const rt::Snapshot& snapshot, int32_t user, int32_t row,
                       int32_t roles_attr) {
  if (roles_attr < 0) return "";
  std::string text = snapshot.format(snapshot.get(user, row, roles_attr));
  if (text.size() >= 2 && text.front() == '[' && text.back() == ']')
    text = text.substr(1, text.size() - 2);
  return text;
}

} // namespace

std::vector<Table> roles_report(const ir::Policy& policy, const rt::Snapshot& snapshot,
                                int64_t today) {
  Table list;
  list.name = "roles";
  list.title = "What each user with a role may administer (F-R1 – F-R6)";
  list.headers = {"user", "roles", "action", "scope", "allowed"};
  Table matrix;
  matrix.name = "roles_matrix";
  matrix.title = "Admin actions per user: yes, all, allowed/total, or - for none";
  matrix.headers = {"user", "roles"};

  const int32_t user_type = policy.find_entity("User");
  if (user_type < 0) {
    list.notes.push_back("the policy declares no User entity (import std.desk_booking)");
    return {list};
  }
  const auto& user_entity = policy.entities[static_cast<size_t>(user_type)];
  const int32_t roles_attr = user_entity.find_attribute("roles");

  rt::Interpreter interp(policy, snapshot);

  // The admin actions, in declaration order.
  std::vector<int32_t> rules;
  for (int32_t r : policy.actions()) {
    const ir::Rule& rule = policy.rules[static_cast<size_t>(r)];
    if (rule.params.empty() || rule.params[0].name != "actor") continue;
    const ir::Type& t = policy.types[rule.params[0].type];
    if (t.kind != ir::TypeKind::Entity || t.ref != user_type) continue;
    rules.push_back(r);
  }
  std::sort(rules.begin(), rules.end(), [&](int32_t a, int32_t b) {
    const ir::Rule& x = policy.rules[static_cast<size_t>(a)];
    const ir::Rule& y = policy.rules[static_cast<size_t>(b)];
    return std::tie(x.module, x.span.begin) < std::tie(y.module, y.span.begin);
  });
  std::map<std::string, int> overloads;
  for (int32_t r : rules) ++overloads[policy.rules[static_cast<size_t>(r)].name];

  std::vector<AdminAction> actions;
  std::set<std::string> fixed_notes;
  for (int32_t r : rules) {
    const ir::Rule& rule = policy.rules[static_cast<size_t>(r)];
    AdminAction a;
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
        list.notes.push_back(rule.name + " is left out: " + why);
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
      list.notes.push_back(rule.name + ": a parameter type has no instances");
      continue;
    }
    if (overloads[rule.name] > 1) a.label += "(" + join(types, ", ") + ")";
    if (!a.fixed.empty()) fixed_notes.insert(a.label + ": " + join(a.fixed, ", "));
    actions.push_back(std::move(a));
  }
  for (const auto& a : actions) matrix.headers.push_back(a.label);

  // Whom to list: the users with a role and the groups' administrators.
  std::vector<bool> listed(static_cast<size_t>(snapshot.count(user_type)), false);
  std::vector<bool> group_admin(listed.size(), false);
  for (int32_t row = 0; row < snapshot.count(user_type); ++row)
    if (roles_attr >= 0 && !roles_text(snapshot, user_type, row, roles_attr).empty())
      listed[static_cast<size_t>(row)] = true;
  const int32_t group_type = policy.find_entity("Group");
  if (group_type >= 0) {
    const int32_t admins =
        policy.entities[static_cast<size_t>(group_type)].find_attribute("administrators");
    if (admins >= 0) {
      for (int32_t g = 0; g < snapshot.count(group_type); ++g) {
        ir::Value v = snapshot.get(group_type, g, admins);
        for (const auto& e : v.elems)
          if (e.tag == ir::Value::Tag::Entity && e.ref == user_type) {
            listed[static_cast<size_t>(e.num)] = true;
            group_admin[static_cast<size_t>(e.num)] = true;
          }
      }
    }
  }

  size_t users = 0;
  for (int32_t row = 0; row < snapshot.count(user_type); ++row) {
    if (!listed[static_cast<size_t>(row)]) continue;
    ++users;
    const std::string& id = snapshot.id(user_type, row);
    std::string roles = roles_text(snapshot, user_type, row, roles_attr);
    if (group_admin[static_cast<size_t>(row)])
      roles += roles.empty() ? "(group administrator)" : ", (group administrator)";
    std::vector<std::string> cells = {id, roles};
    const rt::RtValue actor = rt::RtValue::entity(user_type, row);
    for (const auto& a : actions) {
      Scope s = scope_of(interp, a, actor, today);
      if (s.allowed == 0) {
        cells.push_back("-");
        continue;
      }
      std::string count = std::to_string(s.allowed) + "/" + std::to_string(s.total);
      list.rows.push_back({id, roles, a.label, s.text, a.varying.empty() ? "yes" : count});
      cells.push_back(a.varying.empty() ? "yes" : s.allowed == s.total ? "all" : count);
    }
    matrix.rows.push_back(std::move(cells));
  }

  if (users == 0) list.notes.push_back("no user has a role (User.roles) or administers a group");
  if (actions.empty())
    list.notes.push_back("the policy has no admin actions (actions whose first parameter is "
                         "actor: User)");
  list.notes.push_back("Each action was decided by the policy for every combination of its "
                       "parameters; scope lists what is allowed (\"all (N)\": every one of N; "
                       "\"a, b → x\": for a and b, x), allowed counts the combinations.");
  list.notes.push_back("Self-service is left out (one's own bookings and profile, F-R1): "
                       "\"all\" counts the other users.");
  for (const auto& n : fixed_notes) list.notes.push_back("Fixed parameter, " + n);
  matrix.notes.push_back("yes: allowed; all: every combination; k/n: k of n combinations; -: "
                         "none. Details in the table 'roles'.");
  return {list, matrix};
}

} // namespace keyplan::sim
