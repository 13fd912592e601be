#include "simulator/scim_document.hpp"

#include "simulator/text.hpp"

#include <fmt/format.h>
#include <map>
#include <nlohmann/json.hpp>
#include <set>

namespace keyplan::sim {
namespace {

using json = nlohmann::json;

constexpr int kMaxDepth = 64;
constexpr size_t kMaxResources = 1'000'000;
const std::string kListResponse = "urn:ietf:params:scim:api:messages:2.0:ListResponse";
const std::string kUserSchema = "urn:ietf:params:scim:schemas:core:2.0:User";
const std::string kGroupSchema = "urn:ietf:params:scim:schemas:core:2.0:Group";

std::string trim(const std::string& s) {
  size_t b = s.find_first_not_of(" \t\r\n");
  if (b == std::string::npos) return "";
  size_t e = s.find_last_not_of(" \t\r\n");
  return s.substr(b, e - b + 1);
}

// 1-based line and column of byte `pos` (columns count bytes).
std::pair<size_t, size_t> line_col(std::string_view text, size_t pos) {
  size_t line = 1, col = 1;
  for (size_t i = 0; i < pos && i < text.size(); ++i) {
    if (text[i] == '\n') {
      ++line;
      col = 1;
    } else {
      ++col;
    }
  }
  return {line, col};
}

class Reader {
public:
  Reader(const std::string& name, std::vector<std::string>& problems)
      : name_(name), problems_(problems) {}

  void problem(const std::string& where, const std::string& what) {
    problems_.push_back(fmt::format("{}:{}: {}", name_, where, terminal_safe(what)));
  }

  // A string member, or "" (a problem when present and not a string).
  std::string str(const json& obj, const char* key, const std::string& where) {
    auto it = obj.find(key);
    if (it == obj.end() || it->is_null()) return "";
    if (!it->is_string()) {
      problem(where + "." + key, fmt::format("expected a string, found {}", it->type_name()));
      return "";
    }
    return trim(valid_utf8(it->get<std::string>()));
  }

  bool has_schema(const json& r, const std::string& urn) {
    auto it = r.find("schemas");
    if (it == r.end() || !it->is_array()) return false;
    for (const auto& s : *it)
      if (s.is_string() && s.get<std::string>() == urn) return true;
    return false;
  }

  std::string resource_type(const json& r) {
    if (has_schema(r, kUserSchema)) return "User";
    if (has_schema(r, kGroupSchema)) return "Group";
    auto meta = r.find("meta");
    if (meta != r.end() && meta->is_object()) {
      auto t = meta->find("resourceType");
      if (t != meta->end() && t->is_string()) return t->get<std::string>();
    }
    return "";
  }

  void user(const json& r, const std::string& where, ScimDocument& doc) {
    ScimUser u;
    u.where = where;
    u.id = str(r, "id", where);
    std::string user_name = str(r, "userName", where);
    if (auto e = r.find("emails"); e != r.end() && !e->is_null()) {
      if (!e->is_array()) {
        problem(where + ".emails", "expected a list of {value, type, primary}");
      } else {
        std::string first, primary;
        for (size_t i = 0; i < e->size(); ++i) {
          const json& m = (*e)[i];
          std::string w = fmt::format("{}.emails[{}]", where, i);
          if (!m.is_object()) {
            problem(w, "expected {value, type, primary}");
            continue;
          }
          std::string v = str(m, "value", w);
          if (first.empty()) first = v;
          auto p = m.find("primary");
          if (p != m.end() && p->is_boolean() && p->get<bool>() && primary.empty()) primary = v;
        }
        u.email = primary.empty() ? first : primary;
      }
    }
    if (u.email.empty() && user_name.find('@') != std::string::npos) u.email = user_name;
    if (auto n = r.find("name"); n != r.end() && !n->is_null()) {
      if (!n->is_object()) {
        problem(where + ".name", "expected {formatted, givenName, familyName}");
      } else {
        u.name = str(*n, "formatted", where + ".name");
        if (u.name.empty())
          u.name = trim(str(*n, "givenName", where + ".name") + " " +
                        str(*n, "familyName", where + ".name"));
      }
    }
    if (u.name.empty()) u.name = str(r, "displayName", where);
    if (auto a = r.find("active"); a != r.end() && !a->is_null()) {
      if (a->is_boolean())
        u.active = a->get<bool>();
      else
        problem(where + ".active", fmt::format("expected true or false, found {}", a->type_name()));
    }
    if (u.id.empty()) problem(where + ".id", "a User without an id (members refer to it)");
    if (u.email.empty())
      problem(where + ".emails",
              "a User without an email (no emails, and userName is not an address; F-I3)");
    else if (u.email.find('@') == std::string::npos ||
             u.email.find_first_of(" \t,;") != std::string::npos)
      problem(where + ".emails", fmt::format("'{}' is not an email address", u.email));
    if (u.name.empty())
      problem(where + ".name", "a User without a name (name.formatted, givenName/familyName or "
                               "displayName; F-I3)");
    doc.users.push_back(std::move(u));
  }

