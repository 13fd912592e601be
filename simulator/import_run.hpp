// `keyplan import users` as a function (the CLI and the tests call it): read
// the table, compile the model, load the data file, import (F-I1..F-I4),
// and on success print the summary and replace the data file atomically
// (F-I5; sim::write_output_file keeps the mode) unless `dry_run`.
#pragma once

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
};

// The exit code: 0 imported (or a clean dry run), 2 any problem (all of them
// listed on `err`; the data file untouched).
int run_user_import(const UserImportOptions& o, std::ostream& out, std::ostream& err);

} // namespace keyplan::sim
