// keyplan search: who / what an action allows, with one entity parameter
// left open (or, for ACTION `*`, which actions allow a fully given request),
// decided a column at a time (engine/column.hpp).
#include "cli/commands.hpp"
#include "cli/output.hpp"
#include "cli/world.hpp"
#include "engine/engine.hpp"
#include "runtime/bitset.hpp"
#include "simulator/open_request.hpp"
#include "simulator/text.hpp"

#include <fmt/format.h>
#include <iostream>
#include <nlohmann/json.hpp>
#include <set>

namespace keyplan::cli {

namespace {

// The synthetic rule that types a --filter expression with the open
// parameter in scope; the expression stands alone on line 2 of the source
// "--filter", so that diagnostics show it with a caret.
constexpr const char* kFilterRule = "keyplan_search_filter__";
constexpr const char* kFilterSource = "--filter";

struct SearchOpts {
  WorldOpts world;
  std::string action;
  std::string format = "text";
  std::string filter;
  std::string output;
  std::string open; // --open NAME, NAME:TYPE or TYPE (overloaded actions)
  bool explain_plan = false;
};

std::string render(const SearchOpts& o, const std::string& open,
                   const std::vector<std::string>& results) {
  if (o.format == "json") {
    nlohmann::json j;
    j["action"] = o.action;
    j["open"] = open;
    j["results"] = results;
    return j.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
  }
  std::string out;
  for (const auto& id : results) out += sim::terminal_safe(id) + "\n";
  return out;
}

int emit(const SearchOpts& o, const std::string& text) {
  std::string error;
  if (o.output.empty() || o.output == "-") {
    std::cout << text;
    return 0;
  }
  if (!write_file_atomically(o.output, text, &error)) {
    std::cerr << "keyplan search: error: " << error << "\n";
    return 2;
  }
  return 0;
}

// ACTION `*`: every action with an overload whose parameters (those without
// a default) are all among the given names is decided on the given values
// (names it does not have are ignored); the ones that allow are listed.
int search_actions(const SearchOpts& o, World& w) {
  const ir::Policy& policy = w.policy();
  std::set<std::string> all_params;
  std::vector<std::string> names; // action names, in declaration order, once
  for (int32_t a : policy.actions()) {
    const auto& rule = policy.rules[static_cast<size_t>(a)];
    for (const auto& p : rule.params) all_params.insert(p.name);
    if (std::find(names.begin(), names.end(), rule.name) == names.end()) names.push_back(rule.name);
  }
  for (const auto& [key, value] : w.args)
    if (!all_params.count(key)) {
      std::string hint =
          did_you_mean(key, std::vector<std::string>(all_params.begin(), all_params.end()));
      std::cerr << "keyplan search: error: "
                << sim::terminal_safe(fmt::format("no action has a parameter '{}'{}", key,
                                                  hint.empty() ? "" : " (" + hint + ")"))
                << "\n";
      return 2;
    }
  std::unique_ptr<jit::CompiledPolicy> native;
  std::string jit_error;
  if (w.engine == engine::Kind::Jit) native = jit::CompiledPolicy::compile(policy, &jit_error);
  engine::Engine decider(policy, w.snapshot(), w.engine, native.get());
  std::vector<std::string> allowed;
  std::string first_error;
  bool any_resolved = false;
  for (const std::string& name : names) {
    std::map<std::string, std::string> args;
    bool covered = false;
    for (int32_t r : policy.find_rules(name)) {
      const auto& rule = policy.rules[static_cast<size_t>(r)];
      if (!rule.is_action) continue;
      bool all = true;
      for (const auto& p : rule.params) all = all && (p.default_value || w.args.count(p.name));
      if (!all) continue;
      covered = true;
      for (const auto& p : rule.params)
        if (auto it = w.args.find(p.name); it != w.args.end()) args[it->first] = it->second;
    }
    if (!covered) continue;
    rt::ResolvedRequest req = rt::resolve_request(policy, w.snapshot(), name, args, w.today);
    if (!req.ok()) {
      if (first_error.empty()) first_error = req.error;
      continue;
    }
    any_resolved = true;
    bool disagree = false;
    rt::Decision d = decider.decide(req.rule, req.args, w.today, &disagree);
    if (disagree) {
      std::cerr << "keyplan search: internal error: the JIT and the interpreter disagree on "
                << name << "; a bug in keyplan, please report it\n";
      return 3;
    }
    if (d.allowed && d.error.empty()) allowed.push_back(name);
  }
  if (!any_resolved) {
    std::cerr << "keyplan search: error: "
              << sim::terminal_safe(first_error.empty()
                                        ? "no action has all its parameters among the given names"
                                        : first_error)
              << "\n";
    return 2;
  }
  return emit(o, render(o, "action", allowed));
}

int run(const SearchOpts& o) {
  World w;
  ExtraSources extra;
  if (!o.filter.empty() && o.action != "*")
    extra = [&o](const ir::Policy& policy, const std::map<std::string, std::string>& args,
                 std::string& error) {
      std::vector<std::pair<std::string, std::string>> out;
      sim::OpenSpec spec;
      if (!o.open.empty() && !sim::parse_open_spec(policy, o.action, o.open, spec, error))
        return out;
      sim::OpenParam p =
          sim::find_open_param(policy, o.action, args, error, o.open.empty() ? nullptr : &spec);
      if (p.type < 0) return out;
      out.emplace_back(kFilterSource,
                       fmt::format("rule {}({}: {}): bool =\n{}\n", kFilterRule, p.name,
                                   policy.entities[static_cast<size_t>(p.type)].name, o.filter));
      return out;
    };
  if (!o.open.empty() && o.action == "*") {
    std::cerr << "keyplan search: error: --open names the open parameter; ACTION * has none\n";
    return 2;
  }
  if (!o.filter.empty() && o.action == "*") {
    std::cerr << "keyplan search: error: --filter restricts the open parameter; ACTION * has "
                 "none\n";
    return 2;
  }
  if (int rc = load_world(o.world, "search", w, extra); rc != 0) return rc;
  if (o.action == "*") return search_actions(o, w);
  const ir::Policy& policy = w.policy();
  int32_t filter_rule = -1;
  if (!o.filter.empty()) {
    // The filter is one expression: a second declaration smuggled in after
    // it (a newline, then `rule ...`) is not.
    const ast::File& f = w.tenant.compiled->files.back();
    auto rules = policy.find_rules(kFilterRule);
    if (f.decls.size() != 1 || !f.imports.empty() || f.module || rules.size() != 1) {
      std::cerr << "keyplan search: error: --filter: expected one boolean expression\n";
      return 2;
    }
    filter_rule = rules.front();
  }
  std::vector<std::string> open_spec;
  if (!o.open.empty()) open_spec.push_back(o.open);
  sim::OpenRequest req =
      sim::resolve_open(policy, w.snapshot(), o.action, w.args, open_spec, w.today);
  if (!req.ok()) {
    std::cerr << "keyplan search: error: " << sim::terminal_safe(req.error) << "\n";
    return 2;
  }
  std::unique_ptr<jit::CompiledPolicy> native;
  std::string jit_error;
  if (w.engine == engine::Kind::Jit) native = jit::CompiledPolicy::compile(policy, &jit_error);
  // `--engine interp`: the reference interpreter decides every cell.
  engine::Engine columns(policy, w.snapshot(), w.engine, native.get());
  const int32_t open = req.open.front(), type = req.types.front();
  if (o.explain_plan) {
    engine::ColumnPlan plan = columns.plan(req.req.rule, open);
    std::cerr
        << "plan: " << policy.rules[static_cast<size_t>(req.req.rule)].signature << " over "
        << policy.rules[static_cast<size_t>(req.req.rule)].params[static_cast<size_t>(open)].name
        << ": " << plan.how << "\n";
  }
  const size_t n = static_cast<size_t>(w.snapshot().count(type));
  engine::ColumnQuery q;
  q.rule = req.req.rule;
  q.open = open;
  q.args = req.req.args;
  q.today = w.today;
  std::vector<std::string> results;
  bool none_left = false;
  if (filter_rule >= 0) {
    engine::ColumnQuery fq;
    fq.rule = filter_rule;
    fq.open = 0;
    fq.args = {ir::Value::entity(type, 0)};
    fq.today = w.today;
    q.candidates = columns.decide_column(fq);
    // An empty candidate set means "all rows" to the engine: nothing passed.
    none_left = !rt::bits::any(q.candidates.data(), rt::bits::words_for(n));
  }
  if (!none_left) {
    std::vector<uint64_t> allowed = columns.decide_column(q);
    allowed.resize(rt::bits::words_for(n), 0);
    // The interpreter, the reference, re-decides up to 256 rows spread over
    // the column (those the filter kept); a disagreement is exit 3.
    const size_t step = std::max<size_t>(1, n / 256);
    std::vector<ir::Value> args = q.args;
    for (size_t r = 0; r < n; r += step) {
      if (!q.candidates.empty() && !rt::bits::test(q.candidates.data(), r)) continue;
      args[static_cast<size_t>(open)] = ir::Value::entity(type, static_cast<int64_t>(r));
      rt::Decision d = columns.reference(q.rule, args, w.today);
      if ((d.allowed && d.error.empty()) != rt::bits::test(allowed.data(), r)) {
        std::cerr << "keyplan search: internal error: the column engine and the interpreter "
                     "disagree on "
                  << sim::terminal_safe(w.snapshot().id(type, static_cast<int32_t>(r)))
                  << "; a bug in keyplan, please report it. `--engine interp` decides with the "
                     "reference interpreter only\n";
        return 3;
      }
    }
    for (int64_t r = rt::bits::next(allowed.data(), rt::bits::words_for(n), 0);
         r >= 0 && static_cast<size_t>(r) < n;
         r = rt::bits::next(allowed.data(), rt::bits::words_for(n), static_cast<size_t>(r) + 1))
      results.push_back(w.snapshot().id(type, static_cast<int32_t>(r)));
  }
  const auto& rule = policy.rules[static_cast<size_t>(req.req.rule)];
  return emit(o, render(o, rule.params[static_cast<size_t>(open)].name, results));
}

} // namespace

void add_search_command(CLI::App& app, int& status) {
  auto opts = std::make_shared<SearchOpts>();
  auto* cmd = app.add_subcommand(
      "search", "Who/what an action allows: leave one entity parameter open (or ACTION *)");
  cmd->add_option("policy", opts->world.policy, "Policy file (.kp) or module name")->required();
  cmd->add_option("action", opts->action, "The action, e.g. book; * lists the actions that allow")
      ->required();
  cmd->add_option("args", opts->world.args,
                  "The given arguments as name=value, e.g. object=TABLE_2 (one entity parameter "
                  "left open)");
  add_world_options(cmd, opts->world);
  cmd->add_option("--format", opts->format, "Output format")
      ->check(CLI::IsMember({"text", "json"}));
  cmd->add_option("--filter", opts->filter,
                  "Only instances of the open parameter for which this boolean expression "
                  "holds, e.g. 'object.floor == first_floor'");
  cmd->add_option("--output,-o", opts->output, "Write to FILE (- is standard output)");
  cmd->add_option("--open", opts->open,
                  "The open parameter, as NAME, NAME:TYPE or TYPE: chooses among overloads that "
                  "differ in its type, e.g. --open target:Floor");
  cmd->add_flag("--explain-plan", opts->explain_plan,
                "Say on stderr how the column is decided (vectorised or cell by cell, and why)");
  cmd->callback([opts, &status]() { status = run(*opts); });
}

} // namespace keyplan::cli
