// keyplan export users / group-members: the directory out again (DOMAIN
// F-G5, F-I1); see docs/import.md.
#include "cli/commands.hpp"
#include "simulator/export_users.hpp"

#include <iostream>

namespace keyplan::cli {

void add_export_command(CLI::App& app, int& status) {
  auto* cmd = app.add_subcommand("export", "Export a tenant's users or a group's members");
  cmd->require_subcommand(1);
  auto common = [](CLI::App* sub, sim::ExportOptions& o, std::vector<std::string> formats) {
    sub->add_option("--policy", o.policy, "The model (default std.desk_booking)");
    sub->add_option("--data", o.data, "The tenant data file (YAML)");
    sub->add_option("--format", o.format, "Output format (default csv)")
        ->check(CLI::IsMember(formats));
    sub->add_option("-o,--output", o.output, "Write to FILE (required for xlsx; - is stdout)");
    sub->add_option("--path", o.path, "Extra directories to search for imported modules")
        ->allow_extra_args(false);
  };
  auto users = std::make_shared<sim::ExportOptions>();
  users->what = "users";
  auto* u = cmd->add_subcommand(
      "users", "The users in the user import's columns (export then import changes nothing)");
  common(u, *users, {"csv", "xlsx"});
  u->callback([users, &status]() { status = sim::run_export(*users, std::cout, std::cerr); });

  auto members = std::make_shared<sim::ExportOptions>();
  members->what = "group-members";
  auto* m = cmd->add_subcommand("group-members",
                                "A group's members as CSV, XLSX or Azure AD's CSV (F-G5)");
  m->add_option("group", members->group, "The group id")->required();
  common(m, *members, {"csv", "xlsx", "azure-csv"});
  m->callback([members, &status]() { status = sim::run_export(*members, std::cout, std::cerr); });
}

} // namespace keyplan::cli
