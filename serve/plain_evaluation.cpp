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
  // The last subject's row: a batch names one subject for all its items.
  int32_t subject_entity = -1, subject_row = -1;
  std::string subject_id;

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
  // bind() read the day itself (defaults such as book's `on`): kept only
  // when that was `today`, not across a midnight in between.
  if (!b.ok() || w.today() != today) return nullptr;
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

// The parts of a request object that a plain request may have: subject,
// action and resource, each plain, each at most once; `others` counts the
// members that are none of them.
struct Parts {
  bool subject = false, action = false, resource = false;
  size_t others = 0;
};

// Reads the subject, action and resource members of `obj` into `out`;
// false when one of them is not plain or comes twice.
bool read_parts(dom::object obj, PlainRequest& out, Parts& seen) {
  for (dom::key_value_pair kv : obj) {
    if (kv.key == "subject") {
      if (seen.subject || !two_strings(kv.value, "type", out.subject_type, "id", out.subject_id))
        return false;
      seen.subject = true;
    } else if (kv.key == "resource") {
      if (seen.resource || !two_strings(kv.value, "type", out.resource_type, "id", out.resource_id))
        return false;
      seen.resource = true;
    } else if (kv.key == "action") {
      dom::object a;
      if (seen.action || kv.value.get_object().get(a) || a.size() != 1 ||
          a.begin().key() != "name" || a.begin().value().get_string().get(out.action))
        return false;
      seen.action = true;
    } else {
      ++seen.others;
    }
  }
  return true;
}

// Parses `body` into simdjson's DOM (the parser is this thread's: views
// into it live until the next parse). False for malformed JSON and for any
// escape: unescaping exactly as nlohmann_json does (lone surrogates...) is
// the general path's, and such requests are rare.
bool parse_document(std::string& body, dom::element& doc) {
  if (body.find('\\') != std::string::npos) return false;
  thread_local dom::parser parser;
  body.reserve(body.size() + simdjson::SIMDJSON_PADDING);
  return !parser.parse(simdjson::padded_string_view(body.data(), body.size(), body.capacity()))
              .get(doc);
}

// options: {"evaluations_semantic": one of the three}, nothing else.
bool read_options(dom::element e, std::string_view& out) {
  dom::object obj;
  return !e.get_object().get(obj) && obj.size() == 1 &&
         obj.begin().key() == "evaluations_semantic" &&
         !obj.begin().value().get_string().get(out) && is_evaluations_semantic(out);
}

bool answer_batch(const World& w, dom::object top, Reply& out) {
  PlainRequest defaults;
  Parts given;
  if (!read_parts(top, defaults, given)) return false;
  // Besides the defaults: the list once, the options at most once.
  dom::array items;
  bool have_items = false, have_options = false;
  std::string_view semantic = "execute_all";
  for (dom::key_value_pair kv : top) {
    if (kv.key == "subject" || kv.key == "action" || kv.key == "resource") continue;
    if (kv.key == "evaluations" && !have_items && !kv.value.get_array().get(items)) {
      have_items = true;
      continue;
    }
    if (kv.key == "options" && !have_options && read_options(kv.value, semantic)) {
      have_options = true;
      continue;
    }
    return false; // context, a repeated or malformed member: the general path's
  }
  // An empty or missing list is a single evaluation (§7.1), too long a list
  // an error: both the general path's.
  if (!have_items || items.size() == 0 || items.size() > kMaxBatch) return false;
  // Every item is read before any is decided: a malformed one fails the
  // whole request, even past where a short-circuit semantic would stop.
  thread_local std::vector<PlainRequest> requests;
  requests.clear();
  for (dom::element item : items) {
    dom::object obj;
    PlainRequest& r = requests.emplace_back(defaults);
    Parts own;
    if (item.get_object().get(obj) || !read_parts(obj, r, own) || own.others) return false;
    if (!(given.subject || own.subject) || !(given.action || own.action) ||
        !(given.resource || own.resource))
      return false;
  }
  out.outcomes.clear();
  out.outcomes.reserve(requests.size());
  const int64_t today = w.today(); // once per batch, as the general path reads it
  for (const PlainRequest& r : requests) {
    Outcome o;
    if (!decide_plain(w, r, today, o)) return false;
    out.outcomes.push_back(std::move(o));
    if (stops_after(semantic, out.outcomes.back().allowed)) break;
  }
  out.text = batch_text(out.outcomes, w);
  return true;
}

} // namespace

bool parse_plain(std::string& body, PlainRequest& out) {
  dom::element doc;
  dom::object top;
  Parts seen;
  return parse_document(body, doc) && !doc.get_object().get(top) && read_parts(top, out, seen) &&
         seen.subject && seen.action && seen.resource && seen.others == 0;
}

bool answer_plain(const World& w, bool batch, std::string& body, Reply& out) {
  if (!batch) {
    PlainRequest r;
    Outcome o;
    if (!parse_plain(body, r) || !decide_plain(w, r, o)) return false;
    out.text = decision_text(o, w);
    out.outcomes.push_back(std::move(o));
    return true;
  }
  dom::element doc;
  dom::object top;
  return parse_document(body, doc) && !doc.get_object().get(top) && answer_batch(w, top, out);
}

bool decide_plain(const World& w, const PlainRequest& r, Outcome& out) {
  return decide_plain(w, r, w.today(), out);
}

bool decide_plain(const World& w, const PlainRequest& r, int64_t today, Outcome& out) {
  thread_local BindingCache cache;
  if (cache.world != w.serial) {
    cache.entries.clear();
    cache.subject_entity = -1;
    cache.world = w.serial;
  }
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
    if (cache.subject_entity != c->subject_entity || cache.subject_id != r.subject_id) {
      const int32_t row = snap.find(c->subject_entity, r.subject_id);
      if (row < 0) return false;
      cache.subject_entity = c->subject_entity;
      cache.subject_id = r.subject_id;
      cache.subject_row = row;
    }
    args[static_cast<size_t>(c->subject_index)] =
        ir::Value::entity(c->subject_entity, cache.subject_row);
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
