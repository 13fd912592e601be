// The tenant snapshot: every instance of every entity type (the policy's own
// plus tenant data) and the current settings, as plain dense tables that the
// interpreter and, later, the JIT read. Rules are never specialised on data.
//
// Layout, per entity type (EntityTable):
// - instances are numbered densely: the policy's declared instances keep their
//   IR indices 0..k-1, data instances follow in load order;
// - one Column per attribute, indexed by instance row:
//   * Scalar: bool (0/1), int, date (days since 1970-01-01), enum ordinal,
//     entity row in the referenced type; an optional none is kNone (INT64_MIN).
//     Consequence: an `int?` attribute cannot hold INT64_MIN (the loader
//     rejects it; a policy literal of that value reads as none);
//   * String: one string per row (+ `none` flags for `string?`), stored
//     compactly (runtime/string_column.hpp);
//   * Bits: set<Entity> / set<Enum> as a fixed-stride bitset, row r at
//     words[r * stride], stride = bits::words_for(element count);
//   * Values: any other set (int, string, date, ...) as a sorted, deduplicated
//     std::vector<ir::Value> per row;
//   String, Bits and Values columns of an optional attribute type carry a
//   `none` flag per row (empty otherwise).
// - the parent attribute's column is the parent array (a Scalar column).
//
// The snapshot keeps a pointer to its policy: the policy must outlive it and
// must not move.
#pragma once

#include "compiler/ir.hpp"
#include "runtime/id_index.hpp"
#include "runtime/string_column.hpp"

#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace keyplan::rt {

constexpr int64_t kNone = std::numeric_limits<int64_t>::min();

enum class ColumnKind : uint8_t { Scalar, String, Bits, Values };

// The storage kind of an attribute type.
ColumnKind column_kind(const ir::Policy& policy, ir::TypeId type);

struct Column {
  ColumnKind kind = ColumnKind::Scalar;
  ir::TypeId type = ir::TypeTable::kError; // the attribute's declared type
  bool optional = false;
  // Bits: the element type (entity type or enum index) and its kind.
  int32_t elem_ref = -1;
  bool elem_enum = false;
  uint32_t stride = 0; // Bits: words per row

  std::vector<int64_t> scalars;               // Scalar
  StringColumn strings;                       // String
  std::vector<uint64_t> words;                // Bits
  std::vector<std::vector<ir::Value>> values; // Values
  std::vector<uint8_t> none;                  // String/Bits/Values of an optional type

  const int64_t* scalar_data() const { return scalars.data(); }
  const uint64_t* bits_row(int32_t row) const {
    return words.data() + static_cast<size_t>(row) * stride;
  }
  bool is_none(int32_t row) const {
    if (kind == ColumnKind::Scalar) return optional && scalars[static_cast<size_t>(row)] == kNone;
    return !none.empty() && none[static_cast<size_t>(row)];
  }
};

struct EntityTable {
  std::vector<std::string> ids;
  IdIndex index;               // id -> row (into `ids`)
  std::vector<Column> columns; // one per attribute
  int32_t parent_attr = -1;
  int32_t declared = 0; // rows 0..declared-1 are the policy's instances

  int32_t count() const { return static_cast<int32_t>(ids.size()); }
  int32_t find(std::string_view id) const { return index.find(ids, id); }
};

class Snapshot {
public:
  explicit Snapshot(const ir::Policy& policy);

  const ir::Policy& policy() const { return *policy_; }
  // Incremented by every change; caches keyed on a snapshot compare it.
  uint64_t version() const { return version_; }
  // Changed by every change of the entity tables (ids, attribute values),
  // not by settings; a copy keeps it. Equal on two snapshots of the same
  // policy: the same tables (a settings-only what-if), so structures
  // derived from the tables alone (inverse indexes) can be shared.
  uint64_t data_version() const { return data_version_; }

  int32_t entity_count() const { return static_cast<int32_t>(tables_.size()); }
  const EntityTable& table(int32_t type) const { return tables_.at(static_cast<size_t>(type)); }
  int32_t count(int32_t type) const { return table(type).count(); }
  int32_t find(int32_t type, std::string_view id) const { return table(type).find(id); }
  const std::string& id(int32_t type, int32_t row) const {
    return table(type).ids.at(static_cast<size_t>(row));
  }
  // The number of possible elements of a set<elem>: instances or enum members.
  size_t domain_size(ir::TypeId elem) const;

  // One cell as an IR value (entity references as Value::entity(type, row)).
  ir::Value get(int32_t type, int32_t row, int32_t attr) const;
  // Stores a value that has the attribute's type (checked by the caller).
  void set(int32_t type, int32_t row, int32_t attr, const ir::Value& v);

  // A column to write cells of in place (the fast data loader,
  // runtime/data_fast.cpp: values already checked against the column's
  // type); the snapshot counts as changed.
  Column& column_for_load(int32_t type, int32_t attr);

  // Appends instances with the given ids (not yet present) to each entity
  // type (new_ids[type]), every attribute at its default (required
  // attributes get a placeholder the caller must overwrite), and re-strides
  // every bitset column whose element type grew.
  void append(const std::vector<std::vector<std::string>>& new_ids);
  // Room for `extra` more instances of `type` (ids, its columns and the
  // bitset columns whose elements are its instances), so that loading them
  // moves no column: a large tenant's peak memory is not raised by vectors
  // moving (the fast loader counts the instances first). Only address
  // space until rows are added; the compact id index grows as it goes.
  void reserve(int32_t type, size_t extra);

  // Settings: current values, by setting index.
  const std::vector<ir::Value>& settings() const { return settings_; }
  const ir::Value& setting(int32_t index) const { return settings_.at(static_cast<size_t>(index)); }
  // Overrides a setting; false with `error` set when the name is unknown or
  // the value has the wrong type. Text is parsed by the setting's type
  // (see value_text.hpp).
  bool set_setting(const std::string& name, const ir::Value& value, std::string* error = nullptr);
  bool set_setting(const std::string& name, const std::string& text, std::string* error = nullptr);

  // A value rendered as the language writes it, with this snapshot's ids.
  std::string format(const ir::Value& v) const;
  // Whether `v` is a well-formed value of type `t` here (ids in range,
  // sets sorted).
  bool has_type(const ir::Value& v, ir::TypeId t) const;

private:
  void init_column(Column& c, ir::TypeId type, size_t rows);
  void resize_column(Column& c, size_t rows, const std::optional<ir::Value>& fill);

  const ir::Policy* policy_;
  std::vector<EntityTable> tables_;
  std::vector<ir::Value> settings_;
  uint64_t version_ = 0;
  uint64_t data_version_ = 0;
};

} // namespace keyplan::rt
