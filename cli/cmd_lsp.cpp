// keyplan lsp: the Language Server Protocol over stdin/stdout, for editors
// (docs/editors.md). Diagnostics, hover, definitions, references,
// completion, outline, formatting, rename and quick fixes: lsp/.
#include "cli/commands.hpp"
#include "lsp/server.hpp"

#include <csignal>
#include <unistd.h>

namespace keyplan::cli {

void add_lsp_command(CLI::App& app, int& status) {
  auto opts = std::make_shared<lsp::ServerOptions>();
  auto* cmd = app.add_subcommand(
      "lsp", "Run the language server (LSP over stdin/stdout) for editors: docs/editors.md");
  auto stdio = std::make_shared<bool>(false); // editors pass it; stdio is the only transport
  cmd->add_flag("--stdio", *stdio, "Talk over stdin/stdout (the default and only transport)");
  cmd->add_option("--debounce", opts->debounce_ms,
                  "Milliseconds without a change before a document is checked (default 150)")
      ->check(CLI::Range(0, 10'000));
  cmd->add_option("--path", opts->search_path, "Extra directories to search for imported modules")
      ->allow_extra_args(false);
  cmd->callback([opts, stdio, &status]() {
    std::signal(SIGPIPE, SIG_IGN); // a closed editor is a failed write, not a kill
    lsp::Transport transport(STDIN_FILENO, STDOUT_FILENO);
    lsp::Server server(transport, *opts);
    status = server.run();
  });
}

} // namespace keyplan::cli
