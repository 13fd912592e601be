// keyplan import users / scim: the product's user import (DOMAIN F-I1..F-I5) applied
// to a tenant data file; see docs/import.md.
#include "cli/commands.hpp"
#include "simulator/import_run.hpp"
#include "simulator/import_saml.hpp"
#include "simulator/import_scim.hpp"

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
  users->add_option("--sheet", opts->sheet,
                    "XLSX: the sheet to read, by name (default: the first sheet)");
  users->callback([opts, sep, &status]() {
    opts->separator = sep->empty() ? 0 : (*sep)[0];
    status = sim::run_user_import(*opts, std::cout, std::cerr);
  });

  auto scim_opts = std::make_shared<sim::ScimImportOptions>();
  auto* scim = cmd->add_subcommand(
      "scim", "Apply a SCIM 2.0 ListResponse of Users and Groups (external groups, F-G2)");
  scim->add_option("file", scim_opts->file, "The SCIM document: FILE.json")->required();
  scim->add_option("--into", scim_opts->into,
                   "The tenant data file to update (YAML); without it the data goes to stdout");
  scim->add_option("--policy", scim_opts->policy, "The model (default std.desk_booking)");
  scim->add_flag("--dry-run", scim_opts->dry_run, "Check and summarise; change nothing");
  scim->add_option("--path", scim_opts->path, "Extra directories to search for imported modules")
      ->allow_extra_args(false);
  scim->callback(
      [scim_opts, &status]() { status = sim::run_scim_import(*scim_opts, std::cout, std::cerr); });

  auto saml = std::make_shared<sim::SamlImportOptions>();
  auto saml_sep = std::make_shared<std::string>();
  auto* sg = cmd->add_subcommand(
      "saml-groups", "Apply users' SAML memberOf values through a mapping to external groups");
  sg->add_option("users", saml->users, "The users' values: FILE.csv or FILE.xlsx (Email, memberOf)")
      ->required();
  sg->add_option("--mapping", saml->mapping, "YAML: memberOf value -> external group id")
      ->required();
  sg->add_option("--into", saml->into, "The tenant data file to update (YAML)")->required();
  sg->add_option("--policy", saml->policy, "The model (default std.desk_booking)");
  sg->add_flag("--dry-run", saml->dry_run, "Check and summarise; change nothing");
  sg->add_option("--separator", *saml_sep, "CSV separator (default: detected)")
      ->check(CLI::IsMember({";", ","}));
  sg->add_option("--path", saml->path, "Extra directories to search for imported modules")
      ->allow_extra_args(false);
  sg->callback([saml, saml_sep, &status]() {
    saml->separator = saml_sep->empty() ? 0 : (*saml_sep)[0];
    status = sim::run_saml_import(*saml, std::cout, std::cerr);
  });
}

} // namespace keyplan::cli
