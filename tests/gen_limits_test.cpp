// keyplan gen / bench with absurd sizes and seeds: refused with the limit
// (exit 2) instead of bad_alloc, and never silently clamped
// (bench/desk_tenant_gen.hpp, cli/int_option.hpp).
#include "bench/desk_tenant_gen.hpp"

#include <gtest/gtest.h>

#include <cstdio>
#include <stdexcept>
#include <string>
#include <sys/wait.h>

using namespace keyplan;

namespace {

struct GenRun {
  int code = -1;
  std::string out; // stdout and stderr
};

// `keyplan ARGS`, killed after 60 s; stdout beyond 1 MB is dropped.
GenRun run_gen(const std::string& args) {
  std::string cmd = "timeout 60 '" + std::string(KEYPLAN_BINARY) + "' " + args + " 2>&1";
  GenRun r;
  FILE* p = ::popen(cmd.c_str(), "r");
  if (!p) return r;
  char buf[4096];
  for (size_t n; (n = std::fread(buf, 1, sizeof buf, p)) > 0;)
    if (r.out.size() < (1 << 20)) r.out.append(buf, n);
  int st = ::pclose(p);
  r.code = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
  return r;
}

} // namespace

TEST(GenLimits, AbsurdSizesAreRefusedWithTheLimit) {
  for (const char* args : {"--users 2000000000", "--groups 2000000000",
                           "--buildings 100000 --floors 1000 --desks 1000",
                           "--buildings 3000 --floors 3000 --desks 0", "--desks 2147483647"}) {
    GenRun r = run_gen(std::string("gen ") + args);
    EXPECT_EQ(r.code, 2) << args << "\n" << r.out.substr(0, 500);
    bool names_limit = r.out.find("expected 0 .. ") != std::string::npos ||
                       r.out.find("limit of") != std::string::npos;
    EXPECT_TRUE(names_limit) << args << "\n" << r.out.substr(0, 500);
    EXPECT_EQ(r.out.find("bad_alloc"), std::string::npos) << args;
  }
  GenRun r = run_gen("bench --users 2000000000 --requests 1");
  EXPECT_EQ(r.code, 2) << r.out.substr(0, 500);
}

TEST(GenLimits, SeedsAndSizesOutOfRangeAreErrors) {
  for (const char* args : {"--seed -1", "--seed 18446744073709551616", "--seed 1.5", "--users -5",
                           "--users 0x10", "--floors 99999999999999999999"}) {
    GenRun r = run_gen(std::string("gen ") + args);
    EXPECT_EQ(r.code, 2) << args << "\n" << r.out.substr(0, 500);
    EXPECT_NE(r.out.find("expected"), std::string::npos) << args << "\n" << r.out.substr(0, 500);
  }
  GenRun max = run_gen("gen --seed 18446744073709551615 --users 1 --groups 1 --buildings 1 "
                       "--floors 1 --desks 1");
  EXPECT_EQ(max.code, 0) << max.out;
  EXPECT_NE(max.out.find("--seed 18446744073709551615 "), std::string::npos) << max.out;
}

TEST(GenLimits, LibraryRefusesTooLargeShapes) {
  sim::DeskTenantShape s;
  std::string why;
  EXPECT_TRUE(sim::desk_tenant_shape_ok(s, &why));
  s.buildings = s.floors = s.desks = 2000000000; // the old size estimate overflowed int
  EXPECT_FALSE(sim::desk_tenant_shape_ok(s, &why));
  EXPECT_THROW(sim::generate_desk_tenant(s), std::length_error);
  s = {};
  s.users = -1;
  EXPECT_FALSE(sim::desk_tenant_shape_ok(s, &why));
  EXPECT_NE(why.find("negative"), std::string::npos);
}
