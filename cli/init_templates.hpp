// The starter files `keyplan init` writes, per model: a client policy, tenant
// data and a scenario that pass out of the box (tests/init_test.cpp runs
// check, fmt --check, simulate and test on them).
#pragma once

#include <string>
#include <vector>

namespace keyplan::cli {

struct StarterFile {
  std::string path; // relative to the target directory
  std::string text;
};

// The model's starter files; empty for an unknown model.
std::vector<StarterFile> starter_files(const std::string& model);
// The CI job (docs/ci/keyplan.yml, embedded at build time).
extern const char* const kCiTemplate;

} // namespace keyplan::cli
