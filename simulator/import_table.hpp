// Reading the table of a user import (F-I1): a CSV file (RFC 4180, through
// libcsv) or the first sheet of an XLSX workbook (libzip + pugixml), as
// rows of UTF-8 cells with the line (CSV) or row (XLSX) each starts on.
// A workbook of several sheets: the first (in the workbook's order) or the
// one named by ImportReadOptions::sheet (`--sheet NAME`).
//
// Encodings as real exports come: UTF-8 with or without a byte order mark;
// text that is not valid UTF-8 is read as Windows-1252 (and a note says so).
// The CSV separator is `;` or `,`: given, or detected from the header line
// (the one that occurs more often outside quotes; a tie is `,`).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace keyplan::sim {

struct ImportRow {
  int64_t line = 0; // 1-based: the CSV line the record starts on, or the XLSX row number
  std::vector<std::string> cells;
};

struct ImportTable {
  std::vector<std::string> header; // the first row
  std::vector<ImportRow> rows;     // the data rows after it, empty rows left out
  std::vector<std::string> notes;  // what the reader decided (encoding, separator)
  std::vector<std::string> sheets; // XLSX: the workbook's sheet names, in order
  std::string sheet;               // XLSX: the name of the sheet read
};

struct ImportReadOptions {
  char separator = 0; // ';' or ','; 0 = detect
  std::string sheet;  // XLSX: the sheet to read by name; empty = the first
};

// Whether `bytes` look like an XLSX workbook (a ZIP archive).
bool is_xlsx(std::string_view bytes);

// Reads `bytes` (named `name` in messages). false with `errors` filled
// ("NAME:LINE: what") when the file cannot be read as a table.
bool read_import_table(const std::string& name, std::string_view bytes,
                       const ImportReadOptions& options, ImportTable& table,
                       std::vector<std::string>& errors);

// Text decoding, exposed for tests: strips a UTF-8 BOM; text that is not
// valid UTF-8 is decoded as Windows-1252 (`was_1252` set).
std::string decode_import_text(std::string_view bytes, bool& was_1252);

} // namespace keyplan::sim
