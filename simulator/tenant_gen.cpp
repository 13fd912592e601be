#include "simulator/tenant_gen.hpp"

#include <fmt/format.h>
#include <rapidcheck.h>

namespace keyplan::sim {

namespace {

// Raw draws: per attribute a list of integers (one for a plain value, none
// or one for an optional, up to three for a set), mapped to values once
// every type's instance count is known. One RapidCheck pick per entity type,
// so that removing an instance while shrinking leaves the others unchanged.
using RawAttr = std::vector<int64_t>;
using RawInstance = std::vector<RawAttr>;

constexpr int64_t kWide = 1 << 16; // entity rows and string picks: taken modulo the count
constexpr int kMaxSet = 3;
// RapidCheck scales integer ranges by the size parameter; the lengths of
// instance lists and sets are bounded with gen::resize, so the values inside
// are drawn at full size again.
constexpr int kFullSize = 100;

rc::Gen<int64_t> full_range(int64_t hi_excl) {
  return rc::gen::resize(kFullSize, rc::gen::inRange<int64_t>(0, hi_excl));
}

int64_t scalar_range(const ir::Policy& p, ir::TypeId t) {
  const ir::Type& ty = p.types[t];
  switch (ty.kind) {
  case ir::TypeKind::Bool:
    return 2;
  case ir::TypeKind::Int:
    return 10;
  case ir::TypeKind::Date:
    return 31;
  case ir::TypeKind::Enum:
    return static_cast<int64_t>(p.enums[static_cast<size_t>(ty.ref)].members.size());
  default:
    return kWide;
  }
}

rc::Gen<RawAttr> attr_gen(const ir::Policy& p, ir::TypeId t) {
  if (p.types.is_set(t)) {
    auto elem = full_range(scalar_range(p, p.types[t].elem));
    return rc::gen::resize(kMaxSet, rc::gen::container<RawAttr>(elem));
  }
  bool opt = p.types.is_optional(t);
  auto one = rc::gen::container<RawAttr>(1, full_range(scalar_range(p, p.types.strip_optional(t))));
  if (!opt) return one;
  return rc::gen::mapcat(full_range(3), [one](int64_t k) {
    return k == 0 ? rc::gen::just(RawAttr{}) : one; // none one time in three
  });
}

rc::Gen<RawInstance> instance_gen(const ir::Policy& p, const ir::EntityType& et) {
  std::vector<rc::Gen<RawAttr>> gens;
  for (const auto& a : et.attributes) gens.push_back(attr_gen(p, a.type));
  return rc::gen::exec([gens] {
    RawInstance inst;
    for (const auto& g : gens) inst.push_back(*g);
    return inst;
  });
}

struct Mapper {
  const ir::Policy& p;
  const rt::Snapshot& snap;
  int64_t today;
  std::vector<std::string> strings;

  // false when no value exists (a reference to a type without instances).
  bool scalar(ir::TypeId t, int64_t raw, int32_t self_type, int32_t self_row, ir::Value& out) {
    const ir::Type& ty = p.types[t];
    switch (ty.kind) {
    case ir::TypeKind::Bool:
      out = ir::Value::boolean(raw != 0);
      return true;
    case ir::TypeKind::Int:
      out = ir::Value::integer(raw);
      return true;
    case ir::TypeKind::Date:
      out = ir::Value::date(today + raw);
      return true;
    case ir::TypeKind::Enum:
      out = ir::Value::enumerator(ty.ref, raw);
      return true;
    case ir::TypeKind::String:
      out = ir::Value::string(strings[static_cast<size_t>(raw) % strings.size()]);
      return true;
    case ir::TypeKind::Entity: {
      // A parent of the same type (a tree inside one type): an earlier row.
      int64_t n = ty.ref == self_type ? self_row : snap.count(ty.ref);
      if (n <= 0) return false;
      out = ir::Value::entity(ty.ref, raw % n);
      return true;
    }
    default:
      return false;
    }
  }

