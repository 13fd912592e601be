// Types of the checked IR, interned: a TypeId compares equal exactly when the
// types are equal.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <tuple>
#include <vector>

namespace keyplan::ir {

using TypeId = uint32_t;

enum class TypeKind : uint8_t { Error, Bool, Int, String, Date, Enum, Entity, Set, Optional };

struct Type {
  TypeKind kind = TypeKind::Error;
  int32_t ref = -1; // Enum: index into Policy::enums; Entity: index into Policy::entities
  TypeId elem = 0;  // Set, Optional: the element type
};

class TypeTable {
public:
  TypeTable();
  static constexpr TypeId kError = 0, kBool = 1, kInt = 2, kString = 3, kDate = 4;

  TypeId enum_type(int32_t index) { return intern({TypeKind::Enum, index, 0}); }
  TypeId entity_type(int32_t index) { return intern({TypeKind::Entity, index, 0}); }
  TypeId set_of(TypeId elem) { return intern({TypeKind::Set, -1, elem}); }
  // Optional of an optional is the same optional.
  TypeId optional_of(TypeId elem);

  const Type& operator[](TypeId id) const { return types_.at(id); }
  TypeKind kind(TypeId id) const { return types_.at(id).kind; }
  bool is_optional(TypeId id) const { return kind(id) == TypeKind::Optional; }
  bool is_set(TypeId id) const { return kind(id) == TypeKind::Set; }
  // The type without its optional wrapper.
  TypeId strip_optional(TypeId id) const { return is_optional(id) ? types_[id].elem : id; }
  size_t size() const { return types_.size(); }

private:
  TypeId intern(Type t);
  std::vector<Type> types_;
  std::map<std::tuple<int, int32_t, TypeId>, TypeId> index_;
};

} // namespace keyplan::ir
