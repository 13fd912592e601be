// The renderings of a diff (`keyplan diff --format ...`): report tables for
// the terminal, CSV, Markdown and XLSX writers of simulator/table.hpp, a JSON
// document, and the explained sample as text.
#pragma once

#include "simulator/diff.hpp"
#include "simulator/output_file.hpp"
#include "simulator/table.hpp"

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace keyplan::sim {

struct DiffReportOptions {
  bool summary = false; // only the counts per action
  // At most this many rows in the cells table (0: all), with a note of how
  // many more: a terminal does not want millions of lines.
  size_t max_cell_rows = 0;
};

// summary (per action), groups, cells (one column per parameter name),
// instances (in one world only), explanations (the sample, as text cells).
std::vector<Table> diff_tables(const DiffResult& r, const DiffReportOptions& o);
// The JSON document without the flipped cells; diff_json_text adds them
// ("cells": [{"action", "change", "args": {param: id}}]), written as text.
nlohmann::json diff_json(const DiffResult& r, const DiffReportOptions& o);
std::string diff_json_text(const DiffResult& r, const DiffReportOptions& o);
// The same text in pieces, as it is made: millions of flipped cells go to
// the file without the whole text in memory (write_output_file's Producer).
void diff_json_write(const DiffResult& r, const DiffReportOptions& o, const WritePiece& write);
// The explained sample as indented text (terminal and Markdown output).
std::string diff_explanations_text(const DiffResult& r);

} // namespace keyplan::sim