  void group(const json& r, const std::string& where, ScimDocument& doc) {
    ScimGroup g;
    g.where = where;
    g.id = str(r, "id", where);
    g.display_name = str(r, "displayName", where);
    if (g.display_name.empty()) problem(where + ".displayName", "a Group without a displayName");
    if (auto m = r.find("members"); m != r.end() && !m->is_null()) {
      if (!m->is_array()) {
        problem(where + ".members", "expected a list of {value, type}");
      } else {
        for (size_t i = 0; i < m->size(); ++i) {
          const json& x = (*m)[i];
          std::string w = fmt::format("{}.members[{}]", where, i);
          if (!x.is_object()) {
            problem(w, "expected {value, type}");
            continue;
          }
          std::string type = str(x, "type", w);
          if (type == "Group") {
            problem(w, "a group as a member: groups are flat (F-G4)");
            continue;
          }
          if (!type.empty() && type != "User") {
            problem(w + ".type", fmt::format("unknown member type '{}' (User)", type));
            continue;
          }
          std::string v = str(x, "value", w);
          if (v.empty()) {
            problem(w + ".value", "a member without a value (the id of a User)");
            continue;
          }
          g.members.push_back(v);
          g.member_where.push_back(w);
        }
      }
    }
    doc.groups.push_back(std::move(g));
  }

private:
  const std::string& name_;
  std::vector<std::string>& problems_;
};

} // namespace

bool read_scim_document(const std::string& name, std::string_view bytes, ScimDocument& doc,
                        std::vector<std::string>& problems) {
  const size_t before = problems.size();
  bool too_deep = false;
  json::parser_callback_t limit = [&](int depth, json::parse_event_t, json&) {
    if (depth > kMaxDepth) too_deep = true;
    return !too_deep;
  };
  json root;
  try {
    root = json::parse(bytes.begin(), bytes.end(), limit);
  } catch (const json::parse_error& e) {
    auto [line, col] = line_col(bytes, e.byte == 0 ? 0 : e.byte - 1);
    std::string what = e.what();
    // "[json.exception.parse_error.101] parse error at line 1, column 2: x" -> "x"
    if (auto c = what.find(": "); c != std::string::npos) what = what.substr(c + 2);
    problems.push_back(fmt::format("{}:{}:{}: not JSON: {}", name, line, col, terminal_safe(what)));
    return false;
  }
  if (too_deep) {
    problems.push_back(fmt::format("{}: nested deeper than {} levels", name, kMaxDepth));
    return false;
  }
  Reader rd(name, problems);
  if (!root.is_object()) {
    rd.problem("1:1", "expected a SCIM ListResponse (a JSON object with Resources)");
    return false;
  }
  if (root.contains("schemas") && !rd.has_schema(root, kListResponse))
    rd.problem("schemas", fmt::format("expected {}", kListResponse));
  auto res = root.find("Resources");
  if (res == root.end() || !res->is_array()) {
    rd.problem("Resources", "expected the list of resources (RFC 7644 3.4.2)");
    return false;
  }
  if (res->size() > kMaxResources) {
    rd.problem("Resources", fmt::format("more than {} resources", kMaxResources));
    return false;
  }
  // The sync removes memberships the document does not list: one page of a
  // paged answer would remove too many.
  if (auto t = root.find("totalResults"); t != root.end()) {
    if (!t->is_number_integer() || t->get<int64_t>() < 0)
      rd.problem("totalResults", "expected a whole number");
    else if (static_cast<size_t>(t->get<int64_t>()) != res->size())
      rd.problem("totalResults",
                 fmt::format("the document holds {} of {} resources: one page of a paged "
                             "answer; join the pages into one document first",
                             res->size(), t->get<int64_t>()));
  }
  for (size_t i = 0; i < res->size(); ++i) {
    const json& r = (*res)[i];
    std::string where = fmt::format("Resources[{}]", i);
    if (!r.is_object()) {
      rd.problem(where, "expected a User or Group resource");
      continue;
    }
    std::string type = rd.resource_type(r);
    if (type == "User")
      rd.user(r, where, doc);
    else if (type == "Group")
      rd.group(r, where, doc);
    else
      rd.problem(where + ".schemas", fmt::format("neither a User nor a Group ({} or {} in schemas)",
                                                 kUserSchema, kGroupSchema));
  }
  // Ids are unique per resource type (RFC 7643 3.1); members refer to users.
  // F-I2: the email is the key of a user, compared ignoring case.
  std::map<std::string, std::string> user_ids, emails;
  for (const auto& u : doc.users) {
    if (!u.id.empty() && !user_ids.emplace(u.id, u.where).second)
      rd.problem(u.where + ".id", fmt::format("the id '{}' is also {}'s", u.id, user_ids[u.id]));
    std::string key = u.email;
    for (auto& c : key)
      if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    if (!key.empty() && !emails.emplace(key, u.where).second)
      rd.problem(u.where + ".emails",
                 fmt::format("the email '{}' is also {}'s (F-I2: the key)", u.email, emails[key]));
  }
  for (const auto& g : doc.groups) {
    for (size_t m = 0; m < g.members.size(); ++m)
      if (!user_ids.count(g.members[m]))
        rd.problem(g.member_where[m] + ".value",
                   fmt::format("'{}' is not the id of a User of this document", g.members[m]));
  }
  return problems.size() == before;
}

} // namespace keyplan::sim
