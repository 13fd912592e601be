#include "runtime/interpreter.hpp"

#include "runtime/bitset.hpp"
#include "runtime/explain_detail.hpp"

#include <chrono>
#include <fmt/format.h>

namespace keyplan::rt {

using ir::Expr;
using ir::Op;
using Frame = std::vector<RtValue>;

int64_t current_date() {
  using namespace std::chrono;
  return floor<days>(system_clock::now()).time_since_epoch().count();
}

namespace {

int64_t wrap_add(int64_t a, int64_t b) {
  return static_cast<int64_t>(static_cast<uint64_t>(a) + static_cast<uint64_t>(b));
}
int64_t wrap_sub(int64_t a, int64_t b) {
  return static_cast<int64_t>(static_cast<uint64_t>(a) - static_cast<uint64_t>(b));
}
int64_t wrap_mul(int64_t a, int64_t b) {
  return static_cast<int64_t>(static_cast<uint64_t>(a) * static_cast<uint64_t>(b));
}
int64_t total_div(int64_t a, int64_t b) {
  if (b == 0) return 0;
  if (b == -1) return wrap_sub(0, a); // INT64_MIN / -1 wraps to INT64_MIN
  return a / b;
}
int64_t total_mod(int64_t a, int64_t b) {
  if (b == 0 || b == -1) return 0;
  return a % b;
}

// The explanation tree under construction: a stack of open nodes. A node's
// parent gets no new kid while the node is open, so the pointers stay valid.
struct Recorder {
  ExplainNode root;
  std::vector<ExplainNode*> stack;
  ExplainNode& open() {
    if (stack.empty()) {
      stack.push_back(&root);
      return root;
    }
    ExplainNode& n = stack.back()->kids.emplace_back();
    stack.push_back(&n);
    return n;
  }
  void close() { stack.pop_back(); }
};

constexpr size_t kMaxElements = 20; // quantifier elements listed per clause

} // namespace

template <bool X> class Evaluator {
public:
  Evaluator(Interpreter& in, int64_t today, Recorder* rec)
      : in_(in), sn_(in.snapshot_), tt_(in.policy_.types), today_(today), rec_(rec) {}

  RtValue eval(const Expr& e, Frame& f) {
    if constexpr (X) {
      if (recorded(e)) return eval_recorded(e, f);
    }
    return op(e, f);
  }

  RtValue call(int32_t index, Frame args) {
    const ir::Rule& rule = in_.policy_.rules[static_cast<size_t>(index)];
    args.resize(static_cast<size_t>(std::max<int32_t>(rule.frame_size, 0)));
    if constexpr (X) {
      ExplainNode& n = rec_->open();
      n.kind = NodeKind::Rule;
      n.text = rule.name;
      n.signature = rule.signature;
      n.implements = rule.implements;
      n.span = rule.span;
      for (size_t i = 0; i < rule.params.size(); ++i)
        n.args.emplace_back(rule.params[i].name, detail::short_format(args[i], sn_));
      RtValue r = eval(*rule.body, args);
      n.value = detail::short_format(r, sn_);
      if (rule.result == ir::TypeTable::kBool) n.truth = r.truth();
      rec_->close();
      return r;
    } else {
      return eval(*rule.body, args);
    }
  }

private:
  bool recorded(const Expr& e) const {
    switch (e.op) {
    case Op::And:
    case Op::Or:
    case Op::Not:
    case Op::Implies:
    case Op::If:
    case Op::Eq:
    case Op::Ne:
    case Op::Lt:
    case Op::Le:
    case Op::Gt:
    case Op::Ge:
    case Op::In:
    case Op::Meets:
    case Op::Within:
    case Op::Any:
    case Op::All:
      return true;
    case Op::Attr:
    case Op::Setting:
    case Op::Var:
      return e.type == ir::TypeTable::kBool;
    default:
      return false;
    }
  }

  RtValue eval_recorded(const Expr& e, Frame& f) {
    ExplainNode& n = rec_->open();
    n.kind = NodeKind::Clause;
    n.op = ir::op_name(e.op);
    n.text = detail::source_text(in_.policy_, e.span);
    n.span = e.span;
    RtValue r = op(e, f);
    n.value = detail::short_format(r, sn_);
    if (e.type == ir::TypeTable::kBool) n.truth = r.truth();
    Evaluator<false> plain(in_, today_, nullptr);
    detail::ClauseContext ctx{in_.policy_, sn_, f, [&](const Expr& k) { return plain.eval(k, f); }};
    detail::describe_clause(n, e, r, ctx);
    // `x not in S` is Not(In) over one span: one node, with the In's data.
    if (e.op == Op::Not && n.kids.size() == 1 && n.kids[0].op == "in" &&
        n.kids[0].span.begin == e.span.begin && n.kids[0].span.end == e.span.end) {
      ExplainNode in = std::move(n.kids[0]);
      n.kids = std::move(in.kids);
      n.op = "not in";
      n.details = std::move(in.details);
      n.hint_true = std::move(in.hint_false);
      n.hint_false = std::move(in.hint_true);
    }
    rec_->close();
    return r;
  }

  ir::TypeId elem_of(const Expr& set_expr) const {
    return tt_[tt_.strip_optional(set_expr.type)].elem;
  }

  RtValue attr(int32_t type, int64_t row, int32_t index) {
    const Column& c = sn_.table(type).columns[static_cast<size_t>(index)];
    size_t r = static_cast<size_t>(row);
    switch (c.kind) {
    case ColumnKind::Scalar: {
      int64_t v = c.scalars[r];
      if (c.optional && v == kNone) return RtValue::none();
      const ir::Type& base = tt_[tt_.strip_optional(c.type)];
      switch (base.kind) {
      case ir::TypeKind::Bool:
        return RtValue::boolean(v != 0);
      case ir::TypeKind::Date:
        return RtValue::date(v);
      case ir::TypeKind::Enum:
        return RtValue::enumerator(base.ref, v);
      case ir::TypeKind::Entity:
        return RtValue::entity(base.ref, v);
      default:
        return RtValue::integer(v);
      }
    }
    case ColumnKind::String:
      if (c.is_none(static_cast<int32_t>(row))) return RtValue::none();
      return RtValue::string_view(c.strings[r]);
    case ColumnKind::Bits:
      if (c.is_none(static_cast<int32_t>(row))) return RtValue::none();
      return RtValue::bits_view(c.elem_ref, c.elem_enum, c.bits_row(static_cast<int32_t>(row)),
                                c.stride);
    case ColumnKind::Values:
      if (c.is_none(static_cast<int32_t>(row))) return RtValue::none();
      return RtValue::values_view(&c.values[r]);
    }
    return RtValue::none();
  }

  bool within(const RtValue& a, const RtValue& b) {
    if (a.kind != RtKind::Entity || b.kind != RtKind::Entity) return false;
    int32_t t = a.ref;
    int64_t r = a.num;
    int64_t limit = 1;
    for (int32_t i = 0; i < sn_.entity_count(); ++i) limit += sn_.count(i);
    for (int64_t step = 0; step <= limit; ++step) {
      if (t == b.ref && r == b.num) return true;
      const EntityTable& tab = sn_.table(t);
      if (tab.parent_attr < 0) return false;
      const Column& c = tab.columns[static_cast<size_t>(tab.parent_attr)];
      int64_t p = c.scalars[static_cast<size_t>(r)];
      if (c.optional && p == kNone) return false;
      t = tt_[tt_.strip_optional(c.type)].ref;
      r = p;
    }
    return false; // a cycle (rejected by the loader): never within
  }

  RtValue compare(const Expr& e, Frame& f) {
    RtValue a = eval(*e.kids[0], f), b = eval(*e.kids[1], f);
    if (a.is_none() || b.is_none()) return RtValue::boolean(false);
    switch (e.op) {
    case Op::Lt:
      return RtValue::boolean(rt_less(a, b));
    case Op::Le:
      return RtValue::boolean(!rt_less(b, a));
    case Op::Gt:
      return RtValue::boolean(rt_less(b, a));
    default:
      return RtValue::boolean(!rt_less(a, b));
    }
  }

  RtValue arith(const Expr& e, Frame& f) {
    RtValue a = eval(*e.kids[0], f), b = eval(*e.kids[1], f);
    int64_t x = a.num, y = b.num, v = 0;
    if (tt_.kind(e.type) == ir::TypeKind::Date) // date ± int (int + date is normalised)
      return RtValue::date(e.op == Op::Add ? date_add(x, y) : date_sub(x, y));
    switch (e.op) {
    case Op::Add:
      v = wrap_add(x, y);
      break;
    case Op::Sub:
      v = wrap_sub(x, y);
      break;
    case Op::Mul:
      v = wrap_mul(x, y);
      break;
    case Op::Div:
      v = total_div(x, y);
      break;
    default:
      v = total_mod(x, y);
      break;
    }
    return RtValue::integer(v);
  }

  RtValue quantifier(const Expr& e, Frame& f) {
    RtValue domain = eval(*e.kids[0], f);
    bool is_any = e.op == Op::Any;
    bool result = !is_any;
    size_t slot = static_cast<size_t>(e.index);
    [[maybe_unused]] std::string var;
    [[maybe_unused]] size_t listed = 0;
    [[maybe_unused]] ExplainNode* self = nullptr;
    if constexpr (X) {
      var = detail::bound_name(in_.policy_, e);
      self = rec_->stack.back();
    }
    rt_for_each(domain, elem_of(*e.kids[0]), sn_, [&](const RtValue& x) {
      f[slot] = x;
      bool v;
      if constexpr (X) {
        ExplainNode& n = rec_->open();
        n.kind = NodeKind::Element;
        n.text = fmt::format("{} = {}", var, detail::short_format(x, sn_));
        v = eval(*e.kids[1], f).truth();
        n.truth = v;
        n.value = v ? "true" : "false";
        rec_->close();
        if (listed >= kMaxElements && v != is_any) { // not deciding: summarised
          self->kids.pop_back();
          ++self->omitted;
        } else {
          ++listed;
        }
      } else {
        v = eval(*e.kids[1], f).truth();
      }
      if (v == is_any) {
        result = is_any;
        return false;
      }
      return true;
    });
    return RtValue::boolean(result);
  }

  RtValue collect(const Expr& e, Frame& f) {
    RtValue domain = eval(*e.kids[0], f);
    size_t slot = static_cast<size_t>(e.index);
    std::vector<RtValue> out;
    bool is_map = e.op == Op::Map;
    const Expr* cond = is_map ? (e.kids.size() > 2 ? e.kids[2].get() : nullptr) : e.kids[1].get();
    rt_for_each(domain, elem_of(*e.kids[0]), sn_, [&](const RtValue& x) {
      f[slot] = x;
      if (!cond || eval(*cond, f).truth()) out.push_back(is_map ? eval(*e.kids[1], f) : x);
      return true;
    });
    return rt_make_set(out, elem_of(e), sn_);
  }

  RtValue extremum(const Expr& e, Frame& f) {
    bool is_max = e.op == Op::Max;
    if (e.kids.size() == 2) {
      RtValue a = eval(*e.kids[0], f), b = eval(*e.kids[1], f);
      if (is_max) return rt_less(a, b) ? b : a;
      return rt_less(b, a) ? b : a;
    }
    RtValue s = eval(*e.kids[0], f);
    if (s.kind == RtKind::Bits) {
      int64_t i = is_max ? bits::last(s.words(), s.nwords()) : bits::next(s.words(), s.nwords(), 0);
      if (i < 0) return RtValue::none();
      return s.elem_enum ? RtValue::enumerator(s.ref, i) : RtValue::entity(s.ref, i);
    }
    if (s.kind != RtKind::Values || s.values().empty()) return RtValue::none();
    const ir::Value& v = is_max ? s.values().back() : s.values().front();
    return rt_from_elem(v, elem_of(*e.kids[0]), sn_, s.keep);
  }

  RtValue op(const Expr& e, Frame& f) {
    switch (e.op) {
    case Op::Const:
      return in_.constant(e);
    case Op::Today:
      return RtValue::date(today_);
    case Op::Var:
      return f[static_cast<size_t>(e.index)];
    case Op::Setting:
      return in_.setting(e.index);
    case Op::Attr: {
      RtValue o = eval(*e.kids[0], f);
      if (o.kind != RtKind::Entity) return RtValue::none();
      return attr(o.ref, o.num, e.index);
    }
    case Op::Call: {
      Frame args;
      args.reserve(e.kids.size());
      for (const auto& k : e.kids) args.push_back(eval(*k, f));
      return call(e.index, std::move(args));
    }
    case Op::AllOf:
      return in_.all_of(e.index);
    case Op::Id: {
      RtValue o = eval(*e.kids[0], f);
      if (o.kind != RtKind::Entity) return RtValue::none();
      return RtValue::string_view(sn_.id(o.ref, static_cast<int32_t>(o.num)));
    }
    case Op::Not:
      return RtValue::boolean(!eval(*e.kids[0], f).truth());
    case Op::Neg:
      return RtValue::integer(wrap_sub(0, eval(*e.kids[0], f).num));
    case Op::And:
    case Op::Or: {
      bool is_and = e.op == Op::And;
      for (const auto& k : e.kids) {
        // A chain a and b and c is one clause: nested kids of the same op
        // are evaluated in place (same result, flatter explanation).
        bool v = (k->op == e.op ? op(*k, f) : eval(*k, f)).truth();
        if (v != is_and) return RtValue::boolean(v);
      }
      return RtValue::boolean(is_and);
    }
    case Op::Implies:
      if (!eval(*e.kids[0], f).truth()) return RtValue::boolean(true);
      return RtValue::boolean(eval(*e.kids[1], f).truth());
    case Op::If:
      return eval(*e.kids[eval(*e.kids[0], f).truth() ? 1 : 2], f);
    case Op::Eq:
    case Op::Ne: {
      RtValue a = eval(*e.kids[0], f), b = eval(*e.kids[1], f);
      return RtValue::boolean(rt_equal(a, b) == (e.op == Op::Eq));
    }
    case Op::Lt:
    case Op::Le:
    case Op::Gt:
    case Op::Ge:
      return compare(e, f);
    case Op::Add:
    case Op::Sub:
    case Op::Mul:
    case Op::Div:
    case Op::Mod:
      return arith(e, f);
    case Op::In: {
      RtValue x = eval(*e.kids[0], f), s = eval(*e.kids[1], f);
      return RtValue::boolean(rt_contains(s, x));
    }
    case Op::Meets: {
      RtValue a = eval(*e.kids[0], f), b = eval(*e.kids[1], f);
      return RtValue::boolean(rt_meets(a, b));
    }
    case Op::Union:
    case Op::Intersect:
    case Op::Except: {
      RtValue a = eval(*e.kids[0], f), b = eval(*e.kids[1], f);
      if (e.op == Op::Union) return rt_union(a, b);
      return e.op == Op::Intersect ? rt_intersect(a, b) : rt_except(a, b);
    }
    case Op::SetOf: {
      std::vector<RtValue> elems;
      elems.reserve(e.kids.size());
      for (const auto& k : e.kids) elems.push_back(eval(*k, f));
      return rt_make_set(elems, elem_of(e), sn_);
    }
    case Op::Any:
    case Op::All:
      return quantifier(e, f);
    case Op::Count:
      return RtValue::integer(static_cast<int64_t>(rt_count(eval(*e.kids[0], f))));
    case Op::Max:
    case Op::Min:
      return extremum(e, f);
    case Op::Map:
    case Op::Filter:
      return collect(e, f);
    case Op::Within: {
      RtValue a = eval(*e.kids[0], f), b = eval(*e.kids[1], f);
      return RtValue::boolean(within(a, b));
    }
    case Op::Coalesce: {
      RtValue a = eval(*e.kids[0], f);
      return a.is_none() ? eval(*e.kids[1], f) : a;
    }
    }
    return RtValue::none();
  }

  Interpreter& in_;
  const Snapshot& sn_;
  const ir::TypeTable& tt_;
  int64_t today_;
  Recorder* rec_;
};

Interpreter::Interpreter(const ir::Policy& policy, const Snapshot& snapshot)
    : policy_(policy), snapshot_(snapshot) {
  sync();
}

void Interpreter::sync() {
  if (version_ == snapshot_.version()) return;
  version_ = snapshot_.version();
  constants_.clear();
  settings_.assign(policy_.settings.size(), std::nullopt);
  all_of_.assign(policy_.entities.size(), std::nullopt);
}

const RtValue& Interpreter::constant(const ir::Expr& e) {
  auto it = constants_.find(&e);
  if (it != constants_.end()) return it->second;
  RtValue v = e.constant.tag == ir::Value::Tag::String
                  ? RtValue::string_view(e.constant.str) // the policy outlives us
                  : to_rt(e.constant, e.type, snapshot_);
  return constants_.emplace(&e, std::move(v)).first->second;
}

const RtValue& Interpreter::setting(int32_t index) {
  auto& slot = settings_[static_cast<size_t>(index)];
  if (!slot)
    slot = to_rt(snapshot_.setting(index), policy_.settings[static_cast<size_t>(index)].type,
                 snapshot_);
  return *slot;
}

const RtValue& Interpreter::all_of(int32_t type) {
  auto& slot = all_of_[static_cast<size_t>(type)];
  if (!slot) {
    size_t n = static_cast<size_t>(snapshot_.count(type));
    std::vector<uint64_t> w(bits::words_for(n), 0);
    bits::fill(w.data(), n);
    slot = RtValue::owned_bits(type, false, std::move(w));
  }
  return *slot;
}

RtValue Interpreter::call(int32_t rule, const std::vector<RtValue>& args, int64_t today) {
  sync();
  Evaluator<false> ev(*this, today, nullptr);
  return ev.call(rule, args);
}

RtValue Interpreter::eval(const ir::Expr& e, std::vector<RtValue>& frame, int64_t today) {
  sync();
  Evaluator<false> ev(*this, today, nullptr);
  return ev.eval(e, frame);
}

namespace {

// Fail closed: an argument that is not a value of the parameter's type (an
// unknown or out-of-range instance, a none for a non-optional) is an error.
std::string check_args(const ir::Policy& policy, const Snapshot& sn, const ir::Rule& rule,
                       const std::vector<RtValue>& args) {
  if (args.size() != rule.params.size())
    return fmt::format("{} takes {} argument(s), got {}", rule.signature, rule.params.size(),
                       args.size());
  for (size_t i = 0; i < args.size(); ++i) {
    const ir::Param& p = rule.params[i];
    if (!sn.has_type(to_ir(args[i]), p.type))
      return fmt::format("argument '{}' of {} is not a {}", p.name, rule.signature,
                         policy.type_name(p.type));
  }
  return {};
}

} // namespace

Decision Interpreter::evaluate(int32_t rule, const std::vector<RtValue>& args,
                               const EvalOptions& options) {
  Decision d;
  d.rule = rule;
  if (rule < 0 || static_cast<size_t>(rule) >= policy_.rules.size()) {
    d.error = fmt::format("no rule #{}", rule);
    return d;
  }
  const ir::Rule& r = policy_.rules[static_cast<size_t>(rule)];
  for (const auto& a : args) d.args.push_back(to_ir(a));
  d.error = check_args(policy_, snapshot_, r, args);
  if (!d.error.empty()) return d;
  try {
    sync();
    RtValue v;
    if (options.explain) {
      Recorder rec;
      Evaluator<true> ev(*this, options.today, &rec);
      v = ev.call(rule, args);
      Explanation ex;
      ex.root = std::move(rec.root);
      ex.allowed = r.result == ir::TypeTable::kBool && v.truth();
      std::string call = r.name + "(";
      for (size_t i = 0; i < ex.root.args.size(); ++i)
        call +=
            fmt::format("{}{} = {}", i ? ", " : "", ex.root.args[i].first, ex.root.args[i].second);
      ex.call = call + ")";
      compute_reasons(ex);
      d.explanation = std::move(ex);
    } else {
      Evaluator<false> ev(*this, options.today, nullptr);
      v = ev.call(rule, args);
    }
    d.value = to_ir(v);
    d.allowed = r.result == ir::TypeTable::kBool && v.truth();
  } catch (const std::exception& e) {
    d.allowed = false;
    d.error = fmt::format("internal error while evaluating {}: {}", r.signature, e.what());
  }
  return d;
}

Decision evaluate(const ir::Policy& policy, const Snapshot& snapshot, int32_t rule,
                  const std::vector<RtValue>& args, const EvalOptions& options) {
  Interpreter in(policy, snapshot);
  return in.evaluate(rule, args, options);
}

std::vector<RtValue> to_rt_args(const Snapshot& snapshot, const ir::Rule& rule,
                                const std::vector<ir::Value>& args) {
  std::vector<RtValue> out;
  for (size_t i = 0; i < args.size(); ++i)
    out.push_back(to_rt(
        args[i], i < rule.params.size() ? rule.params[i].type : ir::TypeTable::kError, snapshot));
  return out;
}

} // namespace keyplan::rt
