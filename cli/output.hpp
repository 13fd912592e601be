// Small helpers shared by the subcommands.
#pragma once

#include <string>

namespace keyplan::cli {

// Writes to a temporary file beside `path`, then renames: never a partial file.
bool write_file_atomically(const std::string& path, const std::string& content);

} // namespace keyplan::cli
