// The AuthZEN search endpoints (subject, resource, action search): the open
// side is decided a whole column at a time by the column engine, the same
// engine as `keyplan search`; results are paginated (page.token, page.limit;
// the reply's page.next_token is "" on the last page).
#include "engine/column.hpp"
#include "runtime/bitset.hpp"
#include "serve/authzen_eval.hpp"

#include <fmt/format.h>

namespace keyplan::serve {

using nlohmann::json;

namespace {

constexpr size_t kDefaultLimit = 100, kMaxLimit = 1000;

const json& member(const json& obj, const char* key) {
  static const json null;
  return obj.is_object() && obj.contains(key) ? obj[key] : null;
}

struct Page {
  size_t offset = 0, limit = kDefaultLimit;
};

// page.token is the offset of the next result (opaque to clients).
std::string parse_page(const json& body, Page& p) {
  const json& page = member(body, "page");
  if (page.is_null()) return {};
  if (!page.is_object()) return "`page` must be an object";
  if (const json& l = member(page, "limit"); !l.is_null()) {
    if (!l.is_number_integer() || l.get<int64_t>() < 1)
      return "`page.limit` must be a positive integer";
    p.limit = std::min<size_t>(kMaxLimit, l.get<size_t>());
  }
  if (const json& t = member(page, "token"); !t.is_null()) {
    if (!t.is_string()) return "`page.token` must be a string";
    const std::string s = t.get<std::string>();
    if (s.empty()) return {};
    if (s.size() > 18 || s.find_first_not_of("0123456789") != std::string::npos)
      return "`page.token` is not a token this service gave";
    p.offset = std::stoull(s);
  }
  return {};
}

Reply paged(const World& w, json all, const Page& p) {
  Reply r;
  const size_t total = all.size();
  const size_t from = std::min(p.offset, total), to = std::min(total, from + p.limit);
  json results = json::array();
  for (size_t i = from; i < to; ++i) results.push_back(std::move(all[i]));
  r.body = {{"results", std::move(results)},
            {"page",
             {{"next_token", to < total ? std::to_string(to) : ""},
              {"count", to - from},
              {"total", total}}},
            {"context", {{"policy_hash", w.hash}}}};
  return r;
}

// Subject or resource search: the searched side is the open parameter.
Reply search_entities(const World& w, bool subjects, const json& body, const Page& page) {
  const json &s = member(body, "subject"), &a = member(body, "action"),
             &r = member(body, "resource"), &c = member(body, "context");
  std::string e = check_entity(s, "subject", !subjects);
  if (e.empty()) e = check_action(a);
  if (e.empty()) e = check_entity(r, "resource", subjects);
  if (e.empty() && !c.is_null() && !c.is_object()) e = "`context` must be an object";
  if (!e.empty()) return error_reply(400, "invalid_request", e);
  const json& open_side = subjects ? s : r;
  const std::string open_type = open_side["type"].get<std::string>();
  const int32_t entity = entity_of(w, open_side);
  const ActionMapping* am = w.mapping.find(a["name"].get<std::string>());
  // Fail closed: what cannot be mapped allows nobody and nothing.
  if (entity < 0 || !am || (!subjects && am->resource.empty()))
    return paged(w, json::array(), page);
  Bound b = bind(w, *am, s, r, c, a, subjects ? am->subject : am->resource, entity);
  if (!b.ok() || b.open_index < 0) return paged(w, json::array(), page);
  engine::ColumnDecider columns(w.policy(), w.snapshot(), w.native.get());
  engine::ColumnQuery q;
  q.rule = b.rule;
  q.open = b.open_index;
  q.args = b.args;
  q.today = w.today();
  std::vector<uint64_t> allowed = columns.decide(q);
  const size_t n = static_cast<size_t>(w.snapshot().count(entity));
  allowed.resize(rt::bits::words_for(n), 0);
  json all = json::array();
  for (int64_t row = rt::bits::next(allowed.data(), allowed.size(), 0);
       row >= 0 && static_cast<size_t>(row) < n;
       row = rt::bits::next(allowed.data(), allowed.size(), static_cast<size_t>(row) + 1))
    all.push_back(
        {{"type", open_type}, {"id", w.snapshot().id(entity, static_cast<int32_t>(row))}});
  return paged(w, std::move(all), page);
}

// Action search: every mapped action decided on the given subject and
// resource; the ones that allow.
Reply search_actions(const World& w, const json& body, const Page& page) {
  const json &s = member(body, "subject"), &r = member(body, "resource"),
             &c = member(body, "context");
  std::string e = check_entity(s, "subject", true);
  if (e.empty()) e = check_entity(r, "resource", true);
  if (e.empty() && !c.is_null() && !c.is_object()) e = "`context` must be an object";
  if (!e.empty()) return error_reply(400, "invalid_request", e);
  json all = json::array();
  for (const ActionMapping& am : w.mapping.actions) {
    if (am.resource.empty()) continue;
    const json action = {{"name", am.name}};
    if (decide(w, s, action, r, c, false).allowed) all.push_back(action);
  }
  return paged(w, std::move(all), page);
}

} // namespace

Reply search(const World& w, SearchKind kind, const json& body) {
  if (!body.is_object())
    return error_reply(400, "invalid_request", "the body must be a JSON object");
  Page page;
  if (std::string e = parse_page(body, page); !e.empty())
    return error_reply(400, "invalid_request", e);
  if (kind == SearchKind::Action) return search_actions(w, body, page);
  return search_entities(w, kind == SearchKind::Subject, body, page);
}

} // namespace keyplan::serve