  ir::Value value(ir::TypeId t, const RawAttr& raw, int32_t self_type, int32_t self_row,
                  const ir::Value& fallback) {
    if (p.types.is_set(t)) {
      std::vector<ir::Value> elems;
      for (size_t i = 0; i < raw.size() && i < static_cast<size_t>(kMaxSet); ++i) {
        ir::Value v;
        if (scalar(p.types[t].elem, raw[i], -1, 0, v)) elems.push_back(std::move(v));
      }
      return ir::Value::set(std::move(elems));
    }
    bool opt = p.types.is_optional(t);
    if (raw.empty()) return opt ? ir::Value::none() : fallback;
    ir::Value v;
    if (scalar(p.types.strip_optional(t), raw[0], self_type, self_row, v)) return v;
    return opt ? ir::Value::none() : fallback;
  }
};

} // namespace

std::vector<int32_t> generate_tenant(rt::Snapshot& snapshot, const GenOptions& o) {
  const ir::Policy& p = snapshot.policy();
  const size_t n_types = p.entities.size();
  std::vector<std::vector<RawInstance>> raw(n_types);
  for (size_t t = 0; t < n_types; ++t) {
    raw[t] = *rc::gen::resize(o.max_instances, rc::gen::container<std::vector<RawInstance>>(
                                                   instance_gen(p, p.entities[t])));
    if (raw[t].size() > static_cast<size_t>(o.max_instances))
      raw[t].resize(static_cast<size_t>(o.max_instances));
  }
  // A type that some instance must reference (a required entity attribute,
  // parents included) gets at least one instance: all draws zero, the least.
  for (bool changed = true; changed;) {
    changed = false;
    for (size_t t = 0; t < n_types; ++t) {
      if (snapshot.count(static_cast<int32_t>(t)) + static_cast<int64_t>(raw[t].size()) == 0)
        continue;
      for (const auto& a : p.entities[t].attributes) {
        const ir::Type& ty = p.types[a.type];
        auto u = static_cast<size_t>(ty.ref);
        if (ty.kind != ir::TypeKind::Entity || u == t) continue;
        if (snapshot.count(ty.ref) + static_cast<int64_t>(raw[u].size()) == 0) {
          RawInstance zero;
          for (const auto& b : p.entities[u].attributes)
            zero.push_back(p.types.is_set(b.type) || p.types.is_optional(b.type) ? RawAttr{}
                                                                                 : RawAttr{0});
          raw[u].push_back(std::move(zero));
          changed = true;
        }
      }
    }
  }
  std::vector<int32_t> first(n_types);
  std::vector<std::vector<std::string>> ids(n_types);
  for (size_t t = 0; t < n_types; ++t) {
    auto type = static_cast<int32_t>(t);
    first[t] = snapshot.count(type);
    int32_t pa = p.entities[t].parent_attr;
    if (pa >= 0) {
      ir::TypeId pt = p.entities[t].attributes[static_cast<size_t>(pa)].type;
      // A required parent of the same type needs an earlier, declared instance.
      if (p.types[pt].ref == type && !p.types.is_optional(pt) && first[t] == 0) raw[t].clear();
    }
    for (int64_t k = 1; ids[t].size() < raw[t].size(); ++k) {
      std::string id = fmt::format("{}_{}", p.entities[t].name, k);
      if (snapshot.find(type, id) < 0) ids[t].push_back(std::move(id));
    }
  }
  snapshot.append(ids);
  Mapper m{p, snapshot, o.today, {"", "a"}};
  for (int32_t t = 0; t < snapshot.entity_count(); ++t)
    for (int32_t r = 0; r < snapshot.count(t); ++r) m.strings.push_back(snapshot.id(t, r));
  for (size_t t = 0; t < n_types; ++t) {
    auto type = static_cast<int32_t>(t);
    const auto& attrs = p.entities[t].attributes;
    for (size_t i = 0; i < raw[t].size(); ++i) {
      int32_t row = first[t] + static_cast<int32_t>(i);
      for (size_t a = 0; a < attrs.size(); ++a) {
        auto ai = static_cast<int32_t>(a);
        snapshot.set(type, row, ai,
                     m.value(attrs[a].type, raw[t][i][a], type, row, snapshot.get(type, row, ai)));
      }
    }
  }
  return first;
}

} // namespace keyplan::sim
