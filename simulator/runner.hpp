// Replays scenarios: compiles each scenario's policy (once per policy),
// builds its tenant snapshot (policy instances + data + settings), and
// decides every case (with the JIT, cross-checked by the interpreter, or
// with the interpreter), explaining the cases a report will print.
#pragma once

#include "compiler/compile.hpp"
#include "engine/engine.hpp"
#include "runtime/explanation.hpp"
#include "runtime/snapshot.hpp"
#include "simulator/scenario.hpp"

#include <map>
#include <memory>

namespace keyplan::sim {

struct CaseResult {
  const Case* c = nullptr;
  std::string call; // book(user = mueller, object = TABLE_1, on = 2026-11-23)
  bool allowed = false;
  std::string error; // the request did not resolve (or the engines disagreed): the reason
  bool resolved = false;
  bool passed = true;        // no expectation counts as passed
  bool disagreement = false; // the JIT and the interpreter answered differently (a bug)
  // Kept only where a report prints it: a failing case, `explain: true`, or
  // RunOptions::explain_all (200,000 explanations would not fit in memory).
  std::optional<rt::Explanation> explanation;
};

struct ScenarioResult {
  const Scenario* scenario = nullptr;
  bool loaded = false; // false: the policy, data or settings had errors
  std::vector<CaseResult> cases;
};

struct RunOptions {
  std::vector<std::string> search_path;
  engine::Kind engine = engine::Kind::Jit;
  bool explain_all = false; // keep every case's explanation (`--explain`)
  // Extra sources compiled with the policy (CompileOptions::extra_files).
  std::vector<std::pair<std::string, std::string>> extra_files;
};

struct RunReport {
  std::shared_ptr<SourceManager> sources = std::make_shared<SourceManager>(); // scenarios and data
  Diagnostics diags; // scenario and data errors
  std::vector<std::pair<std::shared_ptr<SourceManager>, Diagnostics>> policy_diags;
  std::vector<Scenario> scenarios;
  std::vector<ScenarioResult> results;
  int passed = 0, failed = 0, unresolved = 0;
  int disagreements = 0; // cases where the JIT and the interpreter differ: the run fails
  // Findings of the policy's checks on each scenario's world (simulator/checks.hpp),
  // with the sources their spans point into; an error finding fails the run.
  std::vector<std::pair<std::shared_ptr<SourceManager>, Diagnostics>> check_diags;
  int check_errors = 0, check_warnings = 0;
  bool input_errors() const;
  // What `simulate` exits with: 3 when the engines disagreed (an internal
  // error, whatever else happened), 2 on bad input, 1 when a case failed or
  // a check of the policy found an error.
  int exit_code() const;
};

RunReport run_scenarios(const std::vector<std::string>& files, const RunOptions& options);

// A compiled policy with a snapshot of its own instances, data and settings:
// what `decide` and `explain` need too.
struct Tenant {
  std::unique_ptr<CompileResult> compiled;
  std::unique_ptr<rt::Snapshot> snapshot;
};
// Compiles `policy`; false (with diagnostics in compiled->diags) on errors.
bool load_tenant(Tenant& t, const std::string& policy, const RunOptions& options);

} // namespace keyplan::sim
