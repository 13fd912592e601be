// keyplan bench: interpreter vs JIT vs hand-written C++ on std.desk_booking's
// `book`; keyplan bench matrix: a whole matrix set-at-a-time vs cell by cell
// (docs/performance.md).
#include "bench/desk_bench.hpp"
#include "bench/load_bench.hpp"
#include "bench/matrix_bench.hpp"
#include "cli/commands.hpp"

#include <filesystem>
#include <iostream>

namespace keyplan::cli {

void add_shape_options(CLI::App& cmd, sim::DeskTenantShape& s); // cmd_gen.cpp
void add_lsp_bench_subcommand(CLI::App& bench, int& status);    // cmd_bench_lsp.cpp

namespace {

bool is_directory(const std::string& f) {
  std::error_code ec;
  return !f.empty() && std::filesystem::is_directory(f, ec);
}

void add_matrix_subcommand(CLI::App& bench, int& status) {
  auto o = std::make_shared<sim::MatrixBenchOptions>();
  auto format = std::make_shared<std::string>("text");
  auto* cmd = bench.add_subcommand(
      "matrix", "Measure a whole std.desk_booking matrix: set-at-a-time vs the JIT cell by cell");
  add_shape_options(*cmd, o->shape);
  cmd->add_option("--data", o->data_file, "Tenant data (YAML) instead of a generated tenant");
  cmd->add_option("--action", o->action, "The action (default book; its first overload)");
  cmd->add_option("--open", o->open,
                  "The open (column) parameter (default: the action's first entity parameter)");
  cmd->add_option("--today", o->today, "The evaluation date (default 2026-11-23)");
  cmd->add_option("--runs", o->runs, "Full matrices timed; the median is reported (default 5)")
      ->check(CLI::Range(1, 1000));
  cmd->add_option("--per-decision-cells", o->per_decision_cells,
                  "Above this many cells the JIT decides a sample of rows, extrapolated "
                  "(default 100000000)")
      ->check(CLI::Range(int64_t{1}, int64_t{4'000'000'000}));
  cmd->add_option("--crosscheck", o->crosscheck,
                  "Cells per column re-decided by the interpreter (default 64)")
      ->check(CLI::Range(0, 1'000'000));
  cmd->add_option("--diff-set", o->diff_set,
                  "The one-setting what-if whose diff is timed, NAME=VALUE (default "
                  "floor_needs_building=false)");
  cmd->add_option("--diff-action", o->diff_actions,
                  "Actions of the timed diff (repeatable; default book and see)");
  cmd->add_flag(
      "--no-diff", [o](int64_t) { o->diff = false; }, "Leave the diff figures out");
  cmd->add_option("--format", *format, "Output format")->check(CLI::IsMember({"text", "json"}));
  cmd->callback([o, format, &status]() {
    if (is_directory(o->data_file)) {
      std::cerr << "keyplan bench matrix: '" << o->data_file << "' is a directory, not a file\n";
      status = 2;
      return;
    }
    std::string error;
    if (o->data_file.empty() && !sim::desk_tenant_shape_ok(o->shape, &error)) {
      std::cerr << "keyplan bench matrix: tenant too large: " << error << "\n";
      status = 2;
      return;
    }
    sim::MatrixBenchResult r;
    bool ok = false;
    try {
      ok = sim::run_matrix_bench(*o, r, error);
    } catch (const std::exception& e) {
      error = e.what();
    }
    if (!ok) {
      std::cerr << "keyplan bench matrix: " << error << "\n";
      status = 2;
      return;
    }
    if (*format == "json")
      std::cout << r.json.dump(2) << "\n";
    else
      std::cout << sim::matrix_bench_text(r.json);
    if (!r.disagreement.empty()) {
      std::cerr << "keyplan bench matrix: " << r.disagreement << "\n";
      status = 3;
      return;
    }
    status = 0;
  });
}

// keyplan bench load: loading a tenant, timed, with its peak memory, and
// its snapshot checked against the other loader's (docs/performance.md).
void add_load_subcommand(CLI::App& bench, int& status) {
  auto o = std::make_shared<sim::LoadBenchOptions>();
  auto format = std::make_shared<std::string>("text");
  auto no_check = std::make_shared<bool>(false);
  auto* cmd = bench.add_subcommand(
      "load", "Measure loading tenant data: time, peak memory, and the same snapshot as the "
              "reference loader");
  add_shape_options(*cmd, o->shape);
  cmd->add_option("--data", o->data_file, "Tenant data (YAML) instead of a generated tenant");
  cmd->add_option("--loader", o->loader, "The loader measured (default fast)")
      ->check(CLI::IsMember({"fast", "reference"}));
  cmd->add_flag("--no-check", *no_check,
                "Do not load with the other loader and compare the snapshots");
  cmd->add_option("--format", *format, "Output format")->check(CLI::IsMember({"text", "json"}));
  cmd->callback([o, format, no_check, &status]() {
    if (is_directory(o->data_file)) {
      std::cerr << "keyplan bench load: '" << o->data_file << "' is a directory, not a file\n";
      status = 2;
      return;
    }
    std::string error;
    if (o->data_file.empty() && !sim::desk_tenant_shape_ok(o->shape, &error)) {
      std::cerr << "keyplan bench load: tenant too large: " << error << "\n";
      status = 2;
      return;
    }
    o->check = !*no_check;
    sim::LoadBenchResult r;
    bool ok = false;
    try {
      ok = sim::run_load_bench(*o, r, error);
    } catch (const std::exception& e) {
      error = e.what();
    }
    if (!ok) {
      std::cerr << "keyplan bench load: " << error << "\n";
      status = 2;
      return;
    }
    if (*format == "json")
      std::cout << r.json.dump(2) << "\n";
    else
      std::cout << sim::load_bench_text(r.json);
    status = r.equal ? 0 : 1;
  });
}

} // namespace

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
  add_matrix_subcommand(*cmd, status);
  add_lsp_bench_subcommand(*cmd, status);
  add_load_subcommand(*cmd, status);
  cmd->callback([o, format, cmd, &status]() {
    if (cmd->got_subcommand("matrix") || cmd->got_subcommand("lsp") || cmd->got_subcommand("load"))
      return; // the subcommand did the work
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
