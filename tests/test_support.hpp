// Helpers several test files share: running a command and capturing its
// output, and running a RapidCheck property with a bounded number of cases.
#pragma once

#include <gtest/gtest.h>
#include <rapidcheck.h>

#include <cstdio>
#include <cstdlib>
#include <sstream>
#include <string>
#include <sys/wait.h>

namespace keyplan::testing_support {

struct CommandRun {
  int code = -1; // the exit code, -1 when the command died of a signal
  std::string out;
};

// Runs `cmd` through the shell; its standard output is captured.
inline CommandRun run_command(const std::string& cmd) {
  CommandRun r;
  FILE* p = ::popen(cmd.c_str(), "r");
  if (!p) return r;
  char buf[4096];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, p)) > 0) r.out.append(buf, n);
  const int status = ::pclose(p);
  r.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
}

// Runs a property with `cases` cases of at most `max_size` (unless RC_PARAMS
// overrides, e.g. RC_PARAMS="max_success=5000" for a longer local run) and
// reports a failure, with its shrunk counterexample, to Google Test.
template <typename Property> void check_bounded(Property&& property, int cases, int max_size) {
  const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
  rc::detail::TestMetadata metadata;
  metadata.id = std::string(info->test_suite_name()) + "/" + info->name();
  metadata.description = info->name();
  rc::detail::TestParams params = rc::detail::configuration().testParams;
  if (!std::getenv("RC_PARAMS")) {
    params.maxSuccess = cases;
    params.maxSize = max_size;
  }
  const auto result = rc::detail::checkTestable(std::forward<Property>(property), metadata, params);
  if (!result.template is<rc::detail::SuccessResult>()) {
    std::ostringstream ss;
    rc::detail::printResultMessage(result, ss);
    FAIL() << ss.str();
  }
}

} // namespace keyplan::testing_support
