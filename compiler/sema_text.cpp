// Text built where a report shows it (docs/language.md "Building text"): a
// cell is a template string ("edit: {granted(g, edit)}"), an `if` between two
// texts, `join("; ", TEXT, ...)` (the non-empty texts, separated), or any
// other expression, shown as text. In the IR a template and a join are one
// node: a string constant (the separator) whose kids are the pieces; an
// empty piece is left out (simulator/declared_report.cpp renders it).
#include "compiler/sema_context.hpp"

#include <fmt/format.h>

namespace keyplan::sema {

using TT = ir::TypeTable;

namespace {

ir::ExprPtr text_node(const std::string& separator, const Span& span) {
  return const_node(ir::Value::string(separator), TT::kString, span);
}

bool is_string_literal(const ast::Expr& e) {
  return e.kind == ast::ExprKind::Literal && e.lit == ast::LitKind::String;
}

} // namespace

ir::ExprPtr Context::check_text(const ast::Expr& e, Scope& scope) {
  if (e.kind == ast::ExprKind::Paren) return check_text(*e.kids[0], scope);
  if (e.kind == ast::ExprKind::If) {
    auto c = check(*e.kids[0], scope, TT::kBool);
    if (c->type != TT::kBool && c->type != TT::kError)
      diags.error(e.kids[0]->span, "the condition of 'if' must be a bool",
                  fmt::format("found '{}'", type_name(c->type)));
    // The branches may have different types: each is shown as text.
    auto n = make_node(ir::Op::If, TT::kString, e.span);
    n->kids.push_back(std::move(c));
    n->kids.push_back(check_text(*e.kids[1], scope));
    n->kids.push_back(check_text(*e.kids[2], scope));
    return n;
  }
  if (is_string_literal(e) && e.text.find_first_of("{}") != std::string::npos) {
    std::vector<ir::Check::Piece> pieces;
    check_template(ast::Ident{e.text, e.span}, scope, pieces);
    auto n = text_node("", e.span);
    for (auto& p : pieces)
      n->kids.push_back(p.expr ? std::move(p.expr)
                               : const_node(ir::Value::string(p.text), TT::kString, e.span));
    // A template of one literal piece ("{{x}}"): keep it a node with kids.
    if (n->kids.empty()) n->kids.push_back(text_node("", e.span));
    return n;
  }
  if (e.kind == ast::ExprKind::List) return check_text_list(e, scope);
  if (e.kind == ast::ExprKind::Call && e.name.text == "join" && !e.kids.empty() &&
      is_string_literal(*e.kids[0])) {
    if (e.kids.size() < 2) {
      diags.error(e.span, "join needs a separator and at least one text",
                  "e.g. join(\"; \", \"a: {x}\", \"b: {y}\")");
      return error_node(e.span);
    }
    auto n = text_node(e.kids[0]->text, e.span);
    for (size_t i = 1; i < e.kids.size(); ++i) n->kids.push_back(check_text(*e.kids[i], scope));
    return n;
  }
  return check(e, scope);
}

// [TEXT for x in S where F]: a Map node of type string whose result is a
// text; the renderer builds one text per element of S, in S's order, and a
// join splices them in (alone in a cell: joined by ", ").
ir::ExprPtr Context::check_text_list(const ast::Expr& e, Scope& scope) {
  auto domain = check_domain(*e.kids[1], scope);
  TypeId elem = domain->type == TT::kError ? TT::kError : policy.types[domain->type].elem;
  if (scope.find(e.name.text))
    diags.warning(e.name.span, fmt::format("'{}' hides a variable of the same name", e.name.text));
  int32_t slot = scope.next_slot++;
  scope.frame_size = std::max(scope.frame_size, scope.next_slot);
  scope.vars.push_back({e.name.text, slot, elem, e.name.span, false, false});
  auto result = check_text(*e.kids[0], scope);
  ir::ExprPtr cond;
  if (e.kids.size() > 2) {
    cond = check(*e.kids[2], scope, TT::kBool);
    if (cond->type != TT::kBool && cond->type != TT::kError) {
      diags.error(e.kids[2]->span, "the 'where' condition must be bool",
                  fmt::format("found '{}'", type_name(cond->type)));
      cond = error_node(e.kids[2]->span);
    }
  }
  const Var& v = scope.vars.back();
  if (!v.used && v.name.rfind('_', 0) != 0)
    diags.warning(v.span, fmt::format("variable '{}' is never used", v.name),
                  "name it _ to say so");
  scope.vars.pop_back();
  --scope.next_slot;
  if (domain->type == TT::kError || result->type == TT::kError ||
      (cond && cond->type == TT::kError))
    return error_node(e.span);
  auto n = make_node(ir::Op::Map, TT::kString, e.span);
  n->index = slot;
  n->kids.push_back(std::move(domain));
  n->kids.push_back(std::move(result));
  if (cond) n->kids.push_back(std::move(cond));
  return n;
}

} // namespace keyplan::sema
