#include "simulator/runner.hpp"

#include "simulator/checks.hpp"

#include "runtime/brief.hpp"
#include "runtime/data_loader.hpp"
#include "runtime/request.hpp"
#include "simulator/yaml_value.hpp"

#include <fmt/format.h>

namespace keyplan::sim {

bool RunReport::input_errors() const {
  if (diags.has_errors()) return true;
  for (const auto& [sm, d] : policy_diags)
    if (d.has_errors()) return true;
  return false;
}

int RunReport::exit_code() const {
  return disagreements ? 3 : input_errors() ? 2 : failed || check_errors ? 1 : 0;
}

// The policy's checks on one scenario's world: findings located in its data
// point into the report's sources, the others into the policy's.
static void run_scenario_checks(RunReport& rep, const CompileResult& compiled,
                                const rt::Snapshot& snap, const Scenario& sc, int sources_before,
                                int64_t today) {
  const ir::Policy& policy = *compiled.policy;
  if (policy.checks.empty()) return;
  InstanceLocator locator;
  for (int id = sources_before; id < rep.sources->count(); ++id)
    locator.add_data_file(*rep.sources, id);
  if (sc.inline_data) locator.add_document(*sc.inline_data, sc.data_file_id);
  CheckRun run = run_checks(policy, snap, locator, today);
  rep.check_errors += run.errors();
  rep.check_warnings += run.warnings();
  Diagnostics in_data = check_diagnostics(run, true), in_policy = check_diagnostics(run, false);
  if (!in_data.items().empty()) rep.check_diags.emplace_back(rep.sources, std::move(in_data));
  if (!in_policy.items().empty())
    rep.check_diags.emplace_back(compiled.sources, std::move(in_policy));
}

bool load_tenant(Tenant& t, const std::string& policy, const RunOptions& options) {
  CompileOptions co;
  co.search_path = options.search_path;
  co.extra_files = options.extra_files;
  t.compiled = std::make_unique<CompileResult>(compile_policy(policy, co));
  if (!t.compiled->policy) return false;
  t.snapshot = std::make_unique<rt::Snapshot>(*t.compiled->policy);
  return true;
}

namespace {

std::string format_call(const std::string& action, const std::map<std::string, std::string>& args,
                        const ir::Policy* policy, const rt::Snapshot* snap,
                        const rt::ResolvedRequest* req) {
  std::string s = action + "(";
  if (req && req->ok() && policy && snap) {
    const auto& rule = policy->rules[static_cast<size_t>(req->rule)];
    for (size_t i = 0; i < rule.params.size(); ++i)
      s += fmt::format("{}{} = {}", i ? ", " : "", rule.params[i].name, snap->format(req->args[i]));
  } else {
    bool first = true;
    for (const auto& [k, v] : args) {
      s += fmt::format("{}{} = {}", first ? "" : ", ", k, v);
      first = false;
    }
  }
  return s + ")";
}

} // namespace

RunReport run_scenarios(const std::vector<std::string>& files, const RunOptions& options) {
  RunReport rep;
  for (const auto& f : files) {
    auto scs = load_scenarios(f, *rep.sources, rep.diags);
    for (auto& s : scs) rep.scenarios.push_back(std::move(s));
  }
  // Compiled once per policy; each scenario gets its own snapshot.
  std::map<std::string, std::unique_ptr<CompileResult>> compiled;
  std::map<std::string, std::unique_ptr<jit::CompiledPolicy>> natives;
  for (const auto& sc : rep.scenarios) {
    ScenarioResult res;
    res.scenario = &sc;
    auto it = compiled.find(sc.policy);
    if (it == compiled.end()) {
      CompileOptions co;
      co.search_path = options.search_path;
      auto cr = std::make_unique<CompileResult>(compile_policy(sc.policy, co));
      if (cr->diags.items().size()) rep.policy_diags.emplace_back(cr->sources, cr->diags);
      if (!cr->policy && !cr->diags.has_errors())
        rep.diags.error(sc.policy_span, fmt::format("cannot load policy '{}'", sc.policy));
      it = compiled.emplace(sc.policy, std::move(cr)).first;
    }
    if (!it->second->policy) {
      if (it->second->diags.items().empty() || !it->second->diags.items().front().span.valid())
        rep.diags.error(sc.policy_span, fmt::format("cannot load policy '{}'", sc.policy),
                        "expected a std module such as std.desk_booking, or a .kp path relative to "
                        "the scenario");
      rep.results.push_back(std::move(res));
      continue;
    }
    const ir::Policy& policy = *it->second->policy;
    rt::Snapshot snap(policy);
    int errors_before = rep.diags.error_count();
    int sources_before = rep.sources->count();
    for (const auto& df : sc.data_files) rt::load_data_file(snap, df, rep.diags, *rep.sources);
    if (sc.inline_data) rt::load_data(snap, *sc.inline_data, sc.data_file_id, rep.diags);
    for (const auto& [name, setting] : sc.settings) {
      std::string err;
      int32_t index = policy.find_setting(name);
      if (index < 0) {
        snap.set_setting(name, ir::Value::none(), &err); // the message, with a did-you-mean
        rep.diags.error(setting.key, err);
        continue;
      }
      Span where;
      auto v = typed_value(snap, policy.settings[static_cast<size_t>(index)].type, setting.value,
                           err, where);
      if (!v)
        rep.diags.error(where, fmt::format("setting '{}': {}", name, err));
      else if (!snap.set_setting(name, *v, &err))
        rep.diags.error(where, err);
    }
    if (rep.diags.error_count() > errors_before) {
      rep.results.push_back(std::move(res));
      continue;
    }
    res.loaded = true;
    int64_t today = sc.today ? *sc.today : rt::current_date(); // no today: already an error
    run_scenario_checks(rep, *it->second, snap, sc, sources_before, today);
    const jit::CompiledPolicy* native = nullptr;
    if (options.engine == engine::Kind::Jit) {
      auto& slot = natives[sc.policy];
      std::string err;
      if (!slot) slot = jit::CompiledPolicy::compile(policy, &err);
      if (!slot)
        rep.diags.warning(sc.policy_span,
                          "the JIT could not compile this policy; using the interpreter", err);
      native = slot.get();
    }
    engine::Engine decider(policy, snap, options.engine, native);
    for (const auto& c : sc.cases) {
      CaseResult cr;
      cr.c = &c;
      // Each argument converts itself from its YAML value to the type of the
      // parameter of the overload being tried; where it fails is kept.
      std::map<std::string, Span> where;
      std::map<std::string, rt::ArgValue> args;
      for (const auto& [name, value] : c.values)
        args[name] = [&snap, &value, &where, name](ir::TypeId type, std::string& error) {
          return typed_value(snap, type, value, error, where[name]);
        };
      auto req = rt::resolve_request(policy, snap, c.action, args, today);
      cr.call = format_call(c.action, c.args, &policy, &snap, &req);
      cr.resolved = req.ok();
      if (!req.ok()) {
        cr.allowed = false;
        cr.error = req.error;
        ++rep.unresolved;
        cr.passed = c.expect_unresolved;
        if (!c.expect_unresolved) {
          // A typo in a negative test must not pass as a deny: a request
          // that does not resolve is a mistake in the scenario, unless the
          // case says it means it (`expect: unresolved`).
          auto w = where.find(req.param);
          Span at = w != where.end() && w->second.valid() ? w->second : c.span;
          rep.diags.error(at, fmt::format("case {}: {}", c.action, req.error),
                          "if the case means a request that does not resolve, write "
                          "`expect: unresolved`");
        }
      } else {
        bool want = options.explain_all || c.explain;
        bool disagree = false;
        rt::Decision d = want ? decider.explain(req.rule, req.args, today, &disagree)
                              : decider.decide(req.rule, req.args, today, &disagree);
        cr.allowed = d.allowed;
        cr.error = d.error;
        if (disagree) {
          cr.disagreement = true;
          ++rep.disagreements;
          cr.error = fmt::format("internal error: the JIT answered {}, the interpreter {}",
                                 d.allowed ? "deny" : "allow", d.allowed ? "allow" : "deny");
          rep.diags.error(c.span,
                          fmt::format("internal error: the JIT and the interpreter disagree on "
                                      "{} (the interpreter, the reference, says {})",
                                      cr.call, d.allowed ? "allow" : "deny"),
                          "a bug in keyplan, please report it with this scenario; `--engine "
                          "interp` decides with the reference interpreter only");
        }
        if (c.expect_unresolved)
          cr.passed = false;
        else
          cr.passed = !disagree && (!c.expect || *c.expect == cr.allowed);
        if (want || !cr.passed) {
          if (!d.explanation) d = decider.explain(req.rule, req.args, today);
          cr.explanation = std::move(d.explanation);
          if (cr.explanation)
            rt::summarise(*cr.explanation, policy, snap, req.rule, req.args, today);
        }
      }
      (cr.passed ? rep.passed : rep.failed)++;
      res.cases.push_back(std::move(cr));
    }
    rep.results.push_back(std::move(res));
  }
  return rep;
}

} // namespace keyplan::sim
