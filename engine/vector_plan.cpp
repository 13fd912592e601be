#include "engine/vector_plan.hpp"

#include "runtime/explain_detail.hpp"
#include "runtime/snapshot.hpp"

#include <fmt/format.h>
#include <set>
#include <stdexcept>

namespace keyplan::engine::vec {

namespace {

using ir::Expr;
using ir::Op;

constexpr int kMaxDepth = 16;       // nested inlined calls
constexpr size_t kMaxNodes = 50000; // a plan larger than this is decided cell by cell

// What a frame slot holds while compiling: a closed value (computed by the
// interpreter) or a per-row value of some kind.
struct Slot {
  bool open = false;
  bool invariant = false;
  bool maybe_none = false;
  Kind kind = Kind::Closed;
  int32_t type = -1, attr = -1;
  ir::TypeId vtype = 0;
};
using Env = std::vector<Slot>;

struct Unsupported : std::runtime_error {
  using std::runtime_error::runtime_error;
};

const char* kind_name(Kind k) {
  switch (k) {
  case Kind::Mask:
    return "per-row bool";
  case Kind::Ent:
    return "per-row entity";
  case Kind::Scalar:
    return "per-row value";
  case Kind::SetRow:
    return "per-row set";
  default:
    return "closed value";
  }
}

class Compiler {
public:
  Compiler(const ir::Policy& p, Plan& plan) : p_(p), tt_(p.types), plan_(plan) {}

