#include "simulator/import_scim.hpp"

#include "simulator/data_edit.hpp"
#include "simulator/directory_model.hpp"
#include "simulator/import_run.hpp"
#include "simulator/import_users.hpp"
#include "simulator/text.hpp"

#include <algorithm>
#include <fmt/format.h>
#include <map>
#include <set>
#include <unordered_map>
#include <yaml-cpp/yaml.h>

namespace keyplan::sim {
namespace {

std::string fold_email(const std::string& s) {
  size_t b = s.find_first_not_of(" \t\r\n");
  if (b == std::string::npos) return "";
  std::string out = s.substr(b, s.find_last_not_of(" \t\r\n") - b + 1);
  for (auto& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return out;
}

std::string plain(const std::string& id) {
  YAML::Emitter e;
  e << id;
  return e.c_str();
}

std::string id_list(const std::vector<std::string>& ids) {
  std::string s = "[";
  for (size_t i = 0; i < ids.size(); ++i) s += (i ? ", " : "") + plain(ids[i]);
  return s + "]";
}

} // namespace

std::string group_id_for(const std::string& display_name) {
  std::string id;
  for (char c : display_name) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
    if (ok)
      id += c;
    else if (!id.empty() && id.back() != '_')
      id += '_';
  }
  while (!id.empty() && id.back() == '_') id.pop_back();
  if (id.empty()) return "group";
  if (id[0] >= '0' && id[0] <= '9') id = "g_" + id;
  return id;
}

ScimImportResult import_scim(const rt::Snapshot& snap, const std::string& data_text,
                             const std::string& name, const ScimDocument& doc) {
  ScimImportResult r;
  const ir::Policy& p = snap.policy();
  auto problem = [&](const std::string& where, const std::string& what) {
    r.problems.push_back(fmt::format("{}:{}: {}", name, where, terminal_safe(what)));
  };
  // The model's users and groups, by their directory annotations.
  const DirectoryModel d = directory_model(p);
  if (std::string missing = directory_missing(p, d, kNeedKey | kNeedName | kNeedExternal);
      !missing.empty()) {
    r.problems.push_back(fmt::format("{}: {}", name, missing));
    return r;
  }
  const int32_t user_t = d.user, group_t = d.group;
  const int32_t email_a = d.key, name_a = d.name, groups_a = d.groups, kind_a = d.kind;
  const int64_t external = d.external;
  const auto& user_e = p.entities[static_cast<size_t>(user_t)];
  const auto& group_e = p.entities[static_cast<size_t>(group_t)];
  const std::string& name_n = user_e.attributes[static_cast<size_t>(name_a)].name;
  const std::string& email_n = user_e.attributes[static_cast<size_t>(email_a)].name;
  const std::string& groups_n = user_e.attributes[static_cast<size_t>(groups_a)].name;
  const ir::Attribute& kind_attr = group_e.attributes[static_cast<size_t>(kind_a)];
  const std::string& external_n = p.enums[static_cast<size_t>(p.types[kind_attr.type].ref)]
                                      .members[static_cast<size_t>(external)];
  auto is_external = [&](int32_t row) {
    ir::Value k = snap.get(group_t, row, kind_a);
    return k.tag == ir::Value::Tag::Enum && k.num == external;
  };

  // The document's groups by keyplan id.
  std::map<std::string, const ScimGroup*> groups;
  for (const auto& g : doc.groups) {
    std::string id = group_id_for(g.display_name);
    if (auto [it, fresh] = groups.emplace(id, &g); !fresh) {
      problem(g.where + ".displayName",
              fmt::format("'{}' and {}'s '{}' are both the group '{}'", g.display_name,
                          it->second->where, it->second->display_name, id));
      continue;
    }
    int32_t row = snap.find(group_t, id);
    if (row >= 0 && !is_external(row))
      problem(g.where + ".displayName",
              fmt::format("the group '{}' exists and is not external ({}): the identity "
                          "provider cannot take it over (F-G2); rename one of them",
                          id, snap.format(snap.get(group_t, row, kind_a))));
  }

  // Users: existing ones by email (F-I2), new ones get an id.
  std::unordered_map<std::string, int32_t> by_email;
  for (int32_t row = 0; row < snap.count(user_t); ++row) {
    std::string e = fold_email(snap.get(user_t, row, email_a).str);
    if (!e.empty()) by_email.emplace(e, row);
  }
  std::vector<std::string> taken = snap.table(user_t).ids;
  std::map<std::string, std::string> keyplan_id; // SCIM id -> keyplan user id
  std::map<std::string, std::string> seen_email;
  std::set<std::string> in_document;
  struct NewUser {
    std::string id, name, email;
  };
  std::vector<NewUser> created;
  SectionEdit users{user_e.name, {}, {}};
  for (const auto& u : doc.users) {
    std::string key = fold_email(u.email);
    if (key.empty()) continue;
    if (auto [it, fresh] = seen_email.emplace(key, u.where); !fresh) {
      problem(u.where + ".emails",
              fmt::format("the email '{}' is also {}'s (F-I2: the key)", u.email, it->second));
      continue;
    }
    if (auto it = by_email.find(key); it != by_email.end()) {
      const std::string& id = snap.id(user_t, it->second);
      keyplan_id[u.id] = id;
      in_document.insert(id);
      if (snap.get(user_t, it->second, name_a).str != u.name)
        users.updates[id][name_n] = value_yaml(snap, ir::Value::string(u.name));
    } else {
      std::string id = new_user_id(u.email, taken);
      taken.push_back(id);
      keyplan_id[u.id] = id;
      created.push_back({id, u.name, u.email});
    }
    if (!u.active) r.inactive_users.push_back(keyplan_id[u.id]);
  }
  if (!r.problems.empty()) return r;

  // Membership: the document's groups are exactly what it lists.
  std::map<std::string, std::set<std::string>> member_of; // keyplan user id -> doc groups
  for (const auto& [gid, g] : groups)
    for (const auto& m : g->members) member_of[keyplan_id[m]].insert(gid);
  for (int32_t row = 0; row < snap.count(user_t); ++row) {
    const std::string& id = snap.id(user_t, row);
    std::vector<std::string> now;
    std::set<std::string> had;
    for (const auto& e : snap.get(user_t, row, groups_a).elems) {
      std::string g = snap.id(e.ref, static_cast<int32_t>(e.num));
      had.insert(g);
      if (groups.count(g) && !member_of[id].count(g)) {
        ++r.memberships_removed;
        continue;
      }
      now.push_back(g);
    }
    for (const auto& g : member_of[id])
      if (!had.count(g)) {
        now.push_back(g);
        ++r.memberships_added;
      }
    if (now.size() != had.size() ||
        !std::all_of(now.begin(), now.end(), [&](const auto& g) { return had.count(g) > 0; }))
      users.updates[id][groups_n] = id_list(now);
    if (!in_document.count(id)) ++r.users_not_in_document;
  }
  for (const auto& n : created) {
    std::vector<std::string> gs(member_of[n.id].begin(), member_of[n.id].end());
    r.memberships_added += static_cast<int>(gs.size());
    users.added.push_back(fmt::format("{{id: {}, {}: {}, {}: {}, {}: {}}}", plain(n.id), name_n,
                                      value_yaml(snap, ir::Value::string(n.name)), email_n,
                                      value_yaml(snap, ir::Value::string(n.email)), groups_n,
                                      id_list(gs)));
    r.created_users.push_back(n.id);
  }
  r.users_created = static_cast<int>(created.size());
  for (const auto& [id, attrs] : users.updates) {
    (void)attrs;
    if (in_document.count(id)) ++r.users_updated;
  }
  r.users_unchanged = static_cast<int>(in_document.size()) - r.users_updated;

  SectionEdit new_groups{group_e.name, {}, {}};
  for (const auto& [gid, g] : groups) {
    (void)g;
    if (snap.find(group_t, gid) >= 0) {
      ++r.groups_kept;
      continue;
    }
    new_groups.added.push_back(
        fmt::format("{{id: {}, {}: {}}}", plain(gid), kind_attr.name, plain(external_n)));
    r.created_groups.push_back(gid);
    ++r.groups_created;
  }
  // Reported, never dropped: external groups the document no longer holds.
  for (int32_t row = 0; row < snap.count(group_t); ++row) {
    const std::string& gid = snap.id(group_t, row);
    if (!is_external(row) || groups.count(gid)) continue;
    int members = 0;
    for (int32_t u = 0; u < snap.count(user_t); ++u)
      for (const auto& e : snap.get(user_t, u, groups_a).elems)
        if (e.ref == group_t && e.num == row) ++members;
    r.vanished_groups.push_back(
        fmt::format("{} ({} member{})", gid, members, members == 1 ? "" : "s"));
  }

  std::string with_groups, why;
  if (!edit_data_section(data_text, new_groups, with_groups, why) ||
      !edit_data_section(with_groups, users, r.new_text, why)) {
    r.problems.push_back(fmt::format("{}: cannot edit the data file in place: {}", name, why));
    r.new_text.clear();
  }
  return r;
}

std::string scim_summary(const ScimImportResult& r, const std::string& name) {
  std::string s =
      fmt::format("{}: users: {} created, {} updated, {} unchanged; external groups: "
                  "{} created, {} kept; memberships: {} added, {} removed\n",
                  valid_utf8(name), r.users_created, r.users_updated, r.users_unchanged,
                  r.groups_created, r.groups_kept, r.memberships_added, r.memberships_removed);
  if (!r.created_users.empty())
    s += fmt::format("  new users: {}\n", fmt::join(r.created_users, ", "));
  if (!r.created_groups.empty())
    s += fmt::format("  new external groups: {}\n", fmt::join(r.created_groups, ", "));
  for (const auto& g : r.vanished_groups)
    s += fmt::format("  warning: external group {} is not in the SCIM document: kept as it is "
                     "(detach it to keep it as an internal group, or delete it by hand)\n",
                     g);
  if (!r.inactive_users.empty())
    s += fmt::format("  {} user{} inactive in the identity provider (active: false), imported "
                     "like the others (the model has no inactive users): {}\n",
                     r.inactive_users.size(), r.inactive_users.size() == 1 ? "" : "s",
                     fmt::join(r.inactive_users, ", "));
  if (r.users_not_in_document > 0)
    s += fmt::format("  {} user{} of the data not in the SCIM document: kept (only the "
                     "document's groups synchronised for them)\n",
                     r.users_not_in_document, r.users_not_in_document == 1 ? "" : "s");
  return s;
}

int run_scim_import(const ScimImportOptions& o, std::ostream& out, std::ostream& err) {
  const std::string name = import_display_name(o.file);
  std::string bytes, error;
  if (!read_import_file(o.file, bytes, error)) {
    err << "keyplan import: " << error << "\n";
    return 2;
  }
  ScimDocument doc;
  std::vector<std::string> problems;
  if (!read_scim_document(name, bytes, doc, problems)) {
    for (const auto& p : problems) err << p << "\n";
    err << fmt::format("keyplan import: {} problem{}, nothing imported\n", problems.size(),
                       problems.size() == 1 ? "" : "s");
    return 2;
  }
  ImportTarget t;
  if (!open_import_target(o.policy, o.path, o.into, t, err)) return 2;
  ScimImportResult r = import_scim(*t.snapshot, t.data_text, name, doc);
  if (!r.problems.empty()) {
    for (const auto& p : r.problems) err << p << "\n";
    err << fmt::format("keyplan import: {} problem{}, nothing imported\n", r.problems.size(),
                       r.problems.size() == 1 ? "" : "s");
    return 2;
  }
  return finish_import(t, o.into, r.new_text, scim_summary(r, name), o.dry_run, out, err);
}

} // namespace keyplan::sim
