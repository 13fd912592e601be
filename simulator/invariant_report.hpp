// Renders a `keyplan test` run: the invariant outcomes (both modes) and the
// scenario expectations, as a terminal summary, JSON, or JUnit XML for CI.
#pragma once

#include "simulator/invariant_check.hpp"
#include "simulator/runner.hpp"

#include <string>
#include <vector>

namespace keyplan::sim {

struct TestRun {
  std::string policy;
  int64_t today = 0, from = 0, to = 0;
  double jit_ms = -1; // time to compile the invariants natively; < 0: not compiled
  std::vector<InvariantOutcome> outcomes;
  const RunReport* scenarios = nullptr; // null: no --scenario given
  std::string findings_json; // the policy's check findings (simulator/checks.hpp), a JSON array
  int failed() const;
  int passed() const;
  int skipped() const;
};

std::string render_test_text(const TestRun& run);
std::string render_test_json(const TestRun& run);
std::string render_test_junit(const TestRun& run);

} // namespace keyplan::sim
