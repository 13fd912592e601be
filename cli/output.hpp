// Small helpers shared by the subcommands.
#pragma once

#include <string>

namespace keyplan::cli {

// Writes an output file through sim::write_output_file (simulator/output_file.hpp):
// "-" is standard output, devices are written through, regular files are
// replaced atomically with their mode and owner kept. On failure, false with
// `error` ("cannot write PATH: reason") when given.
bool write_file_atomically(const std::string& path, const std::string& content,
                           std::string* error = nullptr);

} // namespace keyplan::cli
