#include "simulator/import_run.hpp"

#include "compiler/compile.hpp"
#include "runtime/data_loader.hpp"
#include "simulator/import_table.hpp"
#include "simulator/import_users.hpp"
#include "simulator/output_file.hpp"
#include "simulator/text.hpp"

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
  if (!read_import_table(name, bytes, ro, table, problems)) {
    for (const auto& p : problems) err << p << "\n";
    err << "keyplan import: nothing imported\n";
    return 2;
  }
  for (const auto& n : table.notes) out << "note: " << n << "\n";

  CompileOptions co;
  co.search_path = o.path;
  CompileResult compiled = compile_policy(o.policy, co);
  if (compiled.diags.has_errors() || !compiled.policy) {
    err << compiled.diags.render_text(*compiled.sources, false);
    return 2;
  }
  rt::Snapshot snapshot(*compiled.policy);
  std::string data_text;
  std::error_code ec;
  if (std::filesystem::exists(o.into, ec)) {
    Diagnostics diags;
    if (!rt::read_data_file(o.into, data_text, diags) ||
        (!data_text.empty() &&
         !rt::load_data(snapshot, data_text, o.into, diags, *compiled.sources))) {
      err << diags.render_text(*compiled.sources, false);
      err << "keyplan import: " << valid_utf8(o.into) << " must load before an import\n";
      return 2;
    }
  }
  UserImportResult r = import_users(snapshot, data_text, name, table);
  if (!r.problems.empty()) {
    // F-I5: every problem at once, nothing applied.
    for (const auto& p : r.problems) err << p << "\n";
    err << fmt::format("keyplan import: {} problem{}, nothing imported\n", r.problems.size(),
                       r.problems.size() == 1 ? "" : "s");
    return 2;
  }
  // What is written must load as keyplan data: checked before the file is touched.
  {
    rt::Snapshot check(*compiled.policy);
    Diagnostics diags;
    if (!r.new_text.empty() && !rt::load_data(check, r.new_text, o.into + " (after the import)",
                                              diags, *compiled.sources)) {
      err << diags.render_text(*compiled.sources, false);
      err << "keyplan import: the imported data would not load; nothing imported\n";
      return 2;
    }
  }
  out << import_summary(r, name);
  if (o.dry_run) {
    out << fmt::format("dry run: {} not changed\n", valid_utf8(o.into));
    return 0;
  }
  if (r.new_text == data_text) {
    out << fmt::format("{}: nothing to change\n", valid_utf8(o.into));
    return 0;
  }
  if (!write_output_file(o.into, r.new_text, &error)) {
    err << "keyplan import: " << error << "\n";
    return 2;
  }
  out << fmt::format("{}: written (only the changed and new User entries; comments and layout "
                     "elsewhere kept)\n",
                     valid_utf8(o.into));
  return 0;
}

} // namespace keyplan::sim
