// A report table and its renderings: terminal, CSV, Markdown, JSON and XLSX
// (libxlsxwriter: header row, frozen panes, autofilter, one sheet per table).
// Every `keyplan report` builds Tables and hands them to these renderers.
#pragma once

#include <string>
#include <vector>

namespace keyplan::sim {

struct Table {
  std::string name;  // short, used as the XLSX sheet name (max 31 chars) and JSON key
  std::string title; // a line above the table
  std::vector<std::string> headers;
  std::vector<std::vector<std::string>> rows; // each row has headers.size() cells
  std::vector<std::string> notes;             // printed below (warnings, legends)
};

std::string render_terminal(const std::vector<Table>& tables);
std::string render_csv(const std::vector<Table>& tables); // tables separated by a blank line
std::string render_markdown(const std::vector<Table>& tables);
std::string render_json(const std::vector<Table>& tables);
// Whether render_csv writes `value` with a leading ' (formula neutralising, or a
// text a spreadsheet would convert); the user import strips it again.
bool csv_marks_as_text(const std::string& value);
// Writes a workbook atomically; false with `error` set on failure.
bool write_xlsx(const std::string& path, const std::vector<Table>& tables, std::string* error);

} // namespace keyplan::sim
