#include "runtime/value_text.hpp"

#include "compiler/diagnostics.hpp"

#include <charconv>
#include <fmt/format.h>

namespace keyplan::rt {

namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

std::string with_hint(std::string message, const std::string& hint) {
  return hint.empty() ? message : fmt::format("{} ({})", message, hint);
}

// "Qualifier.name" split into the qualifier (when it is `expected`) and name.
std::string_view strip_qualifier(std::string_view text, const std::string& expected) {
  if (text.size() > expected.size() + 1 && text.substr(0, expected.size()) == expected &&
      text[expected.size()] == '.')
    return text.substr(expected.size() + 1);
  return text;
}

// Splits "[a, b]" (or "a, b") at top-level commas, respecting quotes.
std::vector<std::string_view> split_list(std::string_view text) {
  text = trim(text);
  if (text.size() >= 2 && text.front() == '[' && text.back() == ']')
    text = trim(text.substr(1, text.size() - 2));
  std::vector<std::string_view> out;
  if (text.empty()) return out;
  size_t start = 0;
  bool quoted = false;
  for (size_t i = 0; i <= text.size(); ++i) {
    if (i < text.size() && text[i] == '"') quoted = !quoted;
    if (i == text.size() || (text[i] == ',' && !quoted)) {
      out.push_back(trim(text.substr(start, i - start)));
      start = i + 1;
    }
  }
  return out;
}

} // namespace

std::string unknown_instance_message(const Snapshot& snapshot, int32_t type,
                                     const std::string& id) {
  const EntityTable& tab = snapshot.table(type);
  return with_hint(fmt::format("unknown {} '{}'",
                               snapshot.policy().entities[static_cast<size_t>(type)].name, id),
                   did_you_mean(id, tab.ids));
}

std::optional<ir::Value> parse_value_text(const Snapshot& snapshot, ir::TypeId type,
                                          std::string_view text, std::string& error) {
  const ir::Policy& policy = snapshot.policy();
  const ir::TypeTable& tt = policy.types;
  if (tt.is_optional(type)) {
    if (tt.kind(tt[type].elem) == ir::TypeKind::String && trim(text) == "none")
      return ir::Value::none();
    std::string inner_error;
    if (auto v = parse_value_text(snapshot, tt[type].elem, text, inner_error)) return v;
    if (trim(text) == "none") return ir::Value::none();
    error = inner_error;
    return std::nullopt;
  }
  const ir::Type& ty = tt[type];
  std::string_view t = ty.kind == ir::TypeKind::String ? text : trim(text);
  switch (ty.kind) {
  case ir::TypeKind::Bool:
    if (t == "true") return ir::Value::boolean(true);
    if (t == "false") return ir::Value::boolean(false);
    error = fmt::format("'{}' is not a bool (true or false)", t);
    return std::nullopt;
  case ir::TypeKind::Int: {
    int64_t v = 0;
    auto [p, ec] = std::from_chars(t.data(), t.data() + t.size(), v);
    if (t.empty() || ec != std::errc() || p != t.data() + t.size()) {
      error = fmt::format("'{}' is not an int", t);
      return std::nullopt;
    }
    return ir::Value::integer(v);
  }
  case ir::TypeKind::String: {
    std::string s(text);
    if (s.size() >= 2 && s.front() == '"' && s.back() == '"') s = s.substr(1, s.size() - 2);
    return ir::Value::string(std::move(s));
  }
  case ir::TypeKind::Date: {
    int64_t days = 0;
    if (!ir::parse_date(std::string(t), days)) {
      error = fmt::format("'{}' is not a date (YYYY-MM-DD)", t);
      return std::nullopt;
    }
    return ir::Value::date(days);
  }
  case ir::TypeKind::Enum: {
    const ir::EnumType& e = policy.enums[static_cast<size_t>(ty.ref)];
    std::string name(strip_qualifier(t, e.name));
    for (size_t i = 0; i < e.members.size(); ++i)
      if (e.members[i] == name) return ir::Value::enumerator(ty.ref, static_cast<int64_t>(i));
    error = with_hint(fmt::format("unknown {} member '{}'", e.name, name),
                      did_you_mean(name, e.members));
    return std::nullopt;
  }
  case ir::TypeKind::Entity: {
    // The literal id first: data may declare an id `User.adam`, and then
    // `User.adam` is that instance, never `adam`. Only where no instance has
    // the literal id is `Type.id` read as the qualified form (the type must
    // be the parameter's).
    const std::string& tname = policy.entities[static_cast<size_t>(ty.ref)].name;
    std::string id(t);
    int32_t row = snapshot.find(ty.ref, id);
    if (row < 0 && strip_qualifier(t, tname).size() != t.size()) {
      id = std::string(strip_qualifier(t, tname));
      row = snapshot.find(ty.ref, id);
    }
    if (row < 0) {
      error = unknown_instance_message(snapshot, ty.ref, id);
      return std::nullopt;
    }
    return ir::Value::entity(ty.ref, row);
  }
  case ir::TypeKind::Set: {
    std::vector<ir::Value> elems;
    for (std::string_view part : split_list(text)) {
      auto v = parse_value_text(snapshot, ty.elem, part, error);
      if (!v) return std::nullopt;
      elems.push_back(std::move(*v));
    }
    return ir::Value::set(std::move(elems));
  }
  default:
    error = "values of this type cannot be written as text";
    return std::nullopt;
  }
}

} // namespace keyplan::rt
