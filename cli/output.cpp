#include "cli/output.hpp"

#include "simulator/output_file.hpp"

namespace keyplan::cli {

bool write_file_atomically(const std::string& path, const std::string& content,
                           std::string* error) {
  return sim::write_output_file(path, content, error);
}

} // namespace keyplan::cli
