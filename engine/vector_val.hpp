// Internal to the vectorised evaluator (vector_eval.cpp, vector_sets.cpp):
// the values it passes around and the per-frame and per-attribute state.
#pragma once

#include "engine/vector_eval.hpp"
#include "runtime/bitset.hpp"

#include <string>
#include <vector>

namespace keyplan::engine::vec {

using rt::RtKind;
using rt::RtValue;
namespace bits = rt::bits;
constexpr int64_t kNone = rt::kNone;

struct VectorEval::Val {
  Kind kind = Kind::Closed;
  int8_t c = 0;                   // Mask: 0 all false, 1 all true, 2 bits `w`
  const uint64_t* w = nullptr;    // Mask
  const int64_t* rows = nullptr;  // Ent: entity per row (nullptr: the row); SetRow: the path
  const int64_t* vals = nullptr;  // Scalar
  const uint64_t* none = nullptr; // Scalar: rows whose value is none (nullptr: no none)
  int32_t type = -1, attr = -1;   // Ent: type; SetRow: the column (attr < 0: closed part only)
  RtValue closed;                 // Closed; SetRow: the closed set united with the column

  static Val constant(bool b) {
    Val v;
    v.kind = Kind::Mask;
    v.c = b ? 1 : 0;
    return v;
  }
  static Val bitset(const uint64_t* w) {
    Val v;
    v.kind = Kind::Mask;
    v.c = 2;
    v.w = w;
    return v;
  }
};

struct VectorEval::Frame {
  std::vector<RtValue> closed;
  std::vector<Val> open;
  std::string key; // a memoised call's arguments (reused: no allocation per call)
};

// Per set attribute: for each possible element, the rows that hold it.
struct VectorEval::Inverse {
  uint32_t words = 0;
  size_t domain = 0;
  std::vector<uint64_t> members; // element g: members[g * words ...]
};

// A runtime value of type t from its scalar payload (int, date, enum, ...).
RtValue scalar_value(const ir::Policy& p, ir::TypeId t, int64_t num);

} // namespace keyplan::engine::vec
