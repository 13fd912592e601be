// `keyplan report --format html`: report tables as one self-contained page
// (simulator/html_page.*: inline CSS and script, no network), each table
// sortable by its headers and filterable by row label.
#pragma once

#include "simulator/table.hpp"

#include <string>
#include <vector>

namespace keyplan::sim {

std::string render_html(const std::vector<Table>& tables, const std::string& title);

} // namespace keyplan::sim
