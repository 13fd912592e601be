// keyplan simulate: replay scenario files and compare with expectations.
#include "cli/commands.hpp"
#include "cli/output.hpp"
#include "simulator/report.hpp"

#include <iostream>
#include <unistd.h>

namespace keyplan::cli {

void add_simulate_command(CLI::App& app, int& status) {
  struct Opts {
    std::vector<std::string> files;
    std::string format = "text";
    std::string junit;
    bool explain = false;
    std::vector<std::string> path;
    std::string engine = "jit";
  };
  auto opts = std::make_shared<Opts>();
  auto* cmd =
      app.add_subcommand("simulate", "Replay scenarios (YAML) and check their expectations");
  cmd->add_option("scenario", opts->files, "Scenario files")->required();
  cmd->add_option("--format", opts->format, "Output format")
      ->check(CLI::IsMember({"text", "json"}));
  cmd->add_option("--junit", opts->junit, "Also write a JUnit XML report to this file");
  cmd->add_flag("--explain", opts->explain, "Explain every decision, not only the failing ones");
  cmd->add_option("--path", opts->path, "Extra directories to search for imported modules")
      ->allow_extra_args(false);
  cmd->add_option("--engine", opts->engine,
                  "Decision engine: jit (native, default) or interp (the reference)")
      ->check(CLI::IsMember({"jit", "interp"}));
  cmd->callback([opts, &status]() {
    sim::RunOptions ro;
    ro.search_path = opts->path;
    ro.explain_all = opts->explain;
    engine::parse_kind(opts->engine, ro.engine);
    sim::RunReport rep = sim::run_scenarios(opts->files, ro);
    for (const auto& [sm, d] : rep.policy_diags) std::cerr << d.render_text(*sm, isatty(2));
    std::cerr << rep.diags.render_text(*rep.sources, isatty(2));
    for (const auto& [sm, d] : rep.check_diags) std::cerr << d.render_text(*sm, isatty(2));
    if (opts->format == "json")
      std::cout << sim::render_json(rep, opts->explain);
    else
      std::cout << sim::render_text(rep, opts->explain);
    if (!opts->junit.empty() && !write_file_atomically(opts->junit, sim::render_junit(rep))) {
      std::cerr << "keyplan: cannot write " << opts->junit << "\n";
      status = rep.disagreements ? 3 : 2; // a disagreement is reported whatever else happened
      return;
    }
    status = rep.exit_code();
  });
}

} // namespace keyplan::cli
