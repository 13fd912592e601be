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

namespace keyplan::jit {
class CompiledPolicy;
}

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
// The JIT: every invariant of the policy compiled once, as a synthetic action
// of a copy of the policy (the snapshot layout is the same), then bound to
// any number of snapshots of the original policy.
class JitInvariants : public std::enable_shared_from_this<JitInvariants> {
public:
  // nullptr with `error` when LLVM fails.
  static std::shared_ptr<const JitInvariants> compile(const ir::Policy& policy, std::string* error);
  ~JitInvariants();
  // Whether invariant `index` runs natively (else: the interpreter).
  bool compiled(int32_t index) const;
  std::unique_ptr<InvariantEngine> bind(const rt::Snapshot& snapshot) const;
  const keyplan::jit::CompiledPolicy& native() const { return *native_; }
  int32_t rule_of(int32_t index) const { return first_ + index; }

private:
  explicit JitInvariants(const ir::Policy& policy);
  const ir::Policy& policy_;
  std::unique_ptr<ir::Policy> aug_;
  std::unique_ptr<keyplan::jit::CompiledPolicy> native_;
  int32_t first_ = 0;
};

// Compiles and binds in one go. The JIT: every invariant is compiled as a synthetic action of a
// copy of the policy. nullptr with `error` when LLVM fails; invariants the JIT does not compile
// (strings, sets of ints, ...) are refused by prepare().
std::unique_ptr<InvariantEngine> make_jit_engine(const ir::Policy& policy,
                                                 const rt::Snapshot& snapshot, std::string* error);

} // namespace keyplan::sim
