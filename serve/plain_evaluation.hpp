// The common evaluation request, answered without a JSON tree: a subject
// and a resource named by type and id, an action by name, nothing else
// (what gateways and booking backends send), alone or in a batch. Parsed with simdjson into
// views, bound from a per-thread cache of bindings (the same action and
// types bind alike: only the two rows differ), and answered as text.
//
// Anything else (properties, context, an unknown id, an escape in a
// string, a duplicate member, malformed JSON) is left to the general path
// (serve/authzen.cpp), which answers it with its reasons: this path only
// ever answers what the general one would answer byte for byte
// (ServePlain.* tests it against evaluation()).
#pragma once

#include "serve/authzen.hpp"

#include <string>
#include <string_view>

namespace keyplan::serve {

// Views into the parser's buffers: valid until the next parse on this thread.
struct PlainRequest {
  std::string_view subject_type, subject_id, action, resource_type, resource_id;
};

// True when `body` is exactly {"subject": {"type", "id"}, "action": {"name"},
// "resource": {"type", "id"}} (members in any order, all strings without
// escapes). May grow `body`'s capacity (simdjson reads past the end).
bool parse_plain(std::string& body, PlainRequest& out);

// Decides a plain request; false when it does not bind (unknown action,
// type or id: the general path answers with the reason).
bool decide_plain(const World& w, const PlainRequest& r, Outcome& out);
// The same on a given day (a batch reads the day once).
bool decide_plain(const World& w, const PlainRequest& r, int64_t today, Outcome& out);

// Answers the body of POST /access/v1/evaluation (`batch` false) or
// /access/v1/evaluations (true) when it is plain: a single plain request, or
// a batch whose items, with the request's subject, action and resource as
// their defaults (§7.1.1), are all plain and all bind, with at most
// options.evaluations_semantic. False: the general path answers it.
bool answer_plain(const World& w, bool batch, std::string& body, Reply& out);

} // namespace keyplan::serve
