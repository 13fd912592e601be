// keyplan test: check a policy's invariants, exhaustively on the given tenant
// and generatively on random tenants (RapidCheck), and run scenario
// expectations. docs/testing.md describes it.
#include "cli/commands.hpp"
#include "cli/int_option.hpp"
#include "cli/output.hpp"
#include "runtime/data_loader.hpp"
#include "runtime/interpreter.hpp"
#include "simulator/checks.hpp"
#include "simulator/counterexample.hpp"
#include "simulator/invariant_check.hpp"
#include "simulator/invariant_report.hpp"

#include <chrono>
#include <filesystem>
#include <iostream>
#include <set>
#include <unistd.h>

namespace keyplan::cli {

namespace {

namespace fs = std::filesystem;

struct TestOpts {
  std::string policy;
  std::vector<std::string> data, scenarios, path;
  uint64_t seed = 0;
  int max_success = 100;
  int max_instances = 4;
  std::string junit, format = "text", cx_dir, today, from, to, engine = "jit", mode = "both";
  int64_t int_min = 0, int_max = 10;
  int64_t gen_days = 7;
  int64_t gen_cases = 2000;
  bool strict = false;
};

bool is_path(const std::string& s) {
  return s.find('/') != std::string::npos || (s.size() > 3 && s.ends_with(".kp"));
}

// `target` as a scenario in `dir` names it.
std::string relative_to(const std::string& target, const std::string& dir) {
  std::error_code ec;
  fs::path abs = fs::absolute(target, ec);
  fs::path base = fs::absolute(dir.empty() ? "." : dir, ec);
  fs::path rel = abs.lexically_normal().lexically_relative(base.lexically_normal());
  return rel.empty() ? abs.string() : rel.string();
}

bool parse_date_opt(const std::string& text, const char* what, int64_t& out) {
  if (text.empty()) return true;
  if (ir::parse_date(text, out)) return true;
  std::cerr << "keyplan: " << what << " '" << text << "' is not a date (YYYY-MM-DD)\n";
  return false;
}

int run(const TestOpts& o) {
  sim::InvariantOptions io;
  io.today = rt::current_date();
  if (!parse_date_opt(o.today, "--today", io.today)) return 2;
  io.from = io.today;
  io.to = io.today + 30;
  if (!parse_date_opt(o.from, "--from", io.from) || !parse_date_opt(o.to, "--to", io.to)) return 2;
  if (io.to < io.from || io.to - io.from > 3660) {
    std::cerr << "keyplan: --from .. --to must be a window of at most ten years\n";
    return 2;
  }
  uint64_t int_values = 0;
  if (!sim::int_range_size(o.int_min, o.int_max, int_values)) {
    std::cerr << "keyplan: --int-min .. --int-max must be a range of at most "
              << sim::kMaxIntBinderValues << " values (got " << o.int_min << " .. " << o.int_max
              << ")\n";
    return 2;
  }
  io.int_min = o.int_min;
  io.int_max = o.int_max;
  io.jit = o.engine == "jit";
  io.seed = o.seed;
  io.max_success = o.max_success;
  io.max_instances = o.max_instances;
  io.gen_days = o.gen_days;
  io.gen_cases = o.gen_cases;
  io.scenario_policy = is_path(o.policy) ? relative_to(o.policy, o.cx_dir) : o.policy;
  for (const auto& d : o.data) io.scenario_data.push_back(relative_to(d, o.cx_dir));

  sim::RunOptions ro;
  ro.search_path = o.path;
  sim::Tenant tenant;
  bool compiled = sim::load_tenant(tenant, o.policy, ro);
  if (!tenant.compiled->diags.items().empty())
    std::cerr << tenant.compiled->diags.render_text(*tenant.compiled->sources, isatty(2));
  if (!compiled) {
    if (tenant.compiled->diags.items().empty())
      std::cerr << "keyplan: cannot load policy '" << o.policy << "'\n";
    return 2;
  }
  const ir::Policy& policy = *tenant.compiled->policy;
  Diagnostics diags;
  SourceManager& sources = *tenant.compiled->sources; // policy and data: one set of spans
  int before = sources.count();
  for (const auto& d : o.data) rt::load_data_file(*tenant.snapshot, d, diags, sources);
  if (diags.has_errors()) {
    std::cerr << diags.render_text(sources, isatty(2));
    return 2;
  }
  // The policy's checks on the tenant (docs/checks.md).
  sim::InstanceLocator locator;
  for (int id = before; id < sources.count(); ++id) locator.add_data_file(sources, id);
  sim::CheckRun checks = sim::run_checks(policy, *tenant.snapshot, locator, io.today);
  for (const auto& s : checks.skipped)
    std::cerr << "keyplan: warning: check '" << s << "' not run: more than "
              << sim::kMaxCheckBindings << " bindings\n";

  sim::TestRun run;
  if (io.jit && !policy.invariants.empty()) {
    auto t0 = std::chrono::steady_clock::now();
    std::string error;
    io.compiled = sim::JitInvariants::compile(policy, &error);
    if (io.compiled)
      run.jit_ms =
          std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
    else {
      std::cerr << "keyplan: warning: the JIT cannot compile the invariants (" << error
                << "); the interpreter checks them\n";
      io.jit = false;
    }
  }
  run.policy = o.policy;
  if (o.format == "json")
    run.findings_json = sim::check_findings_json(checks, sources);
  else
    std::cerr << sim::check_diagnostics(checks).render_text(sources, isatty(2));
  run.today = io.today;
  run.from = io.from;
  run.to = io.to;
  if (o.mode != "generative") run.outcomes = sim::check_exhaustive(policy, *tenant.snapshot, io);
  if (o.mode != "exhaustive") {
    rt::Snapshot base(policy);
    auto gen = sim::check_generative(policy, base, io);
    run.outcomes.insert(run.outcomes.end(), std::make_move_iterator(gen.begin()),
                        std::make_move_iterator(gen.end()));
  }
  if (!o.cx_dir.empty()) {
    std::error_code ec;
    fs::create_directories(o.cx_dir, ec);
    std::set<std::string> taken; // two invariants never share a file
    for (auto& out : run.outcomes) {
      if (out.scenario_yaml.empty()) continue;
      std::string file =
          (fs::path(o.cx_dir) / sim::counterexample_file_name(out.name, out.mode, taken)).string();
      std::string error;
      if (!write_file_atomically(file, out.scenario_yaml, &error)) {
        std::cerr << "keyplan: " << error << "\n";
        return 2;
      }
      out.counterexample_file = file;
    }
  }
  sim::RunReport rep;
  if (!o.scenarios.empty()) {
    rep = sim::run_scenarios(o.scenarios, ro);
    for (const auto& [sm, d] : rep.policy_diags) std::cerr << d.render_text(*sm, isatty(2));
    std::cerr << rep.diags.render_text(*rep.sources, isatty(2));
    run.scenarios = &rep;
  }
  std::cout << (o.format == "json" ? sim::render_test_json(run) : sim::render_test_text(run));
  std::string junit_error;
  if (!o.junit.empty() &&
      !write_file_atomically(o.junit, sim::render_test_junit(run), &junit_error)) {
    std::cerr << "keyplan: " << junit_error << "\n";
    return 2;
  }
  // The engines disagree (on a scenario case or an invariant's witness): a
  // bug in keyplan, which outranks any verdict on the policy.
  if (run.scenarios && rep.disagreements) return 3;
  for (const auto& out : run.outcomes)
    if (out.disagreement) return 3;
  if (run.scenarios && rep.input_errors()) return 2;
  return run.failed() || checks.fails(o.strict) ? 1 : 0;
}

} // namespace

void add_test_command(CLI::App& app, int& status) {
  auto o = std::make_shared<TestOpts>();
  auto* cmd = app.add_subcommand(
      "test", "Check the policy's invariants (exhaustively on the tenant and on random "
              "tenants) and run scenario expectations");
  cmd->add_option("policy", o->policy, "Policy file (.kp) or module name")->required();
  cmd->add_option("--data", o->data, "Tenant data files (YAML) for the exhaustive check")
      ->allow_extra_args(false);
  cmd->add_option("--scenario", o->scenarios, "Scenario files whose expectations to run too");
  cmd->add_option("--seed", o->seed, "RapidCheck seed for the generative check (default 0)")
      ->transform(unsigned_decimal());
  cmd->add_option("--max-success", o->max_success, "Random tenants per invariant (default 100)")
      ->check(CLI::Range(1, 1000000));
  cmd->add_option("--max-instances", o->max_instances,
                  "Random instances per entity type (default 4)")
      ->check(CLI::Range(0, 64));
  cmd->add_option("--junit", o->junit, "Also write a JUnit XML report to this file");
  cmd->add_option("--format", o->format, "Output format")->check(CLI::IsMember({"text", "json"}));
  cmd->add_option("--counterexample-dir", o->cx_dir,
                  "Write each counterexample as a scenario (YAML) into this directory");
  cmd->add_option("--today", o->today, "The evaluation date (default: the current date)");
  cmd->add_option("--from", o->from, "First date of date binders (default: today)");
  cmd->add_option("--to", o->to, "Last date of date binders (default: today + 30)");
  // INT64_MIN is the engines' "none" marker, never an int binder value.
  cmd->add_option("--int-min", o->int_min, "Smallest value of int binders (default 0)")
      ->transform(decimal_in(INT64_MIN + 1, INT64_MAX));
  cmd->add_option("--int-max", o->int_max, "Largest value of int binders (default 10)")
      ->transform(decimal_in(INT64_MIN + 1, INT64_MAX));
  cmd->add_option("--gen-days", o->gen_days,
                  "Generative mode: date binders range over today .. today + N (default 7)")
      ->check(CLI::Range(0, 366));
  cmd->add_option("--gen-cases", o->gen_cases,
                  "Generative mode: binder combinations per random tenant; more are sampled "
                  "(default 2000)")
      ->check(CLI::Range(int64_t{1}, int64_t{100000000}));
  cmd->add_option("--mode", o->mode, "exhaustive, generative or both (default)")
      ->check(CLI::IsMember({"exhaustive", "generative", "both"}));
  cmd->add_option(
         "--engine", o->engine,
         "jit (default; the interpreter where the JIT does not compile an invariant) or interp")
      ->check(CLI::IsMember({"jit", "interp"}));
  cmd->add_option("--path", o->path, "Extra directories to search for imported modules")
      ->allow_extra_args(false);
  cmd->add_flag("--strict", o->strict, "Exit 1 when a check of the policy gives a warning");
  cmd->callback([o, &status]() { status = run(*o); });
}

} // namespace keyplan::cli
