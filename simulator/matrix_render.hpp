// A matrix (simulator/matrix.hpp) as a report Table (terminal, CSV,
// Markdown, XLSX through simulator/table.hpp), as JSON, and as a summary of
// counts. Cells: 1/0 per pair of instances; with --group-rows/--group-cols,
// the allowed count per pair of groups.
#pragma once

#include "simulator/matrix.hpp"
#include "simulator/table.hpp"

#include <nlohmann/json.hpp>

namespace keyplan::sim {

// Formats with one string per cell (table, CSV, Markdown, XLSX, HTML tables)
// refuse more cells than this: memory stays bounded; group or use JSON.
constexpr size_t kMaxTableCells = 1'000'000;

struct MatrixView {
  const ir::Policy& policy;
  const rt::Snapshot& snapshot;
  const Matrix& matrix;
  const CountGrid* grid = nullptr; // set when grouped
  std::string action;              // as named on the command line
  const std::string& row_param() const;
  const std::string& col_param() const;
  size_t row_count() const { return grid ? grid->rows.labels.size() : matrix.rows; }
  size_t col_count() const { return grid ? grid->cols.labels.size() : matrix.cols; }
  std::string row_label(size_t i) const;
  std::string col_label(size_t j) const;
};

Table matrix_table(const MatrixView& v);
// {"action", "rows": [ids], "cols": [ids], "allowed": N, "cells": ...}:
// ungrouped, cells[i] is a string with one character per column, '1'
// (allow) or '0' (deny); grouped, cells[i][j] is the allowed count of row
// group i and column group j, with "row_sizes"/"col_sizes" the group sizes.
nlohmann::json matrix_json(const MatrixView& v);
nlohmann::json summary_json(const MatrixView& v);
std::string summary_text(const MatrixView& v);

} // namespace keyplan::sim
