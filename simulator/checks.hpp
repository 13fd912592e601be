// Running a policy's `check` declarations over a tenant: every binding of
// their binders (every instance of each binder's entity type, the cross
// product) whose body is true is a finding, located at the first binder's
// instance (its data file position, else its policy declaration) and
// silenced by an `_allow` / `@allow` of any instance of the binding.
// docs/checks.md describes checks for users.
#pragma once

#include "compiler/diagnostics.hpp"
#include "compiler/ir.hpp"
#include "runtime/snapshot.hpp"
#include "simulator/fm_locate.hpp"
#include "simulator/table.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace keyplan::sim {

// Bindings of one check evaluated at most; a larger cross product is not
// run and is reported as a warning at the check's declaration.
constexpr uint64_t kMaxCheckBindings = 10'000'000;

struct CheckFinding {
  std::string check;
  ir::Severity severity = ir::Severity::Error;
  std::string message;  // the rendered template
  std::string instance; // "User mueller" (the first binder's instance)
  std::string subject;  // "mueller": its id
  std::vector<std::string> implements;
  Span span;            // invalid when unknown
  bool in_data = false; // span is in the data's source manager, else the policy's
};

struct CheckRun {
  std::vector<CheckFinding> findings;
  uint64_t allowed = 0;             // findings silenced by _allow / @allow
  std::vector<std::string> skipped; // checks not run: too many bindings
  int errors() const;
  int warnings() const;
  // Exit status contribution: 1 when an error fires, or a warning under strict.
  bool fails(bool strict) const { return errors() > 0 || (strict && warnings() > 0); }
};

// `fast`: binding-invariant sub-expressions of a body are evaluated once
// (the same findings; false = the plain interpreter, the judge of the
// differential test).
CheckRun run_checks(const ir::Policy& policy, const rt::Snapshot& snapshot,
                    const InstanceLocator& locator, int64_t today, bool fast = true);

// The findings as diagnostics ("check 'name': message", hint: implements and
// how to silence), for render_text / render_json with the policy's sources.
// Only the findings located in data (in_data) or only the others when `data`
// is given; all when not.
Diagnostics check_diagnostics(const CheckRun& run, std::optional<bool> data = std::nullopt);
// The findings as a JSON array (check, severity, message, instance,
// implements, file, line, col) as text.
std::string check_findings_json(const CheckRun& run, const SourceManager& sources);
// The findings as the table of `keyplan report checks`: severity, check,
// implements, instance id, message, position.
Table checks_table(const CheckRun& run, const SourceManager& sources);

} // namespace keyplan::sim
