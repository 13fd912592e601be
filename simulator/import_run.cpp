#include "simulator/import_run.hpp"

#include "compiler/compile.hpp"
#include "runtime/data_loader.hpp"
#include "simulator/import_table.hpp"
#include "simulator/import_users.hpp"
#include "simulator/output_file.hpp"
#include "simulator/text.hpp"

#include <algorithm>
#include <filesystem>
#include <fmt/format.h>
#include <fstream>
#include <sstream>

namespace keyplan::sim {
namespace {

constexpr uintmax_t kMaxTableBytes = 64u << 20;

bool read_table_bytes(const std::string& path, std::string& bytes, std::string& error) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec)) {
    error = fmt::format("cannot read {}: not a file", valid_utf8(path));
    return false;
  }
  if (std::filesystem::file_size(path, ec) > kMaxTableBytes) {
    error = fmt::format("cannot read {}: larger than 64 MiB", valid_utf8(path));
    return false;
  }
  std::ifstream in(path, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  if (!in && !in.eof()) {
    error = fmt::format("cannot read {}", valid_utf8(path));
    return false;
  }
  bytes = ss.str();
  return true;
}

std::string display_name(const std::string& path) {
  return valid_utf8(std::filesystem::path(path).filename().string());
}

} // namespace

bool read_import_file(const std::string& path, std::string& bytes, std::string& error) {
  return read_table_bytes(path, bytes, error);
}

std::string import_display_name(const std::string& path) {
  return display_name(path);
}

bool open_import_target(const std::string& policy, const std::vector<std::string>& path,
                        const std::string& into, ImportTarget& t, std::ostream& err) {
  CompileOptions co;
  co.search_path = path;
  t.compiled = std::make_unique<CompileResult>(compile_policy(policy, co));
  if (t.compiled->diags.has_errors() || !t.compiled->policy) {
    err << t.compiled->diags.render_text(*t.compiled->sources, false);
    return false;
  }
  t.snapshot = std::make_unique<rt::Snapshot>(*t.compiled->policy);
  t.data_text.clear();
  std::error_code ec;
  if (!into.empty() && std::filesystem::exists(into, ec)) {
    Diagnostics diags;
    if (!rt::read_data_file(into, t.data_text, diags) ||
        (!t.data_text.empty() &&
         !rt::load_data(*t.snapshot, t.data_text, into, diags, *t.compiled->sources))) {
      err << diags.render_text(*t.compiled->sources, false);
      err << "keyplan import: " << valid_utf8(into) << " must load before an import\n";
      return false;
    }
  }
  return true;
}

int finish_import(const ImportTarget& t, const std::string& into, const std::string& new_text,
                  const std::string& summary, bool dry_run, std::ostream& out, std::ostream& err) {
  // What is written must load as keyplan data: checked before the file is touched.
  {
    rt::Snapshot check(*t.compiled->policy);
    Diagnostics diags;
    std::string label = (into.empty() ? std::string("data") : into) + " (after the import)";
    if (!new_text.empty() && !rt::load_data(check, new_text, label, diags, *t.compiled->sources)) {
      err << diags.render_text(*t.compiled->sources, false);
      err << "keyplan import: the imported data would not load; nothing imported\n";
      return 2;
    }
  }
  if (into.empty()) {
    err << summary;
    if (dry_run) return 0;
    std::string error;
    if (!write_output_file("-", new_text, &error)) {
      err << "keyplan import: " << error << "\n";
      return 2;
    }
    return 0;
  }
  out << summary;
  if (dry_run) {
    out << fmt::format("dry run: {} not changed\n", valid_utf8(into));
    return 0;
  }
  if (new_text == t.data_text) {
    out << fmt::format("{}: nothing to change\n", valid_utf8(into));
    return 0;
  }
  std::string error;
  if (!write_output_file(into, new_text, &error)) {
    err << "keyplan import: " << error << "\n";
    return 2;
  }
  out << fmt::format("{}: written (only the changed and new entries; comments and layout "
                     "elsewhere kept)\n",
                     valid_utf8(into));
  return 0;
}

int run_user_import(const UserImportOptions& o, std::ostream& out, std::ostream& err) {
  const std::string name = display_name(o.table);
  std::string bytes, error;
  if (!read_table_bytes(o.table, bytes, error)) {
    err << "keyplan import: " << error << "\n";
    return 2;
  }
  ImportTable table;
  std::vector<std::string> problems;
  ImportReadOptions ro;
  ro.separator = o.separator;
  ro.sheet = o.sheet;
  if (!read_import_table(name, bytes, ro, table, problems)) {
    for (const auto& p : problems) err << p << "\n";
    err << "keyplan import: nothing imported\n";
    return 2;
  }
  for (const auto& n : table.notes) out << "note: " << n << "\n";
  ImportTarget t;
  if (!open_import_target(o.policy, o.path, o.into, t, err)) return 2;
  UserImportResult r = import_users(*t.snapshot, t.data_text, name, table);
  if (!r.problems.empty()) {
    // F-I5: every problem at once, nothing applied.
    for (const auto& p : r.problems) err << p << "\n";
    // A workbook whose first sheet is not the user list: its header is wrong.
    const std::string header_at = name + ":1:";
    if (o.sheet.empty() && table.sheets.size() > 1 &&
        std::any_of(r.problems.begin(), r.problems.end(),
                    [&](const std::string& p) { return p.rfind(header_at, 0) == 0; }))
      err << fmt::format("{}: the first sheet, '{}', does not have the user list's columns; "
                         "the workbook's sheets: {} (choose one with --sheet NAME)\n",
                         name, table.sheet, fmt::join(table.sheets, ", "));
    err << fmt::format("keyplan import: {} problem{}, nothing imported\n", r.problems.size(),
                       r.problems.size() == 1 ? "" : "s");
    return 2;
  }
  return finish_import(t, o.into, r.new_text, import_summary(r, name), o.dry_run, out, err);
}

} // namespace keyplan::sim
