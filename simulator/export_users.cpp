#include "simulator/export_users.hpp"

#include "compiler/diagnostics.hpp"
#include "runtime/interpreter.hpp"
#include "simulator/directory_model.hpp"
#include "simulator/import_run.hpp"
#include "simulator/output_file.hpp"
#include "simulator/text.hpp"

#include <algorithm>
#include <filesystem>
#include <fmt/format.h>
#include <optional>

namespace keyplan::sim {
namespace {

std::string cell_text(const rt::Snapshot& snap, const ir::Value& v) {
  const ir::Policy& p = snap.policy();
  switch (v.tag) {
  case ir::Value::Tag::None:
    return "";
  case ir::Value::Tag::Bool:
    return v.num ? "yes" : "no";
  case ir::Value::Tag::Int:
    return std::to_string(v.num);
  case ir::Value::Tag::String:
    return v.str;
  case ir::Value::Tag::Enum:
    return p.enums[static_cast<size_t>(v.ref)].members[static_cast<size_t>(v.num)];
  case ir::Value::Tag::Entity:
    return snap.id(v.ref, static_cast<int32_t>(v.num));
  case ir::Value::Tag::Set: {
    std::string s;
    for (const auto& e : v.elems) s += (s.empty() ? "" : ", ") + cell_text(snap, e);
    return s;
  }
  default:
    return snap.format(v);
  }
}

} // namespace

Table users_export_table(const rt::Snapshot& snap) {
  const ir::Policy& p = snap.policy();
  Table t;
  t.name = "users";
  int32_t user = directory_model(p).user;
  if (user < 0) return t;
  const auto& ent = p.entities[static_cast<size_t>(user)];
  std::vector<int32_t> attrs;
  for (size_t a = 0; a < ent.attributes.size(); ++a)
    if (!ent.attributes[a].columns.empty()) {
      attrs.push_back(static_cast<int32_t>(a));
      t.headers.push_back(ent.attributes[a].columns[0]);
    }
  for (int32_t row = 0; row < snap.count(user); ++row) {
    std::vector<std::string> r;
    for (int32_t a : attrs) r.push_back(cell_text(snap, snap.get(user, row, a)));
    t.rows.push_back(std::move(r));
  }
  return t;
}

Table group_members_table(const rt::Snapshot& snap, int32_t group_row) {
  const ir::Policy& p = snap.policy();
  Table t;
  const DirectoryModel d = directory_model(p);
  const int32_t user = d.user, group = d.group, name_a = d.name, email_a = d.key;
  const auto& ent = p.entities[static_cast<size_t>(user)];
  // Headers: the user type, then the name's and the email's first import
  // column (std.desk_booking: User, Name, Email).
  auto header = [&](int32_t a, const char* fallback) {
    if (a < 0) return std::string(fallback);
    const auto& attr = ent.attributes[static_cast<size_t>(a)];
    return attr.columns.empty() ? attr.name : attr.columns[0];
  };
  t.headers = {ent.name, header(name_a, "name"), header(email_a, "")};
  t.name = snap.id(group, group_row);
  // The members: users whose effective groups (the model's
  // @effective_membership rule, e.g. ALL for everyone, F-G2) or, without
  // one, whose @membership attribute lists the group.
  std::optional<rt::Interpreter> interp;
  if (d.effective >= 0) interp.emplace(p, snap);
  rt::EvalOptions eval;
  for (int32_t row = 0; row < snap.count(user); ++row) {
    ir::Value groups;
    if (interp) {
      rt::Decision r = interp->evaluate(d.effective, {rt::RtValue::entity(user, row)}, eval);
      groups = r.value;
    } else {
      groups = snap.get(user, row, d.groups);
    }
    bool in = false;
    for (const auto& e : groups.elems)
      if (e.ref == group && e.num == group_row) in = true;
    if (!in) continue;
    t.rows.push_back({snap.id(user, row), name_a >= 0 ? snap.get(user, row, name_a).str : "",
                      email_a >= 0 ? snap.get(user, row, email_a).str : ""});
  }
  std::sort(t.rows.begin(), t.rows.end());
  return t;
}

std::string azure_members_csv(const Table& members) {
  Table t;
  t.headers = {"version:v1.0"};
  t.rows.push_back({"Member object ID or user principal name [memberObjectIdOrUpn] Required"});
  for (const auto& r : members.rows)
    if (r.size() > 2 && !r[2].empty()) t.rows.push_back({r[2]});
  return render_csv({t});
}

int run_export(const ExportOptions& o, std::ostream& out, std::ostream& err) {
  (void)out;
  bool members = o.what == "group-members";
  if (o.format == "xlsx" && (o.output.empty() || o.output == "-")) {
    err << "keyplan export: --format xlsx needs --output FILE\n";
    return 2;
  }
  if (o.format == "azure-csv" && !members) {
    err << "keyplan export: --format azure-csv is for group-members\n";
    return 2;
  }
  ImportTarget t;
  if (!open_import_target(o.policy, o.path, o.data, t, err)) return 2;
  if (!o.data.empty() && t.data_text.empty()) {
    std::error_code ec;
    if (!std::filesystem::exists(o.data, ec)) {
      err << fmt::format("keyplan export: cannot read {}: no such file\n", valid_utf8(o.data));
      return 2;
    }
  }
  const rt::Snapshot& snap = *t.snapshot;
  const ir::Policy& p = snap.policy();
  const DirectoryModel d = directory_model(p);
  if (std::string missing = directory_missing(p, d, members ? kNeedMembership : kNeedKey);
      !missing.empty()) {
    err << "keyplan export: " << missing << "\n";
    return 2;
  }
  Table table;
  if (members) {
    int32_t group = d.group;
    int32_t row = group < 0 ? -1 : snap.find(group, o.group);
    if (row < 0) {
      std::string hint = group < 0 ? "" : did_you_mean(o.group, snap.table(group).ids);
      err << fmt::format("keyplan export: unknown group '{}'{}\n", terminal_safe(o.group),
                         hint.empty() ? "" : " (" + hint + ")");
      return 2;
    }
    table = group_members_table(snap, row);
  } else {
    table = users_export_table(snap);
  }
  std::string error;
  if (o.format == "xlsx") {
    if (!write_xlsx(o.output, {table}, &error)) {
      err << "keyplan export: " << error << "\n";
      return 2;
    }
    return 0;
  }
  std::string text = o.format == "azure-csv" ? azure_members_csv(table) : render_csv({table});
  if (!write_output_file(o.output, text, &error)) {
    err << "keyplan export: " << error << "\n";
    return 2;
  }
  return 0;
}

} // namespace keyplan::sim
