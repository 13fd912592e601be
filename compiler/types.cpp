#include "compiler/types.hpp"

namespace keyplan::ir {

TypeTable::TypeTable() {
  intern({TypeKind::Error, -1, 0});
  intern({TypeKind::Bool, -1, 0});
  intern({TypeKind::Int, -1, 0});
  intern({TypeKind::String, -1, 0});
  intern({TypeKind::Date, -1, 0});
}

TypeId TypeTable::optional_of(TypeId elem) {
  if (is_optional(elem) || elem == kError) return elem;
  return intern({TypeKind::Optional, -1, elem});
}

TypeId TypeTable::intern(Type t) {
  auto key = std::make_tuple(static_cast<int>(t.kind), t.ref, t.elem);
  auto it = index_.find(key);
  if (it != index_.end()) return it->second;
  TypeId id = static_cast<TypeId>(types_.size());
  types_.push_back(t);
  index_.emplace(key, id);
  return id;
}

} // namespace keyplan::ir
