#include "engine/vector_eval.hpp"

#include "engine/vector_val.hpp"

#include <algorithm>
#include <cstring>

namespace keyplan::engine::vec {

namespace {

constexpr size_t kMaxMemoWords = size_t{1} << 24; // 128 MB of memoised masks in all

bool scalar_kind(const RtValue& v) {
  return v.kind != RtKind::String && v.kind != RtKind::Bits && v.kind != RtKind::Values;
}

} // namespace

RtValue scalar_value(const ir::Policy& p, ir::TypeId t, int64_t num) {
  const ir::Type& ty = p.types[t];
  switch (ty.kind) {
  case ir::TypeKind::Date:
    return RtValue::date(num);
  case ir::TypeKind::Enum:
    return RtValue::enumerator(ty.ref, num);
  case ir::TypeKind::Entity:
    return RtValue::entity(ty.ref, num);
  case ir::TypeKind::Bool:
    return RtValue::boolean(num != 0);
  default:
    return RtValue::integer(num);
  }
}

VectorEval::VectorEval(const ir::Policy& policy, const rt::Snapshot& snapshot)
    : policy_(policy), snapshot_(snapshot), interp_(policy, snapshot) {}

VectorEval::~VectorEval() = default;

uint64_t* VectorEval::buffer() {
  if (used_ == pool_.size()) pool_.emplace_back(words_);
  auto& b = pool_[used_++];
  b.assign(words_, 0); // zeroed: callers set bits
  return b.data();
}

const uint64_t* VectorEval::words(const Val& m) const {
  return m.c == 2 ? m.w : m.c == 1 ? ones_.data() : zeros_.data();
}

std::vector<uint64_t> VectorEval::run(Plan& plan, const std::vector<RtValue>& args, int64_t today) {
  sync_version();
  if (plan.version != version_) {
    plan.version = version_;
    for (Node& n : plan.nodes) {
      n.cache = Node::Cache{};
      n.memo_map.clear();
      n.memo_lookups = n.memo_hits = 0;
    }
    memo_words_ = 0;
  }
  today_ = today;
  size_t rows = static_cast<size_t>(snapshot_.count(plan.open_type));
  if (rows != rows_ || zeros_.empty()) {
    rows_ = rows;
    words_ = bits::words_for(rows);
    zeros_.assign(std::max<uint32_t>(words_, 1), 0);
    ones_.assign(std::max<uint32_t>(words_, 1), 0);
    bits::fill(ones_.data(), rows);
    pool_.clear();
    ipool_.clear();
  }
  used_ = 0;
  iused_ = 0;
  keep_.clear();
  if (frames_.empty()) frames_.push_back(std::make_unique<Frame>());
  Frame& f = *frames_[0];
  f.closed.assign(static_cast<size_t>(plan.frame_size), RtValue::none());
  f.open.assign(static_cast<size_t>(plan.frame_size), Val{});
  for (size_t i = 0; i < args.size() && i < f.closed.size(); ++i) f.closed[i] = args[i];
  Val& self = f.open[static_cast<size_t>(plan.open)];
  self.kind = Kind::Ent;
  self.type = plan.open_type;
  Val r = mask(*plan.root, f, 0);
  const uint64_t* w = words(r);
  std::vector<uint64_t> out(w, w + words_);
  keep_.clear();
  return out;
}

VectorEval::Val VectorEval::mask(Node& n, Frame& f, size_t depth) {
  Val v = eval(n, f, depth);
  if (v.kind == Kind::Closed) return Val::constant(v.closed.truth());
  return v;
}

VectorEval::Val VectorEval::eval(Node& n, Frame& f, size_t depth) {
  if (!n.invariant || n.kind == Kind::Closed || n.op == ir::Op::Var)
    return eval_uncached(n, f, depth);
  Node::Cache& c = n.cache;
  if (!c.valid) {
    Val v = eval_uncached(n, f, depth);
    c.c = v.c;
    if (v.kind == Kind::Mask && v.c == 2) c.bits.assign(v.w, v.w + words_); // scratch: keep a copy
    c.rows_ptr = v.rows;
    c.vals_ptr = v.vals;
    c.none_ptr = v.none;
    c.type = v.type;
    c.attr = v.attr;
    c.closed = v.closed;
    c.valid = true;
  }
  Val v;
  v.kind = n.kind;
  v.c = c.c;
  v.w = c.bits.data();
  v.rows = c.rows_ptr;
  v.vals = c.vals_ptr;
  v.none = c.none_ptr;
  v.type = c.type;
  v.attr = c.attr;
  v.closed = c.closed;
  return v;
}

RtValue VectorEval::closed(Node& n, Frame& f, size_t depth) {
  if (n.callee >= 0) return call(n, f, depth).closed;
  if (n.invariant) {
    if (!n.cache.valid) {
      n.cache.closed = interp_.eval(*n.e, f.closed, today_);
      n.cache.valid = true;
    }
    return n.cache.closed;
  }
  return interp_.eval(*n.e, f.closed, today_);
}

VectorEval::Val VectorEval::eval_uncached(Node& n, Frame& f, size_t depth) {
  if (n.kind == Kind::Closed) {
    Val v;
    v.closed = closed(n, f, depth);
    return v;
  }
  switch (n.op) {
  case ir::Op::Var:
    return f.open[static_cast<size_t>(n.slot)];
  case ir::Op::Attr:
    return attr(n, f, depth);
  case ir::Op::Call:
    return call(n, f, depth);
  case ir::Op::Not:
  case ir::Op::And:
  case ir::Op::Or:
  case ir::Op::Implies:
    return logic(n, f, depth);
  case ir::Op::If:
    return branch(n, f, depth);
  case ir::Op::Eq:
  case ir::Op::Ne:
    return equality(n, f, depth);
  case ir::Op::Lt:
  case ir::Op::Le:
  case ir::Op::Gt:
  case ir::Op::Ge:
    return order(n, f, depth);
  case ir::Op::In:
    return membership(n, f, depth);
  case ir::Op::Meets:
    return meets(n, f, depth);
  case ir::Op::Union: {
    Val s = eval(*n.kids[0], f, depth);
    RtValue c = eval(*n.kids[1], f, depth).closed;
    s.closed = s.closed.is_none() ? c : rt::rt_union(s.closed, c);
    return s;
  }
  case ir::Op::Any:
  case ir::Op::All:
    return quantifier(n, f, depth);
  case ir::Op::Count:
    return count(n, f, depth);
  case ir::Op::Coalesce:
    return coalesce(n, f, depth);
  case ir::Op::Within:
    return within(n, f, depth);
  default:
    throw std::logic_error("vectorised plan: unexpected operator");
  }
}

VectorEval::Val VectorEval::attr(Node& n, Frame& f, size_t depth) {
  Val path = eval(*n.kids[0], f, depth);
  const rt::Column& col = snapshot_.table(path.type).columns[static_cast<size_t>(n.attr)];
  const int64_t* data = col.scalars.data();
  Val v;
  v.kind = n.kind;
  if (n.kind == Kind::SetRow) {
    v.rows = path.rows;
    v.type = path.type;
    v.attr = n.attr;
    return v;
  }
  Node::Cache& c = n.cache;
  auto at = [&](size_t r) -> int64_t {
    int64_t p = path.rows ? path.rows[r] : static_cast<int64_t>(r);
    return p == kNone ? kNone : data[p];
  };
  bool none_possible = col.optional || path.rows != nullptr;
  if (n.kind == Kind::Ent) {
    v.type = n.type;
    if (!path.rows) { // the column is the vector (kNone is none)
      v.rows = data;
      return v;
    }
    c.rows.resize(rows_);
    for (size_t r = 0; r < rows_; ++r) c.rows[r] = at(r);
    v.rows = c.rows.data();
    return v;
  }
  if (n.kind == Kind::Mask) { // a bool attribute: none reads as false
    uint64_t* out = buffer();
    for (size_t r = 0; r < rows_; ++r) {
      int64_t p = path.rows ? path.rows[r] : static_cast<int64_t>(r);
      if (p != kNone && data[p] != kNone && data[p] != 0) bits::set(out, r);
    }
    return Val::bitset(out);
  }
  // Scalar: values per row, and which rows are none.
  c.rows.resize(rows_);
  if (none_possible) c.none.assign(words_, 0);
  for (size_t r = 0; r < rows_; ++r) {
    int64_t p = path.rows ? path.rows[r] : static_cast<int64_t>(r);
    if (p == kNone || (col.optional && data[p] == kNone)) {
      c.rows[r] = 0;
      bits::set(c.none.data(), r);
    } else {
      c.rows[r] = data[p];
    }
  }
  v.vals = c.rows.data();
  v.none = none_possible ? c.none.data() : nullptr;
  return v;
}

int64_t* VectorEval::ibuffer() {
  if (iused_ == ipool_.size()) ipool_.emplace_back(rows_);
  auto& b = ipool_[iused_++];
  b.assign(rows_, 0);
  return b.data();
}

// a ?? b row by row: a's value unless it is none, else b's.
VectorEval::Val VectorEval::coalesce(Node& n, Frame& f, size_t depth) {
  Val a = eval(*n.kids[0], f, depth), b = eval(*n.kids[1], f, depth);
  int64_t* out;
  uint64_t* none = nullptr;
  if (n.invariant) { // kept for the snapshot's version (eval caches the pointers)
    n.cache.rows.assign(rows_, 0);
    out = n.cache.rows.data();
    if (n.kind == Kind::Scalar) {
      n.cache.none.assign(std::max<uint32_t>(words_, 1), 0);
      none = n.cache.none.data();
    }
  } else {
    out = ibuffer();
    if (n.kind == Kind::Scalar) none = buffer();
  }
  // The value of one side at row r, and whether it is none.
  auto at = [&](const Val& v, size_t r, bool& is_none) -> int64_t {
    if (v.kind == Kind::Closed) {
      is_none = v.closed.is_none();
      return v.closed.num;
    }
    if (v.kind == Kind::Ent) {
      int64_t e = v.rows ? v.rows[r] : static_cast<int64_t>(r);
      is_none = e == kNone;
      return e;
    }
    is_none = v.none && bits::test(v.none, r);
    return v.vals[r];
  };
  for (size_t r = 0; r < rows_; ++r) {
    bool na = false, nb = false;
    int64_t x = at(a, r, na);
    if (!na) {
      out[r] = x;
      continue;
    }
    int64_t y = at(b, r, nb);
    if (n.kind == Kind::Ent)
      out[r] = nb ? kNone : y;
    else if (nb)
      bits::set(none, r);
    else
      out[r] = y;
  }
  Val v;
  v.kind = n.kind;
  v.type = n.type;
  if (n.kind == Kind::Ent) {
    v.rows = out;
  } else {
    v.vals = out;
    v.none = none;
  }
  return v;
}

VectorEval::Val VectorEval::call(Node& n, Frame& f, size_t depth) {
  while (frames_.size() <= depth + 1) frames_.push_back(std::make_unique<Frame>());
  Frame& g = *frames_[depth + 1];
  g.closed.resize(static_cast<size_t>(n.frame_size));
  g.open.resize(static_cast<size_t>(n.frame_size));
  std::string& key = g.key;
  key.clear();
  bool memo = n.memo;
  if (memo) key.append(reinterpret_cast<const char*>(&today_), sizeof today_);
  for (size_t i = 0; i < n.kids.size(); ++i) {
    Node& k = *n.kids[i];
    if (k.kind == Kind::Closed) {
      g.closed[i] = closed(k, f, depth + 1); // nested calls use the frames below g
      if (memo) {
        const RtValue& a = g.closed[i];
        if (!scalar_kind(a)) {
          memo = false;
          continue;
        }
        int64_t parts[2] = {static_cast<int64_t>(a.kind) << 32 | static_cast<uint32_t>(a.ref),
                            a.num};
        key.append(reinterpret_cast<const char*>(parts), sizeof parts);
      }
    } else {
      g.open[i] = eval(k, f, depth + 1);
    }
  }
  if (memo) {
    ++n.memo_lookups;
    auto it = n.memo_map.find(key);
    if (it != n.memo_map.end()) {
      ++n.memo_hits;
      Val v = Val::constant(it->second.c == 1);
      if (it->second.c == 2) v = Val::bitset(it->second.bits.data());
      return v;
    }
  }
  Val v = eval(*n.body, g, depth + 1);
  if (memo && v.kind == Kind::Closed) v = Val::constant(v.closed.truth());
  if (memo) {
    // A call whose arguments rarely repeat is not worth remembering.
    // (Its entries stay until the snapshot changes: masks of this run
    // may point into them.)
    if (n.memo_lookups >= 256 && n.memo_hits * 4 < n.memo_lookups) {
      n.memo = false;
    } else if (memo_words_ + words_ <= kMaxMemoWords) {
      Node::MemoEntry& e = n.memo_map[key];
      e.c = v.c;
      if (v.c == 2) {
        e.bits.assign(v.w, v.w + words_);
        memo_words_ += words_;
        v.w = e.bits.data();
      }
    }
  }
  return v;
}

VectorEval::Val VectorEval::logic(Node& n, Frame& f, size_t depth) {
  if (n.op == ir::Op::Not) {
    Val a = mask(*n.kids[0], f, depth);
    if (a.c != 2) return Val::constant(a.c == 0);
    uint64_t* out = buffer();
    for (uint32_t i = 0; i < words_; ++i) out[i] = ~a.w[i] & ones_[i];
    return Val::bitset(out);
  }
  if (n.op == ir::Op::Implies) {
    Val a = mask(*n.kids[0], f, depth);
    if (a.c == 0) return Val::constant(true);
    Val b = mask(*n.kids[1], f, depth);
    if (b.c == 1) return b;
    if (a.c == 1) return b;
    const uint64_t* wb = words(b);
    uint64_t* out = buffer();
    for (uint32_t i = 0; i < words_; ++i) out[i] = (~a.w[i] | wb[i]) & ones_[i];
    return Val::bitset(out);
  }
  bool is_and = n.op == ir::Op::And;
  int8_t absorbing = is_and ? 0 : 1;
  Val acc = Val::constant(is_and);
  uint64_t* own = nullptr;
  for (Node* k : n.kids) {
    Val v = mask(*k, f, depth);
    if (v.c == absorbing) return Val::constant(!is_and);
    if (v.c != 2) continue; // the identity
    if (acc.c != 2) {
      acc = v;
      continue;
    }
    if (!own) {
      own = buffer();
      std::memcpy(own, acc.w, words_ * sizeof(uint64_t));
      acc = Val::bitset(own);
    }
    if (is_and)
      for (uint32_t i = 0; i < words_; ++i) own[i] &= v.w[i];
    else
      for (uint32_t i = 0; i < words_; ++i) own[i] |= v.w[i];
  }
  return acc;
}

VectorEval::Val VectorEval::branch(Node& n, Frame& f, size_t depth) {
  Val c = mask(*n.kids[0], f, depth);
  if (c.c != 2) {
    Node& chosen = *n.kids[c.c == 1 ? 1 : 2];
    Val v = eval(chosen, f, depth);
    if (v.kind != Kind::Closed) return v;
    if (n.kind == Kind::Mask) return Val::constant(v.closed.truth());
    Val s; // a closed set, lifted to a per-row set (no column)
    s.kind = Kind::SetRow;
    s.closed = v.closed;
    return s;
  }
  Val a = mask(*n.kids[1], f, depth), b = mask(*n.kids[2], f, depth);
  const uint64_t *wa = words(a), *wb = words(b);
  uint64_t* out = buffer();
  for (uint32_t i = 0; i < words_; ++i) out[i] = (c.w[i] & wa[i]) | (~c.w[i] & wb[i] & ones_[i]);
  return Val::bitset(out);
}

VectorEval::Val VectorEval::equality(Node& n, Frame& f, size_t depth) {
  Val a = eval(*n.kids[0], f, depth), b = eval(*n.kids[1], f, depth);
  bool eq = n.op == ir::Op::Eq;
  if (a.kind == Kind::Closed && b.kind == Kind::Closed)
    return Val::constant(rt::rt_equal(a.closed, b.closed) == eq);
  if (a.kind == Kind::Closed) std::swap(a, b);
  uint64_t* out = buffer();
  auto row_ent = [](const Val& v, size_t r) {
    return v.rows ? v.rows[r] : static_cast<int64_t>(r);
  };
  switch (a.kind) {
  case Kind::Mask: {
    const uint64_t* wa = words(a);
    if (b.kind == Kind::Closed) {
      if (b.closed.kind != RtKind::Bool) return Val::constant(!eq); // none == bool is false
      bool want = b.closed.truth();
      for (uint32_t i = 0; i < words_; ++i) out[i] = want ? wa[i] : ~wa[i] & ones_[i];
    } else {
      const uint64_t* wb = words(b);
      for (uint32_t i = 0; i < words_; ++i) out[i] = ~(wa[i] ^ wb[i]) & ones_[i];
    }
    break;
  }
  case Kind::Ent:
    if (b.kind == Kind::Closed) {
      int64_t want = b.closed.is_none() ? kNone : b.closed.num;
      if (!b.closed.is_none() && b.closed.kind != RtKind::Entity) return Val::constant(!eq);
      if (!a.rows) {
        if (want >= 0 && static_cast<size_t>(want) < rows_)
          bits::set(out, static_cast<size_t>(want));
      } else {
        for (size_t r = 0; r < rows_; ++r)
          if (a.rows[r] == want) bits::set(out, r);
      }
    } else {
      for (size_t r = 0; r < rows_; ++r)
        if (row_ent(a, r) == row_ent(b, r)) bits::set(out, r);
    }
    break;
  case Kind::Scalar: {
    auto is_none = [](const Val& v, size_t r) { return v.none && bits::test(v.none, r); };
    if (b.kind == Kind::Closed) {
      bool want_none = b.closed.is_none();
      for (size_t r = 0; r < rows_; ++r) {
        bool none = is_none(a, r);
        if (want_none ? none : (!none && a.vals[r] == b.closed.num)) bits::set(out, r);
      }
    } else {
      for (size_t r = 0; r < rows_; ++r) {
        bool na = is_none(a, r), nb = is_none(b, r);
        if (na || nb ? na && nb : a.vals[r] == b.vals[r]) bits::set(out, r);
      }
    }
    break;
  }
  default:
    throw std::logic_error("vectorised plan: equality of sets");
  }
  if (!eq)
    for (uint32_t i = 0; i < words_; ++i) out[i] = ~out[i] & ones_[i];
  return Val::bitset(out);
}

VectorEval::Val VectorEval::order(Node& n, Frame& f, size_t depth) {
  Val a = eval(*n.kids[0], f, depth), b = eval(*n.kids[1], f, depth);
  if (a.kind == Kind::Closed && b.kind == Kind::Closed) {
    if (a.closed.is_none() || b.closed.is_none()) return Val::constant(false);
    const RtValue &x = a.closed, &y = b.closed;
    switch (n.op) {
    case ir::Op::Lt:
      return Val::constant(rt::rt_less(x, y));
    case ir::Op::Le:
      return Val::constant(!rt::rt_less(y, x));
    case ir::Op::Gt:
      return Val::constant(rt::rt_less(y, x));
    default:
      return Val::constant(!rt::rt_less(x, y));
    }
  }
  for (const Val* v : {&a, &b})
    if (v->kind == Kind::Closed && v->closed.is_none()) return Val::constant(false);
  uint64_t* out = buffer();
  for (size_t r = 0; r < rows_; ++r) {
    if ((a.none && bits::test(a.none, r)) || (b.none && bits::test(b.none, r))) continue;
    int64_t x = a.kind == Kind::Closed ? a.closed.num : a.vals[r];
    int64_t y = b.kind == Kind::Closed ? b.closed.num : b.vals[r];
    bool v = n.op == ir::Op::Lt   ? x < y
             : n.op == ir::Op::Le ? x <= y
             : n.op == ir::Op::Gt ? x > y
                                  : x >= y;
    if (v) bits::set(out, r);
  }
  return Val::bitset(out);
}

} // namespace keyplan::engine::vec
