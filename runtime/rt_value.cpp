#include "runtime/rt_value.hpp"

#include "runtime/bitset.hpp"
#include "runtime/snapshot.hpp"

#include <algorithm>
#include <iterator>

namespace keyplan::rt {

namespace {
int64_t clamp_day(__int128 d) {
  return d < kMinDay ? kMinDay : d > kMaxDay ? kMaxDay : static_cast<int64_t>(d);
}
} // namespace

int64_t date_add(int64_t day, int64_t n) {
  return clamp_day(static_cast<__int128>(day) + n);
}
int64_t date_sub(int64_t day, int64_t n) {
  return clamp_day(static_cast<__int128>(day) - n);
}

RtValue RtValue::owned_string(std::string s) {
  auto p = std::make_shared<const std::string>(std::move(s));
  return string_view(*p, p);
}

RtValue RtValue::owned_bits(int32_t elem_ref, bool elem_enum, std::vector<uint64_t> words) {
  auto p = std::make_shared<const std::vector<uint64_t>>(std::move(words));
  return bits_view(elem_ref, elem_enum, p->data(), static_cast<uint32_t>(p->size()), p);
}

RtValue RtValue::owned_values(std::vector<ir::Value> v) {
  std::sort(v.begin(), v.end());
  v.erase(std::unique(v.begin(), v.end()), v.end());
  auto p = std::make_shared<const std::vector<ir::Value>>(std::move(v));
  return values_view(p.get(), p);
}

RtValue to_rt(const ir::Value& v, ir::TypeId type, const Snapshot& snapshot) {
  const ir::TypeTable& tt = snapshot.policy().types;
  using Tag = ir::Value::Tag;
  switch (v.tag) {
  case Tag::None:
    return RtValue::none();
  case Tag::Bool:
    return RtValue::boolean(v.num != 0);
  case Tag::Int:
    return RtValue::integer(v.num);
  case Tag::Date:
    return RtValue::date(v.num);
  case Tag::Enum:
    return RtValue::enumerator(v.ref, v.num);
  case Tag::Entity:
    return RtValue::entity(v.ref, v.num);
  case Tag::String:
    return RtValue::owned_string(v.str);
  case Tag::Set: {
    ir::TypeId set_type = tt.strip_optional(type);
    ir::TypeId elem = tt[set_type].elem;
    const ir::Type& et = tt[elem];
    if (et.kind == ir::TypeKind::Entity || et.kind == ir::TypeKind::Enum) {
      size_t n = snapshot.domain_size(elem);
      std::vector<uint64_t> w(bits::words_for(n), 0);
      for (const auto& e : v.elems)
        if (e.num >= 0 && static_cast<size_t>(e.num) < n)
          bits::set(w.data(), static_cast<size_t>(e.num));
      return RtValue::owned_bits(et.ref, et.kind == ir::TypeKind::Enum, std::move(w));
    }
    return RtValue::owned_values(v.elems);
  }
  }
  return RtValue::none();
}

ir::Value to_ir(const RtValue& v) {
  switch (v.kind) {
  case RtKind::None:
    return ir::Value::none();
  case RtKind::Bool:
    return ir::Value::boolean(v.num != 0);
  case RtKind::Int:
    return ir::Value::integer(v.num);
  case RtKind::Date:
    return ir::Value::date(v.num);
  case RtKind::Enum:
    return ir::Value::enumerator(v.ref, v.num);
  case RtKind::Entity:
    return ir::Value::entity(v.ref, v.num);
  case RtKind::String:
    return ir::Value::string(std::string(v.str()));
  case RtKind::Bits: {
    ir::Value s;
    s.tag = ir::Value::Tag::Set;
    for (int64_t i = bits::next(v.words(), v.nwords(), 0); i >= 0;
         i = bits::next(v.words(), v.nwords(), static_cast<size_t>(i) + 1))
      s.elems.push_back(v.elem_enum ? ir::Value::enumerator(v.ref, i)
                                    : ir::Value::entity(v.ref, i));
    return s; // ascending, as ir::Value orders them
  }
  case RtKind::Values: {
    ir::Value s;
    s.tag = ir::Value::Tag::Set;
    s.elems = v.values();
    return s;
  }
  }
  return ir::Value::none();
}

bool rt_equal(const RtValue& a, const RtValue& b) {
  if (a.kind != b.kind) return false;
  switch (a.kind) {
  case RtKind::None:
    return true;
  case RtKind::String:
    return a.str() == b.str();
  case RtKind::Bits:
    return a.nwords() == b.nwords() && bits::equal(a.words(), b.words(), a.nwords());
  case RtKind::Values:
    return a.values() == b.values();
  default:
    return a.num == b.num && a.ref == b.ref;
  }
}

bool rt_less(const RtValue& a, const RtValue& b) {
  if (a.kind != b.kind) return a.kind < b.kind; // none first
  switch (a.kind) {
  case RtKind::None:
    return false;
  case RtKind::String:
    return a.str() < b.str();
  case RtKind::Bits:
  case RtKind::Values:
    return to_ir(a) < to_ir(b);
  default:
    return a.num < b.num;
  }
}

bool rt_contains(const RtValue& set, const RtValue& elem) {
  if (elem.is_none()) return false;
  if (set.kind == RtKind::Bits)
    return elem.num >= 0 && static_cast<uint64_t>(elem.num) < uint64_t{set.nwords()} * 64 &&
           bits::test(set.words(), static_cast<size_t>(elem.num));
  if (set.kind == RtKind::Values)
    return std::binary_search(set.values().begin(), set.values().end(), to_ir(elem));
  return false;
}

bool rt_meets(const RtValue& a, const RtValue& b) {
  if (a.kind == RtKind::Bits && b.kind == RtKind::Bits)
    return bits::intersects(a.words(), b.words(), std::min(a.nwords(), b.nwords()));
  if (a.kind != RtKind::Values || b.kind != RtKind::Values) return false;
  auto i = a.values().begin(), ie = a.values().end();
  auto j = b.values().begin(), je = b.values().end();
  while (i != ie && j != je) {
    if (*i < *j)
      ++i;
    else if (*j < *i)
      ++j;
    else
      return true;
  }
  return false;
}

size_t rt_count(const RtValue& set) {
  if (set.kind == RtKind::Bits) return bits::count(set.words(), set.nwords());
  if (set.kind == RtKind::Values) return set.values().size();
  return 0;
}

namespace {

template <typename WordOp, typename SetOp>
RtValue set_op(const RtValue& a, const RtValue& b, WordOp wop, SetOp sop) {
  if (a.kind == RtKind::Bits) {
    uint32_t n = std::max(a.nwords(), b.nwords());
    std::vector<uint64_t> wa(n, 0), wb(n, 0), out(n, 0);
    std::copy_n(a.words(), a.nwords(), wa.begin());
    if (b.kind == RtKind::Bits) std::copy_n(b.words(), b.nwords(), wb.begin());
    wop(out.data(), wa.data(), wb.data(), n);
    return RtValue::owned_bits(a.ref, a.elem_enum, std::move(out));
  }
  std::vector<ir::Value> out;
  static const std::vector<ir::Value> empty;
  const auto& va = a.kind == RtKind::Values ? a.values() : empty;
  const auto& vb = b.kind == RtKind::Values ? b.values() : empty;
  sop(va.begin(), va.end(), vb.begin(), vb.end(), std::back_inserter(out));
  auto p = std::make_shared<const std::vector<ir::Value>>(std::move(out));
  return RtValue::values_view(p.get(), p);
}

} // namespace

RtValue rt_union(const RtValue& a, const RtValue& b) {
  return set_op(a, b, bits::unite, [](auto... args) { return std::set_union(args...); });
}
RtValue rt_intersect(const RtValue& a, const RtValue& b) {
  return set_op(a, b, bits::intersect, [](auto... args) { return std::set_intersection(args...); });
}
RtValue rt_except(const RtValue& a, const RtValue& b) {
  return set_op(a, b, bits::except, [](auto... args) { return std::set_difference(args...); });
}
RtValue rt_common(const RtValue& a, const RtValue& b) {
  return rt_intersect(a, b);
}

RtValue rt_from_elem(const ir::Value& e, ir::TypeId elem, const Snapshot& snapshot,
                     const std::shared_ptr<const void>& keep) {
  if (e.tag == ir::Value::Tag::String) return RtValue::string_view(e.str, keep);
  return to_rt(e, elem, snapshot); // scalars carry no payload; nested sets are copied
}

RtValue rt_make_set(const std::vector<RtValue>& elems, ir::TypeId elem, const Snapshot& snapshot) {
  const ir::Type& et = snapshot.policy().types[elem];
  if (et.kind == ir::TypeKind::Entity || et.kind == ir::TypeKind::Enum) {
    size_t n = snapshot.domain_size(elem);
    std::vector<uint64_t> w(bits::words_for(n), 0);
    for (const auto& e : elems)
      if (e.num >= 0 && static_cast<size_t>(e.num) < n)
        bits::set(w.data(), static_cast<size_t>(e.num));
    return RtValue::owned_bits(et.ref, et.kind == ir::TypeKind::Enum, std::move(w));
  }
  std::vector<ir::Value> vals;
  vals.reserve(elems.size());
  for (const auto& e : elems) vals.push_back(to_ir(e));
  return RtValue::owned_values(std::move(vals));
}

std::vector<RtValue> rt_elements(const RtValue& set, ir::TypeId elem, const Snapshot& snapshot) {
  std::vector<RtValue> out;
  rt_for_each(set, elem, snapshot, [&](const RtValue& e) {
    out.push_back(e);
    return true;
  });
  return out;
}

std::string rt_format(const RtValue& v, const Snapshot& snapshot) {
  return snapshot.format(to_ir(v));
}

} // namespace keyplan::rt
