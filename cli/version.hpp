// `keyplan --version`: the release and the git revision it was built from
// (cmake/revision.cmake, refreshed at every build; REVISION in a tarball).
#pragma once

#include <string>

namespace keyplan::cli {

extern const char* const kRevision;
inline std::string version_text() {
  return std::string("keyplan 0.1 (revision ") + kRevision + ")";
}

} // namespace keyplan::cli
