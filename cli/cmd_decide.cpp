// keyplan decide / explain: one decision on a policy and tenant data.
#include "cli/commands.hpp"
#include "compiler/value.hpp"
#include "runtime/data_loader.hpp"
#include "runtime/request.hpp"
#include "simulator/engine.hpp"
#include "simulator/runner.hpp"

#include <fmt/format.h>
#include <iostream>
#include <nlohmann/json.hpp>
#include <unistd.h>

namespace keyplan::cli {

namespace {

struct DecideOpts {
  std::string policy;
  std::vector<std::string> data;
  std::vector<std::string> sets;
  std::string today;
  std::string action;
  std::vector<std::string> args;
  std::string format = "text";
  std::vector<std::string> path;
  std::string engine = "jit";
};

void add(CLI::App& app, int& status, bool explain) {
  auto opts = std::make_shared<DecideOpts>();
  auto* cmd = app.add_subcommand(explain ? "explain" : "decide",
                                 explain ? "Decide one request and explain why (not)"
                                         : "Decide one request: allow or deny");
  cmd->add_option("policy", opts->policy, "Policy file (.kp) or module name")->required();
  cmd->add_option("action", opts->action, "The action, e.g. book")->required();
  cmd->add_option("args", opts->args, "Arguments as name=value, e.g. user=mueller object=TABLE_1");
  cmd->add_option("--data", opts->data, "Tenant data files (YAML)");
  cmd->add_option("--set", opts->sets, "Override a setting: NAME=VALUE");
  cmd->add_option("--today", opts->today,
                  "The evaluation date (YYYY-MM-DD); default: the current date");
  cmd->add_option("--format", opts->format, "Output format")
      ->check(CLI::IsMember({"text", "json"}));
  cmd->add_option("--path", opts->path, "Extra directories to search for imported modules");
  cmd->add_option("--engine", opts->engine,
                  "Decision engine: jit (native, default) or interp (the reference)")
      ->check(CLI::IsMember({"jit", "interp"}));
  cmd->callback([opts, &status, explain]() {
    sim::Tenant t;
    sim::RunOptions ro;
    ro.search_path = opts->path;
    if (!sim::load_tenant(t, opts->policy, ro)) {
      std::cerr << t.compiled->diags.render_text(*t.compiled->sources, isatty(2));
      status = 2;
      return;
    }
    Diagnostics diags;
    for (const auto& f : opts->data)
      rt::load_data_file(*t.snapshot, f, diags, *t.compiled->sources);
    for (const auto& s : opts->sets) {
      auto eq = s.find('=');
      std::string err;
      if (eq == std::string::npos)
        diags.error(Span{}, fmt::format("--set {}: expected NAME=VALUE", s));
      else if (!t.snapshot->set_setting(s.substr(0, eq), s.substr(eq + 1), &err))
        diags.error(Span{}, "--set " + s + ": " + err);
    }
    rt::EvalOptions eo;
    eo.explain = explain;
    if (!opts->today.empty() && !ir::parse_date(opts->today, eo.today))
      diags.error(Span{}, fmt::format("--today {}: expected a date YYYY-MM-DD", opts->today));
    std::map<std::string, std::string> args;
    for (const auto& a : opts->args) {
      auto eq = a.find('=');
      if (eq == std::string::npos)
        diags.error(Span{}, fmt::format("argument '{}': expected name=value", a));
      else
        args[a.substr(0, eq)] = a.substr(eq + 1);
    }
    if (diags.has_errors()) {
      std::cerr << diags.render_text(*t.compiled->sources, isatty(2));
      status = 2;
      return;
    }
    const ir::Policy& policy = *t.compiled->policy;
    rt::ResolvedRequest req =
        rt::resolve_request(policy, *t.snapshot, opts->action, args, eo.today);
    rt::Decision d;
    if (!req.ok()) {
      d.error = req.error; // fail closed: a request that does not resolve is a deny
    } else {
      sim::Engine engine = sim::Engine::Jit;
      sim::parse_engine(opts->engine, engine);
      std::unique_ptr<jit::CompiledPolicy> native;
      std::string jit_error;
      if (engine == sim::Engine::Jit) native = jit::CompiledPolicy::compile(policy, &jit_error);
      sim::Decider decider(policy, *t.snapshot, engine, native.get());
      d = decider.decide(req.rule, req.args, eo.today, explain);
    }
    if (opts->format == "json") {
      nlohmann::json j;
      j["action"] = opts->action;
      j["args"] = args;
      j["decision"] = d.allowed ? "allow" : "deny";
      if (!d.error.empty()) j["error"] = d.error;
      if (d.explanation) j["explanation"] = rt::to_json(*d.explanation, t.compiled->sources.get());
      std::cout << j.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
    } else {
      std::cout << (d.allowed ? "allow" : "deny") << "\n";
      if (!d.error.empty()) std::cout << "  reason: " << d.error << "\n";
      if (d.explanation) {
        rt::RenderOptions ro2;
        ro2.sources = t.compiled->sources.get();
        std::cout << rt::render_text(*d.explanation, ro2);
      }
    }
    // A decision was made: exit 0 either way; unresolvable requests are a
    // deny with a reason (fail closed) and exit 0 too, so scripts read stdout.
    status = 0;
  });
}

} // namespace

void add_decide_command(CLI::App& app, int& status) {
  add(app, status, false);
}
void add_explain_command(CLI::App& app, int& status) {
  add(app, status, true);
}

} // namespace keyplan::cli
