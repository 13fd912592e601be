// Parsing request bodies with limits: a body nested deeper than the limit
// is refused before the parser sees it (a recursive parser would use stack
// per level), and a parse error is a message, never an exception.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

namespace keyplan::serve {

constexpr size_t kMaxJsonDepth = 32;

// The deepest nesting of arrays and objects in `text` (strings skipped).
size_t json_depth(const std::string& text);

// False with `error` for invalid JSON or a body nested deeper than `max_depth`.
bool parse_json_body(const std::string& text, nlohmann::json& out, std::string& error,
                     size_t max_depth = kMaxJsonDepth);

} // namespace keyplan::serve
