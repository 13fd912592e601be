// The FM suite's checks (W-2, W-4, W-6 – W-10, W-12, W-13, W-16, W-17): each is
// an action of policies/std/fm_suite.kp (missing_default_profile,
// license_exceeded, …). This pass decides every check for every combination
// of instances and turns each allow into a diagnostic that names the
// instances involved and points at where they were written.
#pragma once

#include "compiler/diagnostics.hpp"
#include "simulator/fm_locate.hpp"
#include "simulator/fm_model.hpp"
#include "simulator/table.hpp"

#include <string>
#include <vector>

namespace keyplan::sim {

struct FmFinding {
  Severity severity = Severity::Warning;
  std::string check;              // the action, e.g. license_exceeded
  std::vector<std::string> rules; // its @implements ids
  std::string subject;            // the first instance, e.g. rita
  std::string message;
  std::string hint;
  Span span;
};

std::vector<FmFinding> run_fm_checks(FmModel& model, const InstanceLocator& locator);
// As diagnostics (the W ids prefixed to the hint).
void add_diagnostics(const std::vector<FmFinding>& findings, Diagnostics& diags);
// As a report table: severity, check, rules, subject, message, position.
Table checks_table(const std::vector<FmFinding>& findings, const SourceManager& sources);

} // namespace keyplan::sim
