// Values written as text (request parameters, setting overrides on the
// command line or in scenarios), parsed by their declared type:
//   bool: true | false        int: decimal, optional '-'
//   date: YYYY-MM-DD          string: the text as is
//   enum: member or Enum.member
//   entity: instance id or Type.id (policy or data instance); an instance
//       whose literal id is the text wins over the Type.id reading
//   T?: `none`, or a T (an enum member or id spelled `none` wins; for
//       string?, `none` is none)
//   set<T>: [a, b, c] (brackets optional; "quoted" elements are unquoted)
#pragma once

#include "runtime/snapshot.hpp"

#include <optional>
#include <string>
#include <string_view>

namespace keyplan::rt {

// The value, or nothing with `error` set (e.g. "unknown User 'bob' (did you
// mean 'rob'?)", "'2026-02-30' is not a date (YYYY-MM-DD)").
std::optional<ir::Value> parse_value_text(const Snapshot& snapshot, ir::TypeId type,
                                          std::string_view text, std::string& error);

// "unknown Floor 'x' (did you mean 'y'?)": the message for an id that is not
// an instance of entity type `type`.
std::string unknown_instance_message(const Snapshot& snapshot, int32_t type, const std::string& id);

} // namespace keyplan::rt
