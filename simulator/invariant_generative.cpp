// The generative mode of `keyplan test` (see invariant_check.hpp): RapidCheck
// drives random tenants (tenant_gen.hpp); each is checked exhaustively over
// its binders, and a failing tenant is shrunk. The last failing run is the
// minimal counterexample (RapidCheck adopts only failing shrinks).
#include "simulator/counterexample.hpp"
#include "simulator/invariant_check.hpp"
#include "simulator/tenant_gen.hpp"

#include <chrono>
#include <fmt/format.h>
#include <iostream>
#include <random>
#include <rapidcheck.h>
#include <rapidcheck/detail/TestListenerAdapter.h>
#include <sstream>

namespace keyplan::sim {

namespace {

struct Failure {
  std::unique_ptr<rt::Snapshot> snapshot;
  std::vector<int32_t> first_row;
  std::vector<int64_t> witness;
};

} // namespace

std::vector<InvariantOutcome> check_generative(const ir::Policy& policy, const rt::Snapshot& base,
                                               const InvariantOptions& o) {
  std::vector<InvariantOutcome> out;
  std::shared_ptr<const JitInvariants> jit;
  std::string jit_error;
  if (o.jit && !policy.invariants.empty())
    jit = o.compiled ? o.compiled : JitInvariants::compile(policy, &jit_error);
  for (size_t i = 0; i < policy.invariants.size(); ++i) {
    const ir::Invariant& inv = policy.invariants[i];
    InvariantOutcome res;
    res.invariant = static_cast<int32_t>(i);
    res.name = inv.name;
    res.mode = "generative";
    bool native = jit && jit->compiled(static_cast<int32_t>(i));
    res.engine = native ? "jit" : "interp";
    res.note = fmt::format("seed {}", o.seed);
    auto t0 = std::chrono::steady_clock::now();
    std::string why;
    std::vector<int64_t> probe;
    bool ok = true;
    for (const auto& v : inv.vars)
      ok = ok && binder_domain(base, v.type, o, o.today, o.today, probe, why);
    if (!ok) {
      res.status = Status::Skipped;
      res.note = why;
      out.push_back(std::move(res));
      continue;
    }
    Failure last;
    uint64_t cases = 0, tenants = 0;
    GenOptions go;
    go.max_instances = o.max_instances;
    go.today = o.today;
    auto property = [&]() {
      auto snap = std::make_unique<rt::Snapshot>(base);
      std::vector<int32_t> first = generate_tenant(*snap, go);
      ++tenants;
      std::vector<std::vector<int64_t>> domains(inv.vars.size());
      std::string unused;
      for (size_t v = 0; v < inv.vars.size(); ++v)
        binder_domain(*snap, inv.vars[v].type, o, o.today, o.today + o.gen_days, domains[v],
                      unused);
      auto engine = native ? jit->bind(*snap) : make_interp_engine(policy, *snap);
      engine->prepare(res.invariant);
      std::optional<std::vector<int64_t>> witness;
      double combos = 1;
      for (const auto& d : domains) combos *= static_cast<double>(d.size());
      if (combos <= static_cast<double>(o.gen_cases)) {
        cases += exhaust(*engine, domains, o.today, witness);
      } else {
        // Too many combinations for one random tenant: a random sample, drawn
        // from a seed that RapidCheck draws (and shrinks) too.
        std::mt19937_64 rng(static_cast<uint64_t>(*rc::gen::inRange<int64_t>(0, 1 << 30)));
        std::vector<int64_t> vals(domains.size());
        for (int64_t k = 0; k < o.gen_cases && !witness; ++k) {
          for (size_t v = 0; v < domains.size(); ++v)
            vals[v] = domains[v][rng() % domains[v].size()];
          ++cases;
          if (!engine->holds(vals.data(), o.today)) witness = vals;
        }
      }
      if (!witness) return true;
      engine.reset();
      last.snapshot = std::move(snap);
      last.first_row = std::move(first);
      last.witness = *witness;
      return false;
    };
    rc::detail::TestParams params;
    params.seed = o.seed;
    params.maxSuccess = o.max_success;
    params.maxSize = 100;
    rc::detail::TestListenerAdapter quiet;
    rc::detail::TestMetadata meta;
    meta.id = inv.name;
    // RapidCheck announces its configuration on std::cerr when it first loads
    // it; keep keyplan's output to its own report.
    std::ostringstream chatter;
    std::streambuf* saved = std::cerr.rdbuf(chatter.rdbuf());
    auto result = rc::detail::checkTestable(property, meta, params, quiet);
    std::cerr.rdbuf(saved);
    res.cases = cases;
    res.tenants = tenants;
    if (result.is<rc::detail::Error>()) {
      res.status = Status::Skipped;
      res.note = "RapidCheck error: " + result.get<rc::detail::Error>().description;
    } else if (result.is<rc::detail::FailureResult>() && last.snapshot) {
      res.status = Status::Fail;
      const rt::Snapshot& snap = *last.snapshot;
      if (native) {
        // The interpreter is the semantics: a JIT failure must reproduce there.
        auto interp = make_interp_engine(policy, snap);
        interp->prepare(res.invariant);
        if (interp->holds(last.witness.data(), o.today)) {
          res.disagreement = true;
          res.note += "; internal error: the JIT and the interpreter disagree on this witness "
                      "(please report it)";
        }
      }
      for (size_t v = 0; v < inv.vars.size(); ++v) {
        res.witness.push_back(binder_value(policy, inv.vars[v].type, last.witness[v]));
        res.witness_text += fmt::format("{}{} = {}", v ? ", " : "", inv.vars[v].name,
                                        snap.format(res.witness.back()));
      }
      auto ds = decisions_at(policy, snap, inv, res.witness, o.today);
      res.explanation = explain_decisions(policy, snap, ds, o.today);
      ScenarioSource src;
      src.name = fmt::format("counterexample: {} (generative, seed {})", inv.name, o.seed);
      src.policy = o.scenario_policy;
      src.today = o.today;
      src.first_row = last.first_row;
      res.scenario_yaml = counterexample_yaml(policy, snap, inv, res.witness, ds, src);
    }
    res.ms =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
    out.push_back(std::move(res));
  }
  return out;
}

} // namespace keyplan::sim
