// `keyplan import users` as a function (the CLI and the tests call it): read
// the table, compile the model, load the data file, import (F-I1..F-I4),
// and on success print the summary and replace the data file atomically
// (F-I5; sim::write_output_file keeps the mode) unless `dry_run`.
#pragma once

#include "compiler/compile.hpp"
#include "runtime/snapshot.hpp"

#include <memory>
#include <ostream>
#include <string>
#include <vector>

namespace keyplan::sim {

struct UserImportOptions {
  std::string table; // FILE.csv or FILE.xlsx
  std::string into;  // DATA.yaml (created when missing)
  std::string policy = "std.desk_booking";
  std::vector<std::string> path; // extra module directories
  bool dry_run = false;
  char separator = 0; // ';' or ','; 0 = detect
  std::string sheet;  // XLSX: the sheet by name (--sheet); empty = the first
};

// The exit code: 0 imported (or a clean dry run), 2 any problem (all of them
// listed on `err`; the data file untouched).
int run_user_import(const UserImportOptions& o, std::ostream& out, std::ostream& err);

// The pieces every import (users, scim, saml-groups) shares.

// Reads an input file of at most 64 MiB.
bool read_import_file(const std::string& path, std::string& bytes, std::string& error);

// The file name of `path` as problems name it.
std::string import_display_name(const std::string& path);

// The model compiled and the data file `into` loaded (an absent file, or an
// empty `into`, is an empty tenant).
struct ImportTarget {
  std::unique_ptr<CompileResult> compiled;
  std::unique_ptr<rt::Snapshot> snapshot;
  std::string data_text;
};
// False with the errors on `err` (exit 2).
bool open_import_target(const std::string& policy, const std::vector<std::string>& path,
                        const std::string& into, ImportTarget& t, std::ostream& err);

// F-I5's end of every import: `new_text` must load; the summary is printed
// (on `err` when the data goes to stdout); a dry run stops there; otherwise
// `into` is replaced atomically, or with `into` empty the new data is
// written to `out`. The exit code.
int finish_import(const ImportTarget& t, const std::string& into, const std::string& new_text,
                  const std::string& summary, bool dry_run, std::ostream& out, std::ostream& err);

} // namespace keyplan::sim
