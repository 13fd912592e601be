// What the directory-import tests share (import users, scim, saml-groups):
// the ACME example tenant copied into a scratch directory per test, and what
// an import run printed (DOMAIN F-I1..F-I5, F-G2).
#pragma once

#include <filesystem>
#include <fstream>
#include <gtest/gtest.h>
#include <sstream>
#include <string>
#include <unistd.h>

namespace keyplan::import_test {

namespace fs = std::filesystem;

inline const fs::path kSrc = KEYPLAN_SOURCE_DIR;
inline const fs::path kPolicy = kSrc / "policies/examples/desk_booking/acme_office.kp";
inline const fs::path kTenant = kSrc / "policies/examples/desk_booking/data/tenant.yaml";

inline std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// An import's exit code and what it wrote to its two streams.
struct ImportRun {
  int code = -1;
  std::string out, err;
};

// A scratch directory per test (named after the suite, the test and the
// process) holding `data`, a copy of the ACME tenant to import into.
class TenantCopy : public ::testing::Test {
protected:
  fs::path dir, data;
  void SetUp() override {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    dir = fs::temp_directory_path() / ("keyplan_" + std::string(info->test_suite_name()) + "_" +
                                       std::to_string(::getpid()) + "_" + info->name());
    fs::remove_all(dir);
    fs::create_directories(dir);
    data = dir / "tenant.yaml";
    fs::copy_file(kTenant, data);
  }
  void TearDown() override { fs::remove_all(dir); }
};

} // namespace keyplan::import_test
