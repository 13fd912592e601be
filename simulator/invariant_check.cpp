#include "simulator/invariant_check.hpp"

#include "simulator/counterexample.hpp"

#include <chrono>
#include <fmt/format.h>

namespace keyplan::sim {

const char* status_name(Status s) {
  switch (s) {
  case Status::Pass:
    return "pass";
  case Status::Fail:
    return "FAIL";
  case Status::Skipped:
    return "skipped";
  }
  return "?";
}

bool int_range_size(int64_t min, int64_t max, uint64_t& size) {
  if (max < min) return false;
  uint64_t span = static_cast<uint64_t>(max) - static_cast<uint64_t>(min); // exact, no overflow
  if (span >= kMaxIntBinderValues) return false;
  size = span + 1;
  return true;
}

bool binder_domain(const rt::Snapshot& snapshot, ir::TypeId t, const InvariantOptions& o,
                   int64_t from, int64_t to, std::vector<int64_t>& out, std::string& why) {
  const ir::Policy& p = snapshot.policy();
  out.clear();
  if (p.types.is_optional(t)) out.push_back(rt::kNone);
  ir::TypeId base = p.types.strip_optional(t);
  const ir::Type& ty = p.types[base];
  switch (ty.kind) {
  case ir::TypeKind::Bool:
    out.insert(out.end(), {0, 1});
    return true;
  case ir::TypeKind::Int: {
    // Counted, not `++i <= int_max`: that never ends at INT64_MAX.
    uint64_t span = 0;
    if (!int_range_size(o.int_min, o.int_max, span)) {
      why = fmt::format("the int range {} .. {} has more than {} values", o.int_min, o.int_max,
                        kMaxIntBinderValues);
      return false;
    }
    for (uint64_t k = 0; k < span; ++k) {
      int64_t v = static_cast<int64_t>(static_cast<uint64_t>(o.int_min) + k);
      if (v != rt::kNone) out.push_back(v); // kNone is the none marker, never an int
    }
    return true;
  }
  case ir::TypeKind::Date:
    for (int64_t d = from; d <= to; ++d) out.push_back(d);
    return true;
  case ir::TypeKind::Enum:
    for (size_t i = 0; i < p.enums[static_cast<size_t>(ty.ref)].members.size(); ++i)
      out.push_back(static_cast<int64_t>(i));
    return true;
  case ir::TypeKind::Entity:
    for (int32_t r = 0; r < snapshot.count(ty.ref); ++r) out.push_back(r);
    return true;
  default:
    why = fmt::format("a binder of type {} cannot be enumerated", p.type_name(t));
    return false;
  }
}

uint64_t exhaust(InvariantEngine& engine, const std::vector<std::vector<int64_t>>& domains,
                 int64_t today, std::optional<std::vector<int64_t>>& witness) {
  const size_t n = domains.size();
  for (const auto& d : domains)
    if (d.empty()) return 0; // vacuous: nothing to range over
  std::vector<size_t> idx(n, 0);
  std::vector<int64_t> vals(n);
  for (size_t i = 0; i < n; ++i) vals[i] = domains[i][0];
  uint64_t cases = 0;
  // The innermost binder is the last one: a tight loop over its domain.
  const std::vector<int64_t>* inner = n ? &domains[n - 1] : nullptr;
  while (true) {
    if (inner) {
      for (int64_t v : *inner) {
        vals[n - 1] = v;
        ++cases;
        if (!engine.holds(vals.data(), today)) {
          witness = vals;
          return cases;
        }
      }
    } else {
      ++cases;
      if (!engine.holds(vals.data(), today)) witness = vals;
      return cases;
    }
    size_t k = n - 1;
    while (true) {
      if (k == 0) return cases;
      --k;
      if (++idx[k] < domains[k].size()) {
        vals[k] = domains[k][idx[k]];
        break;
      }
      idx[k] = 0;
      vals[k] = domains[k][0];
    }
  }
}

ir::Value binder_value(const ir::Policy& policy, ir::TypeId t, int64_t v) {
  if (v == rt::kNone && policy.types.is_optional(t)) return ir::Value::none();
  const ir::Type& ty = policy.types[policy.types.strip_optional(t)];
  switch (ty.kind) {
  case ir::TypeKind::Bool:
    return ir::Value::boolean(v != 0);
  case ir::TypeKind::Date:
    return ir::Value::date(v);
  case ir::TypeKind::Enum:
    return ir::Value::enumerator(ty.ref, v);
  case ir::TypeKind::Entity:
    return ir::Value::entity(ty.ref, v);
  default:
    return ir::Value::integer(v);
  }
}

std::vector<InvariantOutcome> check_exhaustive(const ir::Policy& policy,
                                               const rt::Snapshot& snapshot,
                                               const InvariantOptions& o) {
  std::vector<InvariantOutcome> out;
  auto interp = make_interp_engine(policy, snapshot);
  std::unique_ptr<InvariantEngine> jit;
  std::string jit_error;
  bool jit_tried = false;
  for (size_t i = 0; i < policy.invariants.size(); ++i) {
    const ir::Invariant& inv = policy.invariants[i];
    InvariantOutcome res;
    res.invariant = static_cast<int32_t>(i);
    res.name = inv.name;
    res.mode = "exhaustive";
    auto t0 = std::chrono::steady_clock::now();
    std::vector<std::vector<int64_t>> domains(inv.vars.size());
    std::string why;
    bool ok = true;
    for (size_t v = 0; v < inv.vars.size() && ok; ++v)
      ok = binder_domain(snapshot, inv.vars[v].type, o, o.from, o.to, domains[v], why);
    if (!ok) {
      res.status = Status::Skipped;
      res.note = why;
      out.push_back(std::move(res));
      continue;
    }
    if (o.jit && !jit_tried) {
      jit_tried = true;
      auto compiled = o.compiled ? o.compiled : JitInvariants::compile(policy, &jit_error);
      if (compiled) jit = compiled->bind(snapshot);
    }
    InvariantEngine* engine = interp.get();
    if (jit && jit->prepare(res.invariant))
      engine = jit.get();
    else
      interp->prepare(res.invariant);
    res.engine = engine->name();
    std::optional<std::vector<int64_t>> witness;
    res.cases = exhaust(*engine, domains, o.today, witness);
    if (witness && engine != interp.get()) {
      // The interpreter is the semantics: a JIT failure must reproduce there.
      interp->prepare(res.invariant);
      if (interp->holds(witness->data(), o.today)) {
        res.disagreement = true;
        res.note = "internal error: the JIT and the interpreter disagree on this witness "
                   "(please report it)";
      }
    }
    if (witness) {
      res.status = Status::Fail;
      for (size_t v = 0; v < inv.vars.size(); ++v) {
        res.witness.push_back(binder_value(policy, inv.vars[v].type, (*witness)[v]));
        res.witness_text += fmt::format("{}{} = {}", v ? ", " : "", inv.vars[v].name,
                                        snapshot.format(res.witness.back()));
      }
      auto ds = decisions_at(policy, snapshot, inv, res.witness, o.today);
      res.explanation = explain_decisions(policy, snapshot, ds, o.today);
      ScenarioSource src;
      src.name = fmt::format("counterexample: {} (exhaustive)", inv.name);
      src.policy = o.scenario_policy;
      src.today = o.today;
      src.data_files = o.scenario_data;
      for (int32_t t = 0; t < snapshot.entity_count(); ++t)
        src.first_row.push_back(snapshot.count(t));
      res.scenario_yaml = counterexample_yaml(policy, snapshot, inv, res.witness, ds, src);
    }
    res.ms =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
    out.push_back(std::move(res));
  }
  return out;
}

} // namespace keyplan::sim
