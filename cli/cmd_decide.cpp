// keyplan decide / explain: one decision on a policy and tenant data.
#include "cli/commands.hpp"
#include "compiler/value.hpp"
#include "runtime/data_loader.hpp"
#include "runtime/request.hpp"
#include "engine/decider.hpp"
#include "simulator/runner.hpp"
#include "simulator/text.hpp"

#include <fmt/format.h>
#include <functional>
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

// One NAME=VALUE item of the command line, and where it was given.
struct NameValue {
  std::string name, value;
  size_t index = 0;
};

// The NAME=VALUE `items` in order. An item without '=' is an error
// (`malformed` words it); a name given twice is an error naming both
// (`repeated` words it): the last one silently winning would decide on
// another request than the one meant.
std::vector<NameValue>
name_values(const std::vector<std::string>& items, Diagnostics& diags,
            const std::function<std::string(size_t)>& malformed,
            const std::function<std::string(size_t, size_t, const std::string&)>& repeated) {
  std::vector<NameValue> out;
  std::map<std::string, size_t> first_at;
  for (size_t i = 0; i < items.size(); ++i) {
    const size_t eq = items[i].find('=');
    if (eq == std::string::npos) {
      diags.error(Span{}, malformed(i));
      continue;
    }
    std::string name = items[i].substr(0, eq);
    auto [it, fresh] = first_at.emplace(name, i);
    if (!fresh)
      diags.error(Span{}, repeated(i, it->second, name));
    else
      out.push_back({std::move(name), items[i].substr(eq + 1), i});
  }
  return out;
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
    for (const NameValue& nv : name_values(
             opts->sets, diags,
             [&](size_t i) { return "--set " + opts->sets[i] + ": expected NAME=VALUE"; },
             [&](size_t i, size_t first, const std::string&name) {
               return fmt::format("--set {} (the {} --set) sets '{}' again; the {} "
                                  "--set was {}",
                                  opts->sets[i], ordinal(i + 1), name, ordinal(first + 1),
                                  opts->sets[first]);
             })) {
      std::string err;
      if (!t.snapshot->set_setting(nv.name, nv.value, &err))
        diags.error(Span{}, "--set " + opts->sets[nv.index] + ": " + err);
    }
    rt::EvalOptions eo;
    eo.explain = explain;
    if (!opts->today.empty() && !ir::parse_date(opts->today, eo.today))
      diags.error(Span{}, fmt::format("--today {}: expected a date YYYY-MM-DD", opts->today));
    std::map<std::string, std::string> args;
    for (const NameValue& nv : name_values(
             opts->args, diags,
             [&](size_t i) { return "argument '" + opts->args[i] + "': expected name=value"; },
             [&](size_t i, size_t first, const std::string&name) {
               return fmt::format("argument '{}' (the {} name=value) gives '{}' again; the {} "
                                  "was '{}'",
                                  opts->args[i], ordinal(i + 1), name, ordinal(first + 1),
                                  opts->args[first]);
             }))
      args[nv.name] = nv.value;
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
    engine::Kind engine = engine::Kind::Jit;
    engine::parse_kind(opts->engine, engine);
    std::unique_ptr<jit::CompiledPolicy> native;
    std::string jit_error;
    if (engine == engine::Kind::Jit) native = jit::CompiledPolicy::compile(policy, &jit_error);
    engine::Decider decider(policy, *t.snapshot, engine, native.get());
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
