#include "serve/authzen.hpp"

#include "runtime/explanation.hpp"
#include "runtime/request.hpp"
#include "runtime/value_text.hpp"
#include "serve/authzen_eval.hpp"

#include <fmt/format.h>

namespace keyplan::serve {

using nlohmann::json;

Reply error_reply(int status, const std::string& code, const std::string& message) {
  Reply r;
  r.status = status;
  r.body = {{"error", {{"status", status}, {"code", code}, {"message", message}}}};
  return r;
}

namespace {
// Whether `v` (an object) has `key` and what is_kind says of it; a
// missing member is `missing_ok`.
template <typename Is> bool member_is(const json& v, const char* key, Is is_kind, bool missing_ok) {
  const auto f = v.find(key);
  return f == v.end() ? missing_ok : is_kind(*f);
}
bool is_string(const json& j) {
  return j.is_string();
}
bool is_object(const json& j) {
  return j.is_object();
}
} // namespace

std::string check_entity(const json& v, const char* what, bool need_id) {
  if (!v.is_object()) return fmt::format("`{}` must be an object", what);
  if (!member_is(v, "type", is_string, false))
    return fmt::format("`{}.type` must be a string", what);
  if (need_id && !member_is(v, "id", is_string, false))
    return fmt::format("`{}.id` must be a string", what);
  if (!member_is(v, "properties", is_object, true))
    return fmt::format("`{}.properties` must be an object", what);
  return {};
}

std::string check_action(const json& v) {
  if (!v.is_object()) return "`action` must be an object";
  if (!v.contains("name") || !v["name"].is_string()) return "`action.name` must be a string";
  if (v.contains("properties") && !v["properties"].is_object())
    return "`action.properties` must be an object";
  return {};
}

int32_t entity_of(const World& w, const json& typed) {
  auto it = w.mapping.types.find(typed["type"].get_ref<const std::string&>());
  return it == w.mapping.types.end() ? -1 : it->second;
}

namespace {

// The value at a dotted source path ("context.date",
// "resource.properties.floor"), or null.
const json* lookup(const std::string& path, const json& subject, const json& resource,
                   const json& action, const json& context) {
  const size_t dot = path.find('.');
  const std::string head = path.substr(0, dot);
  const json* at = head == "context"    ? &context
                   : head == "subject"  ? &subject
                   : head == "resource" ? &resource
                                        : &action;
  size_t pos = dot + 1;
  while (at && pos <= path.size()) {
    const size_t next = path.find('.', pos);
    const std::string key = path.substr(pos, next == std::string::npos ? next : next - pos);
    if (!at->is_object() || !at->contains(key)) return nullptr;
    at = &(*at)[key];
    if (next == std::string::npos) break;
    pos = next + 1;
  }
  return at && !at->is_null() ? at : nullptr;
}

// A JSON value as keyplan value text (docs/data.md): strings as they are,
// lists as [a, b]. False for objects.
bool as_text(const json& v, std::string& out) {
  if (v.is_string()) {
    out = v.get<std::string>();
  } else if (v.is_boolean() || v.is_number()) {
    out = v.dump();
  } else if (v.is_array()) {
    out = "[";
    for (size_t i = 0; i < v.size(); ++i) {
      std::string e;
      if (!v[i].is_string() && !v[i].is_number() && !v[i].is_boolean()) return false;
      as_text(v[i], e);
      out += (i ? ", " : "") + e;
    }
    out += "]";
  } else {
    return false;
  }
  return true;
}

Outcome deny(const std::string& action, const std::string& code, const std::string& reason) {
  Outcome o;
  o.action = action;
  o.reason_code = code;
  o.reason = reason;
  return o;
}

} // namespace

Bound bind(const World& w, const ActionMapping& am, const json& subject, const json& resource,
           const json& context, const json& action, const std::string& open, int32_t open_entity) {
  Bound b;
  const ir::Policy& policy = w.policy();
  const rt::Snapshot& snap = w.snapshot();
  auto fail = [&](std::string code, std::string why) {
    b.reason_code = std::move(code);
    b.reason = std::move(why);
    return b;
  };
  std::map<std::string, rt::ArgValue> args;
  // An entity argument: only a parameter of exactly that entity type takes
  // it, which picks the overload (see(target: Floor) for a floor). The row
  // is found before (a search's placeholder is row 0); capturing no string
  // keeps the closure inside std::function's buffer (no allocation per item).
  auto entity_arg = [&policy](int32_t entity, int32_t row) {
    return rt::ArgValue(
        [&policy, entity, row](ir::TypeId t, std::string& err) -> std::optional<ir::Value> {
          const ir::Type& ty = policy.types[policy.types.strip_optional(t)];
          if (ty.kind != ir::TypeKind::Entity || ty.ref != entity) {
            err = "not a " + policy.type_name(t);
            return std::nullopt;
          }
          return ir::Value::entity(entity, row);
        });
  };
  struct Side {
    const json* v;
    const std::string* param;
    const char* what;
  };
  for (const Side& s :
       {Side{&subject, &am.subject, "subject"}, Side{&resource, &am.resource, "resource"}}) {
    if (s.param->empty()) continue;
    const int32_t e = s.v->is_object() && s.v->contains("type") ? entity_of(w, *s.v) : -1;
    if (e < 0)
      return fail(fmt::format("unknown_{}_type", s.what),
                  fmt::format("the mapping has no {} type '{}'", s.what,
                              s.v->is_object() ? s.v->value("type", "") : ""));
    // The type must be one the parameter takes in some overload.
    bool fits = false;
    for (int32_t rule : am.rules)
      for (const auto& p : policy.rules[static_cast<size_t>(rule)].params)
        if (p.name == *s.param) {
          const ir::Type& ty = policy.types[policy.types.strip_optional(p.type)];
          fits = fits || (ty.kind == ir::TypeKind::Entity && ty.ref == e);
        }
    if (!fits)
      return fail("type_mismatch",
                  fmt::format("action '{}' takes no {} as its {} ('{}')", am.name,
                              policy.entities[static_cast<size_t>(e)].name, s.what, *s.param));
    const bool placeholder = *s.param == open;
    if (placeholder) {
      if (e != open_entity) return fail("type_mismatch", "search type differs");
      args[*s.param] = entity_arg(e, 0);
      continue;
    }
    static const std::string no_id;
    const auto idv = s.v->find("id");
    const std::string& id =
        idv != s.v->end() && idv->is_string() ? idv->get_ref<const std::string&>() : no_id;
    const int32_t row = snap.find(e, id);
    if (row < 0)
      return fail(fmt::format("unknown_{}", s.what), rt::unknown_instance_message(snap, e, id));
    args[*s.param] = entity_arg(e, row);
  }
  for (const ParamSource& ps : am.params) {
    for (const std::string& src : ps.sources) {
      const json* v = lookup(src, subject, resource, action, context);
      if (!v) continue;
      std::string text;
      if (!as_text(*v, text))
        return fail("bad_parameter",
                    fmt::format("{}: not a value for parameter '{}'", src, ps.param));
      args[ps.param] = [&snap, text](ir::TypeId t, std::string& err) {
        return rt::parse_value_text(snap, t, text, err);
      };
      break;
    }
  }
  rt::ResolvedRequest req = rt::resolve_request(policy, snap, am.action, args, w.today());
  if (!req.ok()) {
    const bool type = req.status == rt::RequestStatus::BadValue &&
                      (req.param == am.subject || req.param == am.resource);
    return fail(type                                                ? "type_mismatch"
                : req.status == rt::RequestStatus::BadValue         ? "bad_parameter"
                : req.status == rt::RequestStatus::MissingParameter ? "missing_parameter"
                                                                    : "unresolved",
                req.error);
  }
  b.rule = req.rule;
  b.args = std::move(req.args);
  if (!open.empty()) {
    const auto& params = policy.rules[static_cast<size_t>(b.rule)].params;
    for (size_t i = 0; i < params.size(); ++i)
      if (params[i].name == open) b.open_index = static_cast<int32_t>(i);
  }
  return b;
}

Outcome decide_bound(const World& w, const std::string& name, const Bound& b, int64_t today,
                     bool explain) {
  if (!b.ok()) return deny(name, b.reason_code, b.reason);
  rt::Decision d = w.decide(b.rule, b.args, today, explain);
  Outcome o;
  o.action = name;
  if (explain && d.explanation)
    o.explanation = rt::to_json(*d.explanation, w.tenant.compiled->sources.get());
  if (!d.error.empty()) {
    o.reason_code = "evaluation_error";
    o.reason = d.error;
  } else if (!d.allowed) {
    o.reason_code = "policy_denied";
    o.reason = "the policy denies " + w.policy().rules[static_cast<size_t>(b.rule)].signature;
  } else {
    o.allowed = true;
  }
  return o;
}

Outcome decide(const World& w, const json& subject, const json& action, const json& resource,
               const json& context, bool explain, Bound* bound) {
  const std::string& name = action["name"].get_ref<const std::string&>();
  const ActionMapping* am = w.mapping.find(name);
  if (!am) return deny(name, "unknown_action", "the mapping has no action '" + name + "'");
  Bound b = bind(w, *am, subject, resource, context, action);
  Outcome o = decide_bound(w, name, b, w.today(), explain);
  if (bound) *bound = std::move(b);
  return o;
}

json decision_json(const Outcome& o, const World& w, bool with_hash) {
  if (o.allowed && !with_hash) return {{"decision", true}};
  json ctx = json::object();
  if (with_hash) ctx["policy_hash"] = w.hash;
  if (!o.allowed) {
    ctx["reason_code"] = o.reason_code;
    ctx["reason_admin"] = {{"en", o.reason}};
  }
  return {{"decision", o.allowed}, {"context", std::move(ctx)}};
}

namespace {

void append_json_string(std::string& out, const std::string& s) {
  // Plain ASCII (what reasons mostly are) as it is; the rest through
  // nlohmann_json, which escapes and replaces invalid UTF-8.
  for (unsigned char c : s)
    if (c < 0x20 || c >= 0x7f || c == '"' || c == '\\') {
      out += json(s).dump(-1, ' ', false, json::error_handler_t::replace);
      return;
    }
  out += '"';
  out += s;
  out += '"';
}

} // namespace

bool is_evaluations_semantic(std::string_view s) {
  return s == "execute_all" || s == "deny_on_first_deny" || s == "permit_on_first_permit";
}

bool stops_after(std::string_view semantic, bool allowed) {
  // The short-circuit semantics stop after the deciding item (§7.1.2.1).
  return (semantic == "deny_on_first_deny" && !allowed) ||
         (semantic == "permit_on_first_permit" && allowed);
}

std::string decision_text(const Outcome& o, const World& w) {
  // Keys in nlohmann_json's (sorted) order: context, decision; policy_hash,
  // reason_admin, reason_code.
  std::string out;
  out.reserve(64 + w.hash.size() + o.reason.size());
  out += "{\"context\":{\"policy_hash\":";
  append_json_string(out, w.hash);
  if (o.allowed) {
    out += "},\"decision\":true}";
    return out;
  }
  out += ",\"reason_admin\":{\"en\":";
  append_json_string(out, o.reason);
  out += "},\"reason_code\":";
  append_json_string(out, o.reason_code);
  out += "},\"decision\":false}";
  return out;
}

// A batch's answer, written straight into one string (no JSON tree per
// item): what dumping {"evaluations": [decision_json(o, w, false)...],
// "context": {"policy_hash"}} would give, keys in the same (sorted) order.
// The batch's context names the world once; items carry only reasons.
std::string batch_text(const std::vector<Outcome>& outcomes, const World& w) {
  std::string out;
  out.reserve(32 + outcomes.size() * 24);
  out += "{\"context\":{\"policy_hash\":";
  append_json_string(out, w.hash);
  out += "},\"evaluations\":[";
  for (size_t i = 0; i < outcomes.size(); ++i) {
    const Outcome& o = outcomes[i];
    if (i) out += ',';
    if (o.allowed) {
      out += "{\"decision\":true}";
      continue;
    }
    out += "{\"context\":{\"reason_admin\":{\"en\":";
    append_json_string(out, o.reason);
    out += "},\"reason_code\":";
    append_json_string(out, o.reason_code);
    out += "},\"decision\":false}";
  }
  out += "]}";
  return out;
}

namespace {

// Deciding a batch: items that share the request's subject, action and
// context (the same JSON objects: they left them out) and name a resource
// of one type by id alone bind alike: the same overload and the same other
// arguments (parameters come from the subject, context and resource
// properties, and defaults from the day). Such an item only looks up its
// resource's row; the rest are bound in full.
class BatchBinding {
public:
  explicit BatchBinding(const World& w) : w_(w), today_(w.today()) {}

