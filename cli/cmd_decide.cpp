// keyplan decide / explain: one decision on a policy and tenant data.
#include "cli/commands.hpp"
#include "compiler/value.hpp"
#include "runtime/data_loader.hpp"
#include "runtime/request.hpp"
#include "simulator/engine.hpp"
#include "simulator/runner.hpp"
#include "simulator/text.hpp"

#include <fmt/format.h>
#include <iostream>
#include <nlohmann/json.hpp>
#include <unistd.h>

namespace keyplan::cli {

namespace {

// "1st", "2nd", "3rd", "4th", ...
std::string ordinal(size_t n) {
  const char* suffix = n % 100 >= 11 && n % 100 <= 13 ? "th"
                       : n % 10 == 1                  ? "st"
                       : n % 10 == 2                  ? "nd"
                       : n % 10 == 3                  ? "rd"
                                                      : "th";
  return std::to_string(n) + suffix;
}

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
  cmd->add_option("--data", opts->data, "Tenant data files (YAML)")->allow_extra_args(false);
  cmd->add_option("--set", opts->sets, "Override a setting: NAME=VALUE")->allow_extra_args(false);
  cmd->add_option("--today", opts->today,
                  "The evaluation date (YYYY-MM-DD); default: the current date");
  cmd->add_option("--format", opts->format, "Output format")
      ->check(CLI::IsMember({"text", "json"}));
  cmd->add_option("--path", opts->path, "Extra directories to search for imported modules")
      ->allow_extra_args(false);
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
    // A name given twice is an error naming both: the last one silently
    // winning would decide on another request than the one meant.
    std::map<std::string, size_t> set_at;
    for (size_t i = 0; i < opts->sets.size(); ++i) {
      const std::string& s = opts->sets[i];
      auto eq = s.find('=');
      std::string err;
      if (eq == std::string::npos) {
        diags.error(Span{}, fmt::format("--set {}: expected NAME=VALUE", s));
        continue;
      }
      auto [it, fresh] = set_at.emplace(s.substr(0, eq), i);
      if (!fresh)
        diags.error(Span{}, fmt::format("--set {} (the {} --set) sets '{}' again; the {} --set "
                                        "was {}",
                                        s, ordinal(i + 1), it->first, ordinal(it->second + 1),
                                        opts->sets[it->second]));
      else if (!t.snapshot->set_setting(s.substr(0, eq), s.substr(eq + 1), &err))
        diags.error(Span{}, "--set " + s + ": " + err);
    }
    rt::EvalOptions eo;
    eo.explain = explain;
    if (!opts->today.empty() && !ir::parse_date(opts->today, eo.today))
      diags.error(Span{}, fmt::format("--today {}: expected a date YYYY-MM-DD", opts->today));
    std::map<std::string, std::string> args;
    std::map<std::string, size_t> arg_at;
    for (size_t i = 0; i < opts->args.size(); ++i) {
      const std::string& a = opts->args[i];
      auto eq = a.find('=');
      if (eq == std::string::npos) {
        diags.error(Span{}, fmt::format("argument '{}': expected name=value", a));
        continue;
      }
      auto [it, fresh] = arg_at.emplace(a.substr(0, eq), i);
      if (!fresh)
        diags.error(Span{}, fmt::format("argument '{}' (the {} name=value) gives '{}' again; the "
                                        "{} was '{}'",
                                        a, ordinal(i + 1), it->first, ordinal(it->second + 1),
                                        opts->args[it->second]));
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
    if (!req.ok()) {
      // The same rule as `simulate`: a request that does not resolve (an
      // unknown action or id, a missing parameter, a malformed value) is a
      // mistake on the command line, not a decision. The embedding API
      // still fails closed (a deny with the reason).
      std::cerr << "keyplan " << (explain ? "explain" : "decide")
                << ": error: " << sim::terminal_safe(req.error) << "\n";
      status = 2;
      return;
    }
    sim::Engine engine = sim::Engine::Jit;
    sim::parse_engine(opts->engine, engine);
    std::unique_ptr<jit::CompiledPolicy> native;
    std::string jit_error;
    if (engine == sim::Engine::Jit) native = jit::CompiledPolicy::compile(policy, &jit_error);
    sim::Decider decider(policy, *t.snapshot, engine, native.get());
    bool disagree = false;
    rt::Decision d = decider.decide(req.rule, req.args, eo.today, explain, &disagree);
    if (disagree) {
      std::cerr << "keyplan " << (explain ? "explain" : "decide")
                << ": internal error: the JIT and the interpreter disagree on this request (the "
                   "interpreter, the reference, says "
                << (d.allowed ? "allow" : "deny")
                << "); a bug in keyplan, please report it. `--engine interp` decides with the "
                   "reference interpreter only\n";
      status = 3;
      return;
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
      // Ids and values come from data: shown escaped, never as raw
      // terminal control sequences (simulator/text.hpp).
      if (!d.error.empty()) std::cout << "  reason: " << sim::terminal_safe(d.error) << "\n";
      if (d.explanation) {
        rt::RenderOptions ro2;
        ro2.sources = t.compiled->sources.get();
        std::cout << sim::terminal_safe(rt::render_text(*d.explanation, ro2), true);
      }
    }
    // A decision was made: exit 0 for allow and deny alike.
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
