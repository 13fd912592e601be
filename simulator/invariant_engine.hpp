// How an invariant's body is evaluated for one assignment of its `forall`
// binders: the small interface behind which `keyplan test` runs either the
// reference interpreter or the LLVM JIT. Binder values are passed as the JIT
// ABI passes arguments (compiler/codegen/jit_abi.hpp): one int64 per binder,
// an entity row, enum ordinal, date (days), int or bool 0/1; the none of an
// optional binder is rt::kNone.
//
// An engine is bound to one snapshot and is not thread-safe; make one per
// thread. Neither engine allocates per evaluation once prepared (the
// interpreter reuses one frame; the JIT reuses its arena).
#pragma once

#include "compiler/ir.hpp"
#include "runtime/snapshot.hpp"

#include <cstdint>
#include <memory>
#include <string>

namespace keyplan::sim {

class InvariantEngine {
public:
  virtual ~InvariantEngine() = default;
  // "interp" or "jit".
  virtual const char* name() const = 0;
  // Selects invariant `index` of the policy for holds(); false when this
  // engine cannot evaluate it (the caller then uses the interpreter).
  virtual bool prepare(int32_t index) = 0;
  // The truth of the prepared invariant's body for binder values `vars`.
  virtual bool holds(const int64_t* vars, int64_t today) = 0;
};

// Whether the binders of an invariant can be passed as int64 values (bool,
// int, date, enum, entity, or an optional of those).
bool scalar_binders(const ir::Policy& policy, const ir::Invariant& inv);

// The reference interpreter (always available).
std::unique_ptr<InvariantEngine> make_interp_engine(const ir::Policy& policy,
                                                    const rt::Snapshot& snapshot);
// The JIT: every invariant is compiled as a synthetic action of a copy of the
// policy. nullptr with `error` when LLVM fails; invariants the JIT does not
// compile (strings, sets of ints, ...) are refused by prepare().
std::unique_ptr<InvariantEngine> make_jit_engine(const ir::Policy& policy,
                                                 const rt::Snapshot& snapshot, std::string* error);

} // namespace keyplan::sim
