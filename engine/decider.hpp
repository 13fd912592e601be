// The decision engines behind every command that decides: the reference
// interpreter, or the LLVM JIT (falling back to the interpreter for actions
// it does not compile). Explanations always come from the interpreter.
#pragma once

#include "compiler/codegen/jit.hpp"
#include "runtime/interpreter.hpp"
#include "runtime/snapshot.hpp"

#include <memory>
#include <string>

namespace keyplan::engine {

enum class Kind { Interp, Jit };
bool parse_kind(const std::string& text, Kind& out);

class Decider {
public:
  // `compiled` may be null (interpreter only); it must outlive the Decider.
  Decider(const ir::Policy& policy, const rt::Snapshot& snapshot, Kind engine,
          const jit::CompiledPolicy* compiled);
  ~Decider();
  // Decides action `rule` on resolved arguments. When `explain` is set, the
  // interpreter records the explanation. With the JIT engine, when
  // `disagreement` is given (or `explain` is set) the interpreter decides
  // too; if the two differ, *disagreement is set (a bug in keyplan: callers
  // fail the run, docs/cli.md "exit codes") and the interpreter's decision,
  // the reference, is returned.
  rt::Decision decide(int32_t rule, const std::vector<ir::Value>& args, int64_t today, bool explain,
                      bool* disagreement = nullptr);
  bool native(int32_t rule) const;
  // The testing aid KEYPLAN_TESTING_FLIP_JIT as read when the owner was made
  // (a Decider made later, lazily, must behave as if made then).
  void set_testing_flip(bool on) { flip_jit_ = on; }
  static bool testing_flip_from_env();

private:
  const ir::Policy& policy_;
  const rt::Snapshot& snapshot_;
  Kind engine_;
  const jit::CompiledPolicy* compiled_;
  std::unique_ptr<jit::Binding> binding_;
  rt::Interpreter interp_;
  // Testing aid: KEYPLAN_TESTING_FLIP_JIT=1 in the environment negates every
  // JIT answer, so that the tests can see a disagreement fail the run.
  bool flip_jit_ = false;
};

} // namespace keyplan::engine
