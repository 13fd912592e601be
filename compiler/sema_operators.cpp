// Binary operators and binders (quantifiers, comprehensions, filters).
#include "compiler/sema_context.hpp"

#include "compiler/parse.hpp"

#include <algorithm>
#include <fmt/format.h>
#include <functional>

namespace keyplan::sema {

using ir::Op;
using ir::TypeKind;
using TT = ir::TypeTable;

namespace {
ir::ExprPtr node2(Op op, TypeId t, const Span& s, ir::ExprPtr a, ir::ExprPtr b) {
  auto x = make_node(op, t, s);
  x->kids.push_back(std::move(a));
  x->kids.push_back(std::move(b));
  return x;
}
} // namespace

// Chains of one associative operator (`a or b or c ...`, parsed left-deep)
// are checked in a loop, one operand at a time, and evaluated as a balanced
// tree when long, so that no consumer of the IR recurses once per operand.
ir::ExprPtr Context::check_binary(const ast::Expr& e, Scope& scope, TypeId expected) {
  using K = ast::ExprKind;
  if (!ast::is_associative(e.bop) || e.kids[0]->kind != K::Binary || e.kids[0]->bop != e.bop)
    return check_binary_step(e, scope, expected, nullptr);
  std::vector<const ast::Expr*> spine; // top first
  for (const ast::Expr* cur = &e; cur->kind == K::Binary && cur->bop == e.bop;
       cur = cur->kids[0].get())
    spine.push_back(cur);
  auto too_long = [&](size_t n, TypeId t) {
    diags.error(e.span,
                fmt::format("a chain of {} '{}' on '{}' is nested too deeply to evaluate", n,
                            ast::spelling(e.bop), type_name(t)),
                fmt::format("at most {} operators; split it into named rules", kMaxNesting));
    return error_node(e.span);
  };
  // The operands and operators of the chain, while it stays `x op y op z`
  // with its operands in order; else `tree`, the chain so far as written.
  auto bottom = check_binary_step(*spine.back(), scope, expected, nullptr);
  // After an error, the other operands are still checked (and reported), as
  // the right side of an operator whose left side is in error.
  auto fail_from = [&](size_t i) {
    for (size_t j = i; j-- > 0;)
      check_binary_step(*spine[j], scope, expected,
                        make_node(Op::Const, TT::kError, spine[j]->kids[0]->span));
    return error_node(e.span);
  };
  if (bottom->type == TT::kError) return fail_from(spine.size() - 1);
  Op op = bottom->op;
  std::vector<ir::ExprPtr> operands;
  std::vector<std::pair<TypeId, Span>> steps; // each operator's result type and span
  ir::ExprPtr tree;
  size_t tree_steps = 1;
  if (bottom->kids.size() == 2) {
    steps.emplace_back(bottom->type, bottom->span);
    operands.push_back(std::move(bottom->kids[0]));
    operands.push_back(std::move(bottom->kids[1]));
  } else {
    tree = std::move(bottom);
  }
  auto as_written = [&]() {
    ir::ExprPtr t = std::move(operands[0]);
    for (size_t i = 0; i < steps.size(); ++i)
      t = node2(op, steps[i].first, steps[i].second, std::move(t), std::move(operands[i + 1]));
    tree_steps = steps.size();
    operands.clear();
    steps.clear();
    return t;
  };
  TypeId acc = tree ? tree->type : bottom->type;
  for (size_t i = spine.size() - 1; i-- > 0;) {
    // The checked left side stands in as a leaf of its type.
    auto left = make_node(Op::Const, acc, spine[i]->kids[0]->span);
    const ir::Expr* stand_in = left.get();
    auto x = check_binary_step(*spine[i], scope, expected, std::move(left));
    if (x->type == TT::kError) return fail_from(i);
    acc = x->type;
    if (!tree && x->op == op && x->kids.size() == 2 && x->kids[0].get() == stand_in) {
      steps.emplace_back(x->type, x->span);
      operands.push_back(std::move(x->kids[1]));
      continue;
    }
    // Another shape (int + date puts the date first): keep the tree as written.
    if (!tree) tree = as_written();
    bool placed = false;
    for (auto& k : x->kids)
      if (k.get() == stand_in) k = std::move(tree), placed = true;
    if (!placed) { // never: every operator keeps both operands; fail closed if one did not
      diags.error(e.span, "internal error: an operator chain lost an operand");
      return error_node(e.span);
    }
    tree = std::move(x);
    if (++tree_steps > static_cast<size_t>(kMaxNesting)) return too_long(tree_steps, acc);
  }
  if (tree) return tree;
  bool uniform = std::all_of(operands.begin(), operands.end(),
                             [&](const ir::ExprPtr& x) { return x->type == acc; });
  if (uniform && operands.size() > kBalanceFrom) {
    std::function<ir::ExprPtr(size_t, size_t)> build = [&](size_t lo, size_t hi) {
      if (hi - lo == 1) return std::move(operands[lo]);
      size_t mid = lo + (hi - lo) / 2;
      Span s = cover(operands[lo]->span, operands[hi - 1]->span);
      auto l = build(lo, mid);
      return node2(op, acc, s, std::move(l), build(mid, hi));
    };
    auto top = build(0, operands.size());
    top->span = e.span;
    return top;
  }
  // Short, or not of one type (date + int + int): left-deep, as written.
  if (steps.size() > static_cast<size_t>(kMaxNesting))
    return too_long(steps.size(), operands[0]->type);
  return as_written();
}

ir::ExprPtr Context::check_binary_step(const ast::Expr& e, Scope& scope, TypeId expected,
                                       ir::ExprPtr left) {
  auto& types = policy.types;
  using B = ast::BinOp;
  const ast::Expr& L = *e.kids[0];
  const ast::Expr& R = *e.kids[1];
  auto mismatch = [&](const ir::ExprPtr& a, const ir::ExprPtr& b, const std::string& what) {
    diags.error(e.span,
                fmt::format("'{}' cannot be applied to '{}' and '{}'", ast::spelling(e.bop),
                            type_name(a->type), type_name(b->type)),
                what);
    return error_node(e.span);
  };

  switch (e.bop) {
  case B::And:
  case B::Or:
  case B::Implies: {
    auto a = left ? std::move(left) : check(L, scope, TT::kBool);
    auto b = check(R, scope, TT::kBool);
    bool bad = a->type == TT::kError || b->type == TT::kError;
    for (auto* side : {&a, &b}) {
      if ((*side)->type != TT::kBool && (*side)->type != TT::kError) {
        const ast::Expr& src = side == &a ? L : R;
        diags.error(src.span,
                    fmt::format("the operands of '{}' must be bool", ast::spelling(e.bop)),
                    fmt::format("found '{}'", type_name((*side)->type)));
        bad = true;
      }
    }
    Op op = e.bop == B::And ? Op::And : e.bop == B::Or ? Op::Or : Op::Implies;
    return node2(op, bad ? TT::kError : TT::kBool, e.span, std::move(a), std::move(b));
  }
  default:
    break;
  }

  // Check the side that fixes the type first; it guides `none`, `[]` and
  // ambiguous names on the other side.
  ir::ExprPtr a, b;
  bool right_first = !left && context_dependent(L) && !context_dependent(R);
  auto guide_for_left = [&](TypeId rt) -> TypeId {
    if (e.bop == B::In || e.bop == B::NotIn) return types.is_set(rt) ? types[rt].elem : TT::kError;
    return rt;
  };
  auto guide_for_right = [&](TypeId lt) -> TypeId {
    if (e.bop == B::In || e.bop == B::NotIn)
      return lt == TT::kError ? lt : types.set_of(types.strip_optional(lt));
    if (e.bop == B::Coalesce) return types.strip_optional(lt);
    if (e.bop == B::Add || e.bop == B::Sub) return lt == TT::kDate ? TT::kError : lt;
    return lt;
  };
  if (right_first) {
    b = check(R, scope);
    a = check(L, scope, guide_for_left(b->type));
  } else {
    a = left ? std::move(left)
             : check(L, scope, e.bop == B::Coalesce ? types.optional_of(expected) : TT::kError);
    b = check(R, scope, guide_for_right(a->type));
  }
  if (a->type == TT::kError || b->type == TT::kError) return error_node(e.span);
  TypeId at = a->type, bt = b->type;

  switch (e.bop) {
  case B::Eq:
  case B::Ne: {
    if (!(assignable(at, bt) || assignable(bt, at)))
      return mismatch(
          a, b,
          "both sides must have the same type (an optional may be compared with its value type)");
    return node2(e.bop == B::Eq ? Op::Eq : Op::Ne, TT::kBool, e.span, std::move(a), std::move(b));
  }
  case B::Lt:
  case B::Le:
  case B::Gt:
  case B::Ge: {
    if (at != bt || !is_ordered(at))
      return mismatch(a, b,
                      types.is_optional(at) || types.is_optional(bt)
                          ? "an optional value has no order: give a default with '?\?'"
                          : "expected two ints, two dates, two strings or two members of one enum");
    Op op = e.bop == B::Lt ? Op::Lt : e.bop == B::Le ? Op::Le : e.bop == B::Gt ? Op::Gt : Op::Ge;
    return node2(op, TT::kBool, e.span, std::move(a), std::move(b));
  }
  case B::In:
  case B::NotIn: {
    if (!types.is_set(bt) || types[bt].elem != types.strip_optional(at))
      return mismatch(a, b,
                      types.is_set(bt)
                          ? fmt::format("the element must be '{}'", type_name(types[bt].elem))
                          : "the right side of 'in' must be a set");
    auto x = node2(Op::In, TT::kBool, e.span, std::move(a), std::move(b));
    if (e.bop == B::In) return x;
    auto n = make_node(Op::Not, TT::kBool, e.span);
    n->kids.push_back(std::move(x));
    return n;
  }
  case B::Meets: {
    if (!types.is_set(at) || at != bt)
      return mismatch(a, b, "'meets' tests whether two sets of one element type share an element");
    return node2(Op::Meets, TT::kBool, e.span, std::move(a), std::move(b));
  }
  case B::Within: {
    int32_t ea = entity_of(at), eb = entity_of(bt);
    if (ea < 0 || eb < 0)
      return mismatch(a, b,
                      "'within' relates two places of the location tree (entities with parents)");
    auto anc = ancestor_types(ea);
    if (std::find(anc.begin(), anc.end(), eb) == anc.end()) {
      std::string chain;
      for (int32_t t : anc)
        chain += (chain.empty() ? "" : " > ") + policy.entities[static_cast<size_t>(t)].name;
      diags.error(e.span,
                  fmt::format("{} {} is never within {} {}",
                              article(type_name(types.strip_optional(at))),
                              type_name(types.strip_optional(at)),
                              article(type_name(types.strip_optional(bt))),
                              type_name(types.strip_optional(bt))),
                  fmt::format("its parent chain is {}", chain));
      return error_node(e.span);
    }
    return node2(Op::Within, TT::kBool, e.span, std::move(a), std::move(b));
  }
  case B::Coalesce: {
    if (!types.is_optional(at)) {
      diags.warning(L.span, fmt::format("'?\?' has no effect: '{}' is never none", type_name(at)));
      if (at != bt) return mismatch(a, b, "both sides must have the same type");
      return a;
    }
    TypeId elem = types[at].elem;
    if (bt != elem && bt != at)
      return mismatch(a, b, fmt::format("the default must be '{}'", type_name(elem)));
    return node2(Op::Coalesce, bt, e.span, std::move(a), std::move(b));
  }
  case B::Add:
  case B::Sub: {
    Op op = e.bop == B::Add ? Op::Add : Op::Sub;
    if (at == TT::kInt && bt == TT::kInt)
      return node2(op, TT::kInt, e.span, std::move(a), std::move(b));
    if (at == TT::kDate && bt == TT::kInt)
      return node2(op, TT::kDate, e.span, std::move(a), std::move(b));
    if (e.bop == B::Add && at == TT::kInt && bt == TT::kDate)
      return node2(op, TT::kDate, e.span, std::move(b), std::move(a));
    if (e.bop == B::Sub && at == TT::kDate && bt == TT::kDate)
      return node2(op, TT::kInt, e.span, std::move(a), std::move(b));
    if (types.is_set(at) && at == bt)
      return mismatch(a, b, fmt::format("for sets use '{}'", e.bop == B::Add ? "union" : "except"));
    return mismatch(a, b, "expected int ± int, date ± int, or date - date (days)");
  }
  case B::Union:
  case B::Except:
  case B::Intersect: {
    if (!types.is_set(at) || at != bt)
      return mismatch(a, b, "expected two sets of one element type");
    Op op = e.bop == B::Union ? Op::Union : e.bop == B::Except ? Op::Except : Op::Intersect;
    return node2(op, at, e.span, std::move(a), std::move(b));
  }
  case B::Mul:
  case B::Div:
  case B::Mod: {
    if (at != TT::kInt || bt != TT::kInt) return mismatch(a, b, "expected two ints");
    Op op = e.bop == B::Mul ? Op::Mul : e.bop == B::Div ? Op::Div : Op::Mod;
    return node2(op, TT::kInt, e.span, std::move(a), std::move(b));
  }
  default:
    break;
  }
  return error_node(e.span);
}

ir::ExprPtr Context::check_binder(const ast::Expr& e, Scope& scope, TypeId expected) {
  auto& types = policy.types;
  (void)expected;
  if (!scope.allow_vars) {
    diags.error(e.span, "a constant cannot bind variables",
                "expected a literal, an enum member, an instance id or a list of those");
    return error_node(e.span);
  }
  // Quant: kids domain, body. Comprehension: result, domain, [where]. Filter: domain, where.
  const ast::Expr& domain_src = e.kind == ast::ExprKind::Comprehension ? *e.kids[1] : *e.kids[0];
  auto domain = check_domain(domain_src, scope);
  TypeId elem = domain->type == TT::kError ? TT::kError : types[domain->type].elem;
  if (scope.find(e.name.text))
    diags.warning(e.name.span, fmt::format("'{}' hides a variable of the same name", e.name.text));
  int32_t slot = scope.next_slot++;
  scope.frame_size = std::max(scope.frame_size, scope.next_slot);
  scope.vars.push_back({e.name.text, slot, elem, e.name.span, false, false});
  auto pop = [&]() {
    const Var& v = scope.vars.back();
    if (!v.used && v.name.rfind('_', 0) != 0)
      diags.warning(v.span, fmt::format("variable '{}' is never used", v.name),
                    "name it _ to say so");
    scope.vars.pop_back();
    --scope.next_slot;
  };
  auto check_bool = [&](const ast::Expr& src, const char* role) {
    auto x = check(src, scope, TT::kBool);
    if (x->type != TT::kBool && x->type != TT::kError) {
      diags.error(src.span, fmt::format("{} must be bool", role),
                  fmt::format("found '{}'", type_name(x->type)));
      return error_node(src.span);
    }
    return x;
  };
  ir::ExprPtr out;
  if (e.kind == ast::ExprKind::Quant) {
    auto body = check_bool(*e.kids[1], e.quant_all ? "the body of 'all'" : "the body of 'any'");
    bool bad = domain->type == TT::kError || body->type == TT::kError;
    out = make_node(e.quant_all ? Op::All : Op::Any, bad ? TT::kError : TT::kBool, e.span);
    out->kids.push_back(std::move(domain));
    out->kids.push_back(std::move(body));
  } else if (e.kind == ast::ExprKind::Comprehension) {
    auto result = check(*e.kids[0], scope);
    ir::ExprPtr cond =
        e.kids.size() > 2 ? check_bool(*e.kids[2], "the 'where' condition") : nullptr;
    bool bad = domain->type == TT::kError || result->type == TT::kError ||
               (cond && cond->type == TT::kError);
    TypeId rt = result->type;
    if (!bad && (types.is_optional(rt) || types.is_set(rt))) {
      diags.error(e.kids[0]->span, "set elements must be plain values, entities or enum members",
                  types.is_optional(rt) ? "give a default with '?\?'"
                                        : fmt::format("not '{}'", type_name(rt)));
      bad = true;
    }
    out = make_node(Op::Map, bad ? TT::kError : types.set_of(rt), e.span);
    out->kids.push_back(std::move(domain));
    out->kids.push_back(std::move(result));
    if (cond) out->kids.push_back(std::move(cond));
  } else {
    auto cond = check_bool(*e.kids[1], "the 'where' condition");
    bool bad = domain->type == TT::kError || cond->type == TT::kError;
    TypeId st = domain->type;
    out = make_node(Op::Filter, bad ? TT::kError : st, e.span);
    out->kids.push_back(std::move(domain));
    out->kids.push_back(std::move(cond));
  }
  out->index = slot;
  pop();
  if (out->type == TT::kError) return error_node(e.span);
  return out;
}

} // namespace keyplan::sema
