#include "cli/int_option.hpp"

#include <charconv>
#include <fmt/format.h>

namespace keyplan::cli {

namespace {

// Decimal digits with an optional sign, nothing else (no spaces, no 0x).
template <class T> bool parse_decimal(const std::string& s, T& out, bool& overflow) {
  overflow = false;
  std::string_view v = s;
  if (!v.empty() && v[0] == '+') v.remove_prefix(1);
  if (v.empty() || (v[0] == '-' && (!std::is_signed_v<T> || v.size() == 1))) return false;
  auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), out, 10);
  if (end != v.data() + v.size()) return false;
  overflow = ec == std::errc::result_out_of_range;
  return ec == std::errc() || overflow;
}

} // namespace

CLI::Validator decimal_in(int64_t min, int64_t max) {
  std::string range = fmt::format("{} .. {}", min, max);
  return CLI::Validator(
      [min, max, range](std::string& s) -> std::string {
        int64_t v = 0;
        bool overflow = false;
        if (!parse_decimal(s, v, overflow))
          return fmt::format("'{}' is not a decimal integer (expected {})", s, range);
        if (overflow || v < min || v > max)
          return fmt::format("{} is out of range (expected {})", s, range);
        s = std::to_string(v);
        return {};
      },
      "range " + range);
}

CLI::Validator unsigned_decimal(uint64_t max) {
  std::string range = fmt::format("0 .. {}", max);
  return CLI::Validator(
      [max, range](std::string& s) -> std::string {
        uint64_t v = 0;
        bool overflow = false;
        if (!parse_decimal(s, v, overflow))
          return fmt::format("'{}' is not a non-negative decimal integer (expected {})", s, range);
        if (overflow || v > max) return fmt::format("{} is out of range (expected {})", s, range);
        s = std::to_string(v);
        return {};
      },
      "range " + range);
}

} // namespace keyplan::cli
