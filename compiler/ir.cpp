#include "compiler/ir.hpp"

#include <algorithm>

#include <fmt/format.h>

namespace keyplan::ir {

const char* op_name(Op op) {
  switch (op) {
  case Op::Const:
    return "const";
  case Op::Today:
    return "today";
  case Op::Var:
    return "var";
  case Op::Setting:
    return "setting";
  case Op::Attr:
    return "attr";
  case Op::Call:
    return "call";
  case Op::AllOf:
    return "all_of";
  case Op::Not:
    return "not";
  case Op::Neg:
    return "neg";
  case Op::And:
    return "and";
  case Op::Or:
    return "or";
  case Op::Implies:
    return "implies";
  case Op::If:
    return "if";
  case Op::Eq:
    return "==";
  case Op::Ne:
    return "!=";
  case Op::Lt:
    return "<";
  case Op::Le:
    return "<=";
  case Op::Gt:
    return ">";
  case Op::Ge:
    return ">=";
  case Op::Add:
    return "+";
  case Op::Sub:
    return "-";
  case Op::Mul:
    return "*";
  case Op::Div:
    return "/";
  case Op::Mod:
    return "%";
  case Op::In:
    return "in";
  case Op::Meets:
    return "meets";
  case Op::Union:
    return "union";
  case Op::Intersect:
    return "intersect";
  case Op::Except:
    return "except";
  case Op::SetOf:
    return "set_of";
  case Op::Any:
    return "any";
  case Op::All:
    return "all";
  case Op::Count:
    return "count";
  case Op::Max:
    return "max";
  case Op::Min:
    return "min";
  case Op::Map:
    return "map";
  case Op::Filter:
    return "filter";
  case Op::Within:
    return "within";
  case Op::Coalesce:
    return "??";
  case Op::Id:
    return "id";
  }
  return "?";
}

ExprPtr clone(const Expr& e) {
  auto c = std::make_unique<Expr>();
  c->op = e.op;
  c->type = e.type;
  c->index = e.index;
  c->constant = e.constant;
  c->span = e.span;
  for (const auto& k : e.kids) c->kids.push_back(clone(*k));
  return c;
}

int32_t EntityType::find_attribute(const std::string& n) const {
  for (size_t i = 0; i < attributes.size(); ++i)
    if (attributes[i].name == n) return static_cast<int32_t>(i);
  return -1;
}

template <typename V> static int32_t find_named(const V& v, const std::string& n) {
  for (size_t i = 0; i < v.size(); ++i)
    if (v[i].name == n) return static_cast<int32_t>(i);
  return -1;
}

int32_t Policy::find_enum(const std::string& n) const {
  return find_named(enums, n);
}
int32_t Policy::find_entity(const std::string& n) const {
  return find_named(entities, n);
}
int32_t Policy::find_setting(const std::string& n) const {
  return find_named(settings, n);
}
int32_t Policy::find_check(const std::string& n) const {
  return find_named(checks, n);
}

int32_t Policy::find_report(const std::string& n) const {
  std::string name = n;
  std::replace(name.begin(), name.end(), '-', '_');
  return find_named(reports, name);
}

std::vector<int32_t> Policy::find_rules(const std::string& n) const {
  std::vector<int32_t> out;
  for (size_t i = 0; i < rules.size(); ++i)
    if (rules[i].name == n) out.push_back(static_cast<int32_t>(i));
  return out;
}

std::vector<int32_t> Policy::actions() const {
  std::vector<int32_t> out;
  for (size_t i = 0; i < rules.size(); ++i)
    if (rules[i].is_action) out.push_back(static_cast<int32_t>(i));
  return out;
}

std::string Policy::type_name(TypeId t) const {
  const Type& ty = types[t];
  switch (ty.kind) {
  case TypeKind::Error:
    return "<error>";
  case TypeKind::Bool:
    return "bool";
  case TypeKind::Int:
    return "int";
  case TypeKind::String:
    return "string";
  case TypeKind::Date:
    return "date";
  case TypeKind::Enum:
    return enums.at(static_cast<size_t>(ty.ref)).name;
  case TypeKind::Entity:
    return entities.at(static_cast<size_t>(ty.ref)).name;
  case TypeKind::Set:
    return fmt::format("set<{}>", type_name(ty.elem));
  case TypeKind::Optional:
    return type_name(ty.elem) + "?";
  }
  return "?";
}

std::string Policy::format_value(const Value& v) const {
  switch (v.tag) {
  case Value::Tag::None:
    return "none";
  case Value::Tag::Bool:
    return v.num ? "true" : "false";
  case Value::Tag::Int:
    return std::to_string(v.num);
  case Value::Tag::String: {
    std::string s = "\"";
    for (char c : v.str) {
      if (c == '"' || c == '\\') s += '\\';
      s += c;
    }
    return s + "\"";
  }
  case Value::Tag::Date:
    return format_date(v.num);
  case Value::Tag::Enum: {
    const auto& e = enums.at(static_cast<size_t>(v.ref));
    return v.num >= 0 && static_cast<size_t>(v.num) < e.members.size()
               ? e.members[static_cast<size_t>(v.num)]
               : fmt::format("{}#{}", e.name, v.num);
  }
  case Value::Tag::Entity: {
    const auto& t = entities.at(static_cast<size_t>(v.ref));
    return v.num >= 0 && static_cast<size_t>(v.num) < t.instances.size()
               ? t.instances[static_cast<size_t>(v.num)].id
               : fmt::format("{}#{}", t.name, v.num);
  }
  case Value::Tag::Set: {
    std::string s = "[";
    for (size_t i = 0; i < v.elems.size(); ++i) s += (i ? ", " : "") + format_value(v.elems[i]);
    return s + "]";
  }
  }
  return "?";
}

} // namespace keyplan::ir
