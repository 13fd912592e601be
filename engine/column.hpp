// Deciding a whole column at once: one action with every parameter given
// but one (the "open" parameter, an entity type), decided for every instance
// of that type (or the candidates asked for). `search`, `matrix` and `diff`
// are built on it. The interpreter stays the judge: whichever way a column
// is computed, it must equal the interpreter's per-cell decisions
// (tests/column_engine_test.cpp).
#pragma once

#include "compiler/codegen/jit.hpp"
#include "compiler/ir.hpp"
#include "runtime/snapshot.hpp"

#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

namespace keyplan::engine {

struct ColumnQuery {
  int32_t rule = -1;           // an action
  int32_t open = -1;           // index of the open parameter (an entity type)
  std::vector<ir::Value> args; // one per parameter; args[open] is ignored
  int64_t today = 0;
  // Rows of the open type to decide (words_for(count) words); empty = all.
  std::vector<uint64_t> candidates;
};

// How a column of an action is computed, and why (`--explain-plan`).
struct ColumnPlan {
  bool vectorised = false;
  std::string how; // one line: "vectorised", or the reason for deciding cell by cell
  // Vectorised: the plan's size and the inverse indexes it reads, e.g.
  // "41 operators, 7 inlined calls, inverse indexes: User.groups".
  std::string detail;
};

// A cross-checked cell where the column and the interpreter disagree: a bug
// in keyplan (commands exit 3, docs/cli.md "exit codes").
struct ColumnDisagreement : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// The number of rows set in a column (the popcnt instruction when the CPU
// has it; std::popcount is a library call per word in a baseline build).
size_t count_rows(const std::vector<uint64_t>& column);
size_t count_rows(const uint64_t* words, size_t n);

// Two columns over one axis compared a word at a time (`keyplan diff`):
// gained[i] = after & ~before, lost[i] = before & ~after (n words each),
// and the rows set in each, counted in the same pass.
struct ColumnChange {
  uint64_t before = 0, after = 0, gained = 0, lost = 0;
};
ColumnChange compare_columns(const uint64_t* before, const uint64_t* after, size_t n,
                             uint64_t* gained, uint64_t* lost);

class ColumnDecider {
public:
  // `compiled` may be null (the interpreter decides every cell); it must
  // outlive the ColumnDecider, and so must the snapshot.
  ColumnDecider(const ir::Policy& policy, const rt::Snapshot& snapshot,
                const jit::CompiledPolicy* compiled);
  ~ColumnDecider();

  ColumnPlan plan(int32_t rule, int32_t open) const;
  // Compiles the plan and builds the inverse indexes it reads now, so that
  // the first column costs what the next ones do (`search` after load).
  void prepare(int32_t rule, int32_t open);
  // The rows of the open type for which the action allows: a bitset of
  // words_for(count) words. A cell whose decision is an error (e.g. a
  // missing optional) is a deny, as in `decide`. A vectorised column is
  // computed set-at-a-time (engine/vector_plan.hpp); any other is decided
  // cell by cell (the JIT when the action is compiled, else the
  // interpreter; rows split over two threads). Not thread-safe: one
  // ColumnDecider per thread. Throws ColumnDisagreement when a
  // cross-checked cell disagrees with the interpreter.
  std::vector<uint64_t> decide(const ColumnQuery& query);

  // Shares the structures derived from the tables (inverse indexes) with
  // `other` when both read the same tables (VectorEval::share_tables).
  bool share_tables(ColumnDecider& other);

  // Cross-checking: after each column, this many cells of it (chosen at
  // random among the rows decided) are decided again by the interpreter.
  // Default: 64 in debug builds (NDEBUG not defined) or when the
  // environment has KEYPLAN_CROSSCHECK=1, else 0.
  void set_crosscheck(int cells_per_column);
  int crosscheck() const;
  // Cells decided and cells cross-checked so far (for "fraction of cells
  // cross-checked" in reports).
  uint64_t decided_cells() const;
  uint64_t crosschecked_cells() const;
  // Forces deciding cell by cell (benchmarks compare both ways).
  void set_vectorise(bool on);

private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

} // namespace keyplan::engine
