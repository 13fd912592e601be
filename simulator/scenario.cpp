#include "simulator/scenario.hpp"

#include "compiler/value.hpp"
#include "runtime/interpreter.hpp"
#include "runtime/yaml_checks.hpp"

#include <filesystem>
#include <fmt/format.h>
#include <fstream>
#include <set>
#include <sstream>

namespace fs = std::filesystem;

namespace keyplan::sim {

Span node_span(const YAML::Node& n, int file_id) {
  Span s;
  s.file = file_id;
  auto m = n.Mark();
  if (m.line < 0) return s;
  s.line = static_cast<uint32_t>(m.line) + 1;
  s.col = static_cast<uint32_t>(m.column) + 1;
  s.begin = static_cast<uint32_t>(m.pos);
  size_t width = n.IsScalar() ? std::max<size_t>(1, n.Scalar().size()) : 1;
  s.end = s.begin + static_cast<uint32_t>(width);
  s.end_line = s.line;
  s.end_col = s.col + static_cast<uint32_t>(width);
  return s;
}

namespace {

// Keys are scalars; anything else becomes text that matches no key.
std::string key_text(const YAML::Node& k) {
  return k.IsScalar() ? k.Scalar() : std::string("<not a name>");
}

std::string resolve(const std::string& base_dir, const std::string& rel) {
  fs::path p(rel);
  if (p.is_relative()) p = fs::path(base_dir) / p;
  return p.lexically_normal().string();
}

bool is_directory(const std::string& path) {
  std::error_code ec;
  return fs::is_directory(path, ec);
}

const std::set<std::string> kScenarioKeys = {"name", "policy", "settings",   "today",
                                             "data", "cases",  "description"};
const std::set<std::string> kCaseKeys = {"action", "expect", "note", "explain"};

} // namespace

std::vector<Scenario> load_scenarios(const std::string& path, SourceManager& sm,
                                     Diagnostics& diags) {
  std::vector<Scenario> out;
  if (is_directory(path)) {
    diags.error(Span{}, fmt::format("'{}' is a directory, not a scenario file", path),
                fmt::format("give the scenario files, e.g. {}/*.yaml", path));
    return out;
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    diags.error(Span{}, fmt::format("cannot read scenario file '{}'", path));
    return out;
  }
  std::stringstream ss;
  ss << in.rdbuf();
  int fid = sm.add(path, ss.str());
  std::vector<YAML::Node> docs;
  if (!rt::load_all_yaml(fid, sm.file(fid).text, diags, docs)) return out;
  std::string base = fs::path(path).parent_path().string();
  // Duplicate keys and alias bombs, before any value is read: the checks
  // every YAML input gets (runtime/yaml_checks.hpp). The node budget is
  // shared by the file's documents.
  rt::YamlChecker checker(fid, diags, rt::YamlLimits::for_size(sm.file(fid).text.size()));
  for (size_t d = 0; d < docs.size(); ++d) {
    const YAML::Node& doc = docs[d];
    if (doc.IsNull()) continue;
    if (checker.check(doc); checker.exhausted()) break;
    Scenario sc;
    sc.file = path;
    sc.span = node_span(doc, fid);
    sc.data_file_id = fid;
    sc.name = fmt::format("{} #{}", fs::path(path).filename().string(), d + 1);
    if (!doc.IsMap()) {
      diags.error(sc.span, "a scenario must be a map",
                  "expected keys policy, today, data, settings, cases");
      continue;
    }
    for (const auto& kv : doc) {
      std::string k = key_text(kv.first);
      if (!kScenarioKeys.count(k))
        diags.error(node_span(kv.first, fid), fmt::format("unknown scenario key '{}'", k),
                    did_you_mean(k, {kScenarioKeys.begin(), kScenarioKeys.end()}).empty()
                        ? "expected one of: name, description, policy, settings, today, data, cases"
                        : did_you_mean(k, {kScenarioKeys.begin(), kScenarioKeys.end()}));
    }
    if (auto n = doc["name"]) {
      if (n.IsScalar())
        sc.name = n.Scalar();
      else
        diags.error(node_span(n, fid), "name must be text");
    }
    if (!doc["policy"] || !doc["policy"].IsScalar()) {
      diags.error(sc.span, "the scenario has no policy",
                  "expected e.g. `policy: std.desk_booking` or a .kp path");
      continue;
    }
    sc.policy_span = node_span(doc["policy"], fid);
    std::string pol = doc["policy"].Scalar();
    bool is_path = pol.find('/') != std::string::npos ||
                   (pol.size() > 3 && pol.substr(pol.size() - 3) == ".kp");
    sc.policy = is_path ? resolve(base, pol) : pol;
    if (auto t = doc["today"]) {
      int64_t days = 0;
      if (!t.IsScalar() || !ir::parse_date(t.Scalar(), days))
        diags.error(node_span(t, fid), "today must be a date", "expected YYYY-MM-DD");
      else
        sc.today = days;
    } else {
      // The wall clock would make a replay mean something else every day.
      diags.error(sc.span, "the scenario has no `today`",
                  fmt::format("add the date its cases are decided on, e.g. `today: {}`",
                              ir::format_date(rt::current_date())));
    }
    if (auto s = doc["settings"]) {
      if (!s.IsMap())
        diags.error(node_span(s, fid), "settings must be a map",
                    "e.g. settings: {floor_needs_building: false}");
      else
        for (const auto& kv : s)
          sc.settings[key_text(kv.first)] =
              Setting{YamlValue::from(kv.second, fid), node_span(kv.first, fid)};
    }
    auto add_data_file = [&](const YAML::Node& f) {
      std::string file = resolve(base, f.Scalar());
      if (is_directory(file)) {
        diags.error(node_span(f, fid), fmt::format("data '{}' is a directory, not a file", file),
                    "name the data files, e.g. `data: [dir/a.yaml, dir/b.yaml]`");
        return;
      }
      sc.data_files.push_back(file);
      sc.data_spans.push_back(node_span(f, fid));
    };
    if (auto dnode = doc["data"]) {
      if (dnode.IsScalar())
        add_data_file(dnode);
      else if (dnode.IsSequence())
        for (const auto& f : dnode) {
          if (f.IsScalar())
            add_data_file(f);
          else
            diags.error(node_span(f, fid), "a data list holds file names");
        }
      else if (dnode.IsMap())
        sc.inline_data = dnode;
      else
        diags.error(node_span(dnode, fid), "data must be a map of entity types, or a file name");
    }
    auto cases = doc["cases"];
    if (!cases || !cases.IsSequence()) {
      diags.error(sc.span, "the scenario has no cases",
                  "expected `cases:` with a list of {action: ..., expect: ...}");
      continue;
    }
    for (const auto& c : cases) {
      Case cs;
      cs.span = node_span(c, fid);
      if (!c.IsMap()) {
        diags.error(cs.span, "a case must be a map",
                    "e.g. {action: book, user: mueller, object: TABLE_1, expect: allow}");
        continue;
      }
      if (!c["action"] || !c["action"].IsScalar()) {
        diags.error(cs.span, "the case has no action");
        continue;
      }
      cs.action = c["action"].Scalar();
      if (auto e = c["expect"]) {
        std::string v = e.IsScalar() ? e.Scalar() : "";
        if (v == "allow" || v == "true")
          cs.expect = true;
        else if (v == "deny" || v == "false")
          cs.expect = false;
        else if (v == "unresolved")
          cs.expect_unresolved = true;
        else
          diags.error(node_span(e, fid),
                      fmt::format("expect must be allow, deny or unresolved, not '{}'", v));
      }
      if (auto n = c["note"]) {
        if (n.IsScalar())
          cs.note = n.Scalar();
        else
          diags.error(node_span(n, fid), "note must be text");
      }
      if (auto x = c["explain"]) {
        std::string v = x.IsScalar() ? x.Scalar() : "";
        if (v == "true" || v == "yes")
          cs.explain = true;
        else if (v != "false" && v != "no")
          diags.error(node_span(x, fid), "explain must be true or false");
      }
      for (const auto& kv : c) {
        std::string k = key_text(kv.first);
        if (kCaseKeys.count(k)) continue;
        if (kv.second.IsMap()) {
          diags.error(node_span(kv.second, fid),
                      fmt::format("the value of '{}' must be an id, a value or a list", k));
          continue;
        }
        cs.values[k] = YamlValue::from(kv.second, fid);
        cs.args[k] = display(cs.values[k]);
      }
      sc.cases.push_back(std::move(cs));
    }
    out.push_back(std::move(sc));
  }
  return out;
}

} // namespace keyplan::sim
