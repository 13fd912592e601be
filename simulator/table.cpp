// The renderings of report tables (see table.hpp).
#include "simulator/table.hpp"
#include "simulator/text.hpp"

#include "simulator/output_file.hpp"

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <unistd.h>
#include <xlsxwriter.h>

namespace keyplan::sim {

namespace {

const std::string& cell(const std::vector<std::string>& row, size_t i) {
  static const std::string empty;
  return i < row.size() ? row[i] : empty;
}

bool all_digits(std::string_view s) {
  return !s.empty() &&
         std::all_of(s.begin(), s.end(), [](unsigned char c) { return std::isdigit(c); });
}

// A plain number as keyplan writes one: -12, 3, 0, 2.5 (no leading zeros).
bool plain_number(std::string_view s) {
  if (!s.empty() && (s[0] == '-' || s[0] == '+')) s.remove_prefix(1);
  size_t dot = s.find('.');
  std::string_view whole = s.substr(0, dot);
  if (!all_digits(whole) || (whole.size() > 1 && whole[0] == '0')) return false;
  return dot == std::string_view::npos || all_digits(s.substr(dot + 1));
}

bool iso_date(std::string_view s) {
  return s.size() == 10 && s[4] == '-' && s[7] == '-' && all_digits(s.substr(0, 4)) &&
         all_digits(s.substr(5, 2)) && all_digits(s.substr(8, 2));
}

// What a spreadsheet program would turn into a number or a date when it opens
// the CSV: fractions and dates (2/11, 1-2, 11.2.2026, 10:30), numbers with
// leading zeros (007), exponents (1e5), percentages (5%), and month names
// next to a number (Mar-1, 1 jan, SEPT2). Plain numbers and ISO dates are
// meant as such and stay as they are.
bool spreadsheet_converts(std::string_view s) {
  if (s.empty() || plain_number(s) || iso_date(s)) return false;
  auto lower = [](std::string_view v) {
    std::string o(v);
    for (char& c : o) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return o;
  };
  std::string l = lower(s);
  if (std::isdigit(static_cast<unsigned char>(l[0])) &&
      l.find_first_not_of("0123456789/.:- ,%e") == std::string::npos)
    return true;
  static const char* months[] = {"jan", "feb", "mar", "apr", "may", "jun",
                                 "jul", "aug", "sep", "oct", "nov", "dec"};
  auto month_word = [&](std::string_view w) {
    if (w.size() < 3) return false;
    for (const char* m : months)
      if (w.substr(0, 3) == m &&
          std::all_of(w.begin(), w.end(), [](unsigned char c) { return std::isalpha(c); }))
        return true;
    return false;
  };
  size_t first_digit = l.find_first_of("0123456789");
  if (first_digit == std::string::npos) return false;
  if (first_digit == 0) { // 1-jan, 1 jan, 1/jan/2026
    size_t w = l.find_first_not_of("0123456789/.- ");
    size_t e = l.find_first_not_of("abcdefghijklmnopqrstuvwxyz", w);
    return w != std::string::npos && month_word(std::string_view(l).substr(w, e - w)) &&
           (e == std::string::npos ||
            l.find_first_not_of("0123456789/.- ", e) == std::string::npos);
  }
  // jan-1, sept2, mar 2026
  size_t e = l.find_first_not_of("abcdefghijklmnopqrstuvwxyz");
  return month_word(std::string_view(l).substr(0, e)) &&
         l.find_first_not_of("0123456789/.- ", e) == std::string::npos;
}

// One CSV cell (RFC 4180 quoting), valid UTF-8, never read as a formula or
// converted by a spreadsheet program: a cell that starts with = + - @, tab or
// CR (OWASP's formula-injection list) and is not a plain number or a lone
// "-", or that a
// spreadsheet would turn into a date or number (spreadsheet_converts), gets
// a leading ' and is quoted. docs/cli.md describes the rule.
bool marks_as_text(const std::string& s) {
  bool formula = !s.empty() && std::string_view("=+-@\t\r").find(s[0]) != std::string_view::npos &&
                 !plain_number(s) && s != "-"; // "-" is the reports' "none"
  return formula || spreadsheet_converts(s);
}

std::string csv_field(const std::string& raw) {
  std::string s = valid_utf8(raw);
  bool as_text = marks_as_text(s);
  if (!as_text && s.find_first_of(",\"\r\n") == std::string::npos) return s;
  std::string out = as_text ? "\"'" : "\"";
  for (char c : s) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

// Markdown: valid UTF-8 without terminal controls (Markdown is read with
// `cat` too), | escaped, HTML's & < > as entities, newlines as <br>.
std::string md_cell(const std::string& raw) {
  std::string out;
  for (char c : terminal_safe(raw, true)) {
    if (c == '|')
      out += "\\|";
    else if (c == '\n')
      out += "<br>";
    else if (c == '&')
      out += "&amp;";
    else if (c == '<')
      out += "&lt;";
    else if (c == '>')
      out += "&gt;";
    else
      out += c;
  }
  return out;
}

// The first `n` code points of valid UTF-8 `s`.
std::string first_code_points(const std::string& s, size_t n) {
  size_t i = 0;
  for (size_t seen = 0; i < s.size(); ++i) {
    if ((static_cast<unsigned char>(s[i]) & 0xC0) != 0x80 && seen++ == n) break;
  }
  return s.substr(0, i);
}

// Excel sheet names: at most 31 characters, none of []:*?/\ nor controls, not
// starting or ending with ', unique (case-insensitively).
std::string sheet_name(const std::string& want, std::set<std::string>& used) {
  std::string base;
  for (char c : valid_utf8(want))
    base += std::string("[]:*?/\\").find(c) == std::string::npos &&
                    static_cast<unsigned char>(c) >= 0x20
                ? c
                : '_';
  if (!base.empty() && base.front() == '\'') base.front() = '_';
  if (base.empty()) base = "Sheet";
  auto lower = [](std::string s) {
    std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
    return s;
  };
  auto fit = [&](size_t n) {
    std::string b = first_code_points(base, n);
    if (!b.empty() && b.back() == '\'') b.back() = '_';
    return b;
  };
  std::string name = fit(31);
  for (int i = 2; used.count(lower(name)); ++i) {
    std::string suffix = "_" + std::to_string(i);
    name = fit(31 - suffix.size()) + suffix;
  }
  used.insert(lower(name));
  return name;
}

// Every text of `tables` passed through `f`.
template <class F> std::vector<Table> mapped(const std::vector<Table>& tables, F f) {
  std::vector<Table> out = tables;
  for (auto& tb : out) {
    tb.name = f(tb.name);
    tb.title = f(tb.title);
    for (auto& h : tb.headers) h = f(h);
    for (auto& r : tb.rows)
      for (auto& c : r) c = f(c);
    for (auto& n : tb.notes) n = f(n);
  }
  return out;
}

} // namespace

std::string render_terminal(const std::vector<Table>& raw) {
  // Escaped before measuring: the columns line up with what is printed.
  std::vector<Table> tables = mapped(raw, [](const std::string& s) { return terminal_safe(s); });
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

std::string render_json(const std::vector<Table>& raw) {
  // Keys and values valid UTF-8: nlohmann refuses to dump anything else.
  std::vector<Table> tables = mapped(raw, [](const std::string& s) { return valid_utf8(s); });
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

namespace {

// A private directory for libxlsxwriter, which can only write to a file name.
struct TempDir {
  std::string path;
  TempDir() {
    const char* base = std::getenv("TMPDIR");
    std::string t = std::string(base && *base ? base : "/tmp") + "/keyplan-xlsx-XXXXXX";
    if (::mkdtemp(t.data())) path = t;
  }
  ~TempDir() {
    std::error_code ec;
    if (!path.empty()) std::filesystem::remove_all(path, ec);
  }
};

// XLSX strings: valid UTF-8 (libxlsxwriter escapes control characters as
// _xHHHH_) and at most 32,767 characters (Excel's limit; longer ones are
// cut with a marker instead of being dropped).
std::string xlsx_text(const std::string& s) {
  constexpr size_t kMax = 32767;
  std::string v = valid_utf8(s);
  if (display_width(v) <= kMax) return v;
  return first_code_points(v, kMax - 1) + "\xE2\x80\xA6"; // …
}

} // namespace

bool csv_marks_as_text(const std::string& value) {
  return marks_as_text(valid_utf8(value));
}

bool write_xlsx(const std::string& path, const std::vector<Table>& raw, std::string* error) {
  std::vector<Table> tables = mapped(raw, xlsx_text);
  TempDir dir;
  if (dir.path.empty()) {
    if (error)
      *error = "cannot write " + path + ": creating a temporary directory: " + std::strerror(errno);
    return false;
  }
  std::string tmp = dir.path + "/report.xlsx";
  lxw_workbook_options wo{};
  wo.tmpdir = dir.path.data();
  lxw_workbook* wb = workbook_new_opt(tmp.c_str(), &wo);
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
  if (err != LXW_NO_ERROR) {
    if (error) *error = "cannot write " + path + ": " + lxw_strerror(err);
    return false;
  }
  std::ifstream in(tmp, std::ios::binary);
  std::stringstream bytes;
  bytes << in.rdbuf();
  if (!in) {
    if (error) *error = "cannot write " + path + ": reading the workbook back";
    return false;
  }
  return write_output_file(path, bytes.str(), error);
}

} // namespace keyplan::sim
