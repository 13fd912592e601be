// The decision engines behind every command that decides: the reference
// interpreter, or the LLVM JIT (falling back to the interpreter for actions
// it does not compile). Explanations always come from the interpreter.
#pragma once

#include "compiler/codegen/jit.hpp"
#include "runtime/interpreter.hpp"
#include "runtime/snapshot.hpp"

#include <memory>
#include <string>

namespace keyplan::sim {

enum class Engine { Interp, Jit };
bool parse_engine(const std::string& text, Engine& out);

class Decider {
public:
  // `compiled` may be null (interpreter only); it must outlive the Decider.
  Decider(const ir::Policy& policy, const rt::Snapshot& snapshot, Engine engine,
          const jit::CompiledPolicy* compiled);
  ~Decider();
  // Decides action `rule` on resolved arguments. When `explain` is set, the
  // interpreter records the explanation; with the JIT engine both run, and a
  // disagreement is reported in Decision::error (it is a bug).
  rt::Decision decide(int32_t rule, const std::vector<ir::Value>& args, int64_t today,
                      bool explain);
  bool native(int32_t rule) const;

private:
  const ir::Policy& policy_;
  const rt::Snapshot& snapshot_;
  Engine engine_;
  const jit::CompiledPolicy* compiled_;
  std::unique_ptr<jit::Binding> binding_;
  rt::Interpreter interp_;
};

} // namespace keyplan::sim
