#include "simulator/import_users.hpp"

#include "compiler/diagnostics.hpp"
#include "runtime/yaml_checks.hpp"
#include "simulator/data_edit.hpp"
#include "simulator/directory_model.hpp"
#include "simulator/table.hpp"
#include "simulator/text.hpp"

#include <algorithm>
#include <fmt/format.h>
#include <optional>
#include <set>
#include <unordered_map>
#include <yaml-cpp/yaml.h>

namespace keyplan::sim {
namespace {

std::string trim(const std::string& s) {
  size_t b = s.find_first_not_of(" \t\r\n");
  if (b == std::string::npos) return "";
  size_t e = s.find_last_not_of(" \t\r\n");
  return s.substr(b, e - b + 1);
}

// Case folding for headers and emails: ASCII and the German capitals Ä Ö Ü.
std::string fold(const std::string& s) {
  std::string out = trim(s);
  for (size_t i = 0; i < out.size(); ++i) {
    char& c = out[i];
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    if (c == '\xC3' && i + 1 < out.size()) {
      char& d = out[i + 1];
      if (d == '\x84' || d == '\x96' || d == '\x9C') d = static_cast<char>(d + 0x20);
    }
  }
  return out;
}

std::vector<std::string> split_values(const std::string& cell) {
  std::vector<std::string> out;
  size_t pos = 0;
  while (pos <= cell.size()) {
    size_t comma = cell.find(',', pos);
    if (comma == std::string::npos) comma = cell.size();
    std::string v = trim(cell.substr(pos, comma - pos));
    if (!v.empty()) out.push_back(v);
    pos = comma + 1;
  }
  return out;
}

// "an email", "a name": for the F-I3 messages, whatever the model calls them.
std::string with_article(const std::string& word) {
  bool vowel = !word.empty() && std::string("aeiouAEIOU").find(word[0]) != std::string::npos;
  return (vowel ? "an " : "a ") + word;
}

std::string lower_name(std::string s) {
  for (auto& c : s)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return s;
}

struct Column {
  std::string header; // as written in the file
  int32_t attr = -1;  // -1: a problem was reported for it
};

class Importer {
public:
  Importer(const rt::Snapshot& s, const std::string& name, const ImportTable& t)
      : snap_(s), p_(s.policy()), name_(name), table_(t) {}

  UserImportResult run(const std::string& data_text);

private:
  const rt::Snapshot& snap_;
  const ir::Policy& p_;
  const std::string& name_;
  const ImportTable& table_;
  int32_t user_ = -1;
  int32_t email_attr_ = -1, name_attr_ = -1; // @import_key, @display_name
  UserImportResult r_;

