// keyplan decide / explain: one decision on a policy and tenant data.
#include "cli/commands.hpp"
#include "cli/world.hpp"
#include "compiler/value.hpp"
#include "engine/engine.hpp"
#include "runtime/brief.hpp"
#include "runtime/data_loader.hpp"
#include "runtime/request.hpp"
#include "simulator/runner.hpp"
#include "simulator/text.hpp"

#include <fmt/format.h>
#include <functional>
#include <iostream>
#include <nlohmann/json.hpp>
#include <unistd.h>

namespace keyplan::cli {

namespace {

void add(CLI::App& app, int& status, bool explain) {
  auto opts = std::make_shared<WorldOpts>();
  auto format = std::make_shared<std::string>("text");
  auto* cmd = app.add_subcommand(explain ? "explain" : "decide",
                                 explain ? "Decide one request and explain why (not)"
                                         : "Decide one request: allow or deny");
  cmd->add_option("policy", opts->policy, "Policy file (.kp) or module name")->required();
  auto action = std::make_shared<std::string>();
  cmd->add_option("action", *action, "The action, e.g. book")->required();
  cmd->add_option("args", opts->args, "Arguments as name=value, e.g. user=mueller object=TABLE_1");
  add_world_options(cmd, *opts);
  cmd->add_option("--format", *format, "Output format")->check(CLI::IsMember({"text", "json"}));
  auto brief = std::make_shared<bool>(false);
  if (explain)
    cmd->add_flag("--brief", *brief,
                  "Only the summary: why, in the data's terms, and the smallest edits of data or "
                  "settings that would change the decision");
  cmd->callback([opts, format, action, &status, explain, brief]() {
    const char* name = explain ? "explain" : "decide";
    World w;
    if ((status = load_world(*opts, name, w)) != 0) return;
    sim::Tenant& t = w.tenant;
    const auto& args = w.args;
    rt::EvalOptions eo;
    eo.explain = explain;
    eo.today = w.today;
    const ir::Policy& policy = *t.compiled->policy;
    rt::ResolvedRequest req = rt::resolve_request(policy, *t.snapshot, *action, args, eo.today);
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
    engine::Kind engine = w.engine;
    std::unique_ptr<jit::CompiledPolicy> native;
    std::string jit_error;
    if (engine == engine::Kind::Jit) native = jit::CompiledPolicy::compile(policy, &jit_error);
    engine::Engine decider(policy, *t.snapshot, engine, native.get());
    bool disagree = false;
    rt::Decision d = explain ? decider.explain(req.rule, req.args, eo.today, &disagree)
                             : decider.decide(req.rule, req.args, eo.today, &disagree);
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
    if (d.explanation)
      rt::summarise(*d.explanation, policy, *t.snapshot, req.rule, req.args, eo.today);
    if (*brief && d.explanation) {
      if (*format == "json") {
        nlohmann::json j = rt::to_json(*d.explanation, t.compiled->sources.get());
        nlohmann::json out{{"action", *action},
                           {"args", args},
                           {"decision", j["decision"]},
                           {"brief", j["brief"]},
                           {"fixes", j["fixes"]}};
        std::cout << out.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
      } else {
        std::cout << sim::terminal_safe(d.explanation->brief, true) << "\n";
      }
      status = 0;
      return;
    }
    if (*format == "json") {
      nlohmann::json j;
      j["action"] = *action;
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