  Node* compile(const Expr& e, Env& env, int depth) {
    if (plan_.nodes.size() > kMaxNodes)
      throw Unsupported(fmt::format("the plan exceeds {} operators", kMaxNodes));
    if (!depends(e, env)) {
      Node& n = make(Kind::Closed, e);
      n.invariant = closed_invariant(e, env);
      return &n;
    }
    switch (e.op) {
    case Op::Var: {
      const Slot& s = env[static_cast<size_t>(e.index)];
      Node& n = make(s.kind, e);
      n.slot = e.index;
      n.invariant = s.invariant;
      n.maybe_none = s.maybe_none;
      n.type = s.type;
      n.attr = s.attr;
      n.vtype = s.vtype;
      return &n;
    }
    case Op::Attr:
      return attr(e, env, depth);
    case Op::Call:
      return call(e, env, depth);
    case Op::Not: {
      Node* k = need(compile(*e.kids[0], env, depth), e, Kind::Mask);
      return &mask(e, {k});
    }
    case Op::And:
    case Op::Or: {
      std::vector<Node*> closed, open;
      flatten(e, e.op, env, depth, closed, open);
      for (Node* k : open) need(k, e, Kind::Mask);
      closed.insert(closed.end(), open.begin(), open.end()); // closed kids first: cheap exits
      return &mask(e, closed);
    }
    case Op::Implies:
      return &mask(e, {need(compile(*e.kids[0], env, depth), e, Kind::Mask),
                       need(compile(*e.kids[1], env, depth), e, Kind::Mask)});
    case Op::If:
      return branch(e, env, depth);
    case Op::Eq:
    case Op::Ne:
      return equality(e, env, depth);
    case Op::Lt:
    case Op::Le:
    case Op::Gt:
    case Op::Ge: {
      Node* a = compile(*e.kids[0], env, depth);
      Node* b = compile(*e.kids[1], env, depth);
      for (Node* k : {a, b})
        if (k->kind != Kind::Closed && k->kind != Kind::Scalar)
          fail(fmt::format("ordering of a {}", kind_name(k->kind)), e);
      return &mask(e, {a, b});
    }
    case Op::In: {
      if (Node* n = in_special(e, env, depth)) return n;
      Node* x = compile(*e.kids[0], env, depth);
      Node* s = compile(*e.kids[1], env, depth);
      bool ok = (x->kind == Kind::Closed && s->kind == Kind::SetRow) ||
                (s->kind == Kind::Closed && (x->kind == Kind::Ent || x->kind == Kind::Scalar));
      if (!ok) fail("`in` between per-row values", e);
      if (s->kind == Kind::SetRow) inverse_.insert(column_name(*s));
      return &mask(e, {x, s});
    }
    case Op::Meets: {
      Node* a = compile(*e.kids[0], env, depth);
      Node* b = compile(*e.kids[1], env, depth);
      if (a->kind == Kind::Closed) std::swap(a, b);
      if (a->kind != Kind::SetRow || b->kind != Kind::Closed)
        fail("`meets` between two per-row sets", e);
      inverse_.insert(column_name(*a));
      return &mask(e, {a, b});
    }
    case Op::Union: {
      Node* a = compile(*e.kids[0], env, depth);
      Node* b = compile(*e.kids[1], env, depth);
      if (a->kind == Kind::Closed) std::swap(a, b);
      if (a->kind != Kind::SetRow || b->kind != Kind::Closed || a->maybe_none)
        fail("union of per-row sets", e);
      Node& n = make(Kind::SetRow, e);
      n.kids = {a, b};
      n.type = a->type;
      n.attr = a->attr;
      n.invariant = a->invariant && b->invariant;
      return &n;
    }
    case Op::Any:
    case Op::All: {
      Node* dom = compile(*e.kids[0], env, depth);
      if (dom->kind != Kind::Closed && dom->kind != Kind::SetRow)
        fail("a quantifier over a set that depends on the row", e);
      Slot saved = env[static_cast<size_t>(e.index)];
      env[static_cast<size_t>(e.index)] = Slot{}; // bound to closed elements, one at a time
      Node* body = need(compile(*e.kids[1], env, depth), e, Kind::Mask);
      env[static_cast<size_t>(e.index)] = saved;
      if (dom->kind == Kind::SetRow && body->kind != Kind::Closed)
        fail("a quantifier over a per-row set whose body depends on the row", e);
      Node& n = mask(e, {dom, body});
      n.slot = e.index;
      n.invariant = false;
      if (dom->kind == Kind::SetRow) { // over each row's own set: see VectorEval::quantifier
        n.in_form = 3;
        inverse_.insert(column_name(*dom));
      }
      return &n;
    }
    case Op::Count:
      return count(e, env, depth);
    case Op::Coalesce: {
      Node* a = compile(*e.kids[0], env, depth);
      Node* b = compile(*e.kids[1], env, depth);
      Kind k = a->kind == Kind::Closed ? b->kind : a->kind;
      if (k != Kind::Ent && k != Kind::Scalar) fail(fmt::format("`??` of a {}", kind_name(k)), e);
      for (Node* x : {a, b})
        if (x->kind != Kind::Closed && x->kind != k) fail("`??` of mixed per-row values", e);
      Node& n = make(k, e);
      Node* open = a->kind == Kind::Closed ? b : a;
      n.kids = {a, b};
      n.type = open->type;
      n.vtype = tt_.strip_optional(e.type);
      n.maybe_none = tt_.is_optional(e.type);
      n.invariant = a->invariant && b->invariant;
      return &n;
    }
    case Op::Within: {
      Node* a = compile(*e.kids[0], env, depth);
      Node* b = compile(*e.kids[1], env, depth);
      if (a->kind != Kind::Ent || b->kind != Kind::Closed)
        fail("`within` of a closed entity in a per-row one", e);
      return &mask(e, {a, b});
    }
    default:
      fail(fmt::format("`{}` of a value that depends on the row", ir::op_name(e.op)), e);
    }
  }

  std::string shape() const {
    std::string s = fmt::format("{} operators, {} inlined calls", plan_.nodes.size(), calls_);
    if (!inverse_.empty()) {
      s += ", inverse indexes:";
      for (const auto& c : inverse_) s += " " + c;
    }
    return s;
  }

private:
  [[noreturn]] void fail(const std::string& what, const Expr& e) {
    std::string src = rt::detail::source_text(p_, e.span);
    throw Unsupported(src.empty() ? what : fmt::format("{} on {}", what, src));
  }

  Node* need(Node* n, const Expr& e, Kind k) {
    if (n->kind != Kind::Closed && n->kind != k)
      fail(fmt::format("a {} where a {} is needed", kind_name(n->kind), kind_name(k)), e);
    return n;
  }

