#include "engine/decider.hpp"

#include <cstdlib>
#include <cstring>

namespace keyplan::engine {

bool parse_kind(const std::string& text, Kind& out) {
  if (text == "interp")
    out = Kind::Interp;
  else if (text == "jit")
    out = Kind::Jit;
  else
    return false;
  return true;
}

Decider::Decider(const ir::Policy& policy, const rt::Snapshot& snapshot, Kind engine,
                 const jit::CompiledPolicy* compiled)
    : policy_(policy), snapshot_(snapshot), engine_(engine), compiled_(compiled),
      interp_(policy, snapshot) {
  flip_jit_ = testing_flip_from_env();
  if (engine_ == Kind::Jit && compiled_)
    binding_ = std::make_unique<jit::Binding>(*compiled_, snapshot_);
}

Decider::~Decider() = default;

bool Decider::testing_flip_from_env() {
  const char* flip = std::getenv("KEYPLAN_TESTING_FLIP_JIT");
  return flip && std::strcmp(flip, "1") == 0;
}

bool Decider::native(int32_t rule) const {
  return binding_ && compiled_->compiled(rule);
}

rt::Decision Decider::decide(int32_t rule, const std::vector<ir::Value>& args, int64_t today,
                             bool explain, bool* disagreement) {
  if (disagreement) *disagreement = false;
  rt::EvalOptions eo;
  eo.today = today;
  eo.explain = explain;
  if (!native(rule))
    return interp_.evaluate(
        rule, rt::to_rt_args(snapshot_, policy_.rules[static_cast<size_t>(rule)], args), eo);
  if (binding_->version() != snapshot_.version())
    binding_ = std::make_unique<jit::Binding>(*compiled_, snapshot_);
  std::vector<int64_t> native_args;
  native_args.reserve(args.size());
  for (const auto& a : args) native_args.push_back(jit::to_native(a));
  bool allowed = binding_->decide(rule, native_args.data(), today) != flip_jit_;
  if (!explain && !disagreement) {
    rt::Decision d;
    d.allowed = allowed;
    d.value = ir::Value::boolean(allowed);
    d.rule = rule;
    d.args = args;
    return d;
  }
  rt::Decision d = interp_.evaluate(
      rule, rt::to_rt_args(snapshot_, policy_.rules[static_cast<size_t>(rule)], args), eo);
  if (d.error.empty() && d.allowed != allowed) {
    if (disagreement)
      *disagreement = true;
    else
      d.error = "internal error: the JIT and the interpreter disagree on this decision (please "
                "report it)";
  }
  return d;
}

} // namespace keyplan::engine
