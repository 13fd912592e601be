// keyplan import users: the product's user import (DOMAIN F-I1..F-I5) applied
// to a tenant data file; see docs/import.md.
#include "cli/commands.hpp"
#include "simulator/import_run.hpp"

#include <iostream>

namespace keyplan::cli {

void add_import_command(CLI::App& app, int& status) {
  auto* cmd = app.add_subcommand("import", "Import a client's directory into tenant data");
  cmd->require_subcommand(1);
  auto opts = std::make_shared<sim::UserImportOptions>();
  auto sep = std::make_shared<std::string>();
  auto* users = cmd->add_subcommand(
      "users", "Apply the product's user import (CSV or XLSX, F-I1..F-I5) to a data file");
  users->add_option("file", opts->table, "The user list: FILE.csv or FILE.xlsx")->required();
  users->add_option("--into", opts->into, "The tenant data file to update (YAML)")->required();
  users->add_option("--policy", opts->policy,
                    "The model whose User attributes name the columns (@column); default "
                    "std.desk_booking");
  users->add_flag("--dry-run", opts->dry_run, "Check and summarise; change nothing");
  users->add_option("--separator", *sep, "CSV separator (default: detected)")
      ->check(CLI::IsMember({";", ","}));
  users->add_option("--path", opts->path, "Extra directories to search for imported modules")
      ->allow_extra_args(false);
  users->callback([opts, sep, &status]() {
    opts->separator = sep->empty() ? 0 : (*sep)[0];
    status = sim::run_user_import(*opts, std::cout, std::cerr);
  });
}

} // namespace keyplan::cli