  Node& make(Kind k, const Expr& e) {
    Node& n = plan_.nodes.emplace_back();
    n.kind = k;
    n.op = e.op;
    n.e = &e;
    n.id = plan_.nodes.size() - 1;
    return n;
  }

  // A Mask node over `kids`; invariant when all of them are.
  Node& mask(const Expr& e, std::vector<Node*> kids) {
    Node& n = make(Kind::Mask, e);
    n.invariant = true;
    for (Node* k : kids) n.invariant = n.invariant && k->invariant;
    n.kids = std::move(kids);
    return n;
  }

  std::string column_name(const Node& set) const {
    const auto& et = p_.entities[static_cast<size_t>(set.type)];
    return et.name + "." + et.attributes[static_cast<size_t>(set.attr)].name;
  }

  bool depends(const Expr& e, const Env& env) const {
    if (e.op == Op::Var) return env[static_cast<size_t>(e.index)].open;
    for (const auto& k : e.kids)
      if (depends(*k, env)) return true;
    return false;
  }

  // A closed value that is the same for every column: no variable that
  // changes between columns, no today, no call (a rule may read today).
  bool closed_invariant(const Expr& e, const Env& env) const {
    if (e.op == Op::Var) return env[static_cast<size_t>(e.index)].invariant;
    if (e.op == Op::Today || e.op == Op::Call) return false;
    if (e.op == Op::Any || e.op == Op::All || e.op == Op::Map || e.op == Op::Filter)
      return false; // a bound variable
    for (const auto& k : e.kids)
      if (!closed_invariant(*k, env)) return false;
    return true;
  }

  void flatten(const Expr& e, Op op, Env& env, int depth, std::vector<Node*>& closed,
               std::vector<Node*>& open) {
    for (const auto& k : e.kids) {
      if (k->op == op && depends(*k, env)) {
        flatten(*k, op, env, depth, closed, open);
        continue;
      }
      Node* n = compile(*k, env, depth);
      (n->kind == Kind::Closed ? closed : open).push_back(n);
    }
  }

  Node* attr(const Expr& e, Env& env, int depth) {
    Node* k = compile(*e.kids[0], env, depth);
    if (k->kind != Kind::Ent) fail("an attribute of a per-row value", e);
    const ir::Attribute& a =
        p_.entities[static_cast<size_t>(k->type)].attributes[static_cast<size_t>(e.index)];
    bool optional = tt_.is_optional(a.type);
    ir::TypeId base = tt_.strip_optional(a.type);
    Node* n = nullptr;
    switch (rt::column_kind(p_, a.type)) {
    case rt::ColumnKind::String:
      fail("string attribute", e);
    case rt::ColumnKind::Values:
      fail("set-of-values attribute", e);
    case rt::ColumnKind::Bits:
      if (optional) fail("optional set attribute", e);
      n = &make(Kind::SetRow, e);
      n->type = k->type;
      break;
    case rt::ColumnKind::Scalar:
      switch (tt_.kind(base)) {
      case ir::TypeKind::Bool:
        n = &make(Kind::Mask, e);
        break;
      case ir::TypeKind::Entity:
        n = &make(Kind::Ent, e);
        n->type = tt_[base].ref;
        break;
      default:
        n = &make(Kind::Scalar, e);
        n->vtype = base;
        break;
      }
      n->maybe_none = optional;
      break;
    }
    n->attr = e.index;
    n->kids = {k};
    n->invariant = k->invariant;
    n->maybe_none = n->maybe_none || k->maybe_none;
    if (!n->invariant) fail("an attribute path that changes per column", e);
    return n;
  }

