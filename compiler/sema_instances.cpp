// Constants: attribute defaults, settings and their overrides, aliases, and
// the instances a policy declares (nested location trees included).
#include "compiler/sema_context.hpp"

#include <fmt/format.h>
#include <functional>

namespace keyplan::sema {

namespace {
struct Pending {
  const ast::InstanceDecl* decl;
  int32_t entity;
  int32_t index;
  int32_t parent_entity; // the enclosing instance, when nested
  int32_t parent_index;
  const AliasInfo* alias;
};
} // namespace

std::string article(const std::string& noun) {
  return !noun.empty() && std::string("AEIOUaeiou").find(noun[0]) != std::string::npos ? "an" : "a";
}

std::optional<ir::Value> Context::constant(const ast::Expr& e, TypeId want,
                                           const std::string& what) {
  Scope scope;
  scope.allow_vars = false;
  auto ir = check(e, scope, want);
  if (ir->type == ir::TypeTable::kError) return std::nullopt;
  if (!assignable(ir->type, want)) {
    std::string expected = expected_values(want);
    diags.error(e.span, fmt::format("{} must be of type '{}'", what, type_name(want)),
                expected.empty() ? fmt::format("found '{}'", type_name(ir->type))
                                 : fmt::format("{}, found '{}'", expected, type_name(ir->type)));
    return std::nullopt;
  }
  if (ir->op != ir::Op::Const) {
    diags.error(e.span, fmt::format("{} must be a constant", what),
                "expected a literal, an enum member, an instance id or a list of those");
    return std::nullopt;
  }
  return ir->constant;
}

void Context::evaluate_constants() {
  // Attribute defaults may name declared instances (groups: set<Group> = [ALL]),
  // so every instance id is registered before any value is evaluated.
  std::vector<Pending> pending;
  std::function<void(const ast::InstanceDecl&, int32_t, int32_t, int)> reg =
      [&](const ast::InstanceDecl& d, int32_t pe, int32_t pi, int module) {
        int32_t e = policy.find_entity(d.type.text);
        const AliasInfo* alias = nullptr;
        if (e < 0) {
          if (auto it = aliases.find(d.type.text); it != aliases.end()) {
            alias = &it->second;
            e = it->second.entity;
          }
        }
        if (e < 0 && missing_library(d.type.span, d.type.text)) return;
        if (e < 0) {
          std::vector<std::string> names;
          for (const auto& t : policy.entities) names.push_back(t.name);
          for (const auto& [n, a] : aliases) names.push_back(n);
          std::string hint = did_you_mean(d.type.text, names);
          diags.error(d.type.span, fmt::format("unknown entity type or alias '{}'", d.type.text),
                      hint.empty() ? "an instance is declared as `Type id { ... }`" : hint);
          return;
        }
        auto& ent = policy.entities[static_cast<size_t>(e)];
        int32_t index = -1;
        if (auto it = ent.instance_index.find(d.id.text); it != ent.instance_index.end()) {
          diags.error(d.id.span, fmt::format("{} '{}' is declared twice", ent.name, d.id.text),
                      "ids are unique per entity type");
          diags.note(ent.instances[static_cast<size_t>(it->second)].span, "first declared here");
        } else {
          index = static_cast<int32_t>(ent.instances.size());
          ir::Instance inst;
          inst.id = d.id.text;
          inst.span = d.id.span;
          inst.module = module;
          ent.instances.push_back(std::move(inst));
          ent.instance_index[d.id.text] = index;
          pending.push_back({&d, e, index, pe, pi, alias});
        }
        for (const auto& item : d.items)
          if (item.child) reg(*item.child, index < 0 ? -1 : e, index, module);
      };
  for (const ast::Decl* d : instance_decls) {
    int module = 0;
    for (size_t m = 0; m < policy.modules.size(); ++m)
      if (policy.modules[m].file == d->span.file) module = static_cast<int>(m);
    reg(*d->instance, -1, -1, module);
  }

  for (size_t e = 0; e < policy.entities.size(); ++e) {
    auto& ent = policy.entities[e];
    for (size_t a = 0; a < ent.attributes.size(); ++a) {
      const ast::Attribute* decl = entity_attrs[e][a];
      auto& attr = ent.attributes[a];
      if (!decl->default_value || attr.type == ir::TypeTable::kError) continue;
      attr.default_value = constant(*decl->default_value, attr.type,
                                    fmt::format("the default of {}.{}", ent.name, attr.name));
    }
  }

  for (size_t i = 0; i < policy.settings.size(); ++i) {
    auto& s = policy.settings[i];
    if (s.type == ir::TypeTable::kError) continue;
    if (auto v = constant(*setting_decls[i]->value, s.type, fmt::format("setting '{}'", s.name))) {
      s.default_value = *v;
      s.value = *v;
    }
  }
  std::map<std::string, Span> overridden;
  for (const auto& [d, module] : set_overrides) {
    int32_t i = policy.find_setting(d->name.text);
    if (i < 0 && missing_library(d->name.span, d->name.text)) continue;
    if (i < 0) {
      std::vector<std::string> names;
      for (const auto& s : policy.settings) names.push_back(s.name);
      diags.error(d->name.span, fmt::format("unknown setting '{}'", d->name.text),
                  did_you_mean(d->name.text, names));
      continue;
    }
    if (auto it = overridden.find(d->name.text); it != overridden.end()) {
      diags.error(d->name.span, fmt::format("setting '{}' is set twice", d->name.text));
      diags.note(it->second, "first set here");
      continue;
    }
    overridden[d->name.text] = d->name.span;
    auto& s = policy.settings[static_cast<size_t>(i)];
    if (s.type == ir::TypeTable::kError) continue;
    if (auto v = constant(*d->value, s.type, fmt::format("setting '{}'", s.name))) {
      lint_setting_default(*d, s, *v);
      s.value = *v;
    }
  }

  for (const Pending& p : pending) {
    auto& ent = policy.entities[static_cast<size_t>(p.entity)];
    auto& inst = ent.instances[static_cast<size_t>(p.index)];
    std::vector<std::optional<ir::Value>> values(ent.attributes.size());
    std::vector<Span> given(ent.attributes.size());
    auto assign = [&](const ast::AttrValue& av, bool from_alias) {
      int32_t a = ent.find_attribute(av.name.text);
      if (a < 0) {
        std::vector<std::string> names;
        for (const auto& at : ent.attributes) names.push_back(at.name);
        diags.error(av.name.span,
                    fmt::format("entity '{}' has no attribute '{}'", ent.name, av.name.text),
                    did_you_mean(av.name.text, names));
        return;
      }
      auto& attr = ent.attributes[static_cast<size_t>(a)];
      if (!from_alias && given[static_cast<size_t>(a)].valid()) {
        diags.error(av.name.span,
                    fmt::format("'{}' is given twice for {} '{}'", attr.name, ent.name, inst.id));
        return;
      }
      if (!from_alias) given[static_cast<size_t>(a)] = av.name.span;
      if (attr.type == ir::TypeTable::kError) return;
      if (auto v = constant(*av.value, attr.type, fmt::format("{}.{}", ent.name, attr.name))) {
        // Given as its default, unless it overrides an alias's preset.
        if (!from_alias && !values[static_cast<size_t>(a)] && attr.default_value &&
            same_value(*v, *attr.default_value))
          lint_attribute_default(av, p.entity, p.index, *v);
        values[static_cast<size_t>(a)] = *v;
      }
    };
    if (p.alias)
      for (const auto& av : p.alias->decl->values) assign(av, true);
    for (const auto& item : p.decl->items)
      if (item.value) assign(*item.value, false);
    if (p.parent_entity >= 0) {
      int32_t pa = ent.parent_attr;
      const auto& pent = policy.entities[static_cast<size_t>(p.parent_entity)];
      if (pa < 0 || entity_of(ent.attributes[static_cast<size_t>(pa)].type) != p.parent_entity) {
        diags.error(p.decl->type.span,
                    fmt::format("{} {} cannot be declared inside {} {}", article(ent.name),
                                ent.name, article(pent.name), pent.name),
                    pa < 0
                        ? fmt::format("{} has no parent attribute", ent.name)
                        : fmt::format("the parent of {} {} is {} {}", article(ent.name), ent.name,
                                      article(type_name(policy.types.strip_optional(
                                          ent.attributes[static_cast<size_t>(pa)].type))),
                                      type_name(policy.types.strip_optional(
                                          ent.attributes[static_cast<size_t>(pa)].type))));
      } else if (given[static_cast<size_t>(pa)].valid()) {
        diags.error(given[static_cast<size_t>(pa)],
                    fmt::format("'{}' is already given by the enclosing {} block",
                                ent.attributes[static_cast<size_t>(pa)].name, pent.name));
      } else {
        values[static_cast<size_t>(pa)] = ir::Value::entity(p.parent_entity, p.parent_index);
      }
    }
    inst.values.resize(ent.attributes.size());
    for (size_t a = 0; a < ent.attributes.size(); ++a) {
      if (values[a])
        inst.values[a] = *values[a];
      else if (ent.attributes[a].default_value)
        inst.values[a] = *ent.attributes[a].default_value;
      else if (ent.attributes[a].type != ir::TypeTable::kError) {
        bool is_parent = static_cast<int32_t>(a) == ent.parent_attr;
        diags.error(
            p.decl->id.span,
            fmt::format("{} '{}' needs a value for '{}'", ent.name, inst.id,
                        ent.attributes[a].name),
            is_parent ? fmt::format("declare it inside its {} block, or give {}: <id>",
                                    type_name(policy.types.strip_optional(ent.attributes[a].type)),
                                    ent.attributes[a].name)
                      : fmt::format("'{}' has no default", ent.attributes[a].name));
      }
    }
  }

  // Cycles in the declared location tree.
  for (size_t e = 0; e < policy.entities.size(); ++e) {
    const auto& ent = policy.entities[e];
    if (ent.parent_attr < 0) continue;
    for (size_t i = 0; i < ent.instances.size(); ++i) {
      int32_t te = static_cast<int32_t>(e);
      int64_t ti = static_cast<int64_t>(i);
      for (size_t steps = 0; steps <= 4096; ++steps) {
        const auto& cur = policy.entities[static_cast<size_t>(te)];
        if (cur.parent_attr < 0 || ti < 0 || static_cast<size_t>(ti) >= cur.instances.size()) break;
        const auto& vals = cur.instances[static_cast<size_t>(ti)].values;
        if (vals.size() <= static_cast<size_t>(cur.parent_attr)) break;
        const ir::Value& pv = vals[static_cast<size_t>(cur.parent_attr)];
        if (pv.tag != ir::Value::Tag::Entity) break;
        te = pv.ref;
        ti = pv.num;
        if (te == static_cast<int32_t>(e) && ti == static_cast<int64_t>(i)) {
          diags.error(ent.instances[i].span,
                      fmt::format("{} '{}' is its own ancestor: the parent links form a cycle",
                                  ent.name, ent.instances[i].id));
          break;
        }
      }
    }
  }
}

} // namespace keyplan::sema
