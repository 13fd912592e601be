#include "simulator/data_edit.hpp"

#include "runtime/yaml_checks.hpp"

#include <fmt/format.h>
#include <set>
#include <yaml-cpp/yaml.h>

namespace keyplan::sim {
namespace {

std::string trim(const std::string& s) {
  size_t b = s.find_first_not_of(" \t\r\n");
  if (b == std::string::npos) return "";
  size_t e = s.find_last_not_of(" \t\r\n");
  return s.substr(b, e - b + 1);
}

// A node in flow style whatever its style in the file: the attributes an
// import does not touch, copied into the entry's rewritten `{...}` line. A
// quoted scalar stays quoted (so "123" stays a string).
std::string flow_yaml(const YAML::Node& n) {
  if (n.IsSequence()) {
    std::string s = "[";
    for (size_t i = 0; i < n.size(); ++i) s += (i ? ", " : "") + flow_yaml(n[i]);
    return s + "]";
  }
  if (n.IsMap()) {
    std::string s = "{";
    for (const auto& kv : n)
      s += (s.size() > 1 ? ", " : "") + flow_yaml(kv.first) + ": " + flow_yaml(kv.second);
    return s + "}";
  }
  if (!n.IsScalar()) return "null";
  YAML::Emitter e;
  if (n.Tag() == "!") e << YAML::DoubleQuoted;
  e << n.Scalar();
  return e.c_str();
}

} // namespace

std::string value_yaml(const rt::Snapshot& snap, const ir::Value& v) {
  const ir::Policy& p = snap.policy();
  switch (v.tag) {
  case ir::Value::Tag::None:
    return "null";
  case ir::Value::Tag::Bool:
    return v.num ? "true" : "false";
  case ir::Value::Tag::Int:
    return std::to_string(v.num);
  case ir::Value::Tag::String: {
    YAML::Emitter e;
    e << YAML::DoubleQuoted << v.str;
    return e.c_str();
  }
  case ir::Value::Tag::Enum:
    return p.enums[static_cast<size_t>(v.ref)].members[static_cast<size_t>(v.num)];
  case ir::Value::Tag::Entity: {
    YAML::Emitter e;
    e << snap.id(v.ref, static_cast<int32_t>(v.num));
    return e.c_str();
  }
  case ir::Value::Tag::Set: {
    std::string s = "[";
    for (size_t i = 0; i < v.elems.size(); ++i) s += (i ? ", " : "") + value_yaml(snap, v.elems[i]);
    return s + "]";
  }
  default:
    return "null";
  }
}

bool edit_data_section(const std::string& text, const SectionEdit& edit, std::string& out,
                       std::string& why) {
  auto fail = [&](const std::string& w) {
    why = w;
    return false;
  };
  if (edit.updates.empty() && edit.added.empty()) {
    out = text;
    return true;
  }
  YAML::Node root;
  try {
    auto docs = rt::load_all_yaml(text);
    if (docs.size() > 1) return fail("it holds more than one YAML document");
    if (!docs.empty()) root = docs[0];
  } catch (const YAML::Exception&) {
    return fail("it is not YAML");
  }
  const std::string& section = edit.entity;
  // The rewritten entries: each existing map with the new values merged in.
  std::map<std::string, std::string> changed;
  if (root.IsMap() && root[section] && root[section].IsSequence())
    for (const auto& item : root[section]) {
      if (!item.IsMap() || !item["id"]) continue;
      std::string id = item["id"].as<std::string>("");
      auto u = edit.updates.find(id);
      if (u == edit.updates.end()) continue;
      std::string flow = "{";
      std::set<std::string> done;
      for (const auto& kv : item) {
        std::string k = kv.first.as<std::string>("");
        std::string v = flow_yaml(kv.second);
        if (auto n = u->second.find(k); n != u->second.end()) v = n->second;
        done.insert(k);
        flow += (flow.size() > 1 ? ", " : "") + k + ": " + v;
      }
      for (const auto& [k, v] : u->second)
        if (!done.count(k)) flow += ", " + k + ": " + v;
      changed[id] = flow + "}";
    }
  for (const auto& [id, attrs] : edit.updates) {
    (void)attrs;
    if (!changed.count(id))
      return fail(fmt::format("{} '{}' is not an entry of the file's {} section (declared in the "
                              "policy?)",
                              section, id, section));
  }
  auto line_start = [&](size_t pos) {
    size_t s = text.rfind('\n', pos == 0 ? 0 : pos - 1);
    return (s == std::string::npos || pos == 0) ? size_t{0} : s + 1;
  };
  std::string body = text;
  if (!body.empty() && body.back() != '\n') body += '\n';
  if (!root || root.IsNull() || (root.IsMap() && !root[section])) {
    if (root.IsMap() && root.Style() == YAML::EmitterStyle::Flow)
      return fail("the file is one flow map ({...}); write it in block style");
    std::string o = body + section + ":\n";
    for (const auto& a : edit.added) o += "  - " + a + "\n";
    out = o;
    return true;
  }
  if (!root.IsMap() || root.Style() == YAML::EmitterStyle::Flow)
    return fail("the file is not a block-style map of entity types");
  YAML::Node seq = root[section];
  if (!seq.IsSequence() || seq.Style() == YAML::EmitterStyle::Flow || seq.size() == 0)
    return fail(fmt::format("the {} section is not a block list ('- ...' lines)", section));
  // Where the section ends: the next top-level key after it, or the end.
  size_t key = 0, section_end = text.size();
  for (const auto& kv : root)
    if (kv.first.as<std::string>("") == section) key = static_cast<size_t>(kv.first.Mark().pos);
  for (const auto& kv : root) {
    size_t pos = static_cast<size_t>(kv.first.Mark().pos);
    if (pos > key && pos < section_end) section_end = line_start(pos);
  }
  // Each item: from the line of its '-' to the next item's; trailing blank
  // and comment lines stay where they are.
  std::vector<std::pair<size_t, size_t>> ranges;
  std::vector<std::string> ids;
  std::string indent;
  for (const auto& item : seq) {
    size_t pos = static_cast<size_t>(item.Mark().pos);
    size_t d = pos;
    while (d > 0 && (text[d - 1] == ' ' || text[d - 1] == '\n' || text[d - 1] == '\r')) --d;
    if (d == 0 || text[d - 1] != '-')
      return fail(fmt::format("a {} entry does not start with '- '", section));
    size_t start = line_start(d - 1);
    if (text.find_first_not_of(' ', start) != d - 1)
      return fail(fmt::format("a {} entry does not start its own line", section));
    if (indent.empty()) indent = text.substr(start, d - 1 - start) + "- ";
    if (!ranges.empty()) ranges.back().second = start;
    ranges.push_back({start, section_end});
    ids.push_back(item.IsMap() && item["id"] ? item["id"].as<std::string>("") : "");
  }
  std::string o = text.substr(0, ranges.front().first);
  for (size_t i = 0; i < ranges.size(); ++i) {
    auto [b, e] = ranges[i];
    // Keep the trailing blank and comment lines of the range.
    size_t keep_from = e;
    while (keep_from > b) {
      size_t ls = line_start(keep_from - 1);
      std::string l = trim(text.substr(ls, keep_from - ls));
      if (ls == b || !(l.empty() || l[0] == '#')) break;
      keep_from = ls;
    }
    std::string item = text.substr(b, keep_from - b);
    if (auto c = changed.find(ids[i]); c != changed.end()) item = indent + c->second + "\n";
    if (!item.empty() && item.back() != '\n') item += '\n';
    o += item;
    if (i + 1 == ranges.size())
      for (const auto& a : edit.added) o += indent + a + "\n";
    o += text.substr(keep_from, e - keep_from);
  }
  o += text.substr(section_end);
  out = o;
  return true;
}

} // namespace keyplan::sim
