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
};

class ColumnDecider {
public:
  // `compiled` may be null (the interpreter decides every cell); it must
  // outlive the ColumnDecider, and so must the snapshot.
  ColumnDecider(const ir::Policy& policy, const rt::Snapshot& snapshot,
                const jit::CompiledPolicy* compiled);
  ~ColumnDecider();

  ColumnPlan plan(int32_t rule, int32_t open) const;
  // The rows of the open type for which the action allows: a bitset of
  // words_for(count) words. A cell whose decision is an error (e.g. a
  // missing optional) is a deny, as in `decide`.
  std::vector<uint64_t> decide(const ColumnQuery& query);

private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

} // namespace keyplan::engine
