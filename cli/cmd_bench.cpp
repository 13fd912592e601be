// keyplan bench: interpreter vs JIT vs hand-written C++ on std.desk_booking's
// `book` (docs/performance.md).
#include "cli/commands.hpp"
#include "simulator/desk_bench.hpp"

#include <filesystem>
#include <iostream>

namespace keyplan::cli {

void add_shape_options(CLI::App& cmd, sim::DeskTenantShape& s); // cmd_gen.cpp

void add_bench_command(CLI::App& app, int& status) {
  auto o = std::make_shared<sim::BenchOptions>();
  auto format = std::make_shared<std::string>("text");
  auto* cmd =
      app.add_subcommand("bench", "Measure book decisions: interpreter, JIT and hand-written C++");
  add_shape_options(*cmd, o->shape);
  cmd->add_option("--data", o->data_file, "Tenant data (YAML) instead of a generated tenant");
  cmd->add_option("--requests", o->requests, "Random requests (default 1000000)")
      ->check(CLI::NonNegativeNumber);
  cmd->add_option("--requests-file", o->requests_file,
                  "Replay a CSV of user,object pairs and count the allows");
  cmd->add_option("--request-seed", o->seed, "Seed of the random requests");
  cmd->add_option("--today", o->today, "The evaluation date (default 2026-11-23)");
  cmd->add_option("--batch", o->batch, "Requests per timed batch, for the median (default 1000)");
  cmd->add_option("--format", *format, "Output format")->check(CLI::IsMember({"text", "json"}));
  cmd->callback([o, format, &status]() {
    // A directory opens as an empty stream: it would replay no requests and
    // report a benchmark of nothing.
    for (const std::string* f : {&o->requests_file, &o->data_file}) {
      std::error_code ec;
      if (!f->empty() && std::filesystem::is_directory(*f, ec)) {
        std::cerr << "keyplan bench: '" << *f << "' is a directory, not a file\n";
        status = 2;
        return;
      }
    }
    sim::BenchResult r;
    std::string error;
    bool ok = false;
    try {
      ok = sim::run_desk_bench(*o, r, error);
    } catch (const std::exception& e) {
      error = e.what();
    }
    if (!ok) {
      std::cerr << "keyplan bench: " << error << "\n";
      status = 2;
      return;
    }
    if (*format == "json")
      std::cout << sim::bench_json(r).dump(2) << "\n";
    else
      std::cout << sim::bench_text(r);
    status = 0;
  });
}

} // namespace keyplan::cli