  Outcome decide(const json& s, const json& a, const json& r, const json& c) {
    // Checked before: an object with string members type and id.
    const bool by_id = r.size() == 2 && !r.contains("properties");
    if (by_id && index_ >= 0 && &s == s_ && &a == a_ && &c == c_ &&
        r.find("type")->get_ref<const std::string&>() == type_) {
      const int32_t row = w_.snapshot().find(entity_, r.find("id")->get_ref<const std::string&>());
      if (row >= 0) {
        bound_.args[static_cast<size_t>(index_)] = ir::Value::entity(entity_, row);
        return decide_bound(w_, a["name"].get_ref<const std::string&>(), bound_, today_, false);
      }
    }
    Bound b;
    Outcome o = serve::decide(w_, s, a, r, c, false, &b);
    if (by_id && b.ok()) remember(s, a, r, c, std::move(b));
    return o;
  }

private:
  void remember(const json& s, const json& a, const json& r, const json& c, Bound b) {
    const ActionMapping* am = w_.mapping.find(a["name"].get_ref<const std::string&>());
    const int32_t e = entity_of(w_, r);
    if (!am || am->resource.empty() || e < 0) return;
    const auto& params = w_.policy().rules[static_cast<size_t>(b.rule)].params;
    for (size_t i = 0; i < params.size(); ++i)
      if (params[i].name == am->resource) {
        s_ = &s, a_ = &a, c_ = &c;
        type_ = r["type"].get<std::string>();
        entity_ = e;
        index_ = static_cast<int32_t>(i);
        bound_ = std::move(b);
        return;
      }
  }

