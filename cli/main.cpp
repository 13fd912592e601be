// keyplan: check, format, decide, explain and simulate access policies.
#include "cli/commands.hpp"
#include "cli/version.hpp"
#include "engine/column.hpp"

#include <iostream>

int main(int argc, char** argv) {
  CLI::App app{"keyplan: a policy-as-data compiler and simulator for workplace access control"};
  app.require_subcommand(1);
  app.set_version_flag("--version", keyplan::cli::version_text());
  int status = 0;
  keyplan::cli::add_check_command(app, status);
  keyplan::cli::add_fmt_command(app, status);
  keyplan::cli::add_simulate_command(app, status);
  keyplan::cli::add_decide_command(app, status);
  keyplan::cli::add_explain_command(app, status);
  keyplan::cli::add_test_command(app, status);
  keyplan::cli::add_report_command(app, status);
  keyplan::cli::add_gen_command(app, status);
  keyplan::cli::add_bench_command(app, status);
  keyplan::cli::add_search_command(app, status);
  keyplan::cli::add_serve_command(app, status);
  keyplan::cli::add_matrix_command(app, status);
  keyplan::cli::add_diff_command(app, status);
  keyplan::cli::add_import_command(app, status);
  keyplan::cli::add_init_command(app, status);
  keyplan::cli::add_lsp_command(app, status);
  keyplan::cli::add_export_command(app, status);
  keyplan::cli::add_help_command(app, status); // last: it describes the commands above
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    app.exit(e);
    return 2;
  } catch (const keyplan::engine::ColumnDisagreement& e) {
    // A column the interpreter did not confirm (sampled cross-check): a bug
    // in keyplan, never an answer (docs/cli.md "exit codes").
    std::cerr << "keyplan: internal error: " << e.what() << " (please report it)\n";
    return 3;
  }
  return status;
}
