// keyplan check: parse and check policies; diagnostics as text or JSON. Then
// the policy's own `check` declarations run on its instances (and on tenant
// data given with --data): docs/checks.md.
#include "cli/commands.hpp"
#include "compiler/compile.hpp"
#include "runtime/data_loader.hpp"
#include "runtime/interpreter.hpp"
#include "simulator/checks.hpp"

#include <fmt/format.h>
#include <iostream>
#include <nlohmann/json.hpp>
#include <unistd.h>

namespace keyplan::cli {

void add_check_command(CLI::App& app, int& status) {
  struct Opts {
    std::vector<std::string> files;
    std::vector<std::string> data;
    std::string format = "text";
    bool strict = false;
    std::vector<std::string> path;
  };
  auto opts = std::make_shared<Opts>();
  auto* cmd = app.add_subcommand(
      "check", "Check policies: syntax, names, types, cycles; every error at once; then the "
               "policy's checks on its instances and --data");
  cmd->add_option("policy", opts->files, "Policy files (.kp) or module names (std.desk_booking)")
      ->required();
  cmd->add_option("--data", opts->data, "Tenant data files (YAML) the policy's checks run on too")
      ->allow_extra_args(false);
  cmd->add_option("--format", opts->format, "Output format")
      ->check(CLI::IsMember({"text", "json"}));
  cmd->add_flag("--strict", opts->strict, "Exit 1 when there are warnings (check warnings too)");
  cmd->add_option("--path", opts->path, "Extra directories to search for imported modules")
      ->allow_extra_args(false);
  cmd->callback([opts, &status]() {
    int errors = 0, warnings = 0, check_errors = 0, check_warnings = 0;
    bool bad_data = false;
    nlohmann::json all_json = {{"diagnostics", nlohmann::json::array()},
                               {"findings", nlohmann::json::array()}};
    bool json = opts->format == "json";
    for (const auto& f : opts->files) {
      CompileOptions co;
      co.search_path = opts->path;
      CompileResult res = compile_policy(f, co);
      errors += res.diags.error_count();
      warnings += res.diags.warning_count();
      Diagnostics data_diags, finding_diags;
      sim::CheckRun run;
      if (res.policy && !res.diags.has_errors()) {
        rt::Snapshot snapshot(*res.policy);
        sim::InstanceLocator locator;
        int before = res.sources->count();
        for (const auto& d : opts->data) rt::load_data_file(snapshot, d, data_diags, *res.sources);
        for (int id = before; id < res.sources->count(); ++id)
          locator.add_data_file(*res.sources, id);
        if (data_diags.has_errors()) {
          bad_data = true;
        } else {
          run = sim::run_checks(*res.policy, snapshot, locator, rt::current_date());
          finding_diags = sim::check_diagnostics(run);
          check_errors += run.errors();
          check_warnings += run.warnings();
          for (const auto& s : run.skipped)
            std::cerr << fmt::format(
                "keyplan: warning: check '{}' not run: more than {} bindings\n", s,
                sim::kMaxCheckBindings);
        }
      }
      if (json) {
        for (const Diagnostics* ds : {&res.diags, &data_diags}) {
          auto j = nlohmann::json::parse(ds->render_json(*res.sources));
          for (auto& d : j["diagnostics"]) all_json["diagnostics"].push_back(d);
        }
        for (auto& x : nlohmann::json::parse(sim::check_findings_json(run, *res.sources)))
          all_json["findings"].push_back(x);
      } else {
        std::cerr << res.diags.render_text(*res.sources, isatty(2));
        std::cerr << data_diags.render_text(*res.sources, isatty(2));
        std::cerr << finding_diags.render_text(*res.sources, isatty(2));
        if (!res.diags.has_errors() && res.policy && !data_diags.has_errors()) {
          const auto& p = *res.policy;
          int w = res.diags.warning_count();
          std::cout << fmt::format(
              "{}: {} ({} modules, {} entity types, {} rules, {} actions, {} invariants, {} "
              "checks{}{})\n",
              f, run.errors() ? "failed" : "ok", p.modules.size(), p.entities.size(),
              p.rules.size() - p.actions().size(), p.actions().size(), p.invariants.size(),
              p.checks.size(), w ? fmt::format(", {} warning{}", w, w == 1 ? "" : "s") : "",
              run.findings.empty() ? ""
                                   : fmt::format(", findings: {} error{}, {} warning{}",
                                                 run.errors(), run.errors() == 1 ? "" : "s",
                                                 run.warnings(), run.warnings() == 1 ? "" : "s"));
        }
      }
    }
    if (json) {
      // One document for all files, so that a tool can parse it in one go.
      all_json["errors"] = errors;
      all_json["warnings"] = warnings;
      all_json["check_errors"] = check_errors;
      all_json["check_warnings"] = check_warnings;
      std::cout << all_json.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
    }
    bool warned = warnings + check_warnings > 0;
    status = errors || bad_data ? 2 : (check_errors || (warned && opts->strict) ? 1 : 0);
  });
}

} // namespace keyplan::cli
