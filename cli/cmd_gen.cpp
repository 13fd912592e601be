// keyplan gen: a synthetic desk-booking tenant (YAML data for std.desk_booking).
#include "bench/desk_tenant_gen.hpp"
#include "cli/commands.hpp"
#include "cli/int_option.hpp"
#include "cli/output.hpp"

#include <iostream>

namespace keyplan::cli {

// Shape options shared with `keyplan bench`. Each size is checked against its
// limit here; the product (buildings x floors x desks) by
// sim::desk_tenant_shape_ok before anything is generated.
void add_shape_options(CLI::App& cmd, sim::DeskTenantShape& s) {
  cmd.add_option("--seed", s.seed, "Random seed (same seed and sizes, same tenant)")
      ->transform(unsigned_decimal());
  cmd.add_option("--users", s.users, "Users (default 10000)")
      ->transform(decimal_in(0, sim::kMaxDeskUsers));
  cmd.add_option("--groups", s.groups, "Groups besides ALL (default 200)")
      ->transform(decimal_in(0, sim::kMaxDeskGroups));
  cmd.add_option("--buildings", s.buildings, "Buildings (default 10)")
      ->transform(decimal_in(0, sim::kMaxDeskObjects));
  cmd.add_option("--floors", s.floors, "Floors per building (default 10)")
      ->transform(decimal_in(0, sim::kMaxDeskObjects));
  cmd.add_option("--desks", s.desks, "Desks per floor (default 100)")
      ->transform(decimal_in(0, sim::kMaxDeskObjects));
}

void add_gen_command(CLI::App& app, int& status) {
  auto shape = std::make_shared<sim::DeskTenantShape>();
  auto out = std::make_shared<std::string>();
  auto* cmd = app.add_subcommand(
      "gen", "Write a synthetic desk-booking tenant (YAML data for std.desk_booking)");
  add_shape_options(*cmd, *shape);
  cmd->add_option("-o,--output", *out,
                  "Output file (written atomically; - is standard output); default: standard "
                  "output");
  cmd->callback([shape, out, &status]() {
    std::string error;
    if (!sim::desk_tenant_shape_ok(*shape, &error)) {
      std::cerr << "keyplan gen: tenant too large: " << error << "\n";
      status = 2;
      return;
    }
    std::string yaml = sim::generate_desk_tenant(*shape);
    if (out->empty()) {
      std::cout << yaml;
      status = 0;
    } else if (!write_file_atomically(*out, yaml, &error)) {
      std::cerr << "keyplan gen: " << error << "\n";
      status = 2;
    } else {
      status = 0;
    }
  });
}

} // namespace keyplan::cli
