#include "simulator/import_table.hpp"

#include "compiler/diagnostics.hpp"
#include "simulator/text.hpp"

#include <algorithm>
#include <csv.h>
#include <fmt/format.h>
#include <map>
#include <memory>
#include <pugixml.hpp>
#include <zip.h>

namespace keyplan::sim {
namespace {

// Windows-1252 0x80..0x9F (0 = undefined, kept as U+FFFD); 0xA0..0xFF are Latin-1.
constexpr uint16_t kCp1252High[32] = {
    0x20AC, 0,      0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160,
    0x2039, 0x0152, 0,      0x017D, 0,      0,      0x2018, 0x2019, 0x201C, 0x201D, 0x2022,
    0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0,      0x017E, 0x0178};

void append_utf8(std::string& out, uint32_t cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

bool is_valid_utf8(std::string_view s) {
  return valid_utf8(s) == s;
}

// Detects the separator from the first line: `;` or `,`, whichever occurs
// more often outside quotes (Excel in German locales writes `;`).
char detect_separator(std::string_view text) {
  size_t semis = 0, commas = 0;
  bool quoted = false;
  for (char c : text) {
    if (c == '"') quoted = !quoted;
    if (quoted) continue;
    if (c == '\n' || c == '\r') break;
    semis += c == ';';
    commas += c == ',';
  }
  return semis > commas ? ';' : ',';
}

struct CsvState {
  ImportTable* table = nullptr;
  std::vector<std::string> record;
  int64_t line = 1; // the line being fed to the parser
  int64_t record_start = 1;
  bool header_done = false;
};

void on_field(void* data, size_t len, void* st) {
  auto* s = static_cast<CsvState*>(st);
  // The record starts on the line its first field started on (a quoted
  // field may span lines; blank lines before it are skipped by libcsv).
  if (s->record.empty() && data)
    s->record_start = s->line - std::count(static_cast<const char*>(data),
                                           static_cast<const char*>(data) + len, '\n');
  else if (s->record.empty())
    s->record_start = s->line;
  s->record.emplace_back(data ? static_cast<const char*>(data) : "", data ? len : 0);
}

void on_record(int, void* st) {
  auto* s = static_cast<CsvState*>(st);
  std::vector<std::string> cells = std::move(s->record);
  s->record.clear();
  if (!s->header_done) {
    s->table->header = std::move(cells);
    s->header_done = true;
  } else {
    bool empty = true;
    for (const auto& c : cells) empty = empty && c.find_first_not_of(" \t") == std::string::npos;
    if (!empty) s->table->rows.push_back({s->record_start, std::move(cells)});
  }
  s->record_start = s->line + 1;
}

bool read_csv(const std::string& name, std::string_view bytes, const ImportReadOptions& options,
              ImportTable& table, std::vector<std::string>& errors) {
  bool was_1252 = false;
  std::string text = decode_import_text(bytes, was_1252);
  if (was_1252)
    table.notes.push_back(fmt::format("{}: not valid UTF-8, read as Windows-1252", name));
  char sep = options.separator ? options.separator : detect_separator(text);
  if (!options.separator)
    table.notes.push_back(fmt::format("{}: separator '{}' (detected)", name, sep));
  csv_parser p;
  if (csv_init(&p, CSV_STRICT | CSV_STRICT_FINI) != 0) {
    errors.push_back(fmt::format("{}: cannot start the CSV parser", name));
    return false;
  }
  std::unique_ptr<csv_parser, void (*)(csv_parser*)> guard(&p, csv_free);
  csv_set_delim(&p, static_cast<unsigned char>(sep));
  CsvState st;
  st.table = &table;
  // Fed one line at a time so that every record knows the line it starts on.
  size_t pos = 0;
  while (pos < text.size()) {
    size_t nl = text.find('\n', pos);
    size_t end = nl == std::string::npos ? text.size() : nl + 1;
    if (csv_parse(&p, text.data() + pos, end - pos, on_field, on_record, &st) != end - pos) {
      errors.push_back(fmt::format("{}:{}: not a CSV file: {} (RFC 4180: a quote inside a "
                                   "quoted cell is written twice)",
                                   name, st.line, csv_strerror(csv_error(&p))));
      return false;
    }
    if (text[end - 1] == '\n') ++st.line;
    pos = end;
  }
  if (csv_fini(&p, on_field, on_record, &st) != 0) {
    errors.push_back(
        fmt::format("{}:{}: not a CSV file: a quoted cell is not closed", name, st.record_start));
    return false;
  }
  return true;
}

// ------------------------------------------------------------------- XLSX

constexpr zip_uint64_t kMaxXlsxPart = 64u << 20; // a zip bomb stops here
// Cells kept in all (a sparse row with a cell in column XFD holds 16384).
constexpr size_t kMaxXlsxCells = 4u << 20;

bool read_zip_entry(zip_t* z, const char* entry, std::string& out, bool& too_big) {
  zip_stat_t zs;
  if (zip_stat(z, entry, 0, &zs) != 0) return false;
  if (!(zs.valid & ZIP_STAT_SIZE) || zs.size > kMaxXlsxPart) {
    too_big = true;
    return false;
  }
  zip_file_t* f = zip_fopen(z, entry, 0);
  if (!f) return false;
  out.resize(zs.size);
  zip_int64_t n = zip_fread(f, out.data(), zs.size);
  zip_fclose(f);
  if (n < 0 || static_cast<zip_uint64_t>(n) != zs.size) return false;
  return true;
}

// "BC12" → column 54 (0-based), or -1.
int64_t column_of(const char* ref) {
  int64_t col = 0;
  bool any = false;
  for (; *ref >= 'A' && *ref <= 'Z'; ++ref) {
    col = col * 26 + (*ref - 'A' + 1);
    if (col > 16384) return -1; // Excel's last column is XFD
    any = true;
  }
  return any ? col - 1 : -1;
}

std::string text_of(const pugi::xml_node& n) {
  // <si>/<is>: a plain <t>, or rich-text runs <r><t>; phonetic runs (<rPh>) left out.
  std::string out;
  for (auto t : n.select_nodes(".//*[local-name()='t'][not(ancestor::*[local-name()='rPh'])]"))
    out += t.node().child_value();
  return out;
}

// A number cell as the spreadsheet shows it: 42 rather than 42.0.
std::string number_text(const std::string& v) {
  size_t dot = v.find('.');
  if (dot == std::string::npos || v.find_first_of("eE") != std::string::npos) return v;
  size_t end = v.find_last_not_of('0');
  if (end == dot) return v.substr(0, dot);
  return v.substr(0, end + 1);
}

// The workbook's sheets in order, as (name, part in the archive), from
// xl/workbook.xml and its relationships; empty when the workbook does not
// list them (then xl/worksheets/sheet1.xml is the only sheet read).
std::vector<std::pair<std::string, std::string>> workbook_sheets(zip_t* z) {
  std::vector<std::pair<std::string, std::string>> out;
  std::string wb_xml, rels_xml;
  bool too_big = false;
  if (!read_zip_entry(z, "xl/workbook.xml", wb_xml, too_big) ||
      !read_zip_entry(z, "xl/_rels/workbook.xml.rels", rels_xml, too_big))
    return out;
  pugi::xml_document wb, rels;
  if (!wb.load_buffer(wb_xml.data(), wb_xml.size()) ||
      !rels.load_buffer(rels_xml.data(), rels_xml.size()))
    return out;
  std::map<std::string, std::string> target; // relationship id -> part
  for (auto r : rels.document_element().children()) {
    std::string t = r.attribute("Target").value();
    // Relative to xl/, or absolute in the archive.
    target[r.attribute("Id").value()] = t.rfind('/', 0) == 0 ? t.substr(1) : "xl/" + t;
  }
  for (auto sh : wb.document_element().child("sheets").children("sheet")) {
    std::string rid;
    for (auto a : sh.attributes())
      if (std::string_view(a.name()).size() >= 3 &&
          std::string_view(a.name()).substr(std::string_view(a.name()).size() - 3) == ":id")
        rid = a.value();
    auto it = target.find(rid);
    if (it == target.end()) return {};
    out.emplace_back(valid_utf8(sh.attribute("name").value()), it->second);
  }
  return out;
}

bool read_xlsx(const std::string& name, std::string_view bytes, const ImportReadOptions& options,
               ImportTable& table, std::vector<std::string>& errors) {
  zip_error_t zerr;
  zip_error_init(&zerr);
  zip_source_t* src = zip_source_buffer_create(bytes.data(), bytes.size(), 0, &zerr);
  zip_t* z = src ? zip_open_from_source(src, ZIP_RDONLY, &zerr) : nullptr;
  if (!z) {
    errors.push_back(fmt::format("{}: not an XLSX workbook: {}", name, zip_error_strerror(&zerr)));
    if (src) zip_source_free(src);
    zip_error_fini(&zerr);
    return false;
  }
  zip_error_fini(&zerr);
  std::unique_ptr<zip_t, int (*)(zip_t*)> guard(z, zip_close);
  std::string shared_xml, sheet_xml, part = "xl/worksheets/sheet1.xml";
  auto sheets = workbook_sheets(z);
  for (const auto& sh : sheets) table.sheets.push_back(sh.first);
  if (!sheets.empty()) {
    size_t pick = 0;
    if (!options.sheet.empty()) {
      pick = sheets.size();
      for (size_t i = 0; i < sheets.size(); ++i)
        if (sheets[i].first == options.sheet) pick = i;
      if (pick == sheets.size()) {
        std::string hint = did_you_mean(options.sheet, table.sheets);
        errors.push_back(fmt::format(
            "{}: no sheet '{}'{}; the workbook's sheets: {}", name, valid_utf8(options.sheet),
            hint.empty() ? "" : " (" + hint + ")", fmt::join(table.sheets, ", ")));
        return false;
      }
    }
    table.sheet = sheets[pick].first;
    part = sheets[pick].second;
  } else if (!options.sheet.empty()) {
    errors.push_back(fmt::format("{}: --sheet '{}': the workbook does not list its sheets", name,
                                 valid_utf8(options.sheet)));
    return false;
  }
  bool too_big = false;
  if (!read_zip_entry(z, part.c_str(), sheet_xml, too_big)) {
    errors.push_back(
        fmt::format("{}: not an XLSX workbook: {}", name,
                    too_big ? "the sheet is too large" : "no sheet part (" + part + ")"));
    return false;
  }
  std::vector<std::string> shared;
  if (read_zip_entry(z, "xl/sharedStrings.xml", shared_xml, too_big)) {
    pugi::xml_document sd;
    if (!sd.load_buffer(shared_xml.data(), shared_xml.size())) {
      errors.push_back(
          fmt::format("{}: not an XLSX workbook: xl/sharedStrings.xml is not XML", name));
      return false;
    }
    for (auto si : sd.document_element().children("si")) shared.push_back(text_of(si));
  } else if (too_big) {
    errors.push_back(
        fmt::format("{}: not an XLSX workbook: the shared strings are too large", name));
    return false;
  }
  pugi::xml_document doc;
  if (!doc.load_buffer(sheet_xml.data(), sheet_xml.size())) {
    errors.push_back(fmt::format("{}: not an XLSX workbook: the first sheet is not XML", name));
    return false;
  }
  bool header_done = false;
  int64_t next_row = 1;
  size_t total_cells = 0;
  for (auto row : doc.document_element().child("sheetData").children("row")) {
    int64_t r = row.attribute("r").as_llong(next_row);
    next_row = r + 1;
    std::vector<std::string> cells;
    for (auto c : row.children("c")) {
      int64_t col = c.attribute("r") ? column_of(c.attribute("r").value())
                                     : static_cast<int64_t>(cells.size());
      if (col < 0) {
        errors.push_back(fmt::format("{}:{}: not an XLSX workbook: bad cell reference '{}'", name,
                                     r, valid_utf8(c.attribute("r").value())));
        return false;
      }
      std::string type = c.attribute("t").value();
      std::string v = c.child_value("v");
      std::string value;
      if (type == "s") {
        size_t i = static_cast<size_t>(c.child("v").text().as_ullong(~0ull));
        if (i >= shared.size()) {
          errors.push_back(fmt::format("{}:{}: not an XLSX workbook: shared string {} missing",
                                       name, r, valid_utf8(v)));
          return false;
        }
        value = shared[i];
      } else if (type == "inlineStr") {
        value = text_of(c.child("is"));
      } else if (type == "b") {
        value = v == "1" ? "true" : "false";
      } else if (type == "str" || type == "e") {
        value = v;
      } else {
        value = number_text(v);
      }
      if (static_cast<size_t>(col) >= cells.size()) {
        total_cells += static_cast<size_t>(col) + 1 - cells.size();
        if (total_cells > kMaxXlsxCells) {
          errors.push_back(fmt::format("{}:{}: the sheet is too large (more than {} cells)", name,
                                       r, kMaxXlsxCells));
          return false;
        }
        cells.resize(static_cast<size_t>(col) + 1);
      }
      cells[static_cast<size_t>(col)] = valid_utf8(value);
    }
    if (!header_done) {
      table.header = std::move(cells);
      header_done = true;
      continue;
    }
    bool empty = true;
    for (const auto& c : cells) empty = empty && c.find_first_not_of(" \t") == std::string::npos;
    if (!empty) table.rows.push_back({r, std::move(cells)});
  }
  return true;
}

} // namespace

std::string decode_import_text(std::string_view bytes, bool& was_1252) {
  was_1252 = false;
  if (bytes.substr(0, 3) == "\xEF\xBB\xBF") bytes.remove_prefix(3);
  if (is_valid_utf8(bytes)) return std::string(bytes);
  was_1252 = true;
  std::string out;
  out.reserve(bytes.size() + bytes.size() / 4);
  for (unsigned char c : bytes) {
    if (c < 0x80)
      out += static_cast<char>(c);
    else if (c < 0xA0)
      append_utf8(out, kCp1252High[c - 0x80] ? kCp1252High[c - 0x80] : 0xFFFD);
    else
      append_utf8(out, c);
  }
  return out;
}

bool is_xlsx(std::string_view bytes) {
  return bytes.substr(0, 4) == std::string_view("PK\x03\x04", 4);
}

bool read_import_table(const std::string& name, std::string_view bytes,
                       const ImportReadOptions& options, ImportTable& table,
                       std::vector<std::string>& errors) {
  table = {};
  if (!is_xlsx(bytes) && !options.sheet.empty()) {
    errors.push_back(fmt::format("{}: --sheet is for XLSX workbooks; this is a CSV file", name));
    return false;
  }
  bool ok = is_xlsx(bytes) ? read_xlsx(name, bytes, options, table, errors)
                           : read_csv(name, bytes, options, table, errors);
  if (ok && table.header.empty()) {
    errors.push_back(fmt::format("{}:1: the file is empty: the first row names the columns", name));
    return false;
  }
  return ok;
}

} // namespace keyplan::sim