  void problem(int64_t line, const std::string& column, const std::string& what) {
    r_.problems.push_back(fmt::format("{}:{}:{}: {}", name_, line, valid_utf8(column), what));
  }
  std::vector<Column> map_header();
  std::optional<ir::Value> element(ir::TypeId t, const std::string& text, int64_t line,
                                   const std::string& col);
  std::optional<ir::Value> convert(ir::TypeId t, const std::string& cell, int64_t line,
                                   const std::string& col);
  std::string value_yaml(const ir::Value& v) const { return sim::value_yaml(snap_, v); }
};

std::vector<Column> Importer::map_header() {
  const auto& ent = p_.entities[static_cast<size_t>(user_)];
  std::map<std::string, int32_t> by_header;
  std::vector<std::string> known;
  for (size_t a = 0; a < ent.attributes.size(); ++a)
    for (const auto& c : ent.attributes[a].columns) {
      by_header[fold(c)] = static_cast<int32_t>(a);
      known.push_back(c);
    }
  std::vector<Column> cols;
  std::map<int32_t, std::string> seen;
  for (const auto& h : table_.header) {
    Column c{trim(h), -1};
    auto it = by_header.find(fold(h));
    if (c.header.empty()) {
      problem(1, "", "a column without a header");
    } else if (it == by_header.end()) {
      std::string hint = did_you_mean(c.header, known);
      problem(1, c.header,
              fmt::format("unknown column '{}'{}", valid_utf8(c.header),
                          hint.empty()
                              ? " (known: " + fmt::format("{}", fmt::join(known, ", ")) + ")"
                              : " (" + hint + ")"));
    } else if (auto s = seen.find(it->second); s != seen.end()) {
      problem(1, c.header,
              fmt::format("column '{}' names the same attribute as '{}'", valid_utf8(c.header),
                          valid_utf8(s->second)));
    } else {
      c.attr = it->second;
      seen[it->second] = c.header;
    }
    cols.push_back(c);
  }
  // F-I3: the key and the display name.
  std::string needs = with_article(ent.attributes[static_cast<size_t>(email_attr_)].name);
  if (name_attr_ >= 0)
    needs += " and " + with_article(ent.attributes[static_cast<size_t>(name_attr_)].name);
  for (int32_t a : {email_attr_, name_attr_}) {
    if (a < 0) continue;
    const std::string& required = ent.attributes[static_cast<size_t>(a)].name;
    if (!seen.count(a))
      problem(1, required,
              fmt::format("no column for '{}': every row needs {} (F-I3){}", required, needs,
                          ent.attributes[static_cast<size_t>(a)].columns.empty()
                              ? ""
                              : fmt::format(" (header '{}')",
                                            ent.attributes[static_cast<size_t>(a)].columns[0])));
  }
  return cols;
}

std::optional<ir::Value> Importer::element(ir::TypeId t, const std::string& text, int64_t line,
                                           const std::string& col) {
  const auto& ty = p_.types[t];
  switch (ty.kind) {
  case ir::TypeKind::String:
    return ir::Value::string(text);
  case ir::TypeKind::Bool: {
    std::string f = fold(text);
    if (f == "true" || f == "yes" || f == "ja" || f == "1" || f == "x" || f == "wahr")
      return ir::Value::boolean(true);
    if (f == "false" || f == "no" || f == "nein" || f == "0" || f == "falsch")
      return ir::Value::boolean(false);
    problem(line, col,
            fmt::format("'{}' is not yes or no (true/false, ja/nein, 1/0)", valid_utf8(text)));
    return std::nullopt;
  }
  case ir::TypeKind::Int: {
    try {
      size_t used = 0;
      long long v = std::stoll(text, &used);
      if (used == text.size()) return ir::Value::integer(v);
    } catch (...) {
    }
    problem(line, col, fmt::format("'{}' is not a whole number", valid_utf8(text)));
    return std::nullopt;
  }
  case ir::TypeKind::Enum: {
    const auto& en = p_.enums[static_cast<size_t>(ty.ref)];
    for (size_t i = 0; i < en.members.size(); ++i)
      if (en.members[i] == text) return ir::Value::enumerator(ty.ref, static_cast<int64_t>(i));
    std::string hint = did_you_mean(text, en.members);
    problem(
        line, col,
        fmt::format("unknown {} '{}' ({})", lower_name(en.name), valid_utf8(text),
                    hint.empty() ? fmt::format("one of {}", fmt::join(en.members, ", ")) : hint));
    return std::nullopt;
  }
  case ir::TypeKind::Entity: {
    int32_t row = snap_.find(ty.ref, text);
    if (row >= 0) return ir::Value::entity(ty.ref, row);
    const auto& ids = snap_.table(ty.ref).ids;
    std::string hint = did_you_mean(text, ids);
    problem(line, col,
            fmt::format("unknown {} '{}'{}",
                        lower_name(p_.entities[static_cast<size_t>(ty.ref)].name), valid_utf8(text),
                        hint.empty() ? "" : " (" + hint + ")"));
    return std::nullopt;
  }
  default:
    problem(line, col,
            fmt::format("the import cannot fill an attribute of type {}", p_.type_name(t)));
    return std::nullopt;
  }
}

// F-I4: an empty cell is the empty value of the attribute's type.
std::optional<ir::Value> Importer::convert(ir::TypeId t, const std::string& raw, int64_t line,
                                           const std::string& col) {
  // A leading ' that `keyplan export users` (render_csv) put before a value
  // a spreadsheet would read as a formula, number or date is not part of it.
  std::string cell = trim(
      raw.size() > 1 && raw[0] == '\'' && csv_marks_as_text(raw.substr(1)) ? raw.substr(1) : raw);
  for (unsigned char c : cell)
    if ((c < 0x20 && c != '\t' && c != '\r' && c != '\n') || c == 0x7F) {
      problem(line, col, fmt::format("a control character (0x{:02X}) in the cell", c));
      return std::nullopt;
    }
  const auto& ty = p_.types[t];
  if (ty.kind == ir::TypeKind::Set) {
    std::vector<ir::Value> elems;
    bool ok = true;
    for (const auto& v : split_values(cell)) {
      auto e = element(ty.elem, v, line, col);
      if (e)
        elems.push_back(*e);
      else
        ok = false;
    }
    if (!ok) return std::nullopt;
    return ir::Value::set(std::move(elems));
  }
  if (ty.kind == ir::TypeKind::Optional) {
    if (cell.empty()) return ir::Value::none();
    return element(ty.elem, cell, line, col);
  }
  if (cell.empty()) {
    switch (ty.kind) {
    case ir::TypeKind::String:
      return ir::Value::string("");
    case ir::TypeKind::Bool:
      return ir::Value::boolean(false);
    case ir::TypeKind::Int:
      return ir::Value::integer(0);
    default:
      problem(line, col, "an empty cell, but the attribute has no empty value");
      return std::nullopt;
    }
  }
  return element(t, cell, line, col);
}

UserImportResult Importer::run(const std::string& data_text) {
  // The model's users, key and name, by their annotations.
  const DirectoryModel dir = directory_model(p_);
  if (std::string missing = directory_missing(p_, dir, kNeedKey); !missing.empty()) {
    r_.problems.push_back(fmt::format("{}: {}", name_, missing));
    return r_;
  }
  user_ = dir.user;
  email_attr_ = dir.key;
  name_attr_ = dir.name;
  const auto& ent = p_.entities[static_cast<size_t>(user_)];
  const int32_t email_attr = email_attr_;
  const int32_t name_attr = name_attr_;
  std::vector<Column> cols = map_header();

  // F-I2: existing users by folded email.
  std::unordered_map<std::string, int32_t> by_email;
  const auto& users = snap_.table(user_);
  for (int32_t row = 0; row < users.count(); ++row) {
    std::string e = fold(snap_.get(user_, row, email_attr).str);
    if (!e.empty()) by_email.emplace(e, row);
  }
  std::vector<std::string> taken = users.ids;
  std::map<std::string, int64_t> seen_in_file;
  std::map<std::string, std::map<std::string, std::string>> updates;
  std::vector<std::string> added;

  for (const auto& row : table_.rows) {
    ++r_.rows;
    std::map<int32_t, ir::Value> values;
    std::string email, name;
    bool row_ok = true;
    for (size_t c = 0; c < cols.size(); ++c) {
      if (cols[c].attr < 0) continue;
      std::string cell = c < row.cells.size() ? row.cells[c] : "";
      if (cols[c].attr == email_attr) email = trim(cell);
      if (cols[c].attr == name_attr) name = trim(cell);
      auto v = convert(ent.attributes[static_cast<size_t>(cols[c].attr)].type, cell, row.line,
                       cols[c].header);
      if (v)
        values[cols[c].attr] = *v;
      else
        row_ok = false;
    }
    for (size_t c = cols.size(); c < row.cells.size(); ++c)
      if (!trim(row.cells[c]).empty()) {
        problem(row.line, fmt::format("column {}", c + 1), "a cell outside the named columns");
        row_ok = false;
      }
    auto header_of = [&](int32_t attr) {
      for (const auto& c : cols)
        if (c.attr == attr) return c.header;
      const auto& a = ent.attributes[static_cast<size_t>(attr)];
      return a.columns.empty() ? a.name : a.columns[0];
    };
    if (email.empty() && email_attr >= 0) {
      problem(row.line, header_of(email_attr),
              fmt::format("the row has no {} (F-I3)",
                          ent.attributes[static_cast<size_t>(email_attr)].name));
      row_ok = false;
    } else if (email.find('@') == std::string::npos ||
               email.find_first_of(" \t,;") != std::string::npos) {
      problem(row.line, header_of(email_attr),
              fmt::format("'{}' is not an email address", valid_utf8(email)));
      row_ok = false;
    }
    if (name.empty() && name_attr >= 0) {
      problem(row.line, header_of(name_attr),
              fmt::format("the row has no {} (F-I3)",
                          ent.attributes[static_cast<size_t>(name_attr)].name));
      row_ok = false;
    }
    std::string key = fold(email);
    if (!key.empty()) {
      if (auto s = seen_in_file.find(key); s != seen_in_file.end()) {
        problem(row.line, header_of(email_attr),
                fmt::format("the email '{}' is already on line {} (F-I2: the email is the key)",
                            valid_utf8(email), s->second));
        row_ok = false;
      } else {
        seen_in_file[key] = row.line;
      }
    }
    if (!row_ok || !r_.problems.empty()) continue; // after a problem, only look for more

    auto it = by_email.find(key);
    if (it == by_email.end()) {
      std::string id = new_user_id(email, taken);
      taken.push_back(id);
      std::string flow = "{id: " + value_yaml(ir::Value::string(id));
      for (const auto& [a, v] : values)
        flow += ", " + ent.attributes[static_cast<size_t>(a)].name + ": " + value_yaml(v);
      added.push_back(flow + "}");
      r_.created_ids.push_back(id);
      ++r_.created;
      continue;
    }
    const std::string& id = users.ids[static_cast<size_t>(it->second)];
    bool any = false;
    for (const auto& [a, v] : values) {
      ir::Value old = snap_.get(user_, it->second, a);
      if (old == v) continue;
      // F-I2: the key matched case-insensitively; its stored spelling stays.
      if (a == email_attr && fold(old.str) == fold(v.str)) continue;
      const auto& an = ent.attributes[static_cast<size_t>(a)].name;
      updates[id][an] = value_yaml(v);
      ++r_.changed_per_attribute[an];
      any = true;
    }
    any ? ++r_.updated : ++r_.unchanged;
  }
  if (!r_.problems.empty()) return r_;
  SectionEdit edit;
  edit.entity = ent.name;
  edit.updates = std::move(updates);
  edit.added = std::move(added);
  std::string why;
  if (!edit_data_section(data_text, edit, r_.new_text, why))
    r_.problems.push_back(fmt::format("{}: cannot edit the data file in place: {}", name_, why));
  return r_;
}

} // namespace

std::string new_user_id(const std::string& email, const std::vector<std::string>& taken) {
  std::string local = fold(email.substr(0, email.find('@')));
  std::string id;
  for (char c : local) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
    if (ok)
      id += c;
    else if (!id.empty() && id.back() != '_')
      id += '_';
  }
  while (!id.empty() && id.back() == '_') id.pop_back();
  if (id.empty()) id = "user";
  if (id[0] >= '0' && id[0] <= '9') id = "u_" + id;
  std::set<std::string> t(taken.begin(), taken.end());
  if (!t.count(id)) return id;
  for (int n = 2;; ++n) {
    std::string cand = fmt::format("{}_{}", id, n);
    if (!t.count(cand)) return cand;
  }
}

UserImportResult import_users(const rt::Snapshot& snapshot, const std::string& data_text,
                              const std::string& table_name, const ImportTable& table) {
  Importer im(snapshot, table_name, table);
  UserImportResult r = im.run(data_text);
  if (!r.problems.empty()) r.new_text.clear();
  return r;
}

std::string import_summary(const UserImportResult& r, const std::string& name) {
  std::string s =
      fmt::format("{}: {} row{}: {} created, {} updated, {} unchanged\n", valid_utf8(name), r.rows,
                  r.rows == 1 ? "" : "s", r.created, r.updated, r.unchanged);
  for (const auto& [attr, n] : r.changed_per_attribute)
    s += fmt::format("  {}: {} user{} changed\n", attr, n, n == 1 ? "" : "s");
  if (!r.created_ids.empty()) s += fmt::format("  new users: {}\n", fmt::join(r.created_ids, ", "));
  return s;
}

} // namespace keyplan::sim
