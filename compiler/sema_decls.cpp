// Declarations: names, types, attributes, settings, aliases and instances.
#include "compiler/sema_context.hpp"

#include <fmt/format.h>
#include <functional>

namespace keyplan::sema {

namespace {
const std::set<std::string> kBuiltinTypes = {"bool", "int", "string", "date"};
const std::set<std::string> kBuiltinFunctions = {"count", "max", "min"};

} // namespace

std::vector<std::string> Context::implements_of(const std::vector<ast::Annotation>& annotations) {
  std::vector<std::string> out;
  for (const auto& a : annotations) {
    if (a.name.text != "implements") {
      diags.warning(a.name.span, fmt::format("unknown annotation '@{}'", a.name.text),
                    "known annotations: @implements(\"F-A4\", ...)");
      continue;
    }
    if (a.args.empty())
      diags.error(a.span, "@implements needs at least one rule id", "e.g. @implements(\"F-A4\")");
    for (const auto& id : a.args) out.push_back(id);
  }
  return out;
}

std::string Context::doc_of(const ast::Decl& d) const {
  // The /// lines directly above the declaration (or its annotations).
  std::vector<std::string> lines;
  uint32_t want = d.span.line;
  for (auto it = doc_comments.rbegin(); it != doc_comments.rend(); ++it) {
    const ast::Comment* c = *it;
    if (c->span.file != d.span.file || c->span.line >= want) continue;
    if (c->span.line + 1 != want) break;
    std::string text = c->text.substr(3);
    if (!text.empty() && text[0] == ' ') text.erase(0, 1);
    lines.insert(lines.begin(), text);
    want = c->span.line;
  }
  std::string out;
  for (const auto& l : lines) out += (out.empty() ? "" : "\n") + l;
  return out;
}

void Context::declare(const std::vector<SemaInput>& files) {
  for (size_t m = 0; m < files.size(); ++m) {
    policy.modules.push_back({files[m].module_name, files[m].path, files[m].file->file_id});
    for (const auto& c : files[m].file->comments)
      if (c.doc) doc_comments.push_back(&c);
  }
  // Types first, so that the order of declarations inside and across files
  // does not matter.
  for (size_t m = 0; m < files.size(); ++m) {
    for (const auto& d : files[m].file->decls) {
      int module = static_cast<int>(m);
      if (d.kind != ast::DeclKind::Enum && d.kind != ast::DeclKind::Entity) continue;
      const std::string& n = d.name.text;
      if (kBuiltinTypes.count(n)) {
        diags.error(d.name.span,
                    fmt::format("'{}' is a built-in type and cannot be redeclared", n));
        continue;
      }
      if (auto it = type_names.find(n); it != type_names.end()) {
        diags.error(d.name.span, fmt::format("type '{}' is declared twice", n));
        diags.note(it->second, "first declared here");
        continue;
      }
      type_names[n] = d.name.span;
      if (d.kind == ast::DeclKind::Enum) {
        ir::EnumType e{n, {}, d.name.span, module};
        std::set<std::string> seen;
        for (const auto& mem : d.members) {
          if (!seen.insert(mem.text).second)
            diags.error(mem.span, fmt::format("enum '{}' lists '{}' twice", n, mem.text));
          else
            e.members.push_back(mem.text);
        }
        policy.enums.push_back(std::move(e));
      } else {
        ir::EntityType t;
        t.name = n;
        t.span = d.name.span;
        t.module = module;
        policy.entities.push_back(std::move(t));
        entity_attrs.emplace_back();
        for (const auto& a : d.attributes) entity_attrs.back().push_back(&a);
      }
    }
  }
  for (size_t m = 0; m < files.size(); ++m) {
    int module = static_cast<int>(m);
    for (const auto& d : files[m].file->decls) {
      switch (d.kind) {
      case ast::DeclKind::Enum:
      case ast::DeclKind::Entity:
        break;
      case ast::DeclKind::Extend: {
        int32_t e = policy.find_entity(d.name.text);
        if (e < 0) {
          std::vector<std::string> names;
          for (const auto& t : policy.entities) names.push_back(t.name);
          diags.error(d.name.span,
                      fmt::format("cannot extend unknown entity type '{}'", d.name.text),
                      did_you_mean(d.name.text, names));
          break;
        }
        for (const auto& a : d.attributes) entity_attrs[static_cast<size_t>(e)].push_back(&a);
        break;
      }
      case ast::DeclKind::Setting: {
        if (int32_t prev = policy.find_setting(d.name.text); prev >= 0) {
          diags.error(d.name.span, fmt::format("setting '{}' is declared twice", d.name.text));
          diags.note(policy.settings[static_cast<size_t>(prev)].span, "first declared here");
          break;
        }
        ir::Setting s;
        s.name = d.name.text;
        s.span = d.name.span;
        s.module = module;
        s.implements = implements_of(d.annotations);
        s.doc = doc_of(d);
        policy.settings.push_back(std::move(s));
        setting_decls.push_back(&d);
        break;
      }
      case ast::DeclKind::SetOverride:
        set_overrides.emplace_back(&d, module);
        break;
      case ast::DeclKind::Alias: {
        if (aliases.count(d.name.text) || type_names.count(d.name.text)) {
          diags.error(d.name.span,
                      fmt::format("'{}' is already the name of a type or alias", d.name.text));
          break;
        }
        int32_t e = policy.find_entity(d.target.text);
        if (e < 0) {
          std::vector<std::string> names;
          for (const auto& t : policy.entities) names.push_back(t.name);
          diags.error(d.target.span, fmt::format("unknown entity type '{}'", d.target.text),
                      did_you_mean(d.target.text, names));
          break;
        }
        aliases[d.name.text] = {&d, e};
        break;
      }
      case ast::DeclKind::Rule: {
        if (kBuiltinFunctions.count(d.name.text)) {
          diags.error(
              d.name.span,
              fmt::format("'{}' is a built-in function and cannot be redeclared", d.name.text));
          break;
        }
        ir::Rule r;
        r.name = d.name.text;
        r.is_action = d.is_action;
        r.span = d.name.span;
        r.module = module;
        // @effective_membership: read by check_directory (sema_directory.cpp).
        std::vector<ast::Annotation> others;
        for (const auto& an : d.annotations)
          if (an.name.text != "effective_membership") others.push_back(an);
        r.implements = implements_of(others);
        r.doc = doc_of(d);
        policy.rules.push_back(std::move(r));
        RuleInfo info;
        info.decl = &d;
        info.module = module;
        rules.push_back(info);
        break;
      }
      case ast::DeclKind::Invariant:
        invariant_decls.push_back(&d);
        break;
      case ast::DeclKind::Check:
        check_decls.push_back(&d);
        break;
      case ast::DeclKind::Report:
        report_decls.push_back(&d);
        break;
      case ast::DeclKind::Instance:
        instance_decls.push_back(&d);
        break;
      }
    }
  }
}

TypeId Context::resolve_type(const ast::TypeRef& t) {
  auto& types = policy.types;
  switch (t.kind) {
  case ast::TypeRef::Optional: {
    TypeId inner = resolve_type(*t.elem);
    if (types.is_optional(inner)) diags.warning(t.span, "'?\?' is the same as '?'");
    return types.optional_of(inner);
  }
  case ast::TypeRef::Set: {
    TypeId inner = resolve_type(*t.elem);
    if (inner == ir::TypeTable::kError) return inner;
    if (types.is_optional(inner) || types.is_set(inner)) {
      diags.error(t.elem->span, "set elements must be plain values, entities or enum members",
                  fmt::format("not '{}'", type_name(inner)));
      return ir::TypeTable::kError;
    }
    return types.set_of(inner);
  }
  case ast::TypeRef::Named:
    break;
  }
  const std::string& n = t.name.text;
  if (n == "bool") return ir::TypeTable::kBool;
  if (n == "int") return ir::TypeTable::kInt;
  if (n == "string") return ir::TypeTable::kString;
  if (n == "date") return ir::TypeTable::kDate;
  if (int32_t e = policy.find_enum(n); e >= 0) return types.enum_type(e);
  if (int32_t e = policy.find_entity(n); e >= 0) return types.entity_type(e);
  if (missing_library(t.name.span, n)) return ir::TypeTable::kError;
  std::vector<std::string> names(kBuiltinTypes.begin(), kBuiltinTypes.end());
  for (const auto& [name, span] : type_names) names.push_back(name);
  diags.error(t.name.span, fmt::format("unknown type '{}'", n),
              did_you_mean(n, names).empty()
                  ? "expected bool, int, string, date, an enum or an entity type"
                  : did_you_mean(n, names));
  return ir::TypeTable::kError;
}

void Context::resolve_signatures() {
  auto& types = policy.types;
  for (size_t e = 0; e < policy.entities.size(); ++e) {
    auto& ent = policy.entities[e];
    std::map<std::string, Span> seen;
    for (const ast::Attribute* a : entity_attrs[e]) {
      if (auto it = seen.find(a->name.text); it != seen.end()) {
        diags.error(a->name.span, fmt::format("entity '{}' declares attribute '{}' twice", ent.name,
                                              a->name.text));
        diags.note(it->second, "first declared here");
        continue;
      }
      seen[a->name.text] = a->name.span;
      ir::Attribute attr;
      attr.name = a->name.text;
      attr.type = resolve_type(a->type);
      attr.is_parent = a->is_parent;
      attr.span = a->name.span;
      // @column and the directory annotations (sema_directory.cpp); every
      // other annotation is @implements.
      std::vector<ast::Annotation> others;
      for (const auto& an : a->annotations)
        if (!attribute_annotation(an, attr)) others.push_back(an);
      attr.implements = implements_of(others);
      if (a->is_parent) {
        if (ent.parent_attr >= 0) {
          diags.error(a->name.span,
                      fmt::format("entity '{}' has more than one parent attribute", ent.name),
                      "an entity has at most one parent (its place in the location tree)");
        } else if (attr.type != ir::TypeTable::kError && entity_of(attr.type) < 0) {
          diags.error(a->type.span, "a parent attribute must refer to an entity type",
                      fmt::format("not '{}'", type_name(attr.type)));
        } else {
          ent.parent_attr = static_cast<int32_t>(ent.attributes.size());
        }
      }
      // Optional and set attributes have an implicit default.
      if (types.is_optional(attr.type))
        attr.default_value = ir::Value::none();
      else if (types.is_set(attr.type))
        attr.default_value = ir::Value::set({});
      ent.attributes.push_back(std::move(attr));
    }
  }
  for (size_t i = 0; i < policy.settings.size(); ++i)
    policy.settings[i].type =
        setting_decls[i]->type ? resolve_type(*setting_decls[i]->type) : ir::TypeTable::kError;

  std::map<std::string, std::vector<size_t>> by_name; // rules before i
  for (size_t i = 0; i < rules.size(); ++i) {
    const ast::Decl& d = *rules[i].decl;
    ir::Rule& r = policy.rules[i];
    std::set<std::string> names;
    std::string sig = r.name + "(";
    for (const auto& p : d.params) {
      ir::Param param;
      param.name = p.name.text;
      param.type = resolve_type(p.type);
      param.span = p.name.span;
      if (param.type == ir::TypeTable::kError) rules[i].signature_ok = false;
      if (!names.insert(p.name.text).second)
        diags.error(p.name.span, fmt::format("parameter '{}' appears twice", p.name.text));
      sig +=
          fmt::format("{}{}: {}", r.params.empty() ? "" : ", ", p.name.text, type_name(param.type));
      r.params.push_back(std::move(param));
    }
    r.signature = sig + ")";
    r.result = d.type ? resolve_type(*d.type) : ir::TypeTable::kError;
    if (d.is_action && d.type && r.result != ir::TypeTable::kBool &&
        r.result != ir::TypeTable::kError)
      diags.error(d.type->span, "an action is a decision and returns bool",
                  fmt::format("not '{}'", type_name(r.result)));
    if (d.is_action) r.result = ir::TypeTable::kBool;
    // Two overloads with the same parameter types cannot be told apart.
    // (Earlier rules by name: a policy may declare many thousands of rules.)
    std::vector<size_t>& same_name = by_name[r.name];
    for (size_t j : same_name) {
      const ir::Rule& o = policy.rules[j];
      if (o.params.size() != r.params.size()) continue;
      bool same = true;
      for (size_t k = 0; k < o.params.size(); ++k)
        same = same && o.params[k].type == r.params[k].type;
      if (same) {
        diags.error(r.span, fmt::format("'{}' is declared twice with the same parameter types",
                                        r.signature));
        diags.note(o.span, "first declared here");
        rules[i].signature_ok = false;
      }
    }
    for (size_t j : same_name)
      if (policy.rules[j].is_action != r.is_action) {
        diags.error(r.span,
                    fmt::format("'{}' is declared both as a rule and as an action", r.name));
        diags.note(policy.rules[j].span, "other declaration here");
        break;
      }
    same_name.push_back(i);
  }
}

} // namespace keyplan::sema
