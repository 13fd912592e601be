// Integer options parsed strictly. CLI11 2.1 converts with strtoll/strtoull
// in base 0: "010" is octal, "0x10" hex, "-1" becomes 2^64-1 for an unsigned
// option and an out-of-range value is clamped to the type's limit (a --seed of
// 99999999999999999999 ran as 18446744073709551615). These validators accept
// only decimal integers inside [min, max] and hand CLI11 the canonical
// decimal text; anything else is a usage error (exit 2) naming the range.
#pragma once

#include <CLI/CLI.hpp>

#include <cstdint>

namespace keyplan::cli {

// For signed options (int, int64_t).
CLI::Validator decimal_in(int64_t min, int64_t max);
// For unsigned options (uint64_t): 0 .. max, no sign.
CLI::Validator unsigned_decimal(uint64_t max = UINT64_MAX);

} // namespace keyplan::cli
