// keyplan check: parse and check policies; diagnostics as text or JSON.
#include "cli/commands.hpp"
#include "compiler/compile.hpp"

#include <fmt/format.h>
#include <iostream>
#include <nlohmann/json.hpp>
#include <unistd.h>

namespace keyplan::cli {

void add_check_command(CLI::App& app, int& status) {
  struct Opts {
    std::vector<std::string> files;
    std::string format = "text";
    bool strict = false;
    std::vector<std::string> path;
  };
  auto opts = std::make_shared<Opts>();
  auto* cmd = app.add_subcommand(
      "check", "Check policies: syntax, names, types, cycles; every error at once");
  cmd->add_option("policy", opts->files, "Policy files (.kp) or module names (std.desk_booking)")
      ->required();
  cmd->add_option("--format", opts->format, "Output format")
      ->check(CLI::IsMember({"text", "json"}));
  cmd->add_flag("--strict", opts->strict, "Exit 1 when there are warnings");
  cmd->add_option("--path", opts->path, "Extra directories to search for imported modules")
      ->allow_extra_args(false);
  cmd->callback([opts, &status]() {
    int errors = 0, warnings = 0;
    nlohmann::json all_json = {{"diagnostics", nlohmann::json::array()}};
    for (const auto& f : opts->files) {
      CompileOptions co;
      co.search_path = opts->path;
      CompileResult res = compile_policy(f, co);
      errors += res.diags.error_count();
      warnings += res.diags.warning_count();
      if (opts->format == "json") {
        auto j = nlohmann::json::parse(res.diags.render_json(*res.sources));
        for (auto& d : j["diagnostics"]) all_json["diagnostics"].push_back(d);
      } else {
        std::cerr << res.diags.render_text(*res.sources, isatty(2));
        if (!res.diags.has_errors() && res.policy) {
          const auto& p = *res.policy;
          std::cout << fmt::format(
              "{}: ok ({} modules, {} entity types, {} rules, {} actions, {} invariants{})\n", f,
              p.modules.size(), p.entities.size(), p.rules.size() - p.actions().size(),
              p.actions().size(), p.invariants.size(),
              res.diags.warning_count() ? fmt::format(", {} warning{}", res.diags.warning_count(),
                                                      res.diags.warning_count() == 1 ? "" : "s")
                                        : "");
        }
      }
    }
    if (opts->format == "json") {
      // One document for all files, so that a tool can parse it in one go.
      all_json["errors"] = errors;
      all_json["warnings"] = warnings;
      std::cout << all_json.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
    }
    status = errors ? 2 : (warnings && opts->strict ? 1 : 0);
  });
}

} // namespace keyplan::cli
