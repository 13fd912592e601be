// Fixed-width bitsets over raw word arrays: the representation of set<Entity>
// and set<Enum> values in the snapshot and in the interpreter. Bit i of a set
// is element i (an instance's dense index, or an enum ordinal); a set over n
// possible elements takes words_for(n) 64-bit words, bits past n are zero.
// Plain functions over pointers so that the JIT can call or inline the same
// operations on the snapshot's columns.
#pragma once

#include <bit>
#include <cstddef>
#include <cstdint>

namespace keyplan::rt::bits {

constexpr uint32_t words_for(size_t n) {
  return static_cast<uint32_t>((n + 63) / 64);
}

inline bool test(const uint64_t* w, size_t i) {
  return (w[i / 64] >> (i % 64)) & 1u;
}
inline void set(uint64_t* w, size_t i) {
  w[i / 64] |= uint64_t{1} << (i % 64);
}
inline void clear(uint64_t* w, size_t i) {
  w[i / 64] &= ~(uint64_t{1} << (i % 64));
}

// `a meets b`: one word-AND per word.
inline bool intersects(const uint64_t* a, const uint64_t* b, uint32_t n) {
  for (uint32_t i = 0; i < n; ++i)
    if (a[i] & b[i]) return true;
  return false;
}

inline bool equal(const uint64_t* a, const uint64_t* b, uint32_t n) {
  for (uint32_t i = 0; i < n; ++i)
    if (a[i] != b[i]) return false;
  return true;
}

inline bool any(const uint64_t* a, uint32_t n) {
  for (uint32_t i = 0; i < n; ++i)
    if (a[i]) return true;
  return false;
}

inline size_t count(const uint64_t* a, uint32_t n) {
  size_t c = 0;
  for (uint32_t i = 0; i < n; ++i) c += static_cast<size_t>(std::popcount(a[i]));
  return c;
}

// Sets the first n_bits bits (AllOf of a type with n_bits instances).
inline void fill(uint64_t* out, size_t n_bits) {
  for (size_t i = 0; i < n_bits / 64; ++i) out[i] = ~uint64_t{0};
  if (n_bits % 64) out[n_bits / 64] = (uint64_t{1} << (n_bits % 64)) - 1;
}

inline void unite(uint64_t* out, const uint64_t* a, const uint64_t* b, uint32_t n) {
  for (uint32_t i = 0; i < n; ++i) out[i] = a[i] | b[i];
}
inline void intersect(uint64_t* out, const uint64_t* a, const uint64_t* b, uint32_t n) {
  for (uint32_t i = 0; i < n; ++i) out[i] = a[i] & b[i];
}
inline void except(uint64_t* out, const uint64_t* a, const uint64_t* b, uint32_t n) {
  for (uint32_t i = 0; i < n; ++i) out[i] = a[i] & ~b[i];
}

// The index of the first set bit at or after `from`, or -1.
inline int64_t next(const uint64_t* a, uint32_t n, size_t from) {
  size_t wi = from / 64;
  if (wi >= n) return -1;
  uint64_t w = a[wi] & (~uint64_t{0} << (from % 64));
  while (true) {
    if (w) return static_cast<int64_t>(wi * 64 + static_cast<size_t>(std::countr_zero(w)));
    if (++wi >= n) return -1;
    w = a[wi];
  }
}

// The highest set bit, or -1 for the empty set.
inline int64_t last(const uint64_t* a, uint32_t n) {
  for (uint32_t i = n; i-- > 0;)
    if (a[i]) return static_cast<int64_t>(i) * 64 + 63 - std::countl_zero(a[i]);
  return -1;
}

} // namespace keyplan::rt::bits
