#include "compiler/ast.hpp"

namespace keyplan::ast {

Expr::~Expr() {
  std::vector<ExprPtr> pending = std::move(kids);
  while (!pending.empty()) {
    ExprPtr e = std::move(pending.back());
    pending.pop_back();
    for (auto& k : e->kids) pending.push_back(std::move(k));
    e->kids.clear();
  } // each node is freed with no kids left
}

bool is_associative(BinOp op) {
  return op == BinOp::Or || op == BinOp::And || op == BinOp::Union || op == BinOp::Intersect ||
         op == BinOp::Add || op == BinOp::Mul;
}

// Mirrors the alternative order of `expr` in grammar/Keyplan.g4.
int precedence(BinOp op) {
  switch (op) {
  case BinOp::Implies:
    return 1;
  case BinOp::Or:
    return 2;
  case BinOp::And:
    return 3;
  case BinOp::Eq:
  case BinOp::Ne:
  case BinOp::Lt:
  case BinOp::Le:
  case BinOp::Gt:
  case BinOp::Ge:
    return 5;
  case BinOp::In:
  case BinOp::NotIn:
    return 6;
  case BinOp::Meets:
    return 7;
  case BinOp::Within:
    return 8;
  case BinOp::Coalesce:
    return 9;
  case BinOp::Add:
  case BinOp::Sub:
  case BinOp::Union:
  case BinOp::Except:
    return 10;
  case BinOp::Mul:
  case BinOp::Div:
  case BinOp::Mod:
  case BinOp::Intersect:
    return 11;
  }
  return 0;
}

const char* spelling(BinOp op) {
  switch (op) {
  case BinOp::Implies:
    return "implies";
  case BinOp::Or:
    return "or";
  case BinOp::And:
    return "and";
  case BinOp::Eq:
    return "==";
  case BinOp::Ne:
    return "!=";
  case BinOp::Lt:
    return "<";
  case BinOp::Le:
    return "<=";
  case BinOp::Gt:
    return ">";
  case BinOp::Ge:
    return ">=";
  case BinOp::In:
    return "in";
  case BinOp::NotIn:
    return "not in";
  case BinOp::Meets:
    return "meets";
  case BinOp::Within:
    return "within";
  case BinOp::Coalesce:
    return "??";
  case BinOp::Add:
    return "+";
  case BinOp::Sub:
    return "-";
  case BinOp::Union:
    return "union";
  case BinOp::Except:
    return "except";
  case BinOp::Mul:
    return "*";
  case BinOp::Div:
    return "/";
  case BinOp::Mod:
    return "%";
  case BinOp::Intersect:
    return "intersect";
  }
  return "?";
}

} // namespace keyplan::ast
