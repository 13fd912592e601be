#include "runtime/snapshot_compare.hpp"

#include <fmt/format.h>

namespace keyplan::rt {

namespace {

// Whether row r of two columns of the same attribute holds the same cell.
bool same_cell(const Column& x, const Column& y, size_t r) {
  if (!x.none.empty() && x.none[r] != y.none[r]) return false;
  switch (x.kind) {
  case ColumnKind::Scalar:
    return x.scalars[r] == y.scalars[r];
  case ColumnKind::String:
    return x.strings[r] == y.strings[r];
  case ColumnKind::Bits:
    for (uint32_t i = 0; i < x.stride; ++i)
      if (x.words[r * x.stride + i] != y.words[r * y.stride + i]) return false;
    return true;
  case ColumnKind::Values:
    return x.values[r] == y.values[r];
  }
  return false;
}

size_t rows_of(const Column& c) {
  switch (c.kind) {
  case ColumnKind::Scalar:
    return c.scalars.size();
  case ColumnKind::String:
    return c.strings.size();
  case ColumnKind::Bits:
    return c.stride ? c.words.size() / c.stride : c.none.size();
  case ColumnKind::Values:
    return c.values.size();
  }
  return 0;
}

} // namespace

std::string snapshot_difference(const Snapshot& a, const Snapshot& b) {
  const ir::Policy& p = a.policy();
  if (&p != &b.policy()) return "the snapshots are of different policies";
  if (a.entity_count() != b.entity_count()) return "different numbers of entity types";
  for (int32_t t = 0; t < a.entity_count(); ++t) {
    const EntityTable &x = a.table(t), &y = b.table(t);
    const std::string& name = p.entities[static_cast<size_t>(t)].name;
    if (x.ids != y.ids) return fmt::format("{}: the ids differ", name);
    if (x.declared != y.declared || x.parent_attr != y.parent_attr)
      return fmt::format("{}: the table's layout differs", name);
    if (x.index.size() != y.index.size()) return fmt::format("{}: the id index differs", name);
    for (size_t r = 0; r < x.ids.size(); ++r) { // every indexed id (the first of its row)
      const int32_t row = x.find(x.ids[r]);
      if (row == static_cast<int32_t>(r) && y.find(x.ids[r]) != row)
        return fmt::format("{}: the id index differs at '{}'", name, x.ids[r]);
    }
    if (x.columns.size() != y.columns.size()) return fmt::format("{}: the columns differ", name);
    for (size_t c = 0; c < x.columns.size(); ++c) {
      const Column &cx = x.columns[c], &cy = y.columns[c];
      const std::string& attr = p.entities[static_cast<size_t>(t)].attributes[c].name;
      if (cx.kind != cy.kind || cx.type != cy.type || cx.optional != cy.optional ||
          cx.elem_ref != cy.elem_ref || cx.elem_enum != cy.elem_enum || cx.stride != cy.stride ||
          cx.none.size() != cy.none.size() || rows_of(cx) != rows_of(cy))
        return fmt::format("{}.{}: the column's layout differs", name, attr);
      for (size_t r = 0; r < rows_of(cx) && r < x.ids.size(); ++r)
        if (!same_cell(cx, cy, r))
          return fmt::format("{} row {} ({}): {} differs", name, r, x.ids[r], attr);
    }
  }
  if (a.settings() != b.settings()) return "the settings differ";
  return {};
}

} // namespace keyplan::rt
