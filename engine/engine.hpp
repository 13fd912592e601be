// The one home of deciding (docs/architecture.md "Deciding: engine/"): every
// front door (the simulator, the CLI, the C ABI, later the service) decides
// through an Engine. Behind it are the three ways of deciding: the reference
// interpreter (the judge, and the only source of explanations), the
// per-decision JIT (engine/decider.hpp) and the set-at-a-time column engine
// (engine/column.hpp), which falls back to deciding cell by cell (JIT or
// interpreter) for what it cannot vectorise.
//
// An Engine reads its policy, snapshot and compiled policy and must not
// outlive them. It is not thread-safe: one Engine per thread (it uses the
// second core itself for large batches and cell-by-cell columns).
#pragma once

#include "compiler/codegen/jit.hpp"
#include "engine/column.hpp"
#include "engine/decider.hpp"
#include "runtime/interpreter.hpp"
#include "runtime/snapshot.hpp"

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace keyplan::engine {

// One request of a batch: an action on resolved arguments.
struct Request {
  int32_t rule = -1;
  std::vector<ir::Value> args;
  int64_t today = 0;
};

// Two entity parameters open, the rest given.
struct MatrixQuery {
  int32_t rule = -1;
  int32_t row_param = -1, col_param = -1; // parameter indexes, both entity types
  std::vector<ir::Value> args;            // one per parameter; the open two are ignored
  int64_t today = 0;
};

// A decided matrix: row-major bits, bit c of row r = allow(row r, col c).
struct MatrixBits {
  int32_t row_type = -1, col_type = -1;
  size_t rows = 0, cols = 0;
  size_t stride = 0; // words per row
  std::vector<uint64_t> bits;
  std::string plan; // "<param> open: <ColumnPlan::how>"
};

class Engine {
public:
  // `kind`: Kind::Interp has the interpreter decide everything, cell by
  // cell (`--engine interp`: no JIT, no vectorised columns); Kind::Jit
  // decides with the JIT (the interpreter for actions it does not compile,
  // or every action when `compiled` is null) and vectorises columns.
  // `compiled` may be null; it must outlive the Engine.
  Engine(const ir::Policy& policy, const rt::Snapshot& snapshot, Kind kind,
         const jit::CompiledPolicy* compiled);
  ~Engine();
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  Kind kind() const { return kind_; }
  const ir::Policy& policy() const { return policy_; }
  const rt::Snapshot& snapshot() const { return snapshot_; }
  // Whether `rule` is decided natively (the JIT) by decide().
  bool native(int32_t rule) const;

  // Decide one. With the JIT, when `disagreement` is given the interpreter
  // decides too (Decider::decide): on a difference *disagreement is set and
  // the interpreter's decision is returned.
  rt::Decision decide(int32_t rule, const std::vector<ir::Value>& args, int64_t today,
                      bool* disagreement = nullptr);
  // Decide a batch, in order. Large batches are split over two threads.
  // `disagreement` as in decide() (set when any request disagrees).
  std::vector<rt::Decision> decide_batch(const std::vector<Request>& requests,
                                         bool* disagreement = nullptr);
  // Decide one with the interpreter's explanation (with the JIT engine the
  // JIT decides too and must agree, as in decide()).
  rt::Decision explain(int32_t rule, const std::vector<ir::Value>& args, int64_t today,
                       bool* disagreement = nullptr);
  // The reference interpreter's decision, whatever the kind (cross-checks).
  rt::Decision reference(int32_t rule, const std::vector<ir::Value>& args, int64_t today);

  // Columns (engine/column.hpp): plan, prepare, decide.
  ColumnPlan plan(int32_t rule, int32_t open);
  void prepare(int32_t rule, int32_t open);
  std::vector<uint64_t> decide_column(const ColumnQuery& query);
  // The whole matrix, one column query per instance of the parameter it
  // iterates (it opens the one the column engine vectorises, preferring the
  // columns). `progress` (may be empty) is called with the columns done.
  MatrixBits decide_matrix(const MatrixQuery& query,
                           const std::function<void(size_t)>& progress = {});

  // Reuses `other`'s structures derived from the tables (inverse indexes)
  // when both engines read the same tables: one policy, snapshots with the
  // same Snapshot::data_version (a settings-only what-if). False otherwise
  // (nothing shared). Both engines must then be used from one thread.
  bool share_tables(Engine& other);

  // Cross-checking of columns by the interpreter (ColumnDecider).
  void set_crosscheck(int cells_per_column);
  uint64_t decided_cells();
  uint64_t crosschecked_cells();
  // Forces deciding columns cell by cell (benchmarks compare both ways).
  void set_vectorise(bool on);

private:
  ColumnDecider& columns();
  Decider& interpreter();
  Decider& first(); // one_, made when first asked (binding the JIT costs milliseconds)

  const ir::Policy& policy_;
  const rt::Snapshot& snapshot_;
  Kind kind_;
  const jit::CompiledPolicy* compiled_;
  std::unique_ptr<Decider> one_;
  std::unique_ptr<Decider> second_;     // the other core's, for large batches
  std::unique_ptr<Decider> interp_;     // the reference, made when first asked
  std::unique_ptr<ColumnDecider> cols_; // made when first asked
  int crosscheck_ = -1;                 // -1: ColumnDecider's default
  bool vectorise_ = true;
  bool flip_ = Decider::testing_flip_from_env(); // as when made (deciders are lazy)
};

} // namespace keyplan::engine
