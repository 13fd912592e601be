#include "serve/json_limits.hpp"

namespace keyplan::serve {

size_t json_depth(const std::string& text) {
  size_t depth = 0, deepest = 0;
  bool in_string = false, escaped = false;
  for (char c : text) {
    if (in_string) {
      if (escaped)
        escaped = false;
      else if (c == '\\')
        escaped = true;
      else if (c == '"')
        in_string = false;
      continue;
    }
    if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      deepest = std::max(deepest, ++depth);
    } else if ((c == ']' || c == '}') && depth > 0) {
      --depth;
    }
  }
  return deepest;
}

bool parse_json_body(const std::string& text, nlohmann::json& out, std::string& error,
                     size_t max_depth) {
  if (json_depth(text) > max_depth) {
    error = "the JSON body is nested deeper than " + std::to_string(max_depth) + " levels";
    return false;
  }
  out = nlohmann::json::parse(text, nullptr, false);
  if (out.is_discarded()) {
    error = "the body is not valid JSON";
    return false;
  }
  return true;
}

} // namespace keyplan::serve
