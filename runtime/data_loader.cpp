#include "runtime/data_loader.hpp"

#include "runtime/data_chunks.hpp"
#include "runtime/data_fast.hpp"
#include "runtime/data_file.hpp"
#include "runtime/yaml_checks.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cstring>
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <functional>
#include <map>
#include <string_view>
#include <yaml-cpp/depthguard.h>
#include <yaml-cpp/yaml.h>

namespace keyplan::rt {

namespace {

// Large files are parsed in chunks (see load_data below); marks inside a
// chunk are shifted by where the chunk starts in the file.
thread_local YamlMarkShift g_offset;

Span span_of(const YAML::Node& n, int file, const Span& fallback = {}) {
  return yaml_span(n, file, g_offset, fallback);
}

std::string describe(const YAML::Node& n) {
  if (n.IsNull()) return "nothing";
  if (n.IsSequence()) return "a list";
  if (n.IsMap()) return "a map";
  return fmt::format("'{}'", n.Scalar());
}

struct Item {
  int32_t type;
  int32_t row = -1;
  bool is_new = false;
  std::string id;
  YAML::Node node;
  Span span;
};

class Loader {
public:
  Loader(const Snapshot& sn, int file, Diagnostics& diags) : sn_(sn), file_(file), diags_(diags) {}

  int errors() const { return errors_; }

  void error(const Span& s, std::string message, std::string hint = {}) {
    diags_.error(s, std::move(message), std::move(hint));
    ++errors_;
  }

  std::optional<ir::Value> value(ir::TypeId t, const YAML::Node& n, const Span& at,
                                 const std::string& what) {
    const ir::Policy& p = sn_.policy();
    const ir::TypeTable& tt = p.types;
    Span s = span_of(n, file_, at);
    if (tt.is_optional(t)) {
      if (n.IsNull()) return ir::Value::none();
      ir::TypeId inner = tt[t].elem;
      if (n.IsScalar() && n.Tag() != "!" && n.Scalar() == "none" && !names_none(inner))
        return ir::Value::none();
      auto v = value(inner, n, at, what);
      if (v && v->tag == ir::Value::Tag::Int && v->num == kNone) {
        error(s, fmt::format("{}: {} is reserved for none", what, v->num));
        return std::nullopt;
      }
      return v;
    }
    const ir::Type& ty = tt[t];
    if (ty.kind == ir::TypeKind::Set) {
      if (!n.IsSequence()) {
        error(s, fmt::format("{} expects a list of {}, got {}", what, p.type_name(ty.elem),
                             describe(n)));
        return std::nullopt;
      }
      std::vector<ir::Value> elems;
      bool ok = true;
      for (const auto& e : n) {
        auto v = value(ty.elem, e, s, what);
        if (v)
          elems.push_back(std::move(*v));
        else
          ok = false;
      }
      if (!ok) return std::nullopt;
      return ir::Value::set(std::move(elems));
    }
    if (!n.IsScalar()) {
      error(s, fmt::format("{} expects {}, got {}", what, expected(t), describe(n)));
      return std::nullopt;
    }
    const std::string& text = n.Scalar();
    switch (ty.kind) {
    case ir::TypeKind::Bool:
      if (text == "true" || text == "True" || text == "TRUE") return ir::Value::boolean(true);
      if (text == "false" || text == "False" || text == "FALSE") return ir::Value::boolean(false);
      break;
    case ir::TypeKind::Int: {
      int64_t v = 0;
      auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
      if (!text.empty() && ec == std::errc() && ptr == text.data() + text.size())
        return ir::Value::integer(v);
      break;
    }
    case ir::TypeKind::String:
      return ir::Value::string(text);
    case ir::TypeKind::Date: {
      int64_t days = 0;
      if (ir::parse_date(text, days)) return ir::Value::date(days);
      error(s, fmt::format("{} expects a date (YYYY-MM-DD), got '{}'", what, text));
      return std::nullopt;
    }
    case ir::TypeKind::Enum: {
      const ir::EnumType& e = p.enums[static_cast<size_t>(ty.ref)];
      for (size_t i = 0; i < e.members.size(); ++i)
        if (e.members[i] == text) return ir::Value::enumerator(ty.ref, static_cast<int64_t>(i));
      error(s, fmt::format("unknown {} member '{}' for {}", e.name, text, what),
            did_you_mean(text, e.members));
      return std::nullopt;
    }
    case ir::TypeKind::Entity: {
      int32_t row = sn_.find(ty.ref, text);
      if (row >= 0) return ir::Value::entity(ty.ref, row);
      error(s,
            fmt::format("unknown {} '{}' for {}", p.entities[static_cast<size_t>(ty.ref)].name,
                        text, what),
            did_you_mean(text, sn_.table(ty.ref).ids));
      return std::nullopt;
    }
    default:
      break;
    }
    error(s, fmt::format("{} expects {}, got '{}'", what, expected(t), text));
    return std::nullopt;
  }

private:
  std::string expected(ir::TypeId t) const {
    const ir::Policy& p = sn_.policy();
    switch (p.types.kind(t)) {
    case ir::TypeKind::Bool:
      return "a bool (true or false)";
    case ir::TypeKind::Int:
      return "an int";
    case ir::TypeKind::String:
      return "a string";
    case ir::TypeKind::Date:
      return "a date (YYYY-MM-DD)";
    case ir::TypeKind::Enum:
      return fmt::format("a {} member", p.type_name(t));
    case ir::TypeKind::Entity:
      return fmt::format("a {} id", p.type_name(t));
    default:
      return "a " + p.type_name(t);
    }
  }
  // Whether `none` is a member or id of type t (then it means that).
  bool names_none(ir::TypeId t) const {
    const ir::Type& ty = sn_.policy().types[t];
    if (ty.kind == ir::TypeKind::Enum) {
      const auto& m = sn_.policy().enums[static_cast<size_t>(ty.ref)].members;
      return std::find(m.begin(), m.end(), "none") != m.end();
    }
    if (ty.kind == ir::TypeKind::Entity) return sn_.find(ty.ref, "none") >= 0;
    return ty.kind == ir::TypeKind::String;
  }

