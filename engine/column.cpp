#include "engine/column.hpp"

#include "engine/decider.hpp"
#include "runtime/bitset.hpp"

namespace keyplan::engine {

struct ColumnDecider::Impl {
  const ir::Policy& policy;
  const rt::Snapshot& snapshot;
  const jit::CompiledPolicy* compiled;
  Decider decider;
  Impl(const ir::Policy& p, const rt::Snapshot& s, const jit::CompiledPolicy* c)
      : policy(p), snapshot(s), compiled(c), decider(p, s, c ? Kind::Jit : Kind::Interp, c) {}
};

ColumnDecider::ColumnDecider(const ir::Policy& policy, const rt::Snapshot& snapshot,
                             const jit::CompiledPolicy* compiled)
    : impl_(std::make_unique<Impl>(policy, snapshot, compiled)) {}

ColumnDecider::~ColumnDecider() = default;

ColumnPlan ColumnDecider::plan(int32_t rule, int32_t) const {
  ColumnPlan p;
  p.how = impl_->decider.native(rule) ? "cell by cell (JIT)" : "cell by cell (interpreter)";
  return p;
}

std::vector<uint64_t> ColumnDecider::decide(const ColumnQuery& q) {
  const auto& rule = impl_->policy.rules.at(static_cast<size_t>(q.rule));
  int32_t type = impl_->policy.types[rule.params.at(static_cast<size_t>(q.open)).type].ref;
  size_t n = static_cast<size_t>(impl_->snapshot.count(type));
  std::vector<uint64_t> out(rt::bits::words_for(n), 0);
  std::vector<ir::Value> args = q.args;
  for (size_t row = 0; row < n; ++row) {
    if (!q.candidates.empty() && !rt::bits::test(q.candidates.data(), row)) continue;
    args[static_cast<size_t>(q.open)] = ir::Value::entity(type, static_cast<int64_t>(row));
    rt::Decision d = impl_->decider.decide(q.rule, args, q.today, false);
    if (d.allowed && d.error.empty()) rt::bits::set(out.data(), row);
  }
  return out;
}

} // namespace keyplan::engine
