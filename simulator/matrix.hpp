// Authorisation matrices: one action decided for every pair of instances of
// two open entity parameters (the rest given), and the same matrix
// aggregated into counts per attribute value (users by group, desks by floor)
// or per bucket of consecutive instances. Independent of any output format:
// `keyplan matrix` renders it, `diff` and the service reuse it.
#pragma once

#include "engine/engine.hpp"
#include "runtime/snapshot.hpp"
#include "simulator/progress.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace keyplan::sim {

struct MatrixQuery {
  int32_t rule = -1;
  int32_t row_param = -1, col_param = -1; // parameter indexes, both entity types
  std::vector<ir::Value> args;            // one per parameter; the open two are ignored
  int64_t today = 0;
};

struct Matrix {
  int32_t rule = -1, row_param = -1, col_param = -1;
  int32_t row_type = -1, col_type = -1;
  size_t rows = 0, cols = 0;
  size_t stride = 0;          // words per row
  std::vector<uint64_t> bits; // row-major: bit c of row r = allow(row r, col c)
  size_t allowed = 0;
  std::string plan; // how the columns were decided (Engine::plan)

  const uint64_t* row(size_t r) const { return bits.data() + r * stride; }
  bool test(size_t r, size_t c) const { return (row(r)[c / 64] >> (c % 64)) & 1u; }
};

// Decides the whole matrix through the engine (Engine::decide_matrix).
// `progress` may be null.
Matrix compute_matrix(engine::Engine& engine, const ir::Policy& policy,
                      const rt::Snapshot& snapshot, const MatrixQuery& query,
                      Progress* progress = nullptr);

// The interpreter stays the judge: decides `samples` cells spread over the
// matrix (pseudo-random, fixed seed) one by one with the engine's reference
// interpreter (Engine::reference) and returns
// the first that differs as {row, col}, or {-1, -1}. Commands exit 3 on a
// disagreement, as `decide` does.
std::pair<int64_t, int64_t> cross_check(const Matrix& m, const MatrixQuery& query,
                                        engine::Engine& reference, size_t samples);

// One axis of an aggregated matrix: groups of instances, each with a label.
// An instance may be in several groups (a set-valued attribute: a user
// counts in each of their groups) or in none (an empty set: "(none)").
struct Axis {
  std::string by; // the attribute path, "" for one instance per group, "#" for buckets
  std::vector<std::string> labels;
  std::vector<std::vector<uint32_t>> members; // instance rows per group
};

// One group per instance (the matrix as it is).
Axis instances_axis(const rt::Snapshot& snapshot, int32_t type);
// Groups by an attribute path of `type` (`groups`, `floor`, `floor.building`):
// every step but the last must be an entity attribute. The last one's value
// is the group: a set gives one group per element, none/empty "(none)".
// False with `error` (did-you-mean) for an unknown attribute.
bool attribute_axis(const ir::Policy& policy, const rt::Snapshot& snapshot, int32_t type,
                    const std::string& path, Axis& out, std::string& error);
// At most `max_groups` groups of consecutive instances ("u00001 … u00050").
Axis bucket_axis(const rt::Snapshot& snapshot, int32_t type, size_t max_groups);

// counts[i * cols + j]: allowed cells with the row in row group i and the
// column in column group j (a pair counts once per pair of groups it is in).
struct CountGrid {
  Axis rows, cols;
  std::vector<uint64_t> counts;
  uint64_t at(size_t i, size_t j) const { return counts[i * cols.labels.size() + j]; }
  // Cells in a group pair: the most `at` can be.
  uint64_t cells(size_t i, size_t j) const {
    return static_cast<uint64_t>(rows.members[i].size()) * cols.members[j].size();
  }
};
CountGrid aggregate(const Matrix& m, Axis rows, Axis cols);

} // namespace keyplan::sim
