// Expressions: name resolution, overload resolution and type checking, from
// ast::Expr to typed ir::Expr. Errors produce kError-typed nodes that silence
// follow-on errors, so each mistake is reported once.
#include "compiler/sema_context.hpp"

#include <algorithm>
#include <fmt/format.h>

namespace keyplan::sema {

using ir::Op;
using ir::TypeKind;
using TT = ir::TypeTable;

const Var* Scope::find(const std::string& n) const {
  for (auto it = vars.rbegin(); it != vars.rend(); ++it)
    if (it->name == n) return &*it;
  return nullptr;
}
Var* Scope::find(const std::string& n) {
  for (auto it = vars.rbegin(); it != vars.rend(); ++it)
    if (it->name == n) return &*it;
  return nullptr;
}

bool Context::is_ordered(TypeId t) const {
  TypeKind k = policy.types.kind(t);
  return k == TypeKind::Int || k == TypeKind::Date || k == TypeKind::Enum || k == TypeKind::String;
}

int32_t Context::entity_of(TypeId t) const {
  const auto& ty = policy.types[policy.types.strip_optional(t)];
  return ty.kind == TypeKind::Entity ? ty.ref : -1;
}

std::vector<int32_t> Context::ancestor_types(int32_t entity) const {
  std::vector<int32_t> out;
  int32_t cur = entity;
  while (cur >= 0 && std::find(out.begin(), out.end(), cur) == out.end()) {
    out.push_back(cur);
    const auto& ent = policy.entities[static_cast<size_t>(cur)];
    cur = ent.parent_attr < 0
              ? -1
              : entity_of(ent.attributes[static_cast<size_t>(ent.parent_attr)].type);
  }
  return out;
}

bool Context::assignable(TypeId from, TypeId to) const {
  if (from == to || from == TT::kError || to == TT::kError) return true;
  return policy.types.is_optional(to) && policy.types[to].elem == from;
}

std::vector<std::string> Context::visible_names(const Scope& scope) const {
  std::vector<std::string> names;
  for (const auto& v : scope.vars) names.push_back(v.name);
  for (const auto& s : policy.settings) names.push_back(s.name);
  for (const auto& e : policy.entities) {
    names.push_back(e.name);
    for (const auto& i : e.instances) names.push_back(i.id);
  }
  for (const auto& e : policy.enums)
    for (const auto& m : e.members) names.push_back(m);
  return names;
}

// Names whose type depends on where they are used: `none`, `[]`, bare names.
bool context_dependent(const ast::Expr& e) {
  if (e.kind == ast::ExprKind::Paren) return context_dependent(*e.kids[0]);
  return (e.kind == ast::ExprKind::Literal && e.lit == ast::LitKind::None) ||
         (e.kind == ast::ExprKind::SetLit && e.kids.empty()) || e.kind == ast::ExprKind::Name;
}

ir::ExprPtr Context::check(const ast::Expr& e, Scope& scope, TypeId expected) {
  // Rules are checked on demand from their first call, so this recursion
  // runs through chains of rules calling rules: bound it, not the stack.
  struct Depth {
    size_t& d;
    explicit Depth(size_t& x) : d(x) { ++d; }
    ~Depth() { --d; }
  } depth(check_depth_);
  if (check_depth_ > kMaxEvalDepth) {
    if (!too_deep_reported_)
      diags.error(
          e.span,
          fmt::format("expressions and calls nested more than {} levels deep", kMaxEvalDepth),
          "shorten the chain of rules calling rules");
    too_deep_reported_ = true;
    return error_node(e.span);
  }
  auto& types = policy.types;
  auto expect = [&](const ir::ExprPtr& x, TypeId want, const ast::Expr& src, const char* role) {
    if (x->type == TT::kError || want == TT::kError || x->type == want) return true;
    std::string what = expected_values(want);
    diags.error(src.span, fmt::format("{} must be '{}'", role, type_name(want)),
                what.empty() ? fmt::format("found '{}'", type_name(x->type))
                             : fmt::format("{}, found '{}'", what, type_name(x->type)));
    return false;
  };
  switch (e.kind) {
  case ast::ExprKind::Paren:
    return check(*e.kids[0], scope, expected);

  case ast::ExprKind::Literal: {
    switch (e.lit) {
    case ast::LitKind::Int: {
      errno = 0;
      char* end = nullptr;
      long long v = std::strtoll(e.text.c_str(), &end, 10);
      if (errno == ERANGE) {
        diags.error(e.span, "integer literal is too large",
                    "the range is -9223372036854775808 .. 9223372036854775807");
        return error_node(e.span);
      }
      return const_node(ir::Value::integer(v), TT::kInt, e.span);
    }
    case ast::LitKind::String:
      return const_node(ir::Value::string(e.text), TT::kString, e.span);
    case ast::LitKind::Date: {
      int64_t days = 0;
      if (!ir::parse_date(e.text, days)) {
        if (e.text.rfind("0000", 0) == 0)
          diags.error(e.span, fmt::format("'{}' is outside the supported dates", e.text),
                      "dates range from 0001-01-01 to 9999-12-31");
        else
          diags.error(e.span, fmt::format("'{}' is not a calendar date", e.text),
                      "that day does not exist (expected YYYY-MM-DD)");
        return error_node(e.span);
      }
      return const_node(ir::Value::date(days), TT::kDate, e.span);
    }
    case ast::LitKind::True:
      return const_node(ir::Value::boolean(true), TT::kBool, e.span);
    case ast::LitKind::False:
      return const_node(ir::Value::boolean(false), TT::kBool, e.span);
    case ast::LitKind::Today:
      return make_node(Op::Today, TT::kDate, e.span);
    case ast::LitKind::None: {
      TypeId base = types.strip_optional(expected);
      if (types.kind(base) == TypeKind::Enum) {
        const auto& en = policy.enums[static_cast<size_t>(types[base].ref)];
        for (size_t i = 0; i < en.members.size(); ++i)
          if (en.members[i] == "none")
            return const_node(ir::Value::enumerator(types[base].ref, static_cast<int64_t>(i)), base,
                              e.span);
      }
      if (expected == TT::kError) {
        diags.error(e.span, "cannot tell the type of 'none' here",
                    "compare it with an optional value, e.g. `x.up == none`");
        return error_node(e.span);
      }
      return const_node(ir::Value::none(), types.optional_of(expected), e.span);
    }
    }
    return error_node(e.span);
  }

  case ast::ExprKind::Name:
    return check_name(e, scope, expected);
  case ast::ExprKind::Member:
    return check_member(e, scope, expected);
  case ast::ExprKind::Call:
    return check_call(e, scope, expected);

  case ast::ExprKind::Unary: {
    if (e.uop == ast::UnOp::Not) {
      auto x = check(*e.kids[0], scope, TT::kBool);
      expect(x, TT::kBool, *e.kids[0], "the operand of 'not'");
      if (x->op == Op::Const && x->type == TT::kBool)
        return const_node(ir::Value::boolean(!x->constant.num), TT::kBool, e.span);
      auto n = make_node(Op::Not, x->type == TT::kError ? TT::kError : TT::kBool, e.span);
      n->kids.push_back(std::move(x));
      return n;
    }
    auto x = check(*e.kids[0], scope, TT::kInt);
    expect(x, TT::kInt, *e.kids[0], "the operand of unary '-'");
    if (x->op == Op::Const && x->type == TT::kInt)
      return const_node(
          ir::Value::integer(static_cast<int64_t>(0ULL - static_cast<uint64_t>(x->constant.num))),
          TT::kInt, e.span);
    auto n = make_node(Op::Neg, x->type == TT::kError ? TT::kError : TT::kInt, e.span);
    n->kids.push_back(std::move(x));
    return n;
  }

  case ast::ExprKind::Binary:
    return check_binary(e, scope, expected);

  case ast::ExprKind::If: {
    auto c = check(*e.kids[0], scope, TT::kBool);
    expect(c, TT::kBool, *e.kids[0], "the condition of 'if'");
    ir::ExprPtr t, f;
    if (context_dependent(*e.kids[1]) && !context_dependent(*e.kids[2])) {
      f = check(*e.kids[2], scope, expected);
      t = check(*e.kids[1], scope, expected != TT::kError ? expected : f->type);
    } else {
      t = check(*e.kids[1], scope, expected);
      f = check(*e.kids[2], scope, expected != TT::kError ? expected : t->type);
    }
    TypeId type = TT::kError;
    if (t->type == TT::kError || f->type == TT::kError || c->type == TT::kError)
      type = TT::kError;
    else if (t->type == f->type)
      type = t->type;
    else if (assignable(t->type, f->type))
      type = f->type;
    else if (assignable(f->type, t->type))
      type = t->type;
    else
      diags.error(e.span, "the two branches of 'if' have different types",
                  fmt::format("'then' gives '{}', 'else' gives '{}'", type_name(t->type),
                              type_name(f->type)));
    auto n = make_node(Op::If, type, e.span);
    n->kids.push_back(std::move(c));
    n->kids.push_back(std::move(t));
    n->kids.push_back(std::move(f));
    return n;
  }

  case ast::ExprKind::Quant:
  case ast::ExprKind::Comprehension:
  case ast::ExprKind::Filter:
    return check_binder(e, scope, expected);

  case ast::ExprKind::List:
    // Texts in order exist only where a report shows them (sema_text.cpp).
    diags.error(e.span, "a list of texts `[... for x in S]` is only allowed in a report's text",
                "use it in a column, a note or a title, e.g. join(\", \", [\"{g}\" for g in S]); "
                "a set is written {e for x in S}");
    return error_node(e.span);

  case ast::ExprKind::SetLit: {
    TypeId want_elem = types.is_set(expected) ? types[expected].elem : TT::kError;
    if (e.kids.empty()) {
      if (want_elem == TT::kError) {
        diags.error(e.span, "cannot tell the element type of '[]' here",
                    "use it where a set of known type is expected");
        return error_node(e.span);
      }
      return const_node(ir::Value::set({}), expected, e.span);
    }
    std::vector<ir::ExprPtr> elems;
    TypeId elem = want_elem;
    bool bad = false, all_const = true;
    for (const auto& k : e.kids) {
      auto x = check(*k, scope, elem);
      if (x->type == TT::kError)
        bad = true;
      else if (elem == TT::kError)
        elem = x->type;
      else if (x->type != elem) {
        diags.error(k->span, "the elements of a set must have one type",
                    fmt::format("expected '{}', found '{}'", type_name(elem), type_name(x->type)));
        bad = true;
      }
      all_const = all_const && x->op == Op::Const;
      elems.push_back(std::move(x));
    }
    if (bad) return error_node(e.span);
    if (types.is_optional(elem) || types.is_set(elem)) {
      diags.error(e.span, "set elements must be plain values, entities or enum members",
                  fmt::format("not '{}'", type_name(elem)));
      return error_node(e.span);
    }
    TypeId st = types.set_of(elem);
    if (all_const) {
      std::vector<ir::Value> vals;
      for (auto& x : elems) vals.push_back(x->constant);
      return const_node(ir::Value::set(std::move(vals)), st, e.span);
    }
    auto n = make_node(Op::SetOf, st, e.span);
    n->kids = std::move(elems);
    return n;
  }
  }
  return error_node(e.span);
}

} // namespace keyplan::sema
