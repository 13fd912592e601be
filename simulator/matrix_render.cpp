#include "simulator/matrix_render.hpp"

#include <fmt/format.h>

namespace keyplan::sim {

const std::string& MatrixView::row_param() const {
  return policy.rules[static_cast<size_t>(matrix.rule)]
      .params[static_cast<size_t>(matrix.row_param)]
      .name;
}
const std::string& MatrixView::col_param() const {
  return policy.rules[static_cast<size_t>(matrix.rule)]
      .params[static_cast<size_t>(matrix.col_param)]
      .name;
}

std::string MatrixView::row_label(size_t i) const {
  return grid ? grid->rows.labels[i] : snapshot.id(matrix.row_type, static_cast<int32_t>(i));
}
std::string MatrixView::col_label(size_t j) const {
  return grid ? grid->cols.labels[j] : snapshot.id(matrix.col_type, static_cast<int32_t>(j));
}

namespace {

std::string percent(size_t part, size_t whole) {
  return whole ? fmt::format("{:.1f}%",
                             100.0 * static_cast<double>(part) / static_cast<double>(whole))
               : "-";
}

std::string axis_name(const MatrixView& v, bool rows) {
  const std::string& p = rows ? v.row_param() : v.col_param();
  if (!v.grid) return p;
  const std::string& by = (rows ? v.grid->rows : v.grid->cols).by;
  return by.empty() ? p : by == "#" ? p + " (buckets)" : p + "." + by;
}

} // namespace

Table matrix_table(const MatrixView& v) {
  Table t;
  t.name = "matrix";
  const size_t cells = v.matrix.rows * v.matrix.cols;
  t.title =
      fmt::format("{}: {} x {}, {} of {} cells allowed ({})", v.action, axis_name(v, true),
                  axis_name(v, false), v.matrix.allowed, cells, percent(v.matrix.allowed, cells));
  t.headers.push_back(axis_name(v, true) + " \\ " + axis_name(v, false));
  for (size_t j = 0; j < v.col_count(); ++j)
    t.headers.push_back(v.grid && !v.grid->cols.by.empty()
                            ? fmt::format("{} ({})", v.col_label(j), v.grid->cols.members[j].size())
                            : v.col_label(j));
  for (size_t i = 0; i < v.row_count(); ++i) {
    std::vector<std::string> row;
    row.reserve(v.col_count() + 1);
    row.push_back(v.grid && !v.grid->rows.by.empty()
                      ? fmt::format("{} ({})", v.row_label(i), v.grid->rows.members[i].size())
                      : v.row_label(i));
    for (size_t j = 0; j < v.col_count(); ++j)
      row.push_back(v.grid ? std::to_string(v.grid->at(i, j)) : v.matrix.test(i, j) ? "1" : "0");
    t.rows.push_back(std::move(row));
  }
  if (v.grid)
    t.notes.push_back("cells: allowed pairs per group pair; (n): instances in the group; an "
                      "instance in several groups counts in each");
  else
    t.notes.push_back("cells: 1 allow, 0 deny");
  return t;
}

nlohmann::json matrix_json(const MatrixView& v) {
  nlohmann::json j;
  j["action"] = v.action;
  j["row_param"] = v.row_param();
  j["col_param"] = v.col_param();
  nlohmann::json rows = nlohmann::json::array(), cols = nlohmann::json::array();
  for (size_t i = 0; i < v.row_count(); ++i) rows.push_back(v.row_label(i));
  for (size_t c = 0; c < v.col_count(); ++c) cols.push_back(v.col_label(c));
  j["rows"] = std::move(rows);
  j["cols"] = std::move(cols);
  j["allowed"] = v.matrix.allowed;
  j["cell_count"] = v.matrix.rows * v.matrix.cols;
  nlohmann::json cells = nlohmann::json::array();
  if (v.grid) {
    j["group_rows"] = v.grid->rows.by;
    j["group_cols"] = v.grid->cols.by;
    nlohmann::json rs = nlohmann::json::array(), cs = nlohmann::json::array();
    for (const auto& m : v.grid->rows.members) rs.push_back(m.size());
    for (const auto& m : v.grid->cols.members) cs.push_back(m.size());
    j["row_sizes"] = std::move(rs);
    j["col_sizes"] = std::move(cs);
    for (size_t i = 0; i < v.row_count(); ++i) {
      nlohmann::json row = nlohmann::json::array();
      for (size_t c = 0; c < v.col_count(); ++c) row.push_back(v.grid->at(i, c));
      cells.push_back(std::move(row));
    }
  } else {
    std::string row(v.matrix.cols, '0');
    for (size_t i = 0; i < v.matrix.rows; ++i) {
      for (size_t c = 0; c < v.matrix.cols; ++c) row[c] = v.matrix.test(i, c) ? '1' : '0';
      cells.push_back(row);
    }
  }
  j["cells"] = std::move(cells);
  return j;
}

nlohmann::json summary_json(const MatrixView& v) {
  nlohmann::json j;
  j["action"] = v.action;
  j["row_param"] = v.row_param();
  j["col_param"] = v.col_param();
  j["row_count"] = v.matrix.rows;
  j["col_count"] = v.matrix.cols;
  j["cell_count"] = v.matrix.rows * v.matrix.cols;
  j["allowed"] = v.matrix.allowed;
  return j;
}

std::string summary_text(const MatrixView& v) {
  const auto& rule = v.policy.rules[static_cast<size_t>(v.matrix.rule)];
  const size_t cells = v.matrix.rows * v.matrix.cols;
  return fmt::format("action:  {}\nrows:    {} ({} {})\ncols:    {} ({} {})\ncells:   {}\n"
                     "allowed: {} ({})\n",
                     rule.signature, v.row_param(), v.matrix.rows,
                     v.policy.entities[static_cast<size_t>(v.matrix.row_type)].name, v.col_param(),
                     v.matrix.cols, v.policy.entities[static_cast<size_t>(v.matrix.col_type)].name,
                     cells, v.matrix.allowed, percent(v.matrix.allowed, cells));
}

} // namespace keyplan::sim