  const Snapshot& sn_;
  int file_;
  Diagnostics& diags_;
  int errors_ = 0;
};

bool has_implicit_default(const ir::Policy& p, const ir::Attribute& a) {
  return a.default_value || p.types.is_optional(a.type) || p.types.is_set(a.type);
}

// Parent cycles: every instance's parent chain must end.
void check_cycles(const Snapshot& sn, const std::map<std::pair<int32_t, int32_t>, Span>& given,
                  Loader& loader) {
  const ir::Policy& p = sn.policy();
  const ir::TypeTable& tt = p.types;
  std::vector<std::vector<uint8_t>> state(static_cast<size_t>(sn.entity_count()));
  for (int32_t t = 0; t < sn.entity_count(); ++t)
    state[static_cast<size_t>(t)].assign(static_cast<size_t>(sn.count(t)), 0);
  for (int32_t t0 = 0; t0 < sn.entity_count(); ++t0) {
    for (int32_t r0 = 0; r0 < sn.count(t0); ++r0) {
      std::vector<std::pair<int32_t, int32_t>> path;
      int32_t t = t0, r = r0;
      while (true) {
        uint8_t& st = state[static_cast<size_t>(t)][static_cast<size_t>(r)];
        if (st == 2) break;
        if (st == 1) { // back on the current path: a cycle
          auto start = std::find(path.begin(), path.end(), std::make_pair(t, r));
          std::vector<std::string> names;
          Span at;
          for (auto it = start; it != path.end(); ++it) {
            names.push_back(fmt::format("{} '{}'", p.entities[static_cast<size_t>(it->first)].name,
                                        sn.id(it->first, it->second)));
            auto g = given.find(*it);
            if (!at.valid() && g != given.end()) at = g->second;
          }
          names.push_back(names.front());
          loader.error(at, fmt::format("parent cycle: {}", fmt::join(names, " > ")),
                       "a parent chain must end at an instance without a parent");
          break;
        }
        st = 1;
        path.emplace_back(t, r);
        const EntityTable& tab = sn.table(t);
        if (tab.parent_attr < 0) break;
        const Column& c = tab.columns[static_cast<size_t>(tab.parent_attr)];
        int64_t parent = c.scalars[static_cast<size_t>(r)];
        if (c.optional && parent == kNone) break;
        int32_t pt = tt[tt.strip_optional(c.type)].ref;
        if (pt < 0 || parent < 0 || parent >= sn.count(pt)) break;
        t = pt;
        r = static_cast<int32_t>(parent);
      }
      for (auto& [t1, r1] : path) state[static_cast<size_t>(t1)][static_cast<size_t>(r1)] = 2;
    }
  }
}

} // namespace

// Visits the document's root map(s): one for a document parsed whole, one
// per chunk for a large file parsed in pieces (nodes are then not kept
// between the two passes, and the chunks are parsed again for pass 2).
using RootVisitor = std::function<bool(const std::function<void(const YAML::Node&)>&)>;

// `checker` has checked (or checks, chunk by chunk, in pass 1) the same
// YAML: its errors (duplicate keys) are reported with the loader's own, and
// also keep the snapshot unchanged.
bool load_roots(Snapshot& snapshot, const RootVisitor& roots, int file, Diagnostics& diags,
                bool keep_nodes, const YamlChecker& checker) {
  const ir::Policy& p = snapshot.policy();
  Snapshot stage = snapshot;
  Loader loader(stage, file, diags);
  std::vector<std::string> type_names;
  for (const auto& e : p.entities) type_names.push_back(e.name);

  // Pass 1: types, ids, duplicates; new ids are appended to the stage.
  std::vector<Item> items;
  std::vector<std::vector<std::string>> new_ids(p.entities.size());
  std::map<std::pair<int32_t, std::string>, Span> seen;
  std::vector<int32_t> visited; // per instance visited in pass 1: its item, or -1
  bool parsed = roots([&](const YAML::Node& root) {
    Span root_span = span_of(root, file);
    if (root.IsNull()) return;
    if (!root.IsMap()) {
      loader.error(root_span, "data must map entity type names to lists of instances");
      return;
    }
    for (const auto& kv : root) {
      std::string tname = kv.first.IsScalar() ? kv.first.Scalar() : std::string{};
      Span tspan = span_of(kv.first, file, root_span);
      int32_t type = p.find_entity(tname);
      if (type < 0) {
        loader.error(tspan, fmt::format("unknown entity type '{}'", tname),
                     did_you_mean(tname, type_names));
        continue;
      }
      const YAML::Node& list = kv.second;
      if (list.IsNull()) continue;
      if (!list.IsSequence()) {
        loader.error(span_of(list, file, tspan),
                     fmt::format("{} expects a list of instances, got {}", tname, describe(list)));
        continue;
      }
      for (const auto& inst : list) {
        visited.push_back(-1);
        Span ispan = span_of(inst, file, tspan);
        if (!inst.IsMap()) {
          loader.error(ispan,
                       fmt::format("a {} must be a map with an id, got {}", tname, describe(inst)));
          continue;
        }
        YAML::Node idn = inst["id"];
        if (!idn || !idn.IsScalar() || idn.Scalar().empty()) {
          loader.error(idn ? span_of(idn, file, ispan) : ispan,
                       fmt::format("a {} needs an id", tname));
          continue;
        }
        Item item{type, -1, false, idn.Scalar(), keep_nodes ? YAML::Node(inst) : YAML::Node(),
                  ispan};
        Span idspan = span_of(idn, file, ispan);
        auto [it, fresh] = seen.emplace(std::make_pair(type, item.id), idspan);
        if (!fresh) {
          loader.error(idspan, fmt::format("duplicate {} id '{}'", tname, item.id));
          diags.note(it->second, "first given here");
          continue;
        }
        if (stage.find(type, item.id) < 0) {
          item.is_new = true;
          new_ids[static_cast<size_t>(type)].push_back(item.id);
        }
        visited.back() = static_cast<int32_t>(items.size());
        items.push_back(std::move(item));
      }
    }
  });
  if (!parsed) return false;
  stage.append(new_ids);

  // Pass 2: attributes, resolved against the stage (so references may point
  // forward within the document).
  std::map<std::pair<int32_t, int32_t>, Span> given_parent;
  // `_allow: [check, ...]`: names of declared checks; simulator/fm_locate reads them.
  auto check_allow = [&](const YAML::Node& v, const Span& kspan) {
    if (!v.IsSequence()) {
      loader.error(span_of(v, file, kspan), "_allow expects a list of check names",
                   "e.g. _allow: [no_bookers]");
      return;
    }
    std::vector<std::string> names;
    for (const auto& c : p.checks) names.push_back(c.name);
    for (const auto& n : v)
      if (!n.IsScalar())
        loader.error(span_of(n, file, kspan),
                     fmt::format("_allow expects check names, got {}", describe(n)));
      else if (p.find_check(n.Scalar()) < 0)
        loader.error(span_of(n, file, kspan), fmt::format("_allow names no check '{}'", n.Scalar()),
                     did_you_mean(n.Scalar(), names));
  };
  auto process = [&](Item& item, const YAML::Node& node) {
    const ir::EntityType& et = p.entities[static_cast<size_t>(item.type)];
    item.row = stage.find(item.type, item.id);
    std::vector<std::string> names{"id"};
    for (const auto& a : et.attributes) names.push_back(a.name);
    std::vector<bool> set_here(et.attributes.size(), false);
    for (const auto& kv : node) {
      std::string key = kv.first.IsScalar() ? kv.first.Scalar() : std::string{};
      if (key == "id") continue;
      Span kspan = span_of(kv.first, file, item.span);
      if (key == "_allow") { // checks silenced for this instance (docs/checks.md)
        check_allow(kv.second, kspan);
        continue;
      }
      int32_t a = et.find_attribute(key);
      if (a < 0) {
        loader.error(kspan, fmt::format("{} has no attribute '{}'", et.name, key),
                     did_you_mean(key, names));
        continue;
      }
      if (set_here[static_cast<size_t>(a)]) continue; // a duplicate key: the checker said so
      set_here[static_cast<size_t>(a)] = true;
      const ir::Attribute& attr = et.attributes[static_cast<size_t>(a)];
      auto v = loader.value(attr.type, kv.second, kspan, fmt::format("{}.{}", et.name, key));
      if (!v) continue;
      stage.set(item.type, item.row, a, *v);
      if (a == et.parent_attr)
        given_parent[{item.type, item.row}] = span_of(kv.second, file, kspan);
    }
    if (!item.is_new) return;
    for (size_t a = 0; a < et.attributes.size(); ++a)
      if (!set_here[a] && !has_implicit_default(p, et.attributes[a])) {
        // A new id close to an existing one is likely a what-if edit with a typo.
        std::string hint =
            item.id.size() >= 4 ? did_you_mean(item.id, snapshot.table(item.type).ids) : "";
        loader.error(item.span,
                     fmt::format("{} '{}' is missing required attribute '{}'", et.name, item.id,
                                 et.attributes[a].name),
                     hint.empty() ? fmt::format("{}: {}", et.attributes[a].name,
                                                p.type_name(et.attributes[a].type))
                                  : fmt::format("a new {} needs it; {}", et.name, hint));
      }
  };
  if (keep_nodes) {
    for (Item& item : items) process(item, item.node);
  } else {
    // Walk the same structure again; pass 1 recorded which instances count.
    size_t k = 0;
    roots([&](const YAML::Node& root) {
      if (!root.IsMap()) return;
      for (const auto& kv : root) {
        if (p.find_entity(kv.first.IsScalar() ? kv.first.Scalar() : std::string{}) < 0) continue;
        if (!kv.second.IsSequence()) continue;
        for (const auto& inst : kv.second) {
          int32_t idx = k < visited.size() ? visited[k] : -1;
          ++k;
          if (idx >= 0) process(items[static_cast<size_t>(idx)], inst);
        }
      }
    });
  }

  if (loader.errors() == 0) check_cycles(stage, given_parent, loader);
  if (loader.errors() > 0 || checker.errors() > 0) return false;
  snapshot = std::move(stage);
  return true;
}

namespace {

// One document, already checked by `checker` and within its limits.
bool load_document(Snapshot& snapshot, const YAML::Node& root, int file, Diagnostics& diags,
                   const YamlChecker& checker) {
  return load_roots(
      snapshot,
      [&](const std::function<void(const YAML::Node&)>& fn) {
        fn(root);
        return true;
      },
      file, diags, true, checker);
}

} // namespace

bool load_data(Snapshot& snapshot, const YAML::Node& root, int file, Diagnostics& diags) {
  // Inline data's size is not known here: the smallest limits (2M nodes).
  YamlChecker checker(file, diags, YamlLimits::for_size(0));
  checker.check(root);
  if (checker.exhausted()) return false;
  return load_document(snapshot, root, file, diags, checker);
}

namespace {
Span yaml_error_span(const YAML::Exception& e, int file) {
  if (e.mark.is_null()) return Span{file, 1, 1, 1, 2, 0, 1};
  auto line = static_cast<uint32_t>(e.mark.line + g_offset.line) + 1;
  auto col = static_cast<uint32_t>(e.mark.column) + 1;
  auto pos = static_cast<uint32_t>(e.mark.pos + g_offset.pos);
  return Span{file, line, col, line, col + 1, pos, pos + 1};
}

void yaml_error(Diagnostics& diags, const YAML::Exception& e, int file, const std::string& path) {
  // yaml-cpp gives its depth limit no useful position ("bad file" at the end).
  if (auto* deep = dynamic_cast<const YAML::DeepRecursion*>(&e)) {
    diags.error(Span{}, fmt::format("'{}': invalid YAML: nested {} levels deep (the YAML "
                                    "reader's limit)",
                                    path, deep->depth()));
    return;
  }
  diags.error(yaml_error_span(e, file), fmt::format("invalid YAML: {}", e.msg));
}

// Loads checked documents in order: each a what-if edit of the ones before,
// all or nothing.
bool load_documents(Snapshot& snapshot, const std::vector<YAML::Node>& docs, int file,
                    Diagnostics& diags, const YamlChecker& checker) {
  if (docs.size() == 1) return load_document(snapshot, docs[0], file, diags, checker);
  Snapshot stage = snapshot;
  for (const auto& d : docs)
    if (!load_document(stage, d, file, diags, checker)) return false;
  snapshot = std::move(stage);
  return true;
}

enum class ChunkResult { Loaded, Failed, ParseWhole };

ChunkResult load_chunks(Snapshot& snapshot, const std::vector<Chunk>& chunks,
                        const std::vector<std::string>& headers, const std::string& text, int file,
                        Diagnostics& diags) {
  // Not data, it seems: the whole parse says so (or finds otherwise).
  const ir::Policy& p = snapshot.policy();
  if (std::none_of(headers.begin(), headers.end(),
                   [&](const std::string& h) { return p.find_entity(h) >= 0; }))
    return ChunkResult::ParseWhole;
  // Errors are kept apart until every chunk has parsed: a chunk that does
  // not parse means the split was wrong, and the whole parse decides.
  Diagnostics scratch;
  YamlChecker checker(file, scratch, YamlLimits::for_size(text.size()));
  bool parse_failed = false, first_pass = true;
  auto roots = [&](const std::function<void(const YAML::Node&)>& fn) {
    for (const Chunk& c : chunks) {
      g_offset = c.shift;
      YAML::Node root;
      try {
        root = YAML::Load(c.text);
      } catch (const YAML::Exception&) {
        parse_failed = true;
        g_offset = {};
        return false;
      }
      if (first_pass) {
        checker.check(root, c.shift);
        if (checker.exhausted()) {
          g_offset = {};
          return false;
        }
      }
      fn(root);
    }
    g_offset = {};
    first_pass = false;
    return true;
  };
  bool ok = load_roots(snapshot, roots, file, scratch, false, checker);
  if (parse_failed) return ChunkResult::ParseWhole;
  for (const auto& d : scratch.items()) diags.add(d);
  return ok ? ChunkResult::Loaded : ChunkResult::Failed;
}

} // namespace

namespace {

// `owned`, when given, is `given` and may be moved into `sources`.
bool load_text(Snapshot& snapshot, const std::string& given, std::string* owned,
               const std::string& path, Diagnostics& diags, SourceManager& sources, bool fast,
               LoadInfo* info) {
  int file = -1;
  const std::string* parsed = &given;
  if (owned && displayable_as_is(*owned)) {
    file = sources.add(path, std::move(*owned));
    parsed = &sources.file(file).text; // the same bytes; nothing is added while loading
  } else {
    file = sources.add(path, displayable(given));
  }
  const std::string& text = *parsed;
  const ir::Policy& p = snapshot.policy();
  if (size_t nul = text.find('\0'); nul != std::string::npos) {
    not_data(diags, path, fmt::format("it contains a NUL byte (at byte {})", nul));
    return false;
  }
  // The common case, without a node tree; every other case and every error
  // is this reference loader's (runtime/data_fast.hpp).
  if (fast && load_data_fast(snapshot, text) == FastLoad::Loaded) {
    if (info) info->fast_path = true;
    return true;
  }
  std::vector<Chunk> chunks;
  std::vector<std::string> headers;
  if (text.size() >= kChunkThreshold && !may_use_anchors(text) &&
      split_chunks(text, chunks, headers)) {
    ChunkResult r = load_chunks(snapshot, chunks, headers, text, file, diags);
    if (r != ChunkResult::ParseWhole) return r == ChunkResult::Loaded;
  }
  chunks.clear();

  std::vector<YAML::Node> docs;
  try {
    docs = load_all_yaml(text);
  } catch (const YAML::Exception& e) {
    // Where reading stopped (yaml-cpp's depth limit has no useful mark).
    size_t at = dynamic_cast<const YAML::DeepRecursion*>(&e) ? text.size()
                : e.mark.is_null()                           ? 0
                                   : static_cast<size_t>(std::max(0, e.mark.pos));
    if (!text_names_a_type_before(text, at, p)) {
      not_data(diags, path,
               e.mark.is_null() ? std::string("it is not valid YAML")
                                : fmt::format("it is not valid YAML (line {}, column {})",
                                              e.mark.line + 1, e.mark.column + 1));
      return false;
    }
    yaml_error(diags, e, file, path);
    return false;
  }
  // Empty documents (a file of comments, a trailing `---`) hold nothing.
  docs.erase(
      std::remove_if(docs.begin(), docs.end(), [](const YAML::Node& d) { return d.IsNull(); }),
      docs.end());
  if (docs.empty()) return true;
  if (!recognised(docs.front(), p, path, diags)) return false;
  // Every document is checked before any is read (one budget for the file).
  YamlChecker checker(file, diags, YamlLimits::for_size(text.size()));
  for (const auto& d : docs)
    if (checker.check(d); checker.exhausted()) return false;
  return load_documents(snapshot, docs, file, diags, checker);
}

} // namespace

bool load_data(Snapshot& snapshot, const std::string& text, const std::string& path,
               Diagnostics& diags, SourceManager& sources, LoadInfo* info) {
  return load_text(snapshot, text, nullptr, path, diags, sources, true, info);
}

bool load_data(Snapshot& snapshot, std::string&& text, const std::string& path, Diagnostics& diags,
               SourceManager& sources, LoadInfo* info) {
  return load_text(snapshot, text, &text, path, diags, sources, true, info);
}

bool load_data_reference(Snapshot& snapshot, const std::string& text, const std::string& path,
                         Diagnostics& diags, SourceManager& sources) {
  return load_text(snapshot, text, nullptr, path, diags, sources, false, nullptr);
}

bool load_data_file(Snapshot& snapshot, const std::string& path, Diagnostics& diags,
                    SourceManager& sources) {
  std::string text;
  if (!read_data_file(path, text, diags)) return false;
  return load_data(snapshot, std::move(text), path, diags, sources);
}

std::optional<ir::Value> yaml_value(const Snapshot& snapshot, ir::TypeId type,
                                    const YAML::Node& node, int file, Diagnostics& diags,
                                    const std::string& what) {
  Loader loader(snapshot, file, diags);
  return loader.value(type, node, span_of(node, file), what);
}

} // namespace keyplan::rt
