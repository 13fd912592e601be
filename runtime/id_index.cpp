#include "runtime/id_index.hpp"

#include <functional>

namespace keyplan::rt {

uint32_t IdIndex::hash_of(std::string_view id) {
  uint64_t h = std::hash<std::string_view>{}(id);
  return static_cast<uint32_t>(h ^ (h >> 32));
}

int32_t IdIndex::find(const std::vector<std::string>& ids, std::string_view id) const {
  if (slots_.empty()) return -1;
  const uint32_t h = hash_of(id);
  const size_t mask = slots_.size() - 1;
  for (size_t i = h & mask;; i = (i + 1) & mask) {
    const Slot& s = slots_[i];
    if (s.row < 0) return -1;
    if (s.hash == h && ids[static_cast<size_t>(s.row)] == id) return s.row;
  }
}

bool IdIndex::insert(const std::vector<std::string>& ids, int32_t row) {
  if ((size_ + 1) * 4 > slots_.size() * 3) rehash(slots_.empty() ? 16 : slots_.size() * 2);
  const std::string& id = ids[static_cast<size_t>(row)];
  const uint32_t h = hash_of(id);
  const size_t mask = slots_.size() - 1;
  for (size_t i = h & mask;; i = (i + 1) & mask) {
    Slot& s = slots_[i];
    if (s.row < 0) {
      s = Slot{h, row};
      ++size_;
      return true;
    }
    if (s.hash == h && ids[static_cast<size_t>(s.row)] == id) return false;
  }
}

void IdIndex::reserve(size_t n) {
  size_t capacity = slots_.empty() ? 16 : slots_.size();
  while (n * 4 > capacity * 3) capacity *= 2;
  if (capacity != slots_.size()) rehash(capacity);
}

// The slot of an id depends on its hash only, so growing needs no id.
void IdIndex::rehash(size_t capacity) {
  std::vector<Slot> old;
  old.swap(slots_);
  slots_.assign(capacity, Slot{});
  const size_t mask = capacity - 1;
  for (const Slot& s : old) {
    if (s.row < 0) continue;
    size_t i = s.hash & mask;
    while (slots_[i].row >= 0) i = (i + 1) & mask;
    slots_[i] = s;
  }
}

} // namespace keyplan::rt
