// The diff view as one self-contained HTML page (`keyplan diff --format
// html`), built on simulator/html_page.hpp: gained in green, lost in red.
#pragma once

#include "simulator/diff.hpp"
#include "simulator/diff_report.hpp"

#include <string>

namespace keyplan::sim {

std::string diff_html(const DiffResult& r, const DiffReportOptions& o);

} // namespace keyplan::sim
