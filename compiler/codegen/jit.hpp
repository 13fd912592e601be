// Native decision functions: a checked policy lowered to LLVM IR and compiled
// by ORC LLJIT (optimised for the host CPU). One entry point per action; the
// interpreter stays the semantics, and the JIT must agree with it on every
// input (tests/jit_differential_test.cpp).
//
// What is compiled: rules whose values are bools, ints, dates, enum members,
// entities, optional enum members and entities, and sets of entities or enum members
// (bitsets). A rule that needs anything else (strings, sets of ints, ...) is
// left to the interpreter, and so is every rule that calls it; `compiled()`
// says which actions run natively.
#pragma once

#include "compiler/codegen/jit_abi.hpp"
#include "compiler/ir.hpp"

#include <memory>
#include <string>
#include <vector>

namespace keyplan::rt {
class Snapshot;
}

namespace keyplan::jit {

class Binding;

class CompiledPolicy {
public:
  // Sets up the JIT and decides which rules compile; nullptr with `error`
  // when LLVM cannot start. Native code for an action is generated on first
  // use (each action with the rules it calls, optimised as one module), so
  // a policy with many actions costs only what is decided. Thread-safe.
  static std::unique_ptr<CompiledPolicy> compile(const ir::Policy& policy, std::string* error);
  ~CompiledPolicy();

  const ir::Policy& policy() const { return policy_; }
  // Whether the action runs natively (compiles it now if needed).
  bool compiled(int32_t rule) const;
  // Compiles every compilable action now (e.g. before timing decisions).
  void compile_all() const;
  // Why a rule is not compiled (empty when it is).
  const std::string& reason(int32_t rule) const;
  double compile_ms() const { return compile_ms_; }
  // Time spent generating native code for actions so far.
  double codegen_ms() const;

  // The native entry of an action: args are one int64 per parameter (entity
  // row, enum ordinal, date in days, int, bool 0/1; optional none INT64_MIN).
  using Entry = int64_t (*)(kp_context*, const int64_t*);
  Entry entry(int32_t rule) const;

  // Constant sets the generated code reads through kp_context::const_sets.
  struct ConstSet {
    ir::TypeId type; // set<Entity> or set<Enum>
    ir::Value value;
  };
  const std::vector<ConstSet>& const_sets() const { return const_sets_; }
  // Index of the first column of each entity type in kp_context::columns.
  const std::vector<int32_t>& column_base() const { return column_base_; }

private:
  explicit CompiledPolicy(const ir::Policy& p);
  struct Impl;
  const ir::Policy& policy_;
  std::unique_ptr<Impl> impl_;
  std::vector<std::string> reasons_;
  std::vector<ConstSet> const_sets_;
  std::vector<int32_t> column_base_;
  double compile_ms_ = 0;
};

// A compiled policy bound to one snapshot's tables. Immutable once built, so
// any number of threads may decide concurrently; rebuild it after the
// snapshot changes (Snapshot::version()).
class Binding {
public:
  Binding(const CompiledPolicy& cp, const rt::Snapshot& snapshot);
  ~Binding();
  uint64_t version() const { return version_; }
  // Decides a compiled action. Thread-safe.
  bool decide(int32_t rule, const int64_t* args, int64_t today) const;

private:
  const CompiledPolicy& cp_;
  uint64_t version_;
  std::vector<kp_column> columns_;
  std::vector<int64_t> strides_;
  std::vector<int64_t> setting_scalars_;
  std::vector<std::vector<uint64_t>> owned_; // storage for settings, constants, all-sets
  std::vector<const uint64_t*> setting_bits_, const_sets_, all_bits_;
  kp_context base_{};
};

// Bytes held by the calling thread's scratch arena for set temporaries: its
// high-water mark (the arena keeps its memory for the next decision).
size_t arena_reserved_bytes();

// An argument value as the native entry expects it.
int64_t to_native(const ir::Value& v);

} // namespace keyplan::jit
