#include "runtime/explain_detail.hpp"

#include <algorithm>
#include <cctype>
#include <fmt/format.h>

namespace keyplan::rt::detail {

using ir::Expr;
using ir::Op;

namespace {

constexpr size_t kMaxShown = 20; // set elements shown in an explanation

std::string collapse(std::string_view s) {
  std::string out;
  bool space = false;
  for (char c : s) {
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
      space = !out.empty();
      continue;
    }
    if (space) out += ' ';
    space = false;
    out += c;
  }
  return out;
}

// Slots bound inside `e` (their values in the frame are stale outside).
void bound_slots(const Expr& e, std::vector<int32_t>& out) {
  if (e.op == Op::Any || e.op == Op::All || e.op == Op::Map || e.op == Op::Filter)
    out.push_back(e.index);
  for (const auto& k : e.kids) bound_slots(*k, out);
}

void free_vars(const Expr& e, const std::vector<int32_t>& bound, std::vector<const Expr*>& out) {
  if (e.op == Op::Var && std::find(bound.begin(), bound.end(), e.index) == bound.end()) {
    out.push_back(&e);
    return;
  }
  for (const auto& k : e.kids) free_vars(*k, bound, out);
}

// The source text of `e` with its free variables replaced by their values:
// `groups_of(u)` reads `groups_of(schmidt)`.
std::string substituted(const Expr& e, const ClauseContext& ctx) {
  if (!ctx.policy.sources || !e.span.valid()) return {};
  std::vector<int32_t> bound;
  bound_slots(e, bound);
  std::vector<const Expr*> vars;
  free_vars(e, bound, vars);
  std::sort(vars.begin(), vars.end(),
            [](const Expr* a, const Expr* b) { return a->span.begin < b->span.begin; });
  std::string_view text = ctx.policy.sources->text(e.span);
  std::string out;
  uint32_t pos = e.span.begin;
  for (const Expr* v : vars) {
    if (v->span.file != e.span.file || v->span.begin < pos || v->span.end > e.span.end) continue;
    if (static_cast<size_t>(v->index) >= ctx.frame.size()) continue;
    out += text.substr(pos - e.span.begin, v->span.begin - pos);
    out += short_format(ctx.frame[static_cast<size_t>(v->index)], ctx.snapshot);
    pos = v->span.end;
  }
  if (pos < e.span.end) out += text.substr(pos - e.span.begin);
  return collapse(out);
}

// "Floor first_floor" for an instance.
std::string instance_name(const ClauseContext& ctx, const RtValue& v) {
  if (v.kind != RtKind::Entity) return short_format(v, ctx.snapshot);
  return fmt::format("{} {}", ctx.policy.entities[static_cast<size_t>(v.ref)].name,
                     short_format(v, ctx.snapshot));
}

// How a clause operand is named in a hint: `Object TABLE_2.status` for an
// attribute of an instance, else the operand's text with values substituted.
std::string subject(const Expr& k, const ClauseContext& ctx) {
  if (k.op == Op::Attr) {
    RtValue o = ctx.eval(*k.kids[0]);
    if (o.kind == RtKind::Entity) {
      const auto& et = ctx.policy.entities[static_cast<size_t>(o.ref)];
      return fmt::format("{}.{}", instance_name(ctx, o),
                         et.attributes[static_cast<size_t>(k.index)].name);
    }
  }
  return substituted(k, ctx);
}

std::string parent_chain(const ClauseContext& ctx, RtValue v) {
  std::string out = short_format(v, ctx.snapshot);
  const ir::TypeTable& tt = ctx.policy.types;
  for (int i = 0; i < 64 && v.kind == RtKind::Entity; ++i) {
    const EntityTable& tab = ctx.snapshot.table(v.ref);
    if (tab.parent_attr < 0) break;
    const Column& c = tab.columns[static_cast<size_t>(tab.parent_attr)];
    int64_t p = c.scalars[static_cast<size_t>(v.num)];
    if (c.optional && p == kNone) break;
    v = RtValue::entity(tt[tt.strip_optional(c.type)].ref, p);
    out += " > " + short_format(v, ctx.snapshot);
  }
  return out;
}

} // namespace

std::string source_text(const ir::Policy& policy, const Span& span) {
  if (!policy.sources || !span.valid()) return {};
  return collapse(policy.sources->text(span));
}

std::string short_format(const RtValue& v, const Snapshot& snapshot) {
  if (!v.is_set() || rt_count(v) <= kMaxShown) return rt_format(v, snapshot);
  ir::Value s = to_ir(v);
  std::string out = "[";
  for (size_t i = 0; i < kMaxShown; ++i) out += snapshot.format(s.elems[i]) + ", ";
  return out + fmt::format("... (+{} more)]", s.elems.size() - kMaxShown);
}

std::string bound_name(const ir::Policy& policy, const Expr& q) {
  std::string text = source_text(policy, q.span);
  size_t i = 0;
  if (text.rfind("any", 0) == 0 || text.rfind("all", 0) == 0) i = 3;
  while (i < text.size() && text[i] == ' ') ++i;
  size_t b = i;
  while (i < text.size() && (std::isalnum(static_cast<unsigned char>(text[i])) || text[i] == '_'))
    ++i;
  return i > b ? text.substr(b, i - b) : std::string("element");
}

