#include "simulator/import_saml.hpp"

#include "runtime/yaml_checks.hpp"
#include "simulator/data_edit.hpp"
#include "simulator/directory_model.hpp"
#include "simulator/import_run.hpp"
#include "simulator/text.hpp"

#include <fmt/format.h>
#include <set>
#include <unordered_map>
#include <yaml-cpp/yaml.h>

namespace keyplan::sim {
namespace {

std::string trim(const std::string& s) {
  size_t b = s.find_first_not_of(" \t\r\n");
  if (b == std::string::npos) return "";
  return s.substr(b, s.find_last_not_of(" \t\r\n") - b + 1);
}

std::string lower(std::string s) {
  for (auto& c : s)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return s;
}

std::string plain(const std::string& id) {
  YAML::Emitter e;
  e << id;
  return e.c_str();
}

} // namespace

bool read_saml_mapping(const std::string& name, const std::string& text, SamlMapping& mapping,
                       std::vector<std::string>& problems) {
  const size_t before = problems.size();
  auto problem = [&](const YAML::Mark& m, const std::string& what) {
    problems.push_back(
        fmt::format("{}:{}:{}: {}", name, m.line + 1, m.column + 1, terminal_safe(what)));
  };
  SourceManager sm;
  int fid = sm.add(name, text);
  Diagnostics diags;
  std::vector<YAML::Node> docs;
  if (!rt::load_all_yaml(fid, text, diags, docs)) {
    problems.push_back(terminal_safe(diags.render_text(sm, false)));
    return false;
  }
  if (docs.size() != 1 || !docs[0].IsMap()) {
    problems.push_back(fmt::format(
        "{}:1:1: expected one map from memberOf value to group id (\"CN=Sales,...\": Sales)",
        name));
    return false;
  }
  rt::YamlChecker check(fid, diags, rt::YamlLimits::for_size(text.size()));
  if (!check.check(docs[0])) {
    problems.push_back(terminal_safe(diags.render_text(sm, false)));
    return false;
  }
  for (const auto& kv : docs[0]) {
    if (!kv.first.IsScalar() || trim(kv.first.Scalar()).empty()) {
      problem(kv.first.Mark(), "a key must be a memberOf value");
      continue;
    }
    if (!kv.second.IsScalar() || trim(kv.second.Scalar()).empty()) {
      problem(kv.second.Mark(), "a value must be a group id");
      continue;
    }
    mapping.groups[trim(kv.first.Scalar())] = {trim(kv.second.Scalar()), kv.first.Mark().line + 1};
  }
  return problems.size() == before;
}

SamlImportResult import_saml_groups(const rt::Snapshot& snap, const std::string& data_text,
                                    const std::string& mapping_name, const SamlMapping& mapping,
                                    const std::string& table_name, const ImportTable& table) {
  SamlImportResult r;
  const ir::Policy& p = snap.policy();
  // The model's users and groups, by their directory annotations.
  const DirectoryModel d = directory_model(p);
  if (std::string missing = directory_missing(p, d, kNeedKey | kNeedExternal); !missing.empty()) {
    r.problems.push_back(fmt::format("{}: {}", table_name, missing));
    return r;
  }
  const int32_t user_t = d.user, group_t = d.group;
  const int32_t email_a = d.key, groups_a = d.groups, kind_a = d.kind;
  const auto& user_e = p.entities[static_cast<size_t>(user_t)];
  const auto& group_e = p.entities[static_cast<size_t>(group_t)];
  const ir::Attribute& email_attr = user_e.attributes[static_cast<size_t>(email_a)];
  const ir::Attribute& kind_attr = group_e.attributes[static_cast<size_t>(kind_a)];
  const std::string& external_n = p.enums[static_cast<size_t>(p.types[kind_attr.type].ref)]
                                      .members[static_cast<size_t>(d.external)];
  // The email column: the key's import headers (std.desk_booking: Email, E-Mail).
  std::set<std::string> email_headers = {lower(email_attr.name)};
  for (const auto& c : email_attr.columns) email_headers.insert(lower(trim(c)));
  const std::string email_header =
      email_attr.columns.empty() ? email_attr.name : email_attr.columns[0];
  // The mapping's groups: existing ones must be external.
  std::set<std::string> targets, created;
  for (const auto& [value, target] : mapping.groups) {
    (void)value;
    const auto& [gid, line] = target;
    targets.insert(gid);
    int32_t row = snap.find(group_t, gid);
    if (row < 0) {
      if (gid.find_first_of(" \t,[]{}:#\"'") != std::string::npos)
        r.problems.push_back(
            fmt::format("{}:{}: '{}' is not a group id", mapping_name, line, terminal_safe(gid)));
      else
        created.insert(gid);
      continue;
    }
    ir::Value k = snap.get(group_t, row, kind_a);
    std::string kind = snap.format(k);
    if (k.tag != ir::Value::Tag::Enum || k.num != d.external)
      r.problems.push_back(fmt::format("{}:{}: the group '{}' is not external ({}): the identity "
                                       "provider cannot fill it (F-G2)",
                                       mapping_name, line, gid, kind));
  }
  // The columns.
  int email_c = -1, member_c = -1;
  for (size_t c = 0; c < table.header.size(); ++c) {
    std::string h = lower(trim(table.header[c]));
    if (email_headers.count(h))
      email_c = static_cast<int>(c);
    else if (h == "memberof")
      member_c = static_cast<int>(c);
    else
      r.problems.push_back(fmt::format("{}:1:{}: unknown column '{}' (expected {}, memberOf)",
                                       table_name, terminal_safe(trim(table.header[c])),
                                       terminal_safe(trim(table.header[c])), email_header));
  }
  if (email_c < 0 || member_c < 0) {
    r.problems.push_back(
        fmt::format("{}:1: the columns {} and memberOf are both needed", table_name, email_header));
    return r;
  }
  std::unordered_map<std::string, int32_t> by_email;
  for (int32_t row = 0; row < snap.count(user_t); ++row) {
    std::string e = lower(trim(snap.get(user_t, row, email_a).str));
    if (!e.empty()) by_email.emplace(e, row);
  }
  std::map<int32_t, std::set<std::string>> wanted; // user row -> mapped groups
  for (const auto& row : table.rows) {
    auto cell = [&](int c) {
      return static_cast<size_t>(c) < row.cells.size() ? row.cells[static_cast<size_t>(c)]
                                                       : std::string();
    };
    std::string email = trim(cell(email_c));
    auto it = by_email.find(lower(email));
    if (email.empty()) {
      r.problems.push_back(fmt::format("{}:{}:{}: the row has no email", table_name, row.line,
                                       table.header[static_cast<size_t>(email_c)]));
      continue;
    }
    if (it == by_email.end()) {
      r.problems.push_back(fmt::format(
          "{}:{}:{}: no user has the email '{}' (import the users "
          "first: keyplan import users or scim)",
          table_name, row.line, table.header[static_cast<size_t>(email_c)], terminal_safe(email)));
      continue;
    }
    auto& w = wanted[it->second];
    std::string values = cell(member_c);
    size_t pos = 0;
    while (pos <= values.size()) {
      size_t bar = values.find('|', pos);
      if (bar == std::string::npos) bar = values.size();
      std::string v = trim(values.substr(pos, bar - pos));
      pos = bar + 1;
      if (v.empty()) continue;
      auto m = mapping.groups.find(v);
      if (m == mapping.groups.end())
        ++r.unmapped_values;
      else
        w.insert(m->second.first);
    }
  }
  if (!r.problems.empty()) return r;
  SectionEdit users{user_e.name, {}, {}};
  for (const auto& [row, groups] : wanted) {
    ++r.users;
    std::vector<std::string> now;
    std::set<std::string> had;
    for (const auto& e : snap.get(user_t, row, groups_a).elems) {
      std::string g = snap.id(e.ref, static_cast<int32_t>(e.num));
      had.insert(g);
      if (targets.count(g) && !groups.count(g)) {
        ++r.memberships_removed;
        continue;
      }
      now.push_back(g);
    }
    for (const auto& g : groups)
      if (!had.count(g)) {
        now.push_back(g);
        ++r.memberships_added;
      }
    std::set<std::string> now_set(now.begin(), now.end());
    if (now_set == had) {
      ++r.unchanged;
      continue;
    }
    ++r.updated;
    std::string list = "[";
    for (size_t i = 0; i < now.size(); ++i) list += (i ? ", " : "") + plain(now[i]);
    users.updates[snap.id(user_t, row)][user_e.attributes[static_cast<size_t>(groups_a)].name] =
        list + "]";
  }
  SectionEdit groups{group_e.name, {}, {}};
  for (const auto& g : created)
    groups.added.push_back("{id: " + plain(g) + ", " + kind_attr.name + ": " + plain(external_n) +
                           "}");
  r.groups_created = static_cast<int>(created.size());
  std::string with_groups, why;
  if (!edit_data_section(data_text, groups, with_groups, why) ||
      !edit_data_section(with_groups, users, r.new_text, why)) {
    r.problems.push_back(
        fmt::format("{}: cannot edit the data file in place: {}", table_name, why));
    r.new_text.clear();
  }
  return r;
}

int run_saml_import(const SamlImportOptions& o, std::ostream& out, std::ostream& err) {
  const std::string map_name = import_display_name(o.mapping),
                    users_name = import_display_name(o.users);
  std::string map_text, bytes, error;
  if (!read_import_file(o.mapping, map_text, error) || !read_import_file(o.users, bytes, error)) {
    err << "keyplan import: " << error << "\n";
    return 2;
  }
  std::vector<std::string> problems;
  SamlMapping mapping;
  read_saml_mapping(map_name, map_text, mapping, problems);
  ImportTable table;
  ImportReadOptions ro;
  ro.separator = o.separator;
  bool table_ok = read_import_table(users_name, bytes, ro, table, problems);
  auto fail = [&](const std::vector<std::string>& ps) {
    for (const auto& p : ps) err << p << (p.empty() || p.back() != '\n' ? "\n" : "");
    err << fmt::format("keyplan import: {} problem{}, nothing imported\n", ps.size(),
                       ps.size() == 1 ? "" : "s");
    return 2;
  };
  if (!problems.empty() || !table_ok) return fail(problems);
  for (const auto& n : table.notes) out << "note: " << n << "\n";
  ImportTarget t;
  if (!open_import_target(o.policy, o.path, o.into, t, err)) return 2;
  SamlImportResult r =
      import_saml_groups(*t.snapshot, t.data_text, map_name, mapping, users_name, table);
  if (!r.problems.empty()) return fail(r.problems);
  std::string summary = fmt::format(
      "{}: {} user{}: {} updated, {} unchanged; external groups created: {}; memberships: {} "
      "added, {} removed; {} value{} without a mapping (ignored)\n",
      users_name, r.users, r.users == 1 ? "" : "s", r.updated, r.unchanged, r.groups_created,
      r.memberships_added, r.memberships_removed, r.unmapped_values,
      r.unmapped_values == 1 ? "" : "s");
  return finish_import(t, o.into, r.new_text, summary, o.dry_run, out, err);
}

} // namespace keyplan::sim
