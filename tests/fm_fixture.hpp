// The example FM-suite client shared by the FM tests (fm_suite_test.cpp,
// fm_suite_seed_test.cpp): policies/examples/fm_suite/acme_fm.kp, optionally
// with tenant data and setting overrides, decided by name with rt::decide.
#pragma once

#include "compiler/compile.hpp"
#include "runtime/data_loader.hpp"
#include "runtime/request.hpp"
#include "simulator/checks.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <map>
#include <memory>
#include <string>

namespace fm_test {

using Args = std::map<std::string, std::string>;

inline std::filesystem::path example_dir() {
  return std::filesystem::path(KEYPLAN_TEST_DATA).parent_path().parent_path() / "policies" /
         "examples" / "fm_suite";
}

struct Acme {
  explicit Acme(const std::string& data = "", const Args& settings = {}) {
    using namespace keyplan;
    result =
        std::make_unique<CompileResult>(compile_policy((example_dir() / "acme_fm.kp").string()));
    if (!result->policy) {
      ADD_FAILURE() << result->diags.render_text(*result->sources);
      return;
    }
    snap = std::make_unique<rt::Snapshot>(*result->policy);
    Diagnostics diags;
    if (!data.empty()) rt::load_data(*snap, data, "data.yaml", diags, *result->sources);
    for (const auto& [k, v] : settings) {
      std::string err;
      EXPECT_TRUE(snap->set_setting(k, v, &err)) << err;
    }
    EXPECT_FALSE(diags.has_errors()) << diags.render_text(*result->sources);
  }
  bool allows(const std::string& action, const Args& args) {
    if (!snap) return false;
    keyplan::rt::EvalOptions eo;
    keyplan::ir::parse_date("2026-11-23", eo.today);
    keyplan::rt::Decision d = keyplan::rt::decide(*result->policy, *snap, action, args, eo);
    EXPECT_EQ(d.error, "") << action;
    return d.allowed;
  }
  // The declared checks (std.fm_suite's `check`s, simulator/checks.hpp) on this tenant.
  std::vector<keyplan::sim::CheckFinding> findings() {
    if (!snap) return {};
    return keyplan::sim::run_checks(*result->policy, *snap, keyplan::sim::InstanceLocator{}, 0)
        .findings;
  }
  std::unique_ptr<keyplan::CompileResult> result;
  std::unique_ptr<keyplan::rt::Snapshot> snap;
};

} // namespace fm_test