void describe_clause(ExplainNode& n, const Expr& e, const RtValue& r, const ClauseContext& ctx) {
  auto show = [&](const Expr& k, const RtValue& v) {
    if (k.op == Op::Const) return; // a literal shows its value already
    // An attribute read names the instance: `Object TABLE_1.status = blocked`.
    std::string label = k.op == Op::Attr ? subject(k, ctx) : source_text(ctx.policy, k.span);
    n.details.push_back(fmt::format("{} = {}", label, short_format(v, ctx.snapshot)));
  };
  auto fmtv = [&](const RtValue& v) { return short_format(v, ctx.snapshot); };
  switch (e.op) {
  case Op::Attr: {
    RtValue o = ctx.eval(*e.kids[0]);
    if (o.kind != RtKind::Entity) {
      n.details.push_back(fmt::format("{} is none", source_text(ctx.policy, e.kids[0]->span)));
      break;
    }
    const auto& attr =
        ctx.policy.entities[static_cast<size_t>(o.ref)].attributes[static_cast<size_t>(e.index)];
    std::string who = instance_name(ctx, o);
    n.details.push_back(fmt::format("{}.{} = {}", who, attr.name, fmtv(r)));
    n.hint_true = fmt::format("{} must be {}", who, attr.name);
    n.hint_false = fmt::format("{} must not be {}", who, attr.name);
    break;
  }
  case Op::Setting: {
    const auto& s = ctx.policy.settings[static_cast<size_t>(e.index)];
    n.details.push_back(fmt::format("setting {} = {}", s.name, fmtv(r)));
    n.hint_true = fmt::format("setting {} must be true", s.name);
    n.hint_false = fmt::format("setting {} must be false", s.name);
    break;
  }
  case Op::Var:
    n.details.push_back(fmt::format("{} = {}", n.text, fmtv(r)));
    break;
  case Op::Eq:
  case Op::Ne:
  case Op::Lt:
  case Op::Le:
  case Op::Gt:
  case Op::Ge: {
    RtValue a = ctx.eval(*e.kids[0]), b = ctx.eval(*e.kids[1]);
    show(*e.kids[0], a);
    show(*e.kids[1], b);
    std::string subj = subject(*e.kids[0], ctx);
    std::string must_be = fmt::format("{} must be {} (is {})", subj, fmtv(b), fmtv(a));
    std::string must_not = fmt::format("{} must not be {}", subj, fmtv(b));
    if (e.op == Op::Eq) {
      n.hint_true = must_be;
      n.hint_false = must_not;
    } else if (e.op == Op::Ne) {
      n.hint_true = must_not;
      n.hint_false = must_be;
    } else {
      std::string now = fmt::format("{} {} {}", fmtv(a), ir::op_name(e.op), fmtv(b));
      n.hint_true = fmt::format("needs {} (now {} is false)", n.text, now);
      n.hint_false = fmt::format("needs not {} (now {} is true)", n.text, now);
    }
    break;
  }
  case Op::In: {
    RtValue x = ctx.eval(*e.kids[0]), s = ctx.eval(*e.kids[1]);
    show(*e.kids[0], x);
    show(*e.kids[1], s);
    std::string set_name = subject(*e.kids[1], ctx);
    n.hint_true = fmt::format("{} must be in {}", fmtv(x), set_name);
    n.hint_false = fmt::format("{} must not be in {}", fmtv(x), set_name);
    break;
  }
  case Op::Meets: {
    RtValue a = ctx.eval(*e.kids[0]), b = ctx.eval(*e.kids[1]);
    show(*e.kids[0], a);
    show(*e.kids[1], b);
    RtValue common = rt_common(a, b);
    n.details.push_back(rt_count(common) ? fmt::format("common: {}", fmtv(common))
                                         : std::string("no common element"));
    std::string who = subject(*e.kids[0], ctx);
    n.hint_true = fmt::format("{} needs one of {}", who, fmtv(b));
    n.hint_false = fmt::format("{} must not hold any of {}", who, fmtv(common));
    break;
  }
  case Op::Within: {
    RtValue a = ctx.eval(*e.kids[0]), b = ctx.eval(*e.kids[1]);
    n.details.push_back(fmt::format("{} = {}", source_text(ctx.policy, e.kids[0]->span),
                                    a.is_none() ? "none" : parent_chain(ctx, a)));
    show(*e.kids[1], b);
    n.hint_true =
        fmt::format("{} must lie within {}", instance_name(ctx, a), instance_name(ctx, b));
    n.hint_false =
        fmt::format("{} must not lie within {}", instance_name(ctx, a), instance_name(ctx, b));
    break;
  }
  case Op::Any:
  case Op::All: {
    RtValue d = ctx.eval(*e.kids[0]);
    show(*e.kids[0], d);
    std::string dom = source_text(ctx.policy, e.kids[0]->span);
    std::string body = source_text(ctx.policy, e.kids[1]->span);
    std::string var = bound_name(ctx.policy, e);
    if (e.op == Op::Any) {
      if (!r.truth()) n.details.push_back("no element satisfies it");
      n.hint_true = fmt::format("needs some {} in {} with {}", var, dom, body);
      n.hint_false = fmt::format("needs no {} in {} with {}", var, dom, body);
    } else {
      n.hint_true = fmt::format("needs every {} in {} to have {}", var, dom, body);
      n.hint_false = fmt::format("needs some {} in {} without {}", var, dom, body);
    }
    break;
  }
  default:
    break;
  }
}

} // namespace keyplan::rt::detail
