// A unified diff (diff -u style, 3 lines of context) of two texts, for
// `fmt --check` / `fmt --diff`. Line-based LCS; texts too large for the
// table are shown as one hunk replacing the whole file (still correct).
#pragma once

#include <string>

namespace keyplan::cli {

// Empty when the texts are equal. `from`/`to` name the two sides in the
// header ("--- a/x.kp", "+++ b/x.kp").
std::string unified_diff(const std::string& a, const std::string& b, const std::string& from,
                         const std::string& to, int context = 3);

} // namespace keyplan::cli
