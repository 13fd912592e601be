#include "simulator/yaml_value.hpp"

#include "runtime/value_text.hpp"
#include "simulator/scenario.hpp"

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

namespace keyplan::sim {

YamlValue YamlValue::from(const YAML::Node& node, int file) {
  YamlValue v;
  v.span = node_span(node, file);
  if (node.IsScalar()) {
    v.kind = Kind::Scalar;
    v.text = node.Scalar();
    v.plain = node.Tag() != "!";
  } else if (node.IsSequence()) {
    v.kind = Kind::List;
    v.items.reserve(node.size());
    for (const auto& e : node) v.items.push_back(from(e, file));
  } else if (node.IsMap()) {
    v.kind = Kind::Map;
  }
  return v;
}

namespace {

const char* describe(const YamlValue& v) {
  switch (v.kind) {
  case YamlValue::Kind::Null:
    return "nothing";
  case YamlValue::Kind::List:
    return "a list";
  case YamlValue::Kind::Map:
    return "a map";
  default:
    return "a value";
  }
}

} // namespace

std::optional<ir::Value> typed_value(const rt::Snapshot& snapshot, ir::TypeId type,
                                     const YamlValue& v, std::string& error, Span& where) {
  const ir::Policy& policy = snapshot.policy();
  const ir::TypeTable& tt = policy.types;
  where = v.span;
  if (tt.is_optional(type)) {
    if (v.kind == YamlValue::Kind::Null) return ir::Value::none();
    ir::TypeId inner = tt[type].elem;
    bool none_text = v.kind == YamlValue::Kind::Scalar && v.plain && v.text == "none";
    if (none_text && tt.kind(inner) == ir::TypeKind::String) return ir::Value::none();
    // An enum member or id spelled `none` wins over none.
    auto r = typed_value(snapshot, inner, v, error, where);
    if (!r && none_text) return ir::Value::none();
    return r;
  }
  const ir::Type& ty = tt[type];
  if (ty.kind == ir::TypeKind::Set) {
    if (v.kind != YamlValue::Kind::List) {
      error = v.kind == YamlValue::Kind::Scalar
                  ? fmt::format("expected a list of {} such as [a, b], got '{}'",
                                policy.type_name(ty.elem), v.text)
                  : fmt::format("expected a list of {}, got {}", policy.type_name(ty.elem),
                                describe(v));
      return std::nullopt;
    }
    std::vector<ir::Value> elems;
    elems.reserve(v.items.size());
    for (const auto& e : v.items) {
      auto r = typed_value(snapshot, ty.elem, e, error, where);
      if (!r) return std::nullopt;
      elems.push_back(std::move(*r));
    }
    where = v.span;
    return ir::Value::set(std::move(elems));
  }
  if (v.kind != YamlValue::Kind::Scalar) {
    error = fmt::format("expected {}, got {}", policy.type_name(type), describe(v));
    return std::nullopt;
  }
  // One scalar: strings as YAML read them, anything else by its text rules.
  if (ty.kind == ir::TypeKind::String) return ir::Value::string(v.text);
  return rt::parse_value_text(snapshot, type, v.text, error);
}

std::string display(const YamlValue& v) {
  switch (v.kind) {
  case YamlValue::Kind::Null:
    return "none";
  case YamlValue::Kind::Map:
    return "{...}";
  case YamlValue::Kind::Scalar:
    return v.text;
  case YamlValue::Kind::List:
    break;
  }
  std::string s = "[";
  for (size_t i = 0; i < v.items.size(); ++i) {
    std::string e = display(v.items[i]);
    bool quote = e.empty() || e.find_first_of(",[]\"") != std::string::npos || e.front() == ' ' ||
                 e.back() == ' ';
    if (quote) {
      std::string q = "\"";
      for (char c : e) q += c == '"' ? std::string("\\\"") : std::string(1, c);
      e = q + "\"";
    }
    s += (i ? ", " : "") + e;
  }
  return s + "]";
}

} // namespace keyplan::sim
