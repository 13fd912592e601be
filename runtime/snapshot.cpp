#include "runtime/snapshot.hpp"

#include "compiler/diagnostics.hpp"
#include "runtime/bitset.hpp"
#include "runtime/value_text.hpp"

#include <atomic>
#include <cstring>
#include <fmt/format.h>

namespace keyplan::rt {

namespace {

uint64_t next_version() {
  static std::atomic<uint64_t> counter{0};
  return ++counter;
}

} // namespace

ColumnKind column_kind(const ir::Policy& policy, ir::TypeId type) {
  const ir::TypeTable& tt = policy.types;
  ir::TypeId base = tt.strip_optional(type);
  switch (tt.kind(base)) {
  case ir::TypeKind::String:
    return ColumnKind::String;
  case ir::TypeKind::Set: {
    ir::TypeKind ek = tt.kind(tt[base].elem);
    return ek == ir::TypeKind::Entity || ek == ir::TypeKind::Enum ? ColumnKind::Bits
                                                                  : ColumnKind::Values;
  }
  default:
    return ColumnKind::Scalar;
  }
}

Snapshot::Snapshot(const ir::Policy& policy)
    : policy_(&policy), version_(next_version()), data_version_(version_) {
  tables_.resize(policy.entities.size());
  // Ids first: bitset strides depend on every type's instance count.
  for (size_t t = 0; t < policy.entities.size(); ++t) {
    const ir::EntityType& et = policy.entities[t];
    EntityTable& tab = tables_[t];
    tab.parent_attr = et.parent_attr;
    tab.declared = static_cast<int32_t>(et.instances.size());
    for (size_t i = 0; i < et.instances.size(); ++i) {
      tab.ids.push_back(et.instances[i].id);
      tab.index.insert(tab.ids, static_cast<int32_t>(i));
    }
  }
  for (size_t t = 0; t < policy.entities.size(); ++t) {
    const ir::EntityType& et = policy.entities[t];
    EntityTable& tab = tables_[t];
    tab.columns.resize(et.attributes.size());
    for (size_t a = 0; a < et.attributes.size(); ++a)
      init_column(tab.columns[a], et.attributes[a].type, tab.ids.size());
    for (size_t i = 0; i < et.instances.size(); ++i)
      for (size_t a = 0; a < et.attributes.size() && a < et.instances[i].values.size(); ++a)
        set(static_cast<int32_t>(t), static_cast<int32_t>(i), static_cast<int32_t>(a),
            et.instances[i].values[a]);
  }
  for (const auto& s : policy.settings) settings_.push_back(s.value);
}

size_t Snapshot::domain_size(ir::TypeId elem) const {
  const ir::Type& ty = policy_->types[elem];
  if (ty.kind == ir::TypeKind::Entity) return static_cast<size_t>(count(ty.ref));
  if (ty.kind == ir::TypeKind::Enum)
    return policy_->enums.at(static_cast<size_t>(ty.ref)).members.size();
  return 0;
}

void Snapshot::init_column(Column& c, ir::TypeId type, size_t rows) {
  const ir::TypeTable& tt = policy_->types;
  c.type = type;
  c.optional = tt.is_optional(type);
  c.kind = column_kind(*policy_, type);
  switch (c.kind) {
  case ColumnKind::Scalar:
    c.scalars.assign(rows, c.optional ? kNone : 0);
    break;
  case ColumnKind::String:
    c.strings.assign(rows);
    break;
  case ColumnKind::Bits: {
    const ir::Type& elem = tt[tt[tt.strip_optional(type)].elem];
    c.elem_ref = elem.ref;
    c.elem_enum = elem.kind == ir::TypeKind::Enum;
    c.stride = bits::words_for(domain_size(tt[tt.strip_optional(type)].elem));
    c.words.assign(rows * c.stride, 0);
    break;
  }
  case ColumnKind::Values:
    c.values.assign(rows, {});
    break;
  }
  if (c.optional && c.kind != ColumnKind::Scalar) c.none.assign(rows, 1);
}

void Snapshot::append(const std::vector<std::vector<std::string>>& new_ids) {
  version_ = data_version_ = next_version();
  std::vector<size_t> old_rows(tables_.size());
  for (size_t t = 0; t < tables_.size(); ++t) {
    EntityTable& tab = tables_[t];
    old_rows[t] = tab.ids.size();
    if (t >= new_ids.size()) continue;
    for (const auto& id : new_ids[t]) {
      tab.ids.push_back(id);
      tab.index.insert(tab.ids, static_cast<int32_t>(tab.ids.size() - 1));
    }
  }
  // Bitset columns of a grown element type need a wider stride; the row
  // count of a Bits column is needed before re-striding, so record it first.
  // Re-strided in place, last row first (a row only moves up), so that a
  // reserved column does not move (see reserve).
  for (size_t t = 0; t < tables_.size(); ++t) {
    for (auto& c : tables_[t].columns) {
      if (c.kind != ColumnKind::Bits) continue;
      uint32_t stride = bits::words_for(
          c.elem_enum ? policy_->enums[static_cast<size_t>(c.elem_ref)].members.size()
                      : tables_[static_cast<size_t>(c.elem_ref)].ids.size());
      if (stride <= c.stride) continue; // element types only grow
      const size_t rows = old_rows[t], old = c.stride;
      c.words.resize(rows * stride, 0);
      uint64_t* w = c.words.data();
      for (size_t r = rows; r-- > 0;) {
        std::memmove(w + r * stride, w + r * old, old * sizeof(uint64_t));
        std::fill(w + r * stride + old, w + (r + 1) * stride, uint64_t{0});
      }
      c.stride = stride;
    }
  }
  for (size_t t = 0; t < tables_.size(); ++t) {
    EntityTable& tab = tables_[t];
    size_t rows = tab.ids.size();
    if (rows == old_rows[t]) continue;
    const ir::EntityType& et = policy_->entities[t];
    for (size_t a = 0; a < tab.columns.size(); ++a)
      resize_column(tab.columns[a], rows, et.attributes[a].default_value);
  }
}

void Snapshot::reserve(int32_t type, size_t extra) {
  EntityTable& tab = tables_.at(static_cast<size_t>(type));
  const size_t rows = tab.ids.size() + extra;
  tab.ids.reserve(rows); // untouched until used; the index (touched at once) grows as it goes
  for (Column& c : tab.columns) {
    if (c.optional && c.kind != ColumnKind::Scalar) c.none.reserve(rows);
    switch (c.kind) {
    case ColumnKind::Scalar:
      c.scalars.reserve(rows);
      break;
    case ColumnKind::String:
      c.strings.reserve(rows);
      break;
    case ColumnKind::Bits:
      if (c.elem_enum || c.elem_ref != type) c.words.reserve(rows * c.stride);
      break;
    case ColumnKind::Values:
      c.values.reserve(rows);
      break;
    }
  }
  // Bitsets over this type's instances widen as it grows: their final
  // width, for their tables' current rows (a table that grows later moves).
  const size_t stride = bits::words_for(rows);
  for (EntityTable& other : tables_)
    for (Column& c : other.columns)
      if (c.kind == ColumnKind::Bits && !c.elem_enum && c.elem_ref == type)
        c.words.reserve((&other == &tab ? rows : other.ids.size()) * stride);
}

void Snapshot::resize_column(Column& c, size_t rows, const std::optional<ir::Value>& fill) {
  size_t old = 0;
  switch (c.kind) {
  case ColumnKind::Scalar:
    old = c.scalars.size();
    c.scalars.resize(rows, c.optional ? kNone : 0);
    break;
  case ColumnKind::String:
    old = c.strings.size();
    c.strings.resize(rows);
    break;
  case ColumnKind::Bits:
    old = c.stride ? c.words.size() / c.stride : c.none.size();
    c.words.resize(rows * c.stride, 0);
    break;
  case ColumnKind::Values:
    old = c.values.size();
    c.values.resize(rows);
    break;
  }
  if (c.optional && c.kind != ColumnKind::Scalar) c.none.resize(rows, 1);
  if (!fill) return;
  // Rows of Bits columns with stride 0 are not counted by `words`; the
  // default of such a column is necessarily the empty set (or none).
  for (size_t r = old; r < rows; ++r) {
    int32_t row = static_cast<int32_t>(r);
    const ir::Value& v = *fill;
    switch (c.kind) {
    case ColumnKind::Scalar:
      c.scalars[r] = v.tag == ir::Value::Tag::None ? kNone : v.num;
      break;
    case ColumnKind::String:
      c.strings.set(r, v.str);
      break;
    case ColumnKind::Bits:
      for (const auto& e : v.elems)
        bits::set(c.words.data() + static_cast<size_t>(row) * c.stride, static_cast<size_t>(e.num));
      break;
    case ColumnKind::Values:
      c.values[r] = v.elems;
      break;
    }
    if (!c.none.empty()) c.none[r] = v.tag == ir::Value::Tag::None;
  }
}

ir::Value Snapshot::get(int32_t type, int32_t row, int32_t attr) const {
  const Column& c = table(type).columns.at(static_cast<size_t>(attr));
  size_t r = static_cast<size_t>(row);
  if (c.is_none(row)) return ir::Value::none();
  const ir::TypeTable& tt = policy_->types;
  const ir::Type& base = tt[tt.strip_optional(c.type)];
  switch (c.kind) {
  case ColumnKind::Scalar: {
    int64_t v = c.scalars[r];
    switch (base.kind) {
    case ir::TypeKind::Bool:
      return ir::Value::boolean(v != 0);
    case ir::TypeKind::Date:
      return ir::Value::date(v);
    case ir::TypeKind::Enum:
      return ir::Value::enumerator(base.ref, v);
    case ir::TypeKind::Entity:
      return ir::Value::entity(base.ref, v);
    default:
      return ir::Value::integer(v);
    }
  }
  case ColumnKind::String:
    return ir::Value::string(c.strings[r]);
  case ColumnKind::Bits: {
    std::vector<ir::Value> elems;
    const uint64_t* w = c.bits_row(row);
    for (int64_t i = bits::next(w, c.stride, 0); i >= 0;
         i = bits::next(w, c.stride, static_cast<size_t>(i) + 1))
      elems.push_back(c.elem_enum ? ir::Value::enumerator(c.elem_ref, i)
                                  : ir::Value::entity(c.elem_ref, i));
    ir::Value s;
    s.tag = ir::Value::Tag::Set;
    s.elems = std::move(elems); // ascending already
    return s;
  }
  case ColumnKind::Values: {
    ir::Value s;
    s.tag = ir::Value::Tag::Set;
    s.elems = c.values[r];
    return s;
  }
  }
  return ir::Value::none();
}

Column& Snapshot::column_for_load(int32_t type, int32_t attr) {
  // A data edit: caches keyed on the data version (inverse indexes) go stale too.
  version_ = data_version_ = next_version();
  return tables_.at(static_cast<size_t>(type)).columns.at(static_cast<size_t>(attr));
}

void Snapshot::set(int32_t type, int32_t row, int32_t attr, const ir::Value& v) {
  version_ = data_version_ = next_version();
  Column& c = tables_.at(static_cast<size_t>(type)).columns.at(static_cast<size_t>(attr));
  size_t r = static_cast<size_t>(row);
  bool is_none = v.tag == ir::Value::Tag::None;
  if (!c.none.empty()) c.none[r] = is_none;
  switch (c.kind) {
  case ColumnKind::Scalar:
    c.scalars[r] = is_none ? kNone : v.num;
    break;
  case ColumnKind::String:
    c.strings.set(r, is_none ? std::string_view{} : std::string_view(v.str));
    break;
  case ColumnKind::Bits: {
    uint64_t* w = c.words.data() + r * c.stride;
    for (uint32_t i = 0; i < c.stride; ++i) w[i] = 0;
    for (const auto& e : v.elems)
      if (e.num >= 0 && static_cast<size_t>(e.num) < static_cast<size_t>(c.stride) * 64)
        bits::set(w, static_cast<size_t>(e.num));
    break;
  }
  case ColumnKind::Values:
    c.values[r] = v.elems;
    break;
  }
}

bool Snapshot::set_setting(const std::string& name, const ir::Value& value, std::string* error) {
  int32_t i = policy_->find_setting(name);
  if (i < 0) {
    if (error) {
      std::vector<std::string> names;
      for (const auto& s : policy_->settings) names.push_back(s.name);
      std::string hint = did_you_mean(name, names);
      *error = fmt::format("unknown setting '{}'{}", name, hint.empty() ? "" : " (" + hint + ")");
    }
    return false;
  }
  const ir::Setting& s = policy_->settings[static_cast<size_t>(i)];
  if (!has_type(value, s.type)) {
    if (error)
      *error = fmt::format("setting '{}' has type {}; {} is not a {}", name,
                           policy_->type_name(s.type), format(value), policy_->type_name(s.type));
    return false;
  }
  settings_[static_cast<size_t>(i)] = value;
  version_ = next_version();
  return true;
}

bool Snapshot::set_setting(const std::string& name, const std::string& text, std::string* error) {
  int32_t i = policy_->find_setting(name);
  if (i < 0) return set_setting(name, ir::Value::none(), error);
  std::string err;
  auto v = parse_value_text(*this, policy_->settings[static_cast<size_t>(i)].type, text, err);
  if (!v) {
    if (error) *error = fmt::format("setting '{}': {}", name, err);
    return false;
  }
  return set_setting(name, *v, error);
}

std::string Snapshot::format(const ir::Value& v) const {
  if (v.tag == ir::Value::Tag::Entity) {
    if (v.ref >= 0 && v.ref < entity_count() && v.num >= 0 && v.num < count(v.ref))
      return id(v.ref, static_cast<int32_t>(v.num));
    return policy_->format_value(v);
  }
  if (v.tag == ir::Value::Tag::Set) {
    std::string s = "[";
    for (size_t i = 0; i < v.elems.size(); ++i) s += (i ? ", " : "") + format(v.elems[i]);
    return s + "]";
  }
  return policy_->format_value(v);
}

bool Snapshot::has_type(const ir::Value& v, ir::TypeId t) const {
  const ir::TypeTable& tt = policy_->types;
  if (tt.is_optional(t)) return v.tag == ir::Value::Tag::None || has_type(v, tt[t].elem);
  const ir::Type& ty = tt[t];
  using Tag = ir::Value::Tag;
  switch (ty.kind) {
  case ir::TypeKind::Bool:
    return v.tag == Tag::Bool && (v.num == 0 || v.num == 1);
  case ir::TypeKind::Int:
    return v.tag == Tag::Int;
  case ir::TypeKind::String:
    return v.tag == Tag::String;
  case ir::TypeKind::Date:
    return v.tag == Tag::Date;
  case ir::TypeKind::Enum:
    return v.tag == Tag::Enum && v.ref == ty.ref && v.num >= 0 &&
           static_cast<size_t>(v.num) < policy_->enums[static_cast<size_t>(ty.ref)].members.size();
  case ir::TypeKind::Entity:
    return v.tag == Tag::Entity && v.ref == ty.ref && v.num >= 0 && v.num < count(ty.ref);
  case ir::TypeKind::Set:
    if (v.tag != Tag::Set) return false;
    for (size_t i = 0; i < v.elems.size(); ++i) {
      if (!has_type(v.elems[i], ty.elem)) return false;
      if (i && !(v.elems[i - 1] < v.elems[i])) return false;
    }
    return true;
  default:
    return false;
  }
}

} // namespace keyplan::rt
