// Checks run fast (simulator/checks.cpp: binding-invariant sub-expressions
// evaluated once); the plain interpreter is the judge:
// both must give the same findings, in the same order, on generated desk
// tenants (several seeds and settings) and on the FM example's problems.
#include "bench/desk_tenant_gen.hpp"
#include "compiler/compile.hpp"
#include "runtime/data_loader.hpp"
#include "simulator/checks.hpp"
#include "tests/fm_fixture.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

using namespace keyplan;

namespace {

std::vector<std::string> lines(const sim::CheckRun& run) {
  std::vector<std::string> out;
  for (const auto& f : run.findings)
    out.push_back(f.check + " " + f.instance + " " + f.message + " " + std::to_string(f.span.line));
  out.push_back("allowed " + std::to_string(run.allowed));
  return out;
}

void expect_same(const std::string& policy_src, const std::string& yaml) {
  CompileResult res = compile_source("test.kp", policy_src);
  ASSERT_TRUE(res.policy) << res.diags.render_text(*res.sources);
  rt::Snapshot snap(*res.policy);
  Diagnostics d;
  sim::InstanceLocator loc;
  int before = res.sources->count();
  ASSERT_TRUE(rt::load_data(snap, yaml, "tenant.yaml", d, *res.sources))
      << d.render_text(*res.sources);
  for (int id = before; id < res.sources->count(); ++id) loc.add_data_file(*res.sources, id);
  int64_t today = 20'000;
  auto fast = sim::run_checks(*res.policy, snap, loc, today, true);
  auto plain = sim::run_checks(*res.policy, snap, loc, today, false);
  EXPECT_EQ(lines(fast), lines(plain));
  EXPECT_FALSE(plain.findings.empty()); // the comparison says something
}

} // namespace

TEST(ChecksFast, GeneratedDeskTenantsSameFindingsAsThePlainInterpreter) {
  for (uint64_t seed : {1, 2, 3}) {
    sim::DeskTenantShape shape;
    shape.seed = seed;
    shape.users = 150;
    shape.groups = 40;
    shape.buildings = 3;
    shape.floors = 3;
    shape.desks = 8;
    std::string yaml = sim::generate_desk_tenant(shape);
    expect_same("import std.desk_booking\n", yaml);
    // all_is_everyone off: the seed-002 checks and their shared ALL scan.
    expect_same("import std.desk_booking\nset all_is_everyone = false\n", yaml);
  }
}

TEST(ChecksFast, FmProblemsSameFindingsAsThePlainInterpreter) {
  fm_test::Acme a;
  ASSERT_TRUE(a.snap);
  std::ifstream in(fm_test::example_dir() / "data" / "problems.yaml");
  std::stringstream ss;
  ss << in.rdbuf();
  Diagnostics d;
  ASSERT_TRUE(rt::load_data(*a.snap, ss.str(), "problems.yaml", d, *a.result->sources));
  auto fast = sim::run_checks(*a.result->policy, *a.snap, sim::InstanceLocator{}, 0, true);
  auto plain = sim::run_checks(*a.result->policy, *a.snap, sim::InstanceLocator{}, 0, false);
  EXPECT_EQ(lines(fast), lines(plain));
  EXPECT_GE(plain.findings.size(), 5u);
}
