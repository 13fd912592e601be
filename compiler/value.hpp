// Constant values of the IR (literals, defaults, settings, declared
// instances). The runtime snapshot stores tenant data in its own dense tables;
// Value is what crosses the boundary between the two.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace keyplan::ir {

struct Value {
  enum class Tag : uint8_t { None, Bool, Int, String, Date, Enum, Entity, Set };
  Tag tag = Tag::None;
  int64_t num =
      0; // Bool 0/1, Int, Date (days since 1970-01-01), Enum ordinal, Entity instance index
  int32_t ref = -1;         // Enum: enum index; Entity: entity type index
  std::string str;          // String
  std::vector<Value> elems; // Set: sorted, without duplicates

  static Value none() { return {}; }
  static Value boolean(bool b) { return {Tag::Bool, b ? 1 : 0, -1, {}, {}}; }
  static Value integer(int64_t i) { return {Tag::Int, i, -1, {}, {}}; }
  static Value string(std::string s) { return {Tag::String, 0, -1, std::move(s), {}}; }
  static Value date(int64_t days) { return {Tag::Date, days, -1, {}, {}}; }
  static Value enumerator(int32_t enum_index, int64_t ordinal) {
    return {Tag::Enum, ordinal, enum_index, {}, {}};
  }
  static Value entity(int32_t type_index, int64_t instance) {
    return {Tag::Entity, instance, type_index, {}, {}};
  }
  static Value set(std::vector<Value> elems); // sorts and removes duplicates

  bool operator==(const Value& o) const;
  bool operator<(const Value& o) const;
};

// Dates are days since 1970-01-01 in the proleptic Gregorian calendar, from
// 0001-01-01 to 9999-12-31 (literals outside are errors; arithmetic
// saturates at the ends, runtime/rt_value.hpp).
constexpr int64_t kFirstDay = -719162; // 0001-01-01
constexpr int64_t kLastDay = 2932896;  // 9999-12-31
int64_t days_from_civil(int64_t y, unsigned m, unsigned d);
// The date of day `z`, clamped to kFirstDay .. kLastDay (so that no day,
// however far out, overflows the computation).
void civil_from_days(int64_t z, int64_t& y, unsigned& m, unsigned& d);
// Parses YYYY-MM-DD; false when it is not a real calendar date.
bool parse_date(const std::string& text, int64_t& days);
// YYYY-MM-DD; a day outside the calendar (which no engine computes) is shown
// as "day N (outside 0001-01-01..9999-12-31)", never as a wrong date.
std::string format_date(int64_t days);

} // namespace keyplan::ir
