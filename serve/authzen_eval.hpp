// What the AuthZEN endpoints share: the shape checks of subject, action and
// resource, and mapping one request onto a keyplan action (serve/mapping.hpp).
#pragma once

#include "serve/authzen.hpp"

#include <optional>

namespace keyplan::serve {

// "" when `v` is an object with string members `keys` (subject/resource:
// type and id, action: name), else what is wrong.
std::string check_entity(const nlohmann::json& v, const char* what, bool need_id);
std::string check_action(const nlohmann::json& v);

// A request mapped onto an action overload: the rule and its arguments, or
// a deny reason (fail closed). `open` (search) names a parameter left open:
// it gets a placeholder instance of `open_entity`.
struct Bound {
  int32_t rule = -1;
  std::vector<ir::Value> args;
  std::string reason_code, reason; // set when it did not bind
  int32_t open_index = -1;
  bool ok() const { return reason_code.empty(); }
};
Bound bind(const World& w, const ActionMapping& am, const nlohmann::json& subject,
           const nlohmann::json& resource, const nlohmann::json& context,
           const nlohmann::json& action, const std::string& open = "", int32_t open_entity = -1);

// The entity an AuthZEN type maps to, or -1.
int32_t entity_of(const World& w, const nlohmann::json& typed);

// Decides one evaluation request (subject, action, resource, context);
// `bound`, if given, receives how it was bound.
Outcome decide(const World& w, const nlohmann::json& subject, const nlohmann::json& action,
               const nlohmann::json& resource, const nlohmann::json& context, bool explain,
               Bound* bound = nullptr);
// Decides a request already bound (or denies why it did not bind).
Outcome decide_bound(const World& w, const std::string& action_name, const Bound& b, int64_t today,
                     bool explain);

// {"decision", "context"}: the context has the policy hash (`with_hash`)
// and, on deny, the reason.
nlohmann::json decision_json(const Outcome& o, const World& w, bool with_hash = true);
// The evaluations_semantic options (§7.1.2.1): whether `s` names one, and
// whether a batch under `semantic` stops after an item so decided.
bool is_evaluations_semantic(std::string_view s);
bool stops_after(std::string_view semantic, bool allowed);

// decision_json(o, w).dump(), written straight as text (no JSON tree).
std::string decision_text(const Outcome& o, const World& w);
// A batch's answer as text: {"context": {"policy_hash"}, "evaluations":
// [decision_json(o, w, false)...]}.
std::string batch_text(const std::vector<Outcome>& outcomes, const World& w);

} // namespace keyplan::serve
