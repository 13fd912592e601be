// Names, member access and calls (rules, actions, built-ins).
#include "compiler/sema_context.hpp"

#include <algorithm>
#include <fmt/format.h>

namespace keyplan::sema {

using ir::Op;
using ir::TypeKind;
using TT = ir::TypeTable;

std::string Context::expected_values(TypeId t) const {
  const auto& types = policy.types;
  t = types.strip_optional(t);
  switch (types.kind(t)) {
  case TypeKind::Bool:
    return "expected true or false";
  case TypeKind::Int:
    return "expected a whole number";
  case TypeKind::String:
    return "expected a string in double quotes";
  case TypeKind::Date:
    return "expected a date such as 2026-11-23";
  case TypeKind::Enum: {
    const auto& en = policy.enums[static_cast<size_t>(types[t].ref)];
    std::string out = "expected one of ";
    for (size_t i = 0; i < en.members.size(); ++i) out += (i ? ", " : "") + en.members[i];
    return out;
  }
  case TypeKind::Entity:
    return fmt::format("expected the id of a {}",
                       policy.entities[static_cast<size_t>(types[t].ref)].name);
  case TypeKind::Set:
    return "expected a list such as [a, b]";
  default:
    return {};
  }
}

ir::ExprPtr Context::check_name(const ast::Expr& e, Scope& scope, TypeId expected) {
  auto& types = policy.types;
  const std::string& n = e.name.text;
  if (Var* v = scope.find(n)) {
    v->used = true;
    auto x = make_node(Op::Var, v->type, e.span);
    x->index = v->slot;
    return x;
  }
  if (int32_t s = policy.find_setting(n); s >= 0) {
    if (!scope.allow_vars) {
      diags.error(e.span, fmt::format("setting '{}' cannot be used in a constant", n),
                  "constants are literals, enum members and instance ids");
      return error_node(e.span);
    }
    auto x = make_node(Op::Setting, policy.settings[static_cast<size_t>(s)].type, e.span);
    x->index = s;
    return x;
  }
  // Instances and enum members; the expected type settles ambiguity.
  TypeId want = types.strip_optional(expected);
  if (types.is_set(want)) want = types[want].elem;
  std::vector<ir::ExprPtr> found;
  std::vector<std::string> where;
  for (size_t t = 0; t < policy.entities.size(); ++t) {
    const auto& ent = policy.entities[t];
    if (auto it = ent.instance_index.find(n); it != ent.instance_index.end()) {
      found.push_back(const_node(ir::Value::entity(static_cast<int32_t>(t), it->second),
                                 types.entity_type(static_cast<int32_t>(t)), e.span));
      where.push_back(ent.name + "." + n);
    }
  }
  for (size_t en = 0; en < policy.enums.size(); ++en) {
    const auto& members = policy.enums[en].members;
    for (size_t m = 0; m < members.size(); ++m)
      if (members[m] == n) {
        found.push_back(
            const_node(ir::Value::enumerator(static_cast<int32_t>(en), static_cast<int64_t>(m)),
                       types.enum_type(static_cast<int32_t>(en)), e.span));
        where.push_back(policy.enums[en].name + "." + n);
      }
  }
  if (found.size() > 1)
    for (auto& f : found)
      if (f->type == want) return std::move(f);
  if (found.size() == 1) return std::move(found[0]);
  if (found.size() > 1) {
    std::string list;
    for (const auto& w : where) list += (list.empty() ? "" : ", ") + w;
    diags.error(e.span, fmt::format("'{}' is ambiguous", n), fmt::format("qualify it: {}", list));
    return error_node(e.span);
  }
  if (int32_t t = policy.find_entity(n); t >= 0) {
    auto x = make_node(Op::AllOf, types.set_of(types.entity_type(t)), e.span);
    x->index = t;
    return x;
  }
  if (policy.find_enum(n) >= 0) {
    diags.error(e.span, fmt::format("'{}' is an enum type, not a value", n),
                fmt::format("name a member, e.g. {}.{}", n,
                            policy.enums[static_cast<size_t>(policy.find_enum(n))].members.at(0)));
    return error_node(e.span);
  }
  if (missing_library(e.span, n)) return error_node(e.span);
  std::string hint = suggest() ? did_you_mean(n, visible_names(scope)) : "";
  if (!rules_named(n).empty())
    hint = fmt::format("'{}' is a rule: call it with arguments, {}(...)", n, n);
  if (types.kind(want) == TypeKind::Enum) {
    // An enum member is expected here: suggest among its members.
    const auto& en = policy.enums[static_cast<size_t>(types[want].ref)];
    hint = did_you_mean(n, en.members);
    if (hint.empty()) {
      hint = fmt::format("{} has: ", en.name);
      for (size_t i = 0; i < en.members.size(); ++i) hint += (i ? ", " : "") + en.members[i];
    }
  }
  // A bare word where a bool belongs (`published: yes`): say what is.
  if (types.kind(want) == TypeKind::Bool) hint = expected_values(want);
  diags.error(e.span, fmt::format("unknown name '{}'", n), hint);
  return error_node(e.span);
}

ir::ExprPtr Context::check_member(const ast::Expr& e, Scope& scope, TypeId expected) {
  auto& types = policy.types;
  const ast::Expr& obj = *e.kids[0];
  const std::string& member = e.name.text;
  // Type-qualified names: ObjectKind.desk, Group.ALL.
  if (obj.kind == ast::ExprKind::Name && !scope.find(obj.name.text) &&
      policy.find_setting(obj.name.text) < 0) {
    const std::string& tn = obj.name.text;
    if (int32_t en = policy.find_enum(tn); en >= 0) {
      const auto& members = policy.enums[static_cast<size_t>(en)].members;
      for (size_t m = 0; m < members.size(); ++m)
        if (members[m] == member)
          return const_node(ir::Value::enumerator(en, static_cast<int64_t>(m)), types.enum_type(en),
                            e.span);
      diags.error(e.name.span, fmt::format("enum '{}' has no member '{}'", tn, member),
                  did_you_mean(member, members));
      return error_node(e.span);
    }
    if (int32_t t = policy.find_entity(tn); t >= 0) {
      bool is_instance_name = false;
      for (const auto& ent : policy.entities)
        is_instance_name = is_instance_name || ent.instance_index.count(tn);
      if (!is_instance_name) {
        const auto& ent = policy.entities[static_cast<size_t>(t)];
        if (auto it = ent.instance_index.find(member); it != ent.instance_index.end())
          return const_node(ir::Value::entity(t, it->second), types.entity_type(t), e.span);
        std::vector<std::string> ids;
        if (suggest())
          for (const auto& i : ent.instances) ids.push_back(i.id);
        diags.error(e.name.span, fmt::format("no {} '{}' is declared", tn, member),
                    did_you_mean(member, ids));
        return error_node(e.span);
      }
    }
  }
  auto o = check(obj, scope);
  if (o->type == TT::kError) return error_node(e.span);
  int32_t ent_index = entity_of(o->type);
  if (ent_index < 0) {
    diags.error(e.name.span, fmt::format("'{}' has no attributes", type_name(o->type)),
                fmt::format("'.{}' needs an entity on its left", member));
    return error_node(e.span);
  }
  const auto& ent = policy.entities[static_cast<size_t>(ent_index)];
  int32_t a = ent.find_attribute(member);
  if (a < 0 && member == "id") {
    // Every instance has an id; `.id` reads it unless an attribute is named id.
    auto x = make_node(
        Op::Id, types.is_optional(o->type) ? types.optional_of(TT::kString) : TT::kString, e.span);
    x->kids.push_back(std::move(o));
    return x;
  }
  if (a < 0) {
    std::vector<std::string> names;
    for (const auto& at : ent.attributes) names.push_back(at.name);
    std::string hint = did_you_mean(member, names);
    if (hint.empty()) {
      hint = "its attributes are: ";
      for (size_t i = 0; i < names.size(); ++i) hint += (i ? ", " : "") + names[i];
      if (names.empty()) hint = fmt::format("'{}' has no attributes", ent.name);
    }
    diags.error(e.name.span, fmt::format("entity '{}' has no attribute '{}'", ent.name, member),
                hint);
    return error_node(e.span);
  }
  TypeId at = ent.attributes[static_cast<size_t>(a)].type;
  if (at == TT::kError) return error_node(e.span);
  TypeId result = types.is_optional(o->type) ? types.optional_of(at) : at;
  auto x = make_node(Op::Attr, result, e.span);
  x->index = a;
  x->kids.push_back(std::move(o));
  (void)expected;
  return x;
}

const std::vector<int32_t>& Context::rules_named(const std::string& n) {
  if (rules_by_name_.empty())
    for (size_t i = 0; i < policy.rules.size(); ++i)
      rules_by_name_[policy.rules[i].name].push_back(static_cast<int32_t>(i));
  static const std::vector<int32_t> none;
  auto it = rules_by_name_.find(n);
  return it == rules_by_name_.end() ? none : it->second;
}

ir::ExprPtr Context::check_call(const ast::Expr& e, Scope& scope, TypeId expected) {
  const std::string& n = e.name.text;
  std::vector<int32_t> candidates = rules_named(n);
  if (candidates.empty()) {
    if (n == "count" || n == "max" || n == "min") return check_builtin(e, scope, expected);
    if (missing_library(e.name.span, n)) {
      for (const auto& k : e.kids) check(*k, scope);
      return error_node(e.span);
    }
    std::vector<std::string> names;
    if (suggest()) {
      for (const auto& r : policy.rules) names.push_back(r.name);
      names.insert(names.end(), {"count", "max", "min"});
    }
    diags.error(e.name.span, fmt::format("unknown rule or action '{}'", n), did_you_mean(n, names));
    for (const auto& k : e.kids) check(*k, scope);
    return error_node(e.span);
  }
  if (!scope.allow_vars) {
    // Constants are evaluated before any rule is checked (a callee's result
    // type may not even be known yet): a call is never one.
    diags.error(e.span, fmt::format("a call of '{}' is not a constant", n),
                "expected a literal, an enum member, an instance id or a list of those");
    return error_node(e.span);
  }
  // With one candidate its parameter types guide the arguments ([] and none).
  std::vector<ir::ExprPtr> args;
  for (size_t i = 0; i < e.kids.size(); ++i) {
    TypeId want = TT::kError;
    if (candidates.size() == 1 &&
        i < policy.rules[static_cast<size_t>(candidates[0])].params.size())
      want = policy.rules[static_cast<size_t>(candidates[0])].params[i].type;
    args.push_back(check(*e.kids[i], scope, want));
  }
  for (const auto& a : args)
    if (a->type == TT::kError) return error_node(e.span);
  std::vector<int32_t> matches;
  for (int32_t c : candidates) {
    const auto& r = policy.rules[static_cast<size_t>(c)];
    if (!rules[static_cast<size_t>(c)].signature_ok) return error_node(e.span);
    if (args.size() > r.params.size()) continue;
    bool ok = true;
    for (size_t i = 0; i < r.params.size() && ok; ++i) {
      if (i < args.size())
        ok = assignable(args[i]->type, r.params[i].type);
      else
        ok = rules[static_cast<size_t>(c)].decl->params[i].default_value != nullptr;
    }
    if (ok) matches.push_back(c);
  }
  std::string given;
  for (const auto& a : args) given += (given.empty() ? "" : ", ") + type_name(a->type);
  if (matches.size() != 1) {
    if (matches.empty())
      diags.error(e.span, fmt::format("no '{}' takes ({})", n, given),
                  candidates.size() == 1
                      ? fmt::format("expected {}",
                                    policy.rules[static_cast<size_t>(candidates[0])].signature)
                      : "the candidates are listed below");
    else
      diags.error(e.span, fmt::format("the call {}({}) is ambiguous", n, given),
                  "the candidates are listed below");
    if (candidates.size() > 1)
      for (int32_t c : matches.empty() ? candidates : matches)
        diags.note(policy.rules[static_cast<size_t>(c)].span,
                   fmt::format("candidate: {}", policy.rules[static_cast<size_t>(c)].signature));
    return error_node(e.span);
  }
  int32_t target = matches[0];
  const ir::Rule& r = policy.rules[static_cast<size_t>(target)];
  RuleInfo& info = rules[static_cast<size_t>(target)];
  // Callee first (order and recursion) in rule bodies and parameter defaults;
  // invariants and constants come after every rule is checked.
  bool callee_first = scope.current_rule >= 0 || scope.in_default;
  if (callee_first) check_rule(target);
  auto on_stack = [&](int32_t param) {
    for (size_t i = 0; i < checking_.size(); ++i)
      if (checking_[i].rule == target && checking_[i].param == param) return i;
    return checking_.size();
  };
  if (info.state == RuleInfo::InProgress) {
    report_cycle(e.span, on_stack(-1));
    return error_node(e.span);
  }
  // The defaults this call leaves out run here, at the call: their calls are ours.
  for (size_t i = args.size(); i < r.params.size(); ++i) {
    if (callee_first) check_default(target, i);
    if (size_t f = on_stack(static_cast<int32_t>(i)); f < checking_.size()) {
      report_cycle(e.span, f);
      return error_node(e.span);
    }
  }
  ++info.calls;
  if (r.result == TT::kError) return error_node(e.span);
  auto x = make_node(Op::Call, r.result, e.span);
  x->index = target;
  for (size_t i = 0; i < r.params.size(); ++i) {
    if (i < args.size())
      x->kids.push_back(std::move(args[i]));
    else if (r.params[i].default_value)
      x->kids.push_back(ir::clone(*r.params[i].default_value));
    else
      return error_node(e.span); // default had an error, already reported
  }
  return x;
}

ir::ExprPtr Context::check_builtin(const ast::Expr& e, Scope& scope, TypeId expected) {
  auto& types = policy.types;
  const std::string& n = e.name.text;
  (void)expected;
  if (n == "count") {
    if (e.kids.size() != 1) {
      diags.error(e.span, fmt::format("count takes one set, not {} arguments", e.kids.size()),
                  "e.g. count(u.groups)");
      return error_node(e.span);
    }
    auto s = check_domain(*e.kids[0], scope);
    if (s->type == TT::kError) return error_node(e.span);
    auto x = make_node(Op::Count, TT::kInt, e.span);
    x->kids.push_back(std::move(s));
    return x;
  }
  Op op = n == "max" ? Op::Max : Op::Min;
  if (e.kids.size() == 1) {
    auto s = check_domain(*e.kids[0], scope);
    if (s->type == TT::kError) return error_node(e.span);
    TypeId elem = types[s->type].elem;
    if (!is_ordered(elem)) {
      diags.error(e.kids[0]->span, fmt::format("{} needs ordered elements", n),
                  fmt::format("'{}' has no order", type_name(elem)));
      return error_node(e.span);
    }
    auto x = make_node(op, types.optional_of(elem), e.span);
    x->kids.push_back(std::move(s));
    return x;
  }
  if (e.kids.size() == 2) {
    auto a = check(*e.kids[0], scope);
    auto b = check(*e.kids[1], scope, a->type);
    if (a->type == TT::kError || b->type == TT::kError) return error_node(e.span);
    if (a->type != b->type || !is_ordered(a->type)) {
      diags.error(e.span, fmt::format("{} needs two values of one ordered type", n),
                  fmt::format("found '{}' and '{}'", type_name(a->type), type_name(b->type)));
      return error_node(e.span);
    }
    auto x = make_node(op, a->type, e.span);
    x->kids.push_back(std::move(a));
    x->kids.push_back(std::move(b));
    return x;
  }
  diags.error(e.span, fmt::format("{} takes a set, or two values", n));
  return error_node(e.span);
}

ir::ExprPtr Context::check_domain(const ast::Expr& e, Scope& scope) {
  auto d = check(e, scope);
  if (d->type != TT::kError && !policy.types.is_set(d->type)) {
    diags.error(e.span, "expected a set or an entity type here",
                fmt::format("found '{}'", type_name(d->type)));
    return error_node(e.span);
  }
  return d;
}

} // namespace keyplan::sema
