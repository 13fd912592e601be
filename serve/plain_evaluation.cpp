#include "serve/plain_evaluation.hpp"

#include "serve/authzen_eval.hpp"

#include <simdjson.h>

namespace keyplan::serve {

namespace {

namespace dom = simdjson::dom;

// An object with exactly the string members `a` and `b` (no escapes), each once.
bool two_strings(dom::element e, std::string_view a, std::string_view& va, std::string_view b,
                 std::string_view& vb) {
  dom::object obj;
  if (e.get_object().get(obj) || obj.size() != 2) return false;
  bool seen_a = false, seen_b = false;
  for (dom::key_value_pair kv : obj) {
    std::string_view* into = kv.key == a && !seen_a ? &va : kv.key == b && !seen_b ? &vb : nullptr;
    if (!into || kv.value.get_string().get(*into)) return false;
    (kv.key == a ? seen_a : seen_b) = true;
  }
  return seen_a && seen_b;
}

// The per-thread bindings: a plain request binds like any other of its
// action, subject type and resource type on the same world and day, but for
// the two rows it names (defaults are evaluated in an empty frame, and
// parameters from context or properties are absent from a plain request).
struct CachedBinding {
  std::string action, subject_type, resource_type;
  int64_t today = 0;
  Bound bound;
  int32_t subject_index = -1, subject_entity = -1;
  int32_t resource_index = -1, resource_entity = -1;
};

struct BindingCache {
  uint64_t world = 0;
  std::vector<CachedBinding> entries; // a handful: actions x types in use

  // Entries only come from successful binds (mapped actions and types), so
  // the list is bounded by the mapping; the cap is a guard, not a policy.
  static constexpr size_t kMaxEntries = 256;
};

int32_t param_index(const World& w, int32_t rule, const std::string& name) {
  if (name.empty()) return -1;
  const auto& params = w.policy().rules[static_cast<size_t>(rule)].params;
  for (size_t i = 0; i < params.size(); ++i)
    if (params[i].name == name) return static_cast<int32_t>(i);
  return -1;
}

// Binds `r` through the general path (serve::bind) and keeps how: null when
// it does not bind.
const CachedBinding* bind_and_remember(const World& w, const PlainRequest& r, int64_t today,
                                       BindingCache& cache) {
  const std::string name(r.action);
  const ActionMapping* am = w.mapping.find(name);
  if (!am) return nullptr;
  using nlohmann::json;
  const json subject = {{"type", r.subject_type}, {"id", r.subject_id}};
  const json resource = {{"type", r.resource_type}, {"id", r.resource_id}};
  const json action = {{"name", name}};
  Bound b = serve::bind(w, *am, subject, resource, json(), action);
  if (!b.ok()) return nullptr;
  CachedBinding c;
  c.action = name;
  c.subject_type = r.subject_type;
  c.resource_type = r.resource_type;
  c.today = today;
  c.subject_index = param_index(w, b.rule, am->subject);
  c.resource_index = param_index(w, b.rule, am->resource);
  if (c.subject_index >= 0) c.subject_entity = entity_of(w, subject);
  if (c.resource_index >= 0) c.resource_entity = entity_of(w, resource);
  c.bound = std::move(b);
  if (cache.entries.size() >= BindingCache::kMaxEntries) cache.entries.clear();
  cache.entries.push_back(std::move(c));
  return &cache.entries.back();
}

} // namespace

bool parse_plain(std::string& body, PlainRequest& out) {
  // An escape would need unescaping exactly as nlohmann_json does (lone
  // surrogates...): such requests are rare, the general path has them.
  if (body.find('\\') != std::string::npos) return false;
  thread_local dom::parser parser;
  body.reserve(body.size() + simdjson::SIMDJSON_PADDING);
  dom::element doc;
  if (parser.parse(simdjson::padded_string_view(body.data(), body.size(), body.capacity()))
          .get(doc))
    return false;
  dom::object top;
  if (doc.get_object().get(top) || top.size() != 3) return false;
  bool subject = false, action = false, resource = false;
  for (dom::key_value_pair kv : top) {
    if (kv.key == "subject" && !subject) {
      subject = two_strings(kv.value, "type", out.subject_type, "id", out.subject_id);
      if (!subject) return false;
    } else if (kv.key == "resource" && !resource) {
      resource = two_strings(kv.value, "type", out.resource_type, "id", out.resource_id);
      if (!resource) return false;
    } else if (kv.key == "action" && !action) {
      dom::object obj;
      if (kv.value.get_object().get(obj) || obj.size() != 1 || obj.begin().key() != "name" ||
          obj.begin().value().get_string().get(out.action))
        return false;
      action = true;
    } else {
      return false;
    }
  }
  return subject && action && resource;
}

bool decide_plain(const World& w, const PlainRequest& r, Outcome& out) {
  thread_local BindingCache cache;
  if (cache.world != w.serial) {
    cache.entries.clear();
    cache.world = w.serial;
  }
  const int64_t today = w.today();
  const CachedBinding* c = nullptr;
  for (const CachedBinding& e : cache.entries)
    if (e.today == today && e.action == r.action && e.subject_type == r.subject_type &&
        e.resource_type == r.resource_type) {
      c = &e;
      break;
    }
  if (!c && !(c = bind_and_remember(w, r, today, cache))) return false;
  // The rows: an unknown id is the general path's (its reason names it).
  const rt::Snapshot& snap = w.snapshot();
  thread_local std::vector<ir::Value> args;
  args = c->bound.args;
  if (c->subject_index >= 0) {
    const int32_t row = snap.find(c->subject_entity, r.subject_id);
    if (row < 0) return false;
    args[static_cast<size_t>(c->subject_index)] = ir::Value::entity(c->subject_entity, row);
  }
  if (c->resource_index >= 0) {
    const int32_t row = snap.find(c->resource_entity, r.resource_id);
    if (row < 0) return false;
    args[static_cast<size_t>(c->resource_index)] = ir::Value::entity(c->resource_entity, row);
  }
  Bound b; // decide_bound reads the rule and the arguments
  b.rule = c->bound.rule;
  b.args.swap(args);
  out = decide_bound(w, c->action, b, today, false);
  b.args.swap(args);
  return true;
}

} // namespace keyplan::serve
