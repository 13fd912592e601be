// The renderings of report tables (see table.hpp).
#include "simulator/table.hpp"
#include "simulator/text.hpp"

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <set>
#include <unistd.h>
#include <xlsxwriter.h>

namespace keyplan::sim {

namespace {

const std::string& cell(const std::vector<std::string>& row, size_t i) {
  static const std::string empty;
  return i < row.size() ? row[i] : empty;
}

std::string csv_field(const std::string& s) {
  if (s.find_first_of(",\"\r\n") == std::string::npos) return s;
  std::string out = "\"";
  for (char c : s) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

std::string md_cell(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == '|')
      out += "\\|";
    else if (c == '\n')
      out += "<br>";
    else
      out += c;
  }
  return out;
}

// Excel sheet names: at most 31 characters, none of []:*?/\, unique
// (case-insensitively).
std::string sheet_name(const std::string& want, std::set<std::string>& used) {
  std::string base;
  for (char c : want) base += std::string("[]:*?/\\").find(c) == std::string::npos ? c : '_';
  if (base.empty()) base = "Sheet";
  auto lower = [](std::string s) {
    std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
    return s;
  };
  std::string name = base.substr(0, 31);
  for (int i = 2; used.count(lower(name)); ++i) {
    std::string suffix = "_" + std::to_string(i);
    name = base.substr(0, 31 - suffix.size()) + suffix;
  }
  used.insert(lower(name));
  return name;
}

} // namespace

std::string render_terminal(const std::vector<Table>& tables) {
  std::string out;
  for (size_t t = 0; t < tables.size(); ++t) {
    const Table& tb = tables[t];
    if (t) out += "\n";
    if (!tb.title.empty()) out += tb.title + "\n";
    std::vector<size_t> w(tb.headers.size());
    for (size_t i = 0; i < w.size(); ++i) {
      w[i] = display_width(tb.headers[i]);
      for (const auto& r : tb.rows) w[i] = std::max(w[i], display_width(cell(r, i)));
    }
    auto line = [&](const std::vector<std::string>& r) {
      std::string l = "  ";
      for (size_t i = 0; i < w.size(); ++i)
        l += i + 1 == w.size() ? cell(r, i) : pad_right(cell(r, i), w[i]) + "  ";
      while (!l.empty() && l.back() == ' ') l.pop_back();
      out += l + "\n";
    };
    line(tb.headers);
    std::vector<std::string> rule;
    for (size_t x : w) rule.push_back(std::string(x, '-'));
    line(rule);
    if (tb.rows.empty()) out += "  (none)\n";
    for (const auto& r : tb.rows) line(r);
    for (const auto& n : tb.notes) out += "  " + n + "\n";
  }
  return out;
}

std::string render_csv(const std::vector<Table>& tables) {
  std::string out;
  auto line = [&](const std::vector<std::string>& r, size_t n) {
    for (size_t i = 0; i < n; ++i) out += (i ? "," : "") + csv_field(cell(r, i));
    out += "\r\n";
  };
  for (size_t t = 0; t < tables.size(); ++t) {
    if (t) out += "\r\n";
    line(tables[t].headers, tables[t].headers.size());
    for (const auto& r : tables[t].rows) line(r, tables[t].headers.size());
  }
  return out;
}

std::string render_markdown(const std::vector<Table>& tables) {
  std::string out;
  for (size_t t = 0; t < tables.size(); ++t) {
    const Table& tb = tables[t];
    if (t) out += "\n";
    if (!tb.title.empty()) out += "### " + md_cell(tb.title) + "\n\n";
    auto line = [&](const std::vector<std::string>& r) {
      out += "|";
      for (size_t i = 0; i < tb.headers.size(); ++i) out += " " + md_cell(cell(r, i)) + " |";
      out += "\n";
    };
    line(tb.headers);
    out += "|";
    for (size_t i = 0; i < tb.headers.size(); ++i) out += "---|";
    out += "\n";
    for (const auto& r : tb.rows) line(r);
    if (!tb.notes.empty()) out += "\n";
    for (const auto& n : tb.notes) out += "- " + md_cell(n) + "\n";
  }
  return out;
}

