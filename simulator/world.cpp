#include "simulator/world.hpp"

#include "compiler/value.hpp"
#include "runtime/data_loader.hpp"
#include "runtime/interpreter.hpp"
#include "runtime/yaml_checks.hpp"
#include "simulator/scenario.hpp"

#include <filesystem>
#include <fmt/format.h>
#include <set>

namespace fs = std::filesystem;

namespace keyplan::sim {

namespace {

const std::vector<std::string> kWorldKeys = {"name",  "description", "policy", "settings",
                                             "today", "data",        "cases",  "detach"};

bool ends_with(const std::string& s, const std::string& tail) {
  return s.size() >= tail.size() && s.compare(s.size() - tail.size(), tail.size(), tail) == 0;
}

// "file.yaml#2" -> ("file.yaml", 2); a path that exists as written (a '#'
// in a file name) is taken literally.
std::pair<std::string, size_t> split_document(const std::string& arg, bool& bad) {
  bad = false;
  std::error_code ec;
  size_t hash = arg.rfind('#');
  if (hash == std::string::npos || fs::exists(arg, ec)) return {arg, 0};
  std::string num = arg.substr(hash + 1);
  if (num.empty() || num.size() > 6 || num.find_first_not_of("0123456789") != std::string::npos ||
      std::stoul(num) == 0) {
    bad = true;
    return {arg, 0};
  }
  return {arg.substr(0, hash), std::stoul(num)};
}

std::string resolve(const std::string& base_dir, const std::string& rel) {
  fs::path p(rel);
  if (p.is_relative()) p = fs::path(base_dir) / p;
  return p.lexically_normal().string();
}

} // namespace

bool is_world_file(const std::string& arg) {
  bool bad = false;
  std::string path = split_document(arg, bad).first;
  if (bad) path = arg.substr(0, arg.rfind('#'));
  return ends_with(path, ".yaml") || ends_with(path, ".yml");
}

bool read_world_file(const std::string& arg, bool whatif, WorldSpec& spec, SourceManager& sm,
                     Diagnostics& diags) {
  const int errors_before = diags.error_count();
  bool bad = false;
  auto [path, doc_no] = split_document(arg, bad);
  if (bad) {
    diags.error(Span{},
                fmt::format("'{}': expected FILE.yaml or FILE.yaml#N (N = 1, 2, ...)", arg));
    return false;
  }
  const char* what = whatif ? "what-if file" : "world file";
  std::error_code ec;
  if (!fs::exists(path, ec)) {
    diags.error(Span{}, fmt::format("cannot read {} '{}': no such file", what, path));
    return false;
  }
  if (fs::is_directory(path, ec)) {
    diags.error(Span{}, fmt::format("{} '{}' is a directory, not a file", what, path));
    return false;
  }
  std::string text;
  if (!rt::read_data_file(path, text, diags)) return false;
  const int fid = sm.add(path, text);
  std::vector<YAML::Node> docs;
  if (!rt::load_all_yaml(fid, sm.file(fid).text, diags, docs)) return false;
  rt::YamlChecker checker(fid, diags, rt::YamlLimits::for_size(text.size()));
  std::vector<YAML::Node> present;
  for (const auto& d : docs) {
    if (d.IsNull()) continue;
    checker.check(d);
    if (checker.exhausted()) return false;
    present.push_back(d);
  }
  if (checker.errors()) return false;
  if (present.empty()) {
    diags.error(Span{}, fmt::format("{} '{}' is empty", what, path),
                "expected a map with policy, settings, data, today");
    return false;
  }
  if (doc_no == 0 && present.size() > 1)
    diags.warning(
        Span{},
        fmt::format("{} '{}' has {} documents: using the first", what, path, present.size()),
        fmt::format("choose one with {}#N (N = 1 ... {})", path, present.size()));
  if (doc_no > present.size()) {
    diags.error(Span{}, fmt::format("{} '{}' has {} document(s), not {}", what, path,
                                    present.size(), doc_no));
    return false;
  }
  const YAML::Node& doc = present[doc_no ? doc_no - 1 : 0];
  spec.label = arg;
  if (!doc.IsMap()) {
    diags.error(node_span(doc, fid), fmt::format("a {} must be a map", what),
                "expected keys policy, settings, data, today");
    return false;
  }
  for (const auto& kv : doc) {
    std::string k = kv.first.IsScalar() ? kv.first.Scalar() : "<not a name>";
    if (std::find(kWorldKeys.begin(), kWorldKeys.end(), k) == kWorldKeys.end()) {
      std::string hint = did_you_mean(k, kWorldKeys);
      diags.error(node_span(kv.first, fid), fmt::format("unknown {} key '{}'", what, k),
                  hint.empty() ? "expected one of: policy, settings, data, today, name, "
                                 "description (cases are ignored)"
                               : hint);
    }
  }
  const std::string base = fs::path(path).parent_path().string();
  if (auto p = doc["policy"]) {
    if (!p.IsScalar() || p.Scalar().empty()) {
      diags.error(node_span(p, fid), "policy must be a .kp path or a module name");
    } else {
      const std::string pol = p.Scalar();
      bool is_path = pol.find('/') != std::string::npos || ends_with(pol, ".kp");
      spec.policy = is_path ? resolve(base, pol) : pol;
      spec.policy_span = node_span(p, fid);
    }
  } else if (!whatif) {
    diags.error(node_span(doc, fid), "the world file has no policy",
                "expected e.g. `policy: example_building.kp` or a module name");
  }
  if (auto t = doc["today"]) {
    int64_t days = 0;
    if (!t.IsScalar() || !ir::parse_date(t.Scalar(), days))
      diags.error(node_span(t, fid), "today must be a date", "expected YYYY-MM-DD");
    else
      spec.today = days;
  }
  if (auto s = doc["settings"]) {
    if (!s.IsMap())
      diags.error(node_span(s, fid), "settings must be a map",
                  "e.g. settings: {all_is_everyone: false}");
    else
      for (const auto& kv : s) {
        SettingEdit e;
        e.name = kv.first.IsScalar() ? kv.first.Scalar() : "<not a name>";
        e.yaml = YamlValue::from(kv.second, fid);
        e.key = node_span(kv.first, fid);
        spec.settings.push_back(std::move(e));
      }
  }
  auto add_file = [&](const YAML::Node& f) {
    std::error_code ec;
    std::string file = resolve(base, f.Scalar());
    if (fs::is_directory(file, ec)) {
      diags.error(node_span(f, fid), fmt::format("data '{}' is a directory, not a file", file));
      return;
    }
    spec.data.push_back(DataEdit{file, std::nullopt, -1});
  };
  if (auto d = doc["data"]) {
    if (d.IsScalar())
      add_file(d);
    else if (d.IsSequence())
      for (const auto& f : d) {
        if (f.IsScalar())
          add_file(f);
        else
          diags.error(node_span(f, fid), "a data list holds file names");
      }
    else if (d.IsMap())
      spec.data.push_back(DataEdit{{}, d, fid});
    else
      diags.error(node_span(d, fid), "data must be a map of entity types, or a file name");
  }
  if (whatif)
    for (auto& d : spec.data) d.whatif = true;
  if (auto d = doc["detach"]) {
    auto add = [&](const YAML::Node& g) {
      if (g.IsScalar() && !g.Scalar().empty())
        spec.detach.push_back(Detach{g.Scalar(), node_span(g, fid)});
      else
        diags.error(node_span(g, fid), "detach lists group ids", "e.g. detach: [Sales_Munich]");
    };
    if (d.IsSequence())
      for (const auto& g : d) add(g);
    else
      add(d);
  }
  return diags.error_count() == errors_before;
}

WorldSpec apply_whatif(const WorldSpec& base, const WorldSpec& edit) {
  WorldSpec out = base;
  out.label = base.label + " + " + edit.label;
  if (!edit.policy.empty()) {
    out.policy = edit.policy;
    out.policy_span = edit.policy_span;
  }
  out.data.insert(out.data.end(), edit.data.begin(), edit.data.end());
  out.settings.insert(out.settings.end(), edit.settings.begin(), edit.settings.end());
  if (edit.today) out.today = edit.today;
  out.detach.insert(out.detach.end(), edit.detach.begin(), edit.detach.end());
  return out;
}

namespace {

// Whether two recipes load the very same tables: the same data steps (one
// resolved file path, or one inline YAML node of one world file) in the
// same order, and the same groups detached.
bool same_data(const WorldSpec& a, const WorldSpec& b) {
  if (a.data.size() != b.data.size() || a.detach.size() != b.detach.size()) return false;
  for (size_t i = 0; i < a.data.size(); ++i) {
    const DataEdit &x = a.data[i], &y = b.data[i];
    if (x.whatif != y.whatif || x.inline_data.has_value() != y.inline_data.has_value())
      return false;
    if (x.inline_data ? x.file_id != y.file_id || !x.inline_data->is(*y.inline_data)
                      : x.file != y.file)
      return false;
  }
  for (size_t i = 0; i < a.detach.size(); ++i)
    if (a.detach[i].group != b.detach[i].group) return false;
  return true;
}

// `from`'s tables with the policy's default settings (the recipe's own
// settings are applied afterwards). False when a default does not apply.
std::unique_ptr<rt::Snapshot> copy_tables(const rt::Snapshot& from, const ir::Policy& policy) {
  auto out = std::make_unique<rt::Snapshot>(from);
  for (const auto& setting : policy.settings)
    if (!out->set_setting(setting.name, setting.value)) return nullptr;
  return out;
}

// Loads the recipe's data steps into a fresh snapshot.
void load_tables(World& w, const WorldSpec& spec, SourceManager& sm, Diagnostics& diags) {
  w.snapshot = std::make_unique<rt::Snapshot>(*w.compiled->policy);
  // F-G2: detaching happens before the what-if data, which may then edit
  // the detached groups' members; other external members are read-only.
  bool detached = false;
  for (const auto& d : spec.data) {
    if (d.whatif && !detached) {
      detach_groups(*w.snapshot, spec.detach, diags);
      detached = true;
    }
    std::optional<ExternalMembership> before;
    if (d.whatif) before = external_membership(*w.snapshot);
    if (d.inline_data)
      rt::load_data(*w.snapshot, *d.inline_data, d.file_id, diags);
    else
      rt::load_data_file(*w.snapshot, d.file, diags, sm);
    if (before) check_external_unchanged(*w.snapshot, *before, d, sm, diags);
  }
  if (!detached) detach_groups(*w.snapshot, spec.detach, diags);
}

} // namespace

bool load_world(World& w, const WorldSpec& spec, const WorldOptions& options, SourceManager& sm,
                Diagnostics& diags, const World* same) {
  w.spec = spec;
  const bool share =
      same && same->compiled && same->compiled->policy && same->spec.policy == spec.policy;
  CompileOptions co;
  co.search_path = options.search_path;
  if (share)
    w.compiled = same->compiled;
  else
    w.compiled = std::make_shared<CompileResult>(compile_policy(spec.policy, co));
  if (!w.compiled->policy) {
    if (!w.compiled->diags.has_errors())
      diags.error(spec.policy_span, fmt::format("cannot load policy '{}'", spec.policy),
                  "expected a .kp path or a module name such as std.desk_booking");
    return false;
  }
  const ir::Policy& policy = *w.compiled->policy;
  const int errors_before = diags.error_count();
  // The other world's data, not loaded again (a settings-only what-if, or
  // two world files naming the same data files): a copy of its tables keeps
  // their Snapshot::data_version, so the diff shares inverse indexes and
  // decides the actions the change cannot reach once (simulator/diff_skip.cpp).
  w.tables_shared = false;
  if (share && same->snapshot && same_data(same->spec, spec))
    if (auto copy = copy_tables(*same->snapshot, policy)) {
      w.snapshot = std::move(copy);
      w.tables_shared = true;
    }
  if (!w.tables_shared) load_tables(w, spec, sm, diags);
  for (const auto& s : spec.settings) {
    std::string err;
    if (!s.yaml) {
      if (!w.snapshot->set_setting(s.name, s.text, &err))
        diags.error(Span{}, fmt::format("--set {}={}: {}", s.name, s.text, err));
      continue;
    }
    const int32_t index = policy.find_setting(s.name);
    if (index < 0) {
      w.snapshot->set_setting(s.name, ir::Value::none(), &err); // the message, with a did-you-mean
      diags.error(s.key, err);
      continue;
    }
    Span where;
    auto v = typed_value(*w.snapshot, policy.settings[static_cast<size_t>(index)].type, *s.yaml,
                         err, where);
    if (!v)
      diags.error(where, fmt::format("setting '{}': {}", s.name, err));
    else if (!w.snapshot->set_setting(s.name, *v, &err))
      diags.error(where, err);
  }
  w.today = spec.today ? *spec.today : rt::current_date();
  if (diags.error_count() > errors_before) return false;
  if (share && same->native) {
    w.native = same->native;
  } else if (options.jit) {
    std::string err;
    w.native = jit::CompiledPolicy::compile(policy, &err);
    // A policy the JIT cannot compile is decided by the interpreter.
  }
  return true;
}

} // namespace keyplan::sim
