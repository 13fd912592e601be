// The reference interpreter: evaluates any rule, action or expression of the
// IR on a snapshot. It defines the semantics (the JIT must match it bit for
// bit), following the Op comments of compiler/ir.hpp:
// - and/or/implies short-circuit left to right; quantifiers visit elements in
//   ascending order (instance rows, enum ordinals, ir::Value order) and stop
//   at the first element that decides;
// - int arithmetic wraps (two's complement, 64 bits); x / 0 == 0, x % 0 == 0,
//   INT64_MIN / -1 == INT64_MIN, INT64_MIN % -1 == 0 (division truncates);
// - date - date = days, date ± int = date (wrapping like int);
// - Attr of a none is none; none == none only (none != any value);
//   < <= > >= with a none operand are false; `in` of a none is false;
//   Within with a none operand is false;
// - Max/Min of an empty set is none; two-argument max/min order a none below
//   every value (max(none, x) == x, min(none, x) == none) and return the
//   first argument on a tie;
// - Within walks the parent attribute of each type along the chain;
// - AllOf is every instance of the type, policy and data.
// An Interpreter caches converted constants per snapshot version; it is not
// thread-safe (use one per thread).
#pragma once

#include "runtime/explanation.hpp"
#include "runtime/rt_value.hpp"
#include "runtime/snapshot.hpp"

#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

namespace keyplan::rt {

// Today's date (UTC) as days since 1970-01-01.
int64_t current_date();

struct EvalOptions {
  int64_t today = current_date();
  bool explain = false;
};

struct Decision {
  bool allowed = false; // a bool rule that evaluated to true; false on any error
  ir::Value value;      // the result (entity references as rows of the snapshot)
  int32_t rule = -1;
  std::vector<ir::Value> args;
  std::optional<Explanation> explanation;
  std::string error; // set when the request could not be evaluated (a deny)
};

class Interpreter {
public:
  Interpreter(const ir::Policy& policy, const Snapshot& snapshot);

  // The plain path: rule `rule` applied to `args` (one per parameter, not
  // checked).
  RtValue call(int32_t rule, const std::vector<RtValue>& args, int64_t today);
  // An expression in a frame (parameter defaults: an empty frame;
  // invariants: the binders' slots).
  RtValue eval(const ir::Expr& e, std::vector<RtValue>& frame, int64_t today);
  // Checks the arguments (count, types, instances that exist; failing closed
  // with `error`), evaluates, and records an explanation when asked.
  Decision evaluate(int32_t rule, const std::vector<RtValue>& args, const EvalOptions& options);

  const ir::Policy& policy() const { return policy_; }
  const Snapshot& snapshot() const { return snapshot_; }

private:
  template <bool> friend class Evaluator;
  void sync();
  const RtValue& constant(const ir::Expr& e);
  const RtValue& setting(int32_t index);
  const RtValue& all_of(int32_t type);

  const ir::Policy& policy_;
  const Snapshot& snapshot_;
  uint64_t version_ = 0;
  std::unordered_map<const ir::Expr*, RtValue> constants_;
  std::vector<std::optional<RtValue>> settings_;
  std::vector<std::optional<RtValue>> all_of_;
};

// One-shot helpers.
Decision evaluate(const ir::Policy& policy, const Snapshot& snapshot, int32_t rule,
                  const std::vector<RtValue>& args, const EvalOptions& options = {});
// IR values (e.g. from resolve_request) as arguments of `rule`.
std::vector<RtValue> to_rt_args(const Snapshot& snapshot, const ir::Rule& rule,
                                const std::vector<ir::Value>& args);

} // namespace keyplan::rt
