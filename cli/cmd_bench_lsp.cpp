// keyplan bench lsp: the language server's re-check time after a keystroke
// in a client policy (docs/performance.md, docs/editors.md).
#include "cli/commands.hpp"
#include "lsp/bench.hpp"

#include <iostream>

namespace keyplan::cli {

void add_lsp_bench_subcommand(CLI::App& bench, int& status) {
  auto o = std::make_shared<lsp::LspBenchOptions>();
  auto format = std::make_shared<std::string>("text");
  auto* cmd = bench.add_subcommand(
      "lsp", "Measure the language server: a keystroke in a policy to its published diagnostics");
  cmd->add_option("--policy", o->policy, "A .kp file (default: a generated client policy)");
  cmd->add_option("--lines", o->lines, "Lines of the generated policy (default 600)")
      ->check(CLI::Range(10, 100'000));
  cmd->add_option("--edits", o->edits, "Keystrokes timed (default 50)")
      ->check(CLI::Range(1, 100'000));
  cmd->add_option("--format", *format, "Output format")->check(CLI::IsMember({"text", "json"}));
  cmd->callback([o, format, &status]() {
    nlohmann::json r;
    std::string error;
    if (!lsp::run_lsp_bench(*o, r, error)) {
      std::cerr << "keyplan bench lsp: " << error << "\n";
      status = 2;
      return;
    }
    if (*format == "json") {
      std::cout << r.dump(2) << "\n";
    } else {
      const auto& t = r["recheck_ms"];
      std::cout << "keystroke to diagnostics, " << r["lines"] << " lines, " << r["edits"]
                << " edits: median " << t["median"].get<double>() << " ms, p95 "
                << t["p95"].get<double>() << " ms, max " << t["max"].get<double>()
                << " ms (CPU time: median " << r["recheck_cpu_ms"]["median"].get<double>()
                << " ms)\n";
    }
    status = 0;
  });
}

} // namespace keyplan::cli
