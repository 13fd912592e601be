// Cell-for-cell comparison of two snapshots of the same policy: ids, index,
// every column's storage (scalars, strings, bitsets with their stride,
// value sets, none flags) and the settings. For the fast data loader's
// differential test and `keyplan bench load`.
#pragma once

#include "runtime/snapshot.hpp"

#include <string>

namespace keyplan::rt {

// Empty when `a` and `b` hold the same cells; else the first difference,
// e.g. "User row 17 (u17): groups differs".
std::string snapshot_difference(const Snapshot& a, const Snapshot& b);

} // namespace keyplan::rt