  const World& w_;
  const int64_t today_;
  const json *s_ = nullptr, *a_ = nullptr, *c_ = nullptr;
  std::string type_;
  int32_t entity_ = -1, index_ = -1;
  Bound bound_;
};

// "" when the evaluation request's parts are well-formed.
std::string check_request(const json& s, const json& a, const json& r, const json& c) {
  std::string e = check_entity(s, "subject", true);
  if (e.empty()) e = check_action(a);
  if (e.empty()) e = check_entity(r, "resource", true);
  if (e.empty() && !c.is_null() && !c.is_object()) e = "`context` must be an object";
  return e;
}

const json& member(const json& obj, const char* key) {
  static const json null;
  return obj.is_object() && obj.contains(key) ? obj[key] : null;
}

Reply one(const World& w, const json& body, bool explaining) {
  if (!body.is_object())
    return error_reply(400, "invalid_request", "the body must be a JSON object");
  const json &s = member(body, "subject"), &a = member(body, "action"),
             &r = member(body, "resource"), &c = member(body, "context");
  if (std::string e = check_request(s, a, r, c); !e.empty())
    return error_reply(400, "invalid_request", e);
  Reply out;
  out.outcomes.push_back(decide(w, s, a, r, c, explaining));
  if (!explaining) {
    out.text = decision_text(out.outcomes.back(), w);
    return out;
  }
  out.body = decision_json(out.outcomes.back(), w);
  out.body["explanation"] = out.outcomes.back().explanation;
  return out;
}

} // namespace

Reply evaluation(const World& w, const json& body) {
  return one(w, body, false);
}

Reply explain(const World& w, const json& body) {
  return one(w, body, true);
}

Reply evaluations(const World& w, const json& body) {
  if (!body.is_object())
    return error_reply(400, "invalid_request", "the body must be a JSON object");
  const json& items = member(body, "evaluations");
  // Without an evaluations array, the request is a single evaluation (§7.1).
  if (items.is_null() || (items.is_array() && items.empty())) return evaluation(w, body);
  if (!items.is_array())
    return error_reply(400, "invalid_request", "`evaluations` must be an array");
  if (items.size() > kMaxBatch)
    return error_reply(400, "invalid_request",
                       fmt::format("at most {} evaluations in one request", kMaxBatch));
  std::string semantic = "execute_all";
  if (const json& opts = member(body, "options"); !opts.is_null()) {
    if (!opts.is_object())
      return error_reply(400, "invalid_request", "`options` must be an object");
    if (const json& s = member(opts, "evaluations_semantic"); !s.is_null()) {
      if (!s.is_string() || !is_evaluations_semantic(s.get_ref<const std::string&>()))
        return error_reply(400, "invalid_request",
                           "`options.evaluations_semantic` must be execute_all, "
                           "deny_on_first_deny or permit_on_first_permit");
      semantic = s.get<std::string>();
    }
  }
  // Each item's subject, action, resource and context default to the
  // request's top-level ones (§7.1.1); a malformed item fails the request.
  const json &ds = member(body, "subject"), &da = member(body, "action"),
             &dr = member(body, "resource"), &dc = member(body, "context");
  // The request's own parts are checked once, not again for every item
  // that takes them; each item's parts are found once.
  const std::string ds_error = check_entity(ds, "subject", true), da_error = check_action(da);
  struct Parts {
    const json *s, *a, *r, *c;
  };
  std::vector<Parts> parts;
  parts.reserve(items.size());
  for (size_t i = 0; i < items.size(); ++i) {
    const json& it = items[i];
    if (!it.is_object())
      return error_reply(400, "invalid_request", fmt::format("evaluations[{}]: not an object", i));
    auto part = [&it](const char* key, const json& fallback) {
      const auto f = it.find(key);
      return f == it.end() ? &fallback : &*f;
    };
    const Parts p{part("subject", ds), part("action", da), part("resource", dr),
                  part("context", dc)};
    std::string e = p.s == &ds ? ds_error : check_entity(*p.s, "subject", true);
    if (e.empty()) e = p.a == &da ? da_error : check_action(*p.a);
    if (e.empty()) e = check_entity(*p.r, "resource", true);
    if (e.empty() && !p.c->is_null() && !p.c->is_object()) e = "`context` must be an object";
    if (!e.empty())
      return error_reply(400, "invalid_request", fmt::format("evaluations[{}]: {}", i, e));
    parts.push_back(p);
  }
  Reply out;
  out.outcomes.reserve(items.size());
  BatchBinding same(w);
  for (const Parts& p : parts) {
    const json &s = *p.s, &a = *p.a, &r = *p.r, &c = *p.c;
    out.outcomes.push_back(same.decide(s, a, r, c));
    const Outcome& o = out.outcomes.back();
    if (stops_after(semantic, o.allowed)) break;
  }
  out.text = batch_text(out.outcomes, w);
  return out;
}

json configuration(const std::string& base) {
  return {{"policy_decision_point", base},
          {"access_evaluation_endpoint", base + "/access/v1/evaluation"},
          {"access_evaluations_endpoint", base + "/access/v1/evaluations"},
          {"search_subject_endpoint", base + "/access/v1/search/subject"},
          {"search_resource_endpoint", base + "/access/v1/search/resource"},
          {"search_action_endpoint", base + "/access/v1/search/action"}};
}

} // namespace keyplan::serve
