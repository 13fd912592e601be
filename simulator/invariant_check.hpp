// `keyplan test`: checking a policy's invariants. Two modes:
// - exhaustive: every combination of binder values on the given tenant
//   (entity binders over all instances, bool/enum over all values, dates over
//   [from, to], ints over [int_min, int_max], optionals also none);
// - generative: RapidCheck draws random tenants that conform to the policy's
//   entity types (simulator/tenant_gen.hpp) and each is checked exhaustively;
//   a failure is shrunk to a minimal tenant (simulator/invariant_generative.cpp).
// A failure keeps its witness (the binder values) and the offending decision,
// explained (simulator/counterexample.hpp).
#pragma once

#include "compiler/ir.hpp"
#include "runtime/snapshot.hpp"
#include "simulator/invariant_engine.hpp"

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace keyplan::sim {

struct InvariantOptions {
  int64_t today = 0;
  int64_t from = 0, to = 0; // date binders range over [from, to]
  int64_t int_min = 0, int_max = 10;
  bool jit = true; // exhaustive mode: use the JIT where it compiles the invariant
  // generative mode
  uint64_t seed = 0;
  int max_success = 100;
  int max_instances = 4;    // random instances per entity type
  int64_t gen_days = 7;     // generative date binders: [today, today + gen_days]
  int64_t gen_cases = 2000; // per random tenant: all combinations up to this many, else a sample
  // Counterexample scenarios: the policy as they name it (relative to the
  // directory they are written to, or a module name) and, for exhaustive
  // failures, the data files of the tenant.
  std::string scenario_policy;
  std::vector<std::string> scenario_data;
  // The policy's invariants compiled once (JitInvariants::compile) and shared
  // by both modes; when null and `jit` is set, each mode compiles them.
  std::shared_ptr<const JitInvariants> compiled;
};

enum class Status { Pass, Fail, Skipped };
const char* status_name(Status s);

struct InvariantOutcome {
  int32_t invariant = -1;
  std::string name;
  std::string mode;   // "exhaustive" or "generative"
  std::string engine; // "interp" or "jit"
  Status status = Status::Pass;
  uint64_t cases = 0;   // binder combinations evaluated
  uint64_t tenants = 0; // generative: random tenants tried
  double ms = 0;
  std::string note; // why skipped; generative: the RapidCheck seed
  // The JIT found a witness the interpreter (the semantics) does not confirm:
  // a bug in keyplan, never a verdict on the policy (`keyplan test` exits 3).
  bool disagreement = false;
  // A failure: the binder values, the tenant that shows it (generative: the
  // shrunk random tenant), the explanation and the written scenario.
  std::vector<ir::Value> witness;
  std::string witness_text; // "u = mueller, o = TABLE_2"
  std::string explanation;
  std::string scenario_yaml;
  std::string counterexample_file;
};

// Int binders range over at most this many values (--int-min .. --int-max).
constexpr uint64_t kMaxIntBinderValues = 100000;
// The number of values in [min, max] (computed without overflow, for any
// int64 bounds); false when max < min or there are more than
// kMaxIntBinderValues.
bool int_range_size(int64_t min, int64_t max, uint64_t& size);

// The values an invariant binder of type `t` ranges over, as int64 (see
// invariant_engine.hpp); false with `why` for types that cannot be
// enumerated (strings, sets) and for an int range beyond kMaxIntBinderValues.
bool binder_domain(const rt::Snapshot& snapshot, ir::TypeId t, const InvariantOptions& o,
                   int64_t from, int64_t to, std::vector<int64_t>& out, std::string& why);

// Runs `engine` (prepared) over every combination of `domains`; returns the
// number of cases evaluated and fills `witness` at the first failure.
uint64_t exhaust(InvariantEngine& engine, const std::vector<std::vector<int64_t>>& domains,
                 int64_t today, std::optional<std::vector<int64_t>>& witness);

// A binder value back as an IR value of type `t`.
ir::Value binder_value(const ir::Policy& policy, ir::TypeId t, int64_t v);

// Exhaustive mode over `snapshot`, one outcome per invariant.
std::vector<InvariantOutcome>
check_exhaustive(const ir::Policy& policy, const rt::Snapshot& snapshot, const InvariantOptions& o);

// Generative mode: one outcome per invariant (simulator/invariant_generative.cpp).
std::vector<InvariantOutcome> check_generative(const ir::Policy& policy, const rt::Snapshot& base,
                                               const InvariantOptions& o);

} // namespace keyplan::sim
