// compiler/value: the calendar's ends. Days outside 0001-01-01..9999-12-31
// are never computed by an engine (literals are checked, arithmetic
// saturates), but formatting or converting one must still be defined
// behaviour (UBSan checks it in the sanitizer job) and never print a wrong date.
#include "compiler/value.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <limits>

using namespace keyplan;

namespace {

TEST(Dates, TheCalendarsEndsRoundTrip) {
  int64_t first = 0, last = 0;
  ASSERT_TRUE(ir::parse_date("0001-01-01", first));
  ASSERT_TRUE(ir::parse_date("9999-12-31", last));
  EXPECT_EQ(first, ir::kFirstDay);
  EXPECT_EQ(last, ir::kLastDay);
  EXPECT_EQ(ir::format_date(first), "0001-01-01");
  EXPECT_EQ(ir::format_date(last), "9999-12-31");
  int64_t zero = 0;
  EXPECT_FALSE(ir::parse_date("0000-12-31", zero));
}

TEST(Dates, ADayOutsideTheCalendarIsShownAsSuchWithoutOverflow) {
  for (int64_t day : {std::numeric_limits<int64_t>::max(), std::numeric_limits<int64_t>::min(),
                      ir::kLastDay + 1, ir::kFirstDay - 1}) {
    const std::string text = ir::format_date(day);
    EXPECT_EQ(text, "day " + std::to_string(day) + " (outside 0001-01-01..9999-12-31)");
    int64_t y = 0;
    unsigned m = 0, d = 0;
    ir::civil_from_days(day, y, m, d); // clamped: defined for every int64
    EXPECT_TRUE((y == 1 && m == 1 && d == 1) || (y == 9999 && m == 12 && d == 31)) << day;
  }
}

} // namespace