std::string render_json(const std::vector<Table>& tables) {
  nlohmann::ordered_json doc = nlohmann::ordered_json::object();
  for (const auto& tb : tables) {
    nlohmann::ordered_json j;
    j["title"] = tb.title;
    j["headers"] = tb.headers;
    j["rows"] = nlohmann::ordered_json::array();
    for (const auto& r : tb.rows) {
      nlohmann::ordered_json row = nlohmann::ordered_json::object();
      for (size_t i = 0; i < tb.headers.size(); ++i) row[tb.headers[i]] = cell(r, i);
      j["rows"].push_back(row);
    }
    j["notes"] = tb.notes;
    doc[tb.name] = j;
  }
  return doc.dump(2) + "\n";
}

bool write_xlsx(const std::string& path, const std::vector<Table>& tables, std::string* error) {
  std::string tmp = path + ".tmp" + std::to_string(::getpid());
  lxw_workbook* wb = workbook_new(tmp.c_str());
  if (!wb) {
    if (error) *error = "cannot create " + path;
    return false;
  }
  lxw_format* bold = workbook_add_format(wb);
  format_set_bold(bold);
  lxw_format* italic = workbook_add_format(wb);
  format_set_italic(italic);
  std::set<std::string> used;
  std::vector<Table> sheets = tables;
  if (sheets.empty()) sheets.push_back(Table{"report", "", {""}, {}, {}});
  for (const auto& tb : sheets) {
    std::string name = sheet_name(tb.name, used);
    lxw_worksheet* ws = workbook_add_worksheet(wb, name.c_str());
    size_t ncols = std::max<size_t>(tb.headers.size(), 1);
    std::vector<size_t> w(ncols, 8);
    for (size_t c = 0; c < tb.headers.size(); ++c) {
      worksheet_write_string(ws, 0, static_cast<lxw_col_t>(c), tb.headers[c].c_str(), bold);
      w[c] = std::max(w[c], display_width(tb.headers[c]) + 2);
    }
    for (size_t r = 0; r < tb.rows.size(); ++r)
      for (size_t c = 0; c < tb.headers.size(); ++c) {
        const std::string& v = cell(tb.rows[r], c);
        if (!v.empty())
          worksheet_write_string(ws, static_cast<lxw_row_t>(r + 1), static_cast<lxw_col_t>(c),
                                 v.c_str(), nullptr);
        w[c] = std::max(w[c], std::min<size_t>(display_width(v) + 2, 60));
      }
    for (size_t c = 0; c < ncols; ++c)
      worksheet_set_column(ws, static_cast<lxw_col_t>(c), static_cast<lxw_col_t>(c),
                           static_cast<double>(w[c]), nullptr);
    worksheet_freeze_panes(ws, 1, 0);
    worksheet_autofilter(ws, 0, 0, static_cast<lxw_row_t>(tb.rows.size()),
                         static_cast<lxw_col_t>(ncols - 1));
    // Title and notes below the data, after a blank row, outside the filter.
    lxw_row_t row = static_cast<lxw_row_t>(tb.rows.size() + 2);
    if (!tb.title.empty()) worksheet_write_string(ws, row++, 0, tb.title.c_str(), italic);
    for (const auto& n : tb.notes) worksheet_write_string(ws, row++, 0, n.c_str(), italic);
  }
  lxw_error err = workbook_close(wb);
  std::error_code ec;
  if (err != LXW_NO_ERROR) {
    std::filesystem::remove(tmp, ec);
    if (error) *error = "cannot write " + path + ": " + lxw_strerror(err);
    return false;
  }
  std::filesystem::rename(tmp, path, ec);
  if (ec) {
    std::filesystem::remove(tmp, ec);
    if (error) *error = "cannot write " + path + ": " + ec.message();
    return false;
  }
  return true;
}

} // namespace keyplan::sim
