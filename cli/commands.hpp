// The keyplan subcommands. Each file cmd_<name>.cpp registers one on the
// CLI11 app; its callback stores the process exit code in `status`:
// 0 success, 1 a check failed (expectation, --strict warning, fmt --check),
// 2 bad input (with file:line:col diagnostics on stderr).
#pragma once

#include <CLI/CLI.hpp>

namespace keyplan::cli {

void add_check_command(CLI::App& app, int& status);
void add_fmt_command(CLI::App& app, int& status);
void add_simulate_command(CLI::App& app, int& status);
void add_decide_command(CLI::App& app, int& status);
void add_explain_command(CLI::App& app, int& status);
void add_test_command(CLI::App& app, int& status);
void add_report_command(CLI::App& app, int& status);
void add_gen_command(CLI::App& app, int& status);
void add_bench_command(CLI::App& app, int& status);
void add_matrix_command(CLI::App& app, int& status);
void add_search_command(CLI::App& app, int& status);
void add_diff_command(CLI::App& app, int& status);
void add_import_command(CLI::App& app, int& status);
void add_init_command(CLI::App& app, int& status);
void add_lsp_command(CLI::App& app, int& status);
void add_export_command(CLI::App& app, int& status);
void add_serve_command(CLI::App& app, int& status);
// `help` and `completion`; registered last, they describe every command.
void add_help_command(CLI::App& app, int& status);

} // namespace keyplan::cli