  // `x.id in S` (S closed) and `c in x.list` (a list-valued attribute):
  // per-row forms over columns that are not bitsets. Null when `e` is
  // neither.
  Node* in_special(const Expr& e, Env& env, int depth) {
    const Expr &x = *e.kids[0], &s = *e.kids[1];
    if (x.op == Op::Id && depends(x, env) && !depends(s, env)) {
      Node* k = compile(*x.kids[0], env, depth);
      if (k->kind != Kind::Ent) fail("`id` of a per-row value", x);
      Node& n = mask(e, {k, compile(s, env, depth)});
      n.in_form = 1;
      return &n;
    }
    if (s.op == Op::Attr && depends(s, env) && !depends(x, env)) {
      Node* k = compile(*s.kids[0], env, depth);
      if (k->kind != Kind::Ent) return nullptr;
      const ir::Attribute& a =
          p_.entities[static_cast<size_t>(k->type)].attributes[static_cast<size_t>(s.index)];
      if (rt::column_kind(p_, a.type) != rt::ColumnKind::Values) return nullptr;
      Node& n = mask(e, {compile(x, env, depth), k});
      n.in_form = 2;
      n.type = k->type;
      n.attr = s.index;
      return &n;
    }
    return nullptr;
  }

  // count(S) of a per-row set: an int per row. S is a set attribute along a
  // path (bitsets or value lists), or a per-row set with a closed part.
  Node* count(const Expr& e, Env& env, int depth) {
    const Expr& s = *e.kids[0];
    Node* n = nullptr;
    if (s.op == Op::Attr && depends(s, env)) {
      Node* k = compile(*s.kids[0], env, depth);
      if (k->kind == Kind::Ent) {
        const ir::Attribute& a =
            p_.entities[static_cast<size_t>(k->type)].attributes[static_cast<size_t>(s.index)];
        if (rt::column_kind(p_, a.type) == rt::ColumnKind::Values) {
          if (tt_.is_optional(a.type)) fail("optional set attribute", s);
          n = &make(Kind::Scalar, e);
          n->type = k->type;
          n->attr = s.index;
          n->kids = {k};
        }
      }
    }
    if (!n) {
      Node* k = compile(s, env, depth);
      if (k->kind != Kind::SetRow) fail("`count` of a per-row value", e);
      n = &make(Kind::Scalar, e);
      n->kids = {k};
    }
    n->vtype = ir::TypeTable::kInt;
    n->invariant = n->kids[0]->invariant;
    if (!n->invariant) fail("`count` of a per-row set that changes per column", e);
    return n;
  }

  Node* call(const Expr& e, Env& env, int depth) {
    if (depth >= kMaxDepth) fail(fmt::format("calls nested deeper than {}", kMaxDepth), e);
    const ir::Rule& r = p_.rules[static_cast<size_t>(e.index)];
    Node& n = make(Kind::Closed, e);
    n.callee = e.index;
    n.frame_size = std::max<int32_t>(r.frame_size, static_cast<int32_t>(r.params.size()));
    Env callee(static_cast<size_t>(n.frame_size));
    bool open_invariant = true;
    for (size_t i = 0; i < e.kids.size(); ++i) {
      Node* a = compile(*e.kids[i], env, depth);
      n.kids.push_back(a);
      Slot& s = callee[i];
      s.invariant = a->invariant;
      if (a->kind == Kind::Closed) continue;
      s.open = true;
      s.kind = a->kind;
      s.type = a->type;
      s.attr = a->attr;
      s.vtype = a->vtype;
      s.maybe_none = a->maybe_none;
      open_invariant = open_invariant && a->invariant;
    }
    ++calls_;
    n.body = compile(*r.body, callee, depth + 1);
    n.kind = n.body->kind;
    n.type = n.body->type;
    n.attr = n.body->attr;
    n.vtype = n.body->vtype;
    n.maybe_none = n.body->maybe_none;
    n.invariant = n.body->invariant;
    n.memo = n.kind == Kind::Mask && !n.invariant && open_invariant;
    return &n;
  }

