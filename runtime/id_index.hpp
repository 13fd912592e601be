// The id -> row index of an entity table, compact: a flat open-addressing
// table of row numbers that hashes into the table's own ids vector, instead
// of a node map holding a second copy of every id (a 1,000,000-user tenant:
// 16 MB instead of about 72 MB, docs/performance.md).
//
// Each slot holds the row and 32 bits of the id's hash (most probes are
// settled without reading the id; the table grows without re-hashing ids).
// The ids vector is passed to every call: the index never stores it, so a
// table and its index copy and move as plain values.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace keyplan::rt {

class IdIndex {
public:
  // The row whose id is `id`, or -1.
  int32_t find(const std::vector<std::string>& ids, std::string_view id) const;
  // Adds ids[row]; false (and nothing added) when that id is already indexed
  // (the first row keeps it).
  bool insert(const std::vector<std::string>& ids, int32_t row);
  // Room for `n` ids without growing.
  void reserve(size_t n);
  // The number of ids indexed.
  size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }

private:
  struct Slot {
    uint32_t hash = 0;
    int32_t row = -1; // -1: empty
  };
  static uint32_t hash_of(std::string_view id);
  void rehash(size_t capacity);

  std::vector<Slot> slots_; // a power of two in size, at most 3/4 full
  size_t size_ = 0;
};

} // namespace keyplan::rt
