// Runtime values of the interpreter: small, copyable, and borrowing from the
// snapshot where they can (an attribute read of a set<Group> is a pointer to
// the bitset row, not a copy), owning computed payloads through `keep`.
//
//   None                       the none of an optional
//   Bool/Int/Date/Enum/Entity  `num` (0/1, int, days, ordinal, instance row),
//                              `ref` the enum / entity type index
//   String                     `ptr` (const char*) and `num` (length)
//   Bits    set<Entity>/set<Enum>: `ptr` (const uint64_t*), `num` words,
//           `ref` the element's entity type / enum, `elem_enum`
//   Values  any other set: `ptr` (const std::vector<ir::Value>*), sorted and
//           deduplicated as ir::Value orders them
//
// A borrowed value stays valid while its snapshot / policy is unchanged.
#pragma once

#include "compiler/ir.hpp"

#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace keyplan::rt {

class Snapshot;

enum class RtKind : uint8_t { None, Bool, Int, Date, Enum, Entity, String, Bits, Values };

struct RtValue {
  RtKind kind = RtKind::None;
  bool elem_enum = false;
  int32_t ref = -1;
  int64_t num = 0;
  const void* ptr = nullptr;
  std::shared_ptr<const void> keep;

  static RtValue none() { return {}; }
  static RtValue boolean(bool b) { return {RtKind::Bool, false, -1, b ? 1 : 0, nullptr, {}}; }
  static RtValue integer(int64_t i) { return {RtKind::Int, false, -1, i, nullptr, {}}; }
  static RtValue date(int64_t d) { return {RtKind::Date, false, -1, d, nullptr, {}}; }
  static RtValue enumerator(int32_t e, int64_t ordinal) {
    return {RtKind::Enum, false, e, ordinal, nullptr, {}};
  }
  static RtValue entity(int32_t type, int64_t row) {
    return {RtKind::Entity, false, type, row, nullptr, {}};
  }
  // Borrowed string (the bytes must outlive the value unless `keep` owns them).
  static RtValue string_view(std::string_view s, std::shared_ptr<const void> keep = {}) {
    return {RtKind::String, false, -1, static_cast<int64_t>(s.size()), s.data(), std::move(keep)};
  }
  static RtValue owned_string(std::string s);
  static RtValue bits_view(int32_t elem_ref, bool elem_enum, const uint64_t* words, uint32_t n,
                           std::shared_ptr<const void> keep = {}) {
    return {RtKind::Bits, elem_enum, elem_ref, n, words, std::move(keep)};
  }
  static RtValue owned_bits(int32_t elem_ref, bool elem_enum, std::vector<uint64_t> words);
  static RtValue values_view(const std::vector<ir::Value>* v,
                             std::shared_ptr<const void> keep = {}) {
    return {RtKind::Values, false, -1, 0, v, std::move(keep)};
  }
  // Sorts and deduplicates.
  static RtValue owned_values(std::vector<ir::Value> v);

  bool is_none() const { return kind == RtKind::None; }
  bool truth() const { return num != 0; }
  std::string_view str() const { return {static_cast<const char*>(ptr), static_cast<size_t>(num)}; }
  const uint64_t* words() const { return static_cast<const uint64_t*>(ptr); }
  uint32_t nwords() const { return static_cast<uint32_t>(num); }
  const std::vector<ir::Value>& values() const {
    return *static_cast<const std::vector<ir::Value>*>(ptr);
  }
  bool is_set() const { return kind == RtKind::Bits || kind == RtKind::Values; }
};

// ir::Value of type `type` to a runtime value (sets of entities / enums
// become bitsets sized for `snapshot`; payloads are owned copies).
RtValue to_rt(const ir::Value& v, ir::TypeId type, const Snapshot& snapshot);
// Back to an IR value (sets sorted as ir::Value orders them).
ir::Value to_ir(const RtValue& v);

// Date arithmetic saturates at the calendar's ends: `date + int` and
// `date - int` give a day in 0001-01-01 .. 9999-12-31 (the JIT clamps
// alike), never a day no date literal can name.
constexpr int64_t kMinDay = ir::kFirstDay; // 0001-01-01
constexpr int64_t kMaxDay = ir::kLastDay;  // 9999-12-31
int64_t date_add(int64_t day, int64_t n);
int64_t date_sub(int64_t day, int64_t n);

// `none == none` only; sets by content; strings bytewise.
bool rt_equal(const RtValue& a, const RtValue& b);
// The total order of ir::Value restricted to one type (none first): ints,
// dates, enum ordinals, entity rows numerically, strings bytewise.
bool rt_less(const RtValue& a, const RtValue& b);

// Set operations; both operands sets of the same type.
bool rt_contains(const RtValue& set, const RtValue& elem); // a none is in no set
bool rt_meets(const RtValue& a, const RtValue& b);
size_t rt_count(const RtValue& set);
RtValue rt_union(const RtValue& a, const RtValue& b);
RtValue rt_intersect(const RtValue& a, const RtValue& b);
RtValue rt_except(const RtValue& a, const RtValue& b);
// The elements of a set in ascending order, as runtime values of type `elem`.
std::vector<RtValue> rt_elements(const RtValue& set, ir::TypeId elem, const Snapshot& snapshot);
// One element of a Values set as a runtime value of type `elem`; strings
// borrow from `e`, kept alive by `keep`.
RtValue rt_from_elem(const ir::Value& e, ir::TypeId elem, const Snapshot& snapshot,
                     const std::shared_ptr<const void>& keep);
// Calls f(RtValue) for each element in ascending order until f returns false;
// returns false when f did.
template <typename F>
bool rt_for_each(const RtValue& set, ir::TypeId elem, const Snapshot& snapshot, F&& f) {
  if (set.kind == RtKind::Bits) {
    const uint64_t* w = set.words();
    for (uint32_t i = 0; i < set.nwords(); ++i)
      for (uint64_t word = w[i]; word; word &= word - 1) {
        int64_t bit = static_cast<int64_t>(i) * 64 + __builtin_ctzll(word);
        if (!f(set.elem_enum ? RtValue::enumerator(set.ref, bit) : RtValue::entity(set.ref, bit)))
          return false;
      }
    return true;
  }
  if (set.kind == RtKind::Values)
    for (const ir::Value& e : set.values())
      if (!f(rt_from_elem(e, elem, snapshot, set.keep))) return false;
  return true;
}
// Builds a set of element type `elem` from runtime values.
RtValue rt_make_set(const std::vector<RtValue>& elems, ir::TypeId elem, const Snapshot& snapshot);
// The common elements of two sets (for explanations).
RtValue rt_common(const RtValue& a, const RtValue& b);

// Rendered with the snapshot's instance ids: `mueller`, `[ALL, IT]`, `none`.
std::string rt_format(const RtValue& v, const Snapshot& snapshot);

} // namespace keyplan::rt