  Node* branch(const Expr& e, Env& env, int depth) {
    Node* c = compile(*e.kids[0], env, depth);
    Node* a = compile(*e.kids[1], env, depth);
    Node* b = compile(*e.kids[2], env, depth);
    if (c->kind == Kind::Closed) {
      Kind k = a->kind == Kind::Closed ? b->kind : a->kind;
      if (k == Kind::Closed) { // both branches are inlined calls with closed values
        if (e.type != ir::TypeTable::kBool) fail("if/else between closed calls", e);
        k = Kind::Mask;
      }
      bool liftable = k == Kind::Mask || k == Kind::SetRow;
      for (Node* x : {a, b})
        if (x->kind != k && !(x->kind == Kind::Closed && liftable))
          fail(fmt::format("if/else between a {} and a {}", kind_name(a->kind), kind_name(b->kind)),
               e);
      if (k == Kind::SetRow && a->kind == Kind::SetRow && b->kind == Kind::SetRow &&
          (a->type != b->type || a->attr != b->attr))
        fail("if/else between two set attributes", e);
      Node& n = make(k, e);
      n.kids = {c, a, b};
      Node* open = a->kind == Kind::Closed ? b : a;
      n.type = open->type;
      n.attr = open->attr;
      n.vtype = open->vtype;
      n.maybe_none = a->maybe_none || b->maybe_none;
      n.invariant = c->invariant && a->invariant && b->invariant;
      return &n;
    }
    need(c, e, Kind::Mask);
    if (e.type != ir::TypeTable::kBool) fail("if/else choosing a non-bool value per row", e);
    need(a, e, Kind::Mask);
    need(b, e, Kind::Mask);
    return &mask(e, {c, a, b});
  }

  Node* equality(const Expr& e, Env& env, int depth) {
    Node* a = compile(*e.kids[0], env, depth);
    Node* b = compile(*e.kids[1], env, depth);
    Kind k = a->kind == Kind::Closed ? b->kind : a->kind;
    for (Node* x : {a, b}) {
      if (x->kind != Kind::Closed && x->kind != k)
        fail(fmt::format("comparison of a {} with a {}", kind_name(a->kind), kind_name(b->kind)),
             e);
      if (x->kind == Kind::Mask && x->maybe_none) fail("equality of an optional bool", e);
    }
    if (k == Kind::SetRow) fail("set equality", e);
    return &mask(e, {a, b});
  }

  const ir::Policy& p_;
  const ir::TypeTable& tt_;
  Plan& plan_;
  size_t calls_ = 0;
  std::set<std::string> inverse_;
};

} // namespace

std::unique_ptr<Plan> compile_plan(const ir::Policy& policy, int32_t rule, int32_t open) {
  auto plan = std::make_unique<Plan>();
  plan->rule = rule;
  plan->open = open;
  if (rule < 0 || static_cast<size_t>(rule) >= policy.rules.size()) {
    plan->why = "no such action";
    return plan;
  }
  const ir::Rule& r = policy.rules[static_cast<size_t>(rule)];
  if (open < 0 || static_cast<size_t>(open) >= r.params.size()) {
    plan->why = "no such parameter";
    return plan;
  }
  ir::TypeId t = policy.types.strip_optional(r.params[static_cast<size_t>(open)].type);
  if (policy.types.kind(t) != ir::TypeKind::Entity) {
    plan->why =
        fmt::format("parameter '{}' is not an entity", r.params[static_cast<size_t>(open)].name);
    return plan;
  }
  plan->open_type = policy.types[t].ref;
  if (r.result != ir::TypeTable::kBool) {
    plan->why = "the action's value is not a bool";
    return plan;
  }
  plan->frame_size = std::max<int32_t>(r.frame_size, static_cast<int32_t>(r.params.size()));
  Env env(static_cast<size_t>(plan->frame_size));
  for (size_t i = 0; i < r.params.size(); ++i) env[i].invariant = false; // given per column
  Slot& s = env[static_cast<size_t>(open)];
  s.open = true;
  s.invariant = true;
  s.kind = Kind::Ent;
  s.type = plan->open_type;
  Compiler c(policy, *plan);
  try {
    plan->root = c.compile(*r.body, env, 0);
    if (plan->root->kind != Kind::Mask && plan->root->kind != Kind::Closed)
      throw Unsupported("the action's body is not a bool");
    plan->vectorised = true;
    plan->shape = c.shape();
  } catch (const Unsupported& u) {
    plan->vectorised = false;
    plan->why = u.what();
    plan->root = nullptr;
    plan->nodes.clear();
  }
  return plan;
}

} // namespace keyplan::engine::vec
