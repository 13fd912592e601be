// The vectorised evaluator's set and path operations: membership and
// `meets` through inverse indexes of set attributes, gathering a mask over
// a path's type to the open rows, `within` by ancestor walks, `count` of
// per-row sets, quantifiers over closed and per-row sets.
#include "engine/vector_eval.hpp"

#include "engine/vector_val.hpp"

#include <algorithm>
#include <bit>
#include <cstring>

namespace keyplan::engine::vec {

namespace {

constexpr size_t kMaxInverseWords = size_t{1} << 25; // 256 MB per index; above, rows are scanned

// Sets rows [from, to) of `out`.
void set_range(uint64_t* out, size_t from, size_t to) {
  while (from < to) {
    size_t wi = from / 64, bit = from % 64, n = std::min<size_t>(64 - bit, to - from);
    out[wi] |= (n == 64 ? ~uint64_t{0} : ((uint64_t{1} << n) - 1)) << bit;
    from += n;
  }
}

} // namespace

VectorEval::Val VectorEval::membership(Node& n, Frame& f, size_t depth) {
  if (n.in_form) return membership_by_lookup(n, f, depth);
  Val x = eval(*n.kids[0], f, depth), s = eval(*n.kids[1], f, depth);
  if (x.kind == Kind::Closed && s.kind == Kind::Closed)
    return Val::constant(rt::rt_contains(s.closed, x.closed));
  if (x.kind == Kind::Closed) { // a closed element in a per-row set
    if (x.closed.is_none()) return Val::constant(false);
    if (!s.closed.is_none() && rt::rt_contains(s.closed, x.closed)) return Val::constant(true);
    if (s.attr < 0) return Val::constant(false);
    std::vector<uint64_t> scratch;
    const uint64_t* owner = set_holds(s.type, s.attr, x.closed.num, scratch);
    if (!s.rows) {
      if (owner == scratch.data()) {
        uint64_t* out = buffer();
        std::memcpy(out, owner, words_ * sizeof(uint64_t));
        return Val::bitset(out);
      }
      return Val::bitset(owner);
    }
    return Val::bitset(gather(owner, s.rows));
  }
  // A per-row element in a closed set.
  const RtValue& set = s.closed;
  if (x.kind == Kind::Ent && set.kind == RtKind::Bits && !x.rows && set.nwords() == words_) {
    keep_.push_back(set);
    return Val::bitset(set.words());
  }
  uint64_t* out = buffer();
  ir::TypeId vt = n.kids[0]->kind == Kind::Scalar ? n.kids[0]->vtype : 0;
  for (size_t r = 0; r < rows_; ++r) {
    int64_t e;
    if (x.kind == Kind::Ent) {
      e = x.rows ? x.rows[r] : static_cast<int64_t>(r);
      if (e == kNone) continue;
    } else {
      if (x.none && bits::test(x.none, r)) continue;
      e = x.vals[r];
    }
    bool in;
    if (set.kind == RtKind::Bits)
      in = e >= 0 && static_cast<uint64_t>(e) < uint64_t{set.nwords()} * 64 &&
           bits::test(set.words(), static_cast<size_t>(e));
    else
      in = rt::rt_contains(set, x.kind == Kind::Ent ? RtValue::entity(x.type, e)
                                                    : scalar_value(policy_, vt, e));
    if (in) bits::set(out, r);
  }
  return Val::bitset(out);
}

VectorEval::Val VectorEval::membership_by_lookup(Node& n, Frame& f, size_t depth) {
  Val a = eval(*n.kids[0], f, depth), b = eval(*n.kids[1], f, depth);
  const Val& ent = n.in_form == 1 ? a : b;
  const RtValue& c = n.in_form == 1 ? b.closed : a.closed;
  size_t owners = static_cast<size_t>(snapshot_.count(ent.type));
  std::vector<uint64_t> owner(std::max<uint32_t>(bits::words_for(owners), 1), 0);
  if (n.in_form == 1) { // the rows whose id is an element of c
    if (c.kind != RtKind::Values) return Val::constant(false);
    for (const ir::Value& id : c.values()) {
      if (id.tag != ir::Value::Tag::String) continue;
      int32_t row = snapshot_.find(ent.type, id.str);
      if (row >= 0) bits::set(owner.data(), static_cast<size_t>(row));
    }
  } else { // the rows whose list holds c
    if (c.is_none()) return Val::constant(false);
    const rt::Column& col = snapshot_.table(ent.type).columns[static_cast<size_t>(n.attr)];
    ir::Value v = rt::to_ir(c);
    for (size_t r = 0; r < owners; ++r) {
      if (col.is_none(static_cast<int32_t>(r))) continue;
      const auto& list = col.values[r];
      if (std::binary_search(list.begin(), list.end(), v)) bits::set(owner.data(), r);
    }
  }
  if (ent.rows) return Val::bitset(gather(owner.data(), ent.rows));
  uint64_t* out = buffer();
  std::memcpy(out, owner.data(), words_ * sizeof(uint64_t));
  return Val::bitset(out);
}

VectorEval::Val VectorEval::meets(Node& n, Frame& f, size_t depth) {
  Val a = eval(*n.kids[0], f, depth), b = eval(*n.kids[1], f, depth);
  if (a.kind == Kind::Closed && b.kind == Kind::Closed)
    return Val::constant(rt::rt_meets(a.closed, b.closed));
  if (a.kind == Kind::Closed) std::swap(a, b);
  const RtValue& w = b.closed;
  if (!a.closed.is_none() && rt::rt_meets(a.closed, w)) return Val::constant(true);
  if (a.attr < 0 || w.kind != RtKind::Bits) return Val::constant(false);
  std::vector<uint64_t> scratch;
  const uint64_t* owner = set_meets(a.type, a.attr, w, scratch);
  if (!owner) return Val::constant(false);
  if (a.rows) return Val::bitset(gather(owner, a.rows));
  if (owner != scratch.data()) return Val::bitset(owner);
  uint64_t* out = buffer();
  std::memcpy(out, owner, words_ * sizeof(uint64_t));
  return Val::bitset(out);
}

VectorEval::Val VectorEval::within(Node& n, Frame& f, size_t depth) {
  Val a = eval(*n.kids[0], f, depth);
  RtValue b = eval(*n.kids[1], f, depth).closed;
  if (b.kind != RtKind::Entity) return Val::constant(false);
  // As the interpreter: walk each row's parents up to the number of instances.
  int64_t limit = 1;
  for (int32_t i = 0; i < snapshot_.entity_count(); ++i) limit += snapshot_.count(i);
  const ir::TypeTable& tt = policy_.types;
  auto reaches = [&](int32_t t, int64_t r) {
    for (int64_t step = 0; step <= limit; ++step) {
      if (t == b.ref && r == b.num) return true;
      const rt::EntityTable& tab = snapshot_.table(t);
      if (tab.parent_attr < 0) return false;
      const rt::Column& c = tab.columns[static_cast<size_t>(tab.parent_attr)];
      int64_t p = c.scalars[static_cast<size_t>(r)];
      if (c.optional && p == kNone) return false;
      t = tt[tt.strip_optional(c.type)].ref;
      r = p;
    }
    return false;
  };
  uint64_t* out = buffer();
  size_t owners = static_cast<size_t>(snapshot_.count(a.type));
  std::vector<uint64_t> mask_owner(bits::words_for(owners), 0);
  for (size_t r = 0; r < owners; ++r)
    if (reaches(a.type, static_cast<int64_t>(r))) bits::set(mask_owner.data(), r);
  if (!a.rows) {
    std::memcpy(out, mask_owner.data(), words_ * sizeof(uint64_t));
    return Val::bitset(out);
  }
  return Val::bitset(gather(mask_owner.data(), a.rows));
}

const VectorEval::Runs& VectorEval::runs(const int64_t* path) {
  // Runs are kept by address for the snapshot's own columns and cached
  // values; a scratch row vector (ibuffer: a `??` per column) is reused with
  // other contents, so its runs are computed afresh each time.
  bool scratch = false;
  for (const auto& b : ipool_) scratch = scratch || b.data() == path;
  if (scratch) scratch_runs_ = Runs{};
  auto [it, fresh] = scratch ? std::pair{runs_.end(), true} : runs_.try_emplace(path);
  Runs& r = scratch ? scratch_runs_ : it->second;
  if (!fresh) return r;
  // Paths from a parent-ordered tenant (desks of a floor are consecutive)
  // have few runs; a shuffled one is gathered row by row.
  for (size_t row = 0; row < rows_ && r.usable; ++row) {
    if (row > 0 && path[row] == path[row - 1]) {
      r.spans.back().end = row + 1;
      continue;
    }
    r.spans.push_back({row, row + 1, path[row]});
    r.usable = r.spans.size() * 8 <= rows_ + 64;
  }
  if (!r.usable) r.spans.clear();
  return r;
}

const uint64_t* VectorEval::gather(const uint64_t* owner, const int64_t* path) {
  uint64_t* out = buffer();
  const Runs& rs = runs(path);
  if (rs.usable) {
    for (const Span& s : rs.spans)
      if (s.target != kNone && bits::test(owner, static_cast<size_t>(s.target)))
        set_range(out, s.begin, s.end);
    return out;
  }
  for (uint32_t wi = 0; wi < words_; ++wi) {
    uint64_t word = 0;
    size_t base = static_cast<size_t>(wi) * 64, end = std::min(rows_, base + 64);
    for (size_t r = base; r < end; ++r) {
      int64_t p = path[r];
      if (p != kNone && bits::test(owner, static_cast<size_t>(p)))
        word |= uint64_t{1} << (r - base);
    }
    out[wi] = word;
  }
  return out;
}

void VectorEval::sync_version() {
  if (version_ == snapshot_.version() && inverses_) return;
  version_ = snapshot_.version();
  runs_.clear(); // keyed by column addresses: not shared
  // A new map (never clear(): another VectorEval may share the old one);
  // a settings change keeps the inverse indexes (they read tables only).
  if (!inverses_ || data_version_ != snapshot_.data_version()) {
    inverses_ = std::make_shared<Inverses>();
    data_version_ = snapshot_.data_version();
  }
}

bool VectorEval::share_tables(VectorEval& other) {
  if (&policy_ != &other.policy_ || snapshot_.data_version() != other.snapshot_.data_version())
    return false;
  sync_version();
  other.sync_version();
  inverses_ = other.inverses_;
  return true;
}

void VectorEval::prepare(const Plan& plan) {
  sync_version();
  for (const Node& n : plan.nodes)
    if (n.kind == Kind::SetRow && n.op == ir::Op::Attr) inverse(n.type, n.attr);
}

const VectorEval::Inverse* VectorEval::inverse(int32_t type, int32_t attr) {
  auto key = std::make_pair(type, attr);
  auto it = inverses_->find(key);
  if (it != inverses_->end()) return it->second.get();
  const rt::Column& col = snapshot_.table(type).columns[static_cast<size_t>(attr)];
  size_t rows = static_cast<size_t>(snapshot_.count(type));
  std::unique_ptr<Inverse> inv;
  size_t domain = static_cast<size_t>(col.stride) * 64;
  uint32_t w = bits::words_for(rows);
  if (domain * w <= kMaxInverseWords) {
    inv = std::make_unique<Inverse>();
    inv->words = w;
    inv->domain = domain;
    inv->members.assign(domain * w, 0);
    for (size_t r = 0; r < rows; ++r) {
      const uint64_t* row = col.bits_row(static_cast<int32_t>(r));
      for (uint32_t i = 0; i < col.stride; ++i)
        for (uint64_t word = row[i]; word; word &= word - 1) {
          size_t g = i * 64 + static_cast<size_t>(__builtin_ctzll(word));
          bits::set(inv->members.data() + g * w, r);
        }
    }
  }
  return inverses_->emplace(key, std::move(inv)).first->second.get();
}

const uint64_t* VectorEval::set_holds(int32_t type, int32_t attr, int64_t x,
                                      std::vector<uint64_t>& scratch) {
  const rt::Column& col = snapshot_.table(type).columns[static_cast<size_t>(attr)];
  size_t rows = static_cast<size_t>(snapshot_.count(type));
  uint32_t w = bits::words_for(rows);
  scratch.assign(std::max<uint32_t>(w, 1), 0);
  if (x < 0 || static_cast<uint64_t>(x) >= uint64_t{col.stride} * 64) return scratch.data();
  if (const Inverse* inv = inverse(type, attr))
    return inv->members.data() + static_cast<size_t>(x) * inv->words;
  for (size_t r = 0; r < rows; ++r)
    if (bits::test(col.bits_row(static_cast<int32_t>(r)), static_cast<size_t>(x)))
      bits::set(scratch.data(), r);
  return scratch.data();
}

const uint64_t* VectorEval::set_meets(int32_t type, int32_t attr, const RtValue& set,
                                      std::vector<uint64_t>& scratch) {
  const rt::Column& col = snapshot_.table(type).columns[static_cast<size_t>(attr)];
  size_t rows = static_cast<size_t>(snapshot_.count(type));
  uint32_t w = bits::words_for(rows);
  uint32_t sw = std::min(set.nwords(), col.stride);
  size_t elems = 0; // (a loop per element: the index path costs as much per element)
  for (uint32_t i = 0; i < sw; ++i)
    for (uint64_t word = set.words()[i]; word; word &= word - 1) ++elems;
  if (elems == 0) return nullptr;
  const Inverse* inv = inverse(type, attr);
  if (inv && elems * w <= rows * std::max<uint32_t>(col.stride, 1) * 2) {
    const uint64_t* first = nullptr;
    for (uint32_t i = 0; i < sw; ++i)
      for (uint64_t word = set.words()[i]; word; word &= word - 1) {
        size_t g = i * 64 + static_cast<size_t>(__builtin_ctzll(word));
        const uint64_t* m = inv->members.data() + g * inv->words;
        if (elems == 1) return m; // one element: its members, no copy
        if (!first) {
          scratch.assign(m, m + w);
          first = m;
        } else {
          for (uint32_t k = 0; k < w; ++k) scratch[k] |= m[k];
        }
      }
    return scratch.data();
  }
  scratch.assign(std::max<uint32_t>(w, 1), 0);
  for (size_t r = 0; r < rows; ++r)
    if (bits::intersects(col.bits_row(static_cast<int32_t>(r)), set.words(), sw))
      bits::set(scratch.data(), r);
  return scratch.data();
}

VectorEval::Val VectorEval::count(Node& n, Frame& f, size_t depth) {
  Val s = eval(*n.kids[0], f, depth); // an Ent path (a list-valued column) or a SetRow
  Node::Cache& c = n.cache;
  c.rows.assign(rows_, 0);
  const int64_t* path = s.rows;
  if (s.kind == Kind::Ent) { // count(x.values): the list's length; none counts 0
    const rt::Column& col = snapshot_.table(s.type).columns[static_cast<size_t>(n.attr)];
    for (size_t r = 0; r < rows_; ++r) {
      int64_t p = path ? path[r] : static_cast<int64_t>(r);
      if (p != kNone) c.rows[r] = static_cast<int64_t>(col.values[static_cast<size_t>(p)].size());
    }
  } else if (s.attr < 0) { // a closed set only
    std::fill(c.rows.begin(), c.rows.end(), static_cast<int64_t>(rt::rt_count(s.closed)));
  } else {
    const rt::Column& col = snapshot_.table(s.type).columns[static_cast<size_t>(s.attr)];
    std::vector<uint64_t> extra(col.stride, 0);
    if (s.closed.kind == RtKind::Bits)
      std::copy_n(s.closed.words(), std::min<uint32_t>(s.closed.nwords(), col.stride),
                  extra.begin());
    for (size_t r = 0; r < rows_; ++r) {
      int64_t p = path ? path[r] : static_cast<int64_t>(r);
      if (p == kNone) continue; // count(none) == 0 (a none set never has a closed part)
      const uint64_t* row = col.bits_row(static_cast<int32_t>(p));
      int64_t k = 0;
      for (uint32_t i = 0; i < col.stride; ++i) k += std::popcount(row[i] | extra[i]);
      c.rows[r] = k;
    }
  }
  Val v;
  v.kind = Kind::Scalar;
  v.vals = c.rows.data();
  return v;
}

// `any g in S: body(g)` over a per-row set S, body closed: the elements G
// for which the body holds are found once (every possible element), then
// any = S meets G, all = S has no element outside G. A none set (a none
// along the path) has no element: any false, all true.
VectorEval::Val VectorEval::quantifier_over_rows(Node& n, Frame& f, size_t depth) {
  Val s = eval(*n.kids[0], f, depth);
  bool is_any = n.op == ir::Op::Any;
  const rt::Column* col =
      s.attr >= 0 ? &snapshot_.table(s.type).columns[static_cast<size_t>(s.attr)] : nullptr;
  int32_t ref = col ? col->elem_ref : s.closed.ref;
  bool is_enum = col ? col->elem_enum : s.closed.elem_enum;
  if (!col && s.closed.kind != RtKind::Bits) return Val::constant(!is_any);
  size_t domain = is_enum ? policy_.enums[static_cast<size_t>(ref)].members.size()
                          : static_cast<size_t>(snapshot_.count(ref));
  std::vector<uint64_t> holds(std::max<uint32_t>(bits::words_for(domain), 1), 0), fails = holds;
  size_t slot = static_cast<size_t>(n.slot);
  for (size_t g = 0; g < domain; ++g) {
    f.closed[slot] = is_enum ? RtValue::enumerator(ref, static_cast<int64_t>(g))
                             : RtValue::entity(ref, static_cast<int64_t>(g));
    bits::set(closed(*n.kids[1], f, depth).truth() ? holds.data() : fails.data(), g);
  }
  RtValue wanted = RtValue::owned_bits(ref, is_enum, is_any ? holds : fails);
  // any: a row whose set meets `holds`; all: a row whose set misses `fails`.
  bool extra = !s.closed.is_none() && rt::rt_meets(s.closed, wanted);
  if (extra) return Val::constant(is_any);
  if (!col) return Val::constant(!is_any);
  std::vector<uint64_t> scratch;
  const uint64_t* owner = set_meets(s.type, s.attr, wanted, scratch);
  if (!owner) return Val::constant(!is_any);
  const uint64_t* m = s.rows ? gather(owner, s.rows) : owner;
  uint64_t* out = buffer();
  for (uint32_t i = 0; i < words_; ++i) out[i] = is_any ? m[i] : ~m[i] & ones_[i];
  return Val::bitset(out);
}

VectorEval::Val VectorEval::quantifier(Node& n, Frame& f, size_t depth) {
  if (n.in_form == 3) return quantifier_over_rows(n, f, depth);
  RtValue dom = eval(*n.kids[0], f, depth).closed;
  bool is_any = n.op == ir::Op::Any;
  const ir::Expr& de = *n.e->kids[0];
  ir::TypeId elem = policy_.types[policy_.types.strip_optional(de.type)].elem;
  Val acc = Val::constant(!is_any);
  uint64_t* own = nullptr;
  size_t slot = static_cast<size_t>(n.slot);
  rt::rt_for_each(dom, elem, snapshot_, [&](const RtValue& x) {
    f.closed[slot] = x;
    Val v = mask(*n.kids[1], f, depth);
    if (v.c == (is_any ? 1 : 0)) {
      acc = v;
      return false; // decided for every row
    }
    if (v.c != 2) return true;
    if (!own) {
      own = buffer();
      std::memcpy(own, words(acc), words_ * sizeof(uint64_t));
      acc = Val::bitset(own);
    }
    if (is_any)
      for (uint32_t i = 0; i < words_; ++i) own[i] |= v.w[i];
    else
      for (uint32_t i = 0; i < words_; ++i) own[i] &= v.w[i];
    return true;
  });
  return acc;
}

} // namespace keyplan::engine::vec
