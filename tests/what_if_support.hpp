// Running `keyplan` end to end for the what-if command tests (search,
// matrix, the HTML page): the built binary (KEYPLAN_BINARY), from the source
// root, stdout and stderr captured apart, under a time bound.
#pragma once

#include "tests/test_support.hpp"

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <unistd.h>

namespace keyplan::what_if_test {

namespace fs = std::filesystem;

inline fs::path source_root() {
  return fs::path(KEYPLAN_TEST_DATA).parent_path().parent_path();
}

inline std::string quote(const std::string& s) {
  std::string q = "'";
  for (char c : s) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return q + "'";
}

inline std::string read(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// A scratch directory, removed at the end of the test.
struct Scratch {
  Scratch() {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    dir = fs::temp_directory_path() / (std::string("keyplan_whatif_") + info->test_suite_name() +
                                       "_" + info->name() + "_" + std::to_string(::getpid()));
    fs::remove_all(dir);
    fs::create_directories(dir);
  }
  ~Scratch() { fs::remove_all(dir); }
  fs::path write(const std::string& name, const std::string& text) const {
    std::ofstream(dir / name, std::ios::binary) << text;
    return dir / name;
  }
  fs::path dir;
};

struct Run {
  int code = -1;
  std::string out, err;
};

// `keyplan ARGS` (ARGS already shell-quoted where needed), killed after
// `seconds` (timeout(1)): a hang fails the test instead of stalling it.
// `env`: extra environment assignments ("NAME=value ...").
inline Run run_keyplan(const std::string& args, int seconds = 60, const std::string& env = "") {
  static int counter = 0;
  fs::path err_file =
      fs::temp_directory_path() /
      ("keyplan_whatif_stderr_" + std::to_string(::getpid()) + "_" + std::to_string(counter++));
  std::string cmd = "cd " + quote(source_root().string()) +
                    " && KEYPLAN_PATH=" + quote((source_root() / "policies").string()) + " " + env +
                    " timeout " + std::to_string(seconds) + " " + quote(KEYPLAN_BINARY) + " " +
                    args + " 2>" + quote(err_file.string());
  auto r = testing_support::run_command(cmd);
  Run out{r.code, r.out, read(err_file)};
  fs::remove(err_file);
  return out;
}

inline std::string show(const Run& r) {
  return "exit " + std::to_string(r.code) + "\n--- stdout\n" + r.out + "--- stderr\n" + r.err;
}

// The seed 002 worked example (DOMAIN.md): Müller (ALL, IT), Schmidt (Legal),
// TABLE_1 (IT) and TABLE_2 (Legal) on first_floor.
inline const std::string kSeed002 = "policies/examples/seed002/example_building.kp";
// The same people with a priority window on TABLE_2, and tenant data.
inline const std::string kOffice = "tests/data/scenarios/office.kp";
inline const std::string kOfficeData = "tests/data/scenarios/tenant.yaml";

} // namespace keyplan::what_if_test
