#include "compiler/value.hpp"

#include <algorithm>
#include <cstdio>
#include <tuple>

namespace keyplan::ir {

Value Value::set(std::vector<Value> elems) {
  std::sort(elems.begin(), elems.end());
  elems.erase(std::unique(elems.begin(), elems.end()), elems.end());
  Value v;
  v.tag = Tag::Set;
  v.elems = std::move(elems);
  return v;
}

bool Value::operator==(const Value& o) const {
  return tag == o.tag && num == o.num && ref == o.ref && str == o.str && elems == o.elems;
}

bool Value::operator<(const Value& o) const {
  return std::tie(tag, ref, num, str, elems) < std::tie(o.tag, o.ref, o.num, o.str, o.elems);
}

// Howard Hinnant's civil calendar algorithms.
int64_t days_from_civil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

void civil_from_days(int64_t z, int64_t& y, unsigned& m, unsigned& d) {
  z = std::clamp(z, kFirstDay, kLastDay) + 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  y = static_cast<int64_t>(yoe) + era * 400;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  d = doy - (153 * mp + 2) / 5 + 1;
  m = mp < 10 ? mp + 3 : mp - 9;
  y += m <= 2;
}

bool parse_date(const std::string& text, int64_t& days) {
  if (text.size() != 10 || text[4] != '-' || text[7] != '-') return false;
  for (size_t i : {0, 1, 2, 3, 5, 6, 8, 9})
    if (text[i] < '0' || text[i] > '9') return false;
  int64_t y = std::stoi(text.substr(0, 4));
  unsigned m = static_cast<unsigned>(std::stoi(text.substr(5, 2)));
  unsigned d = static_cast<unsigned>(std::stoi(text.substr(8, 2)));
  // Years 0001..9999 only: the range every engine and output format handles.
  if (y < 1 || m < 1 || m > 12 || d < 1) return false;
  static const unsigned mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  unsigned max_d = mdays[m - 1] + (m == 2 && leap ? 1 : 0);
  if (d > max_d) return false;
  days = days_from_civil(y, m, d);
  return true;
}

std::string format_date(int64_t days) {
  if (days < kFirstDay || days > kLastDay)
    return "day " + std::to_string(days) + " (outside 0001-01-01..9999-12-31)";
  int64_t y;
  unsigned m, d;
  civil_from_days(days, y, m, d);
  char buf[32];
  std::snprintf(buf, sizeof buf, "%04lld-%02u-%02u", static_cast<long long>(y), m, d);
  return buf;
}

} // namespace keyplan::ir
