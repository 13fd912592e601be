// Renders a scenario run: a terminal table with explanations of failures,
// JSON for machines, JUnit XML for CI.
#pragma once

#include "simulator/runner.hpp"

#include <string>

namespace keyplan::sim {

std::string render_text(const RunReport& rep, bool explain_all);
std::string render_json(const RunReport& rep, bool explain_all);
std::string render_junit(const RunReport& rep);

} // namespace keyplan::sim
