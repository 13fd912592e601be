#include "simulator/engine.hpp"

namespace keyplan::sim {

bool parse_engine(const std::string& text, Engine& out) {
  if (text == "interp")
    out = Engine::Interp;
  else if (text == "jit")
    out = Engine::Jit;
  else
    return false;
  return true;
}

Decider::Decider(const ir::Policy& policy, const rt::Snapshot& snapshot, Engine engine,
                 const jit::CompiledPolicy* compiled)
    : policy_(policy), snapshot_(snapshot), engine_(engine), compiled_(compiled),
      interp_(policy, snapshot) {
  if (engine_ == Engine::Jit && compiled_)
    binding_ = std::make_unique<jit::Binding>(*compiled_, snapshot_);
}

Decider::~Decider() = default;

bool Decider::native(int32_t rule) const {
  return binding_ && compiled_->compiled(rule);
}

rt::Decision Decider::decide(int32_t rule, const std::vector<ir::Value>& args, int64_t today,
                             bool explain) {
  if (!native(rule)) {
    rt::EvalOptions eo;
    eo.today = today;
    eo.explain = explain;
    return interp_.evaluate(
        rule, rt::to_rt_args(snapshot_, policy_.rules[static_cast<size_t>(rule)], args), eo);
  }
  if (binding_->version() != snapshot_.version())
    binding_ = std::make_unique<jit::Binding>(*compiled_, snapshot_);
  std::vector<int64_t> native_args;
  native_args.reserve(args.size());
  for (const auto& a : args) native_args.push_back(jit::to_native(a));
  bool allowed = binding_->decide(rule, native_args.data(), today);
  if (!explain) {
    rt::Decision d;
    d.allowed = allowed;
    d.value = ir::Value::boolean(allowed);
    d.rule = rule;
    d.args = args;
    return d;
  }
  rt::EvalOptions eo;
  eo.today = today;
  eo.explain = true;
  rt::Decision d = interp_.evaluate(
      rule, rt::to_rt_args(snapshot_, policy_.rules[static_cast<size_t>(rule)], args), eo);
  if (d.error.empty() && d.allowed != allowed)
    d.error =
        "internal error: the JIT and the interpreter disagree on this decision (please report it)";
  return d;
}

} // namespace keyplan::sim
