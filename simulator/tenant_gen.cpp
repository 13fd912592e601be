#include "simulator/tenant_gen.hpp"

#include <fmt/format.h>
#include <rapidcheck.h>

namespace keyplan::sim {

namespace {

int64_t draw(int64_t lo, int64_t hi_excl) { return *rc::gen::inRange<int64_t>(lo, hi_excl); }

struct Drawer {
  const ir::Policy& p;
  const rt::Snapshot& snap;
  const GenOptions& o;
  std::vector<std::string> strings;

  // A scalar (non-set, non-optional) value of type t; -1 row when impossible.
  ir::Value scalar(ir::TypeId t, int32_t self_type, int32_t self_row, bool& ok) {
    const ir::Type& ty = p.types[t];
    switch (ty.kind) {
    case ir::TypeKind::Bool: return ir::Value::boolean(draw(0, 2) != 0);
    case ir::TypeKind::Int: return ir::Value::integer(draw(0, 10));
    case ir::TypeKind::Date: return ir::Value::date(o.today + draw(0, 31));
    case ir::TypeKind::String:
      return ir::Value::string(strings[static_cast<size_t>(draw(0, static_cast<int64_t>(strings.size())))]);
    case ir::TypeKind::Enum: {
      auto n = static_cast<int64_t>(p.enums[static_cast<size_t>(ty.ref)].members.size());
      return ir::Value::enumerator(ty.ref, draw(0, n));
    }
    case ir::TypeKind::Entity: {
      // Same type (a tree inside one type): an earlier row only.
      int64_t n = ty.ref == self_type ? self_row : snap.count(ty.ref);
      int64_t raw = draw(0, 1 << 16);
      if (n <= 0) {
        ok = false;
        return ir::Value::none();
      }
      return ir::Value::entity(ty.ref, raw % n);
    }
    default: ok = false; return ir::Value::none();
    }
  }

  ir::Value value(ir::TypeId t, int32_t self_type, int32_t self_row, const ir::Value& fallback) {
    bool ok = true;
    if (p.types.is_optional(t)) {
      if (draw(0, 3) == 0) return ir::Value::none();
      ir::Value v = value(p.types[t].elem, self_type, self_row, ir::Value::none());
      return v;
    }
    if (p.types.is_set(t)) {
      ir::TypeId e = p.types[t].elem;
      std::vector<ir::Value> elems;
      int64_t n = draw(0, 4);
      for (int64_t i = 0; i < n; ++i) {
        bool eok = true;
        ir::Value v = scalar(e, -1, 0, eok);
        if (eok) elems.push_back(std::move(v));
      }
      return ir::Value::set(std::move(elems));
    }
    ir::Value v = scalar(t, self_type, self_row, ok);
    return ok ? v : fallback;
  }
};

} // namespace

std::vector<int32_t> generate_tenant(rt::Snapshot& snapshot, const GenOptions& o) {
  const ir::Policy& p = snapshot.policy();
  const auto n_types = p.entities.size();
  std::vector<int64_t> counts(n_types);
  for (size_t t = 0; t < n_types; ++t) counts[t] = draw(0, o.max_instances + 1);
  // A type that some instance must reference (a required entity attribute,
  // parents included) gets at least one instance.
  for (bool changed = true; changed;) {
    changed = false;
    for (size_t t = 0; t < n_types; ++t) {
      if (snapshot.count(static_cast<int32_t>(t)) + counts[t] == 0) continue;
      for (const auto& a : p.entities[t].attributes) {
        const ir::Type& ty = p.types[a.type];
        if (ty.kind != ir::TypeKind::Entity) continue;
        auto u = static_cast<size_t>(ty.ref);
        if (u == t) continue;
        if (snapshot.count(ty.ref) + counts[u] == 0) {
          counts[u] = 1;
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
    // A required parent of the same type needs an earlier instance.
    int32_t pa = p.entities[t].parent_attr;
    bool self_tree = pa >= 0 && p.types[p.entities[t].attributes[static_cast<size_t>(pa)].type].ref == type &&
                     !p.types.is_optional(p.entities[t].attributes[static_cast<size_t>(pa)].type);
    if (self_tree && first[t] == 0) counts[t] = 0;
    for (int64_t k = 1, made = 0; made < counts[t]; ++k) {
      std::string id = fmt::format("{}_{}", p.entities[t].name, k);
      if (snapshot.find(type, id) >= 0) continue;
      ids[t].push_back(std::move(id));
      ++made;
    }
  }
  snapshot.append(ids);
  Drawer d{p, snapshot, o, {"", "a"}};
  for (int32_t t = 0; t < snapshot.entity_count(); ++t)
    for (int32_t r = 0; r < snapshot.count(t); ++r) d.strings.push_back(snapshot.id(t, r));
  for (size_t t = 0; t < n_types; ++t) {
    auto type = static_cast<int32_t>(t);
    const auto& attrs = p.entities[t].attributes;
    for (int32_t r = first[t]; r < snapshot.count(type); ++r)
      for (size_t a = 0; a < attrs.size(); ++a) {
        auto ai = static_cast<int32_t>(a);
        ir::Value v = d.value(attrs[a].type, type, r, snapshot.get(type, r, ai));
        snapshot.set(type, r, ai, v);
      }
  }
  return first;
}

} // namespace keyplan::sim
