// A random argument of a rule's parameter type, drawn as the differential
// tests (JIT, column engine) draw them: optionals are none 30% of the time,
// ints and dates near small values and `today`, entities among the rows.
#pragma once

#include "compiler/ir.hpp"
#include "runtime/snapshot.hpp"
#include "bench/desk_tenant_gen.hpp"

namespace keyplan::testing_support {

inline ir::Value random_arg(const ir::Policy& p, const rt::Snapshot& snap, ir::TypeId t,
                            sim::SplitMix& rng, int64_t today) {
  const auto& types = p.types;
  if (types.kind(t) == ir::TypeKind::Optional) {
    if (rng.chance(30)) return ir::Value::none();
    t = types[t].elem;
  }
  switch (types.kind(t)) {
  case ir::TypeKind::Bool:
    return ir::Value::boolean(rng.chance(50));
  case ir::TypeKind::Int:
    return ir::Value::integer(static_cast<int64_t>(rng.below(12)) - 4);
  case ir::TypeKind::Date:
    return ir::Value::date(today + static_cast<int64_t>(rng.below(9)) - 4);
  case ir::TypeKind::Enum: {
    int32_t e = types[t].ref;
    return ir::Value::enumerator(
        e, static_cast<int64_t>(rng.below(p.enums[static_cast<size_t>(e)].members.size())));
  }
  case ir::TypeKind::Entity: {
    int32_t e = types[t].ref;
    return ir::Value::entity(e,
                             static_cast<int64_t>(rng.below(static_cast<uint64_t>(snap.count(e)))));
  }
  default:
    return ir::Value::none();
  }
}

} // namespace keyplan::testing_support
