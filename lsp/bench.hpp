// `keyplan bench lsp`: how long the server takes from a keystroke in a
// client policy to the published diagnostics (the whole check: parse with
// imports, sema, the policy's checks, diagnostics to JSON), measured on the
// server itself with its output discarded. docs/performance.md.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

namespace keyplan::lsp {

struct LspBenchOptions {
  std::string policy; // a .kp file; empty: a generated client of std.desk_booking
  int lines = 600;    // the generated policy's size
  int edits = 50;     // keystrokes timed (alternately a typo and its fix)
};

// The generated policy: groups, buildings, floors, desks and rules, about
// `lines` lines long.
std::string generate_bench_policy(int lines);

// {"policy", "lines", "edits", "recheck_ms" (wall clock) and "recheck_cpu_ms"
// (the thread's CPU time): {"median", "p95", "max"}, "budget_ms"};
// false with `error` when the policy cannot be read.
bool run_lsp_bench(const LspBenchOptions& o, nlohmann::json& result, std::string& error);

} // namespace keyplan::lsp
