// The embedding API (api/keyplan.h, embed.hpp) and the
// desk-booking generator and bench harness it is measured with.
#include "api/c_api_testing.hpp"
#include "api/embed.hpp"
#include "bench/desk_bench.hpp"
#include "bench/desk_tenant_gen.hpp"

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <gtest/gtest.h>
#include <thread>

using namespace keyplan;

namespace {

std::string small_tenant_file() {
  sim::DeskTenantShape s;
  s.users = 200;
  s.groups = 12;
  s.buildings = 2;
  s.floors = 3;
  s.desks = 20;
  std::string path = ::testing::TempDir() + "keyplan_c_api_tenant.yaml";
  std::ofstream(path) << sim::generate_desk_tenant(s);
  return path;
}

} // namespace

TEST(DeskTenantGen, DeterministicPerSeed) {
  sim::DeskTenantShape s;
  s.users = 50;
  s.groups = 5;
  EXPECT_EQ(sim::generate_desk_tenant(s), sim::generate_desk_tenant(s));
  sim::DeskTenantShape t = s;
  t.seed = 2;
  EXPECT_NE(sim::generate_desk_tenant(s), sim::generate_desk_tenant(t));
}

TEST(CApi, OpenDecideBatchAndErrors) {
  std::string data = small_tenant_file();
  Engine e("std.desk_booking", {data});
  e.set_today("2026-11-23");
  EXPECT_TRUE(e.native("book"));
  std::string why;
  e.decide("book", {{"user", "nobody"}, {"object", "b0_f0_d0"}}, &why);
  EXPECT_NE(why.find("nobody"), std::string::npos) << why;
  std::vector<std::vector<std::string>> rows;
  for (int u = 0; u < 200; u += 7)
    for (int64_t o = 0; o < 120; o += 11)
      rows.push_back({sim::desk_user_id(u), sim::desk_object_id({1, 200, 12, 2, 3, 20}, o)});
  int64_t allowed = -2;
  std::vector<bool> out = e.decide_batch("book", {"user", "object"}, rows, &allowed);
  ASSERT_EQ(out.size(), rows.size());
  int64_t count = 0;
  for (size_t i = 0; i < rows.size(); ++i) {
    EXPECT_EQ(out[i], e.decide("book", {{"user", rows[i][0]}, {"object", rows[i][1]}}));
    count += out[i];
  }
  EXPECT_EQ(allowed, count);
  EXPECT_GT(count, 0);
  EXPECT_LT(count, static_cast<int64_t>(rows.size()));

  // Concurrent decisions equal the sequential ones.
  std::vector<std::thread> threads;
  std::vector<int> mismatches(4, 0);
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&, t] {
      for (int rep = 0; rep < 5; ++rep)
        for (size_t i = 0; i < rows.size(); ++i)
          if (e.decide("book", {{"user", rows[i][0]}, {"object", rows[i][1]}}) != out[i])
            ++mismatches[t];
    });
  for (auto& th : threads) th.join();
  for (int m : mismatches) EXPECT_EQ(m, 0);

  // Settings rebind the JIT: with ALL meaning only its listed members the
  // generated users (who all list ALL) decide the same.
  e.set_setting("all_is_everyone", "false");
  EXPECT_EQ(e.decide("book", {{"user", rows[0][0]}, {"object", rows[0][1]}}),
            static_cast<bool>(out[0]));
  EXPECT_THROW(e.set_setting("no_such_setting", "1"), std::runtime_error);
  EXPECT_THROW(e.set_today("tomorrow"), std::runtime_error);
  EXPECT_THROW(Engine("no/such/policy.kp"), std::runtime_error);
  std::remove(data.c_str());
}

TEST(CApi, RawAbi) {
  EXPECT_EQ(kp_abi_version(), KEYPLAN_ABI_VERSION);
  char* err = nullptr;
  kp_engine* e = kp_open("std.desk_booking", nullptr, 0, &err);
  ASSERT_NE(e, nullptr) << (err ? err : "");
  ASSERT_EQ(
      kp_load_data(e,
                   "Group: [{id: G}]\nUser: [{id: a, groups: [G]}]\nBuilding: [{id: b}]\n"
                   "Floor: [{id: f, building: b}]\nObject: [{id: o, floor: f, groups: [G]}]\n",
                   &err),
      0);
  const char* names[] = {"user", "object"};
  const char* values[] = {"a", "o"};
  EXPECT_EQ(kp_decide(e, "book", 2, names, values, &err), 1);
  const char* bad[] = {"a", "nothing"};
  EXPECT_EQ(kp_decide(e, "book", 2, names, bad, &err), -1);
  ASSERT_NE(err, nullptr);
  kp_free_string(err);
  kp_close(e);
}

TEST(DeskBench, EnginesAgreeOnASmallTenant) {
  sim::BenchOptions o;
  o.shape = {7, 300, 20, 2, 4, 25};
  o.requests = 20000;
  sim::BenchResult r;
  std::string error;
  ASSERT_TRUE(sim::run_desk_bench(o, r, error)) << error;
  ASSERT_EQ(r.engines.size(), 3u);
  EXPECT_EQ(r.engines[0].allowed, r.engines[1].allowed);
  EXPECT_EQ(r.engines[0].allowed, r.engines[2].allowed);
  EXPECT_GT(r.engines[0].allowed, 0);
}

namespace {
const char* kTinyTenant =
    "Group: [{id: G}]\nUser: [{id: a, groups: [G]}, {id: z}]\nBuilding: [{id: b}]\n"
    "Floor: [{id: f, building: b}]\nObject: [{id: o, floor: f, groups: [G]}]\n";
} // namespace

// Issue 10: a JIT/interpreter disagreement must never be answered silently.
// In verify mode (KEYPLAN_VERIFY or kp_set_verify) every native decision is
// cross-checked; a disagreement is KP_DISAGREE (a deny) with both answers in
// the error, in kp_decide and kp_decide_batch, and Disagreement in embed.hpp.
TEST(CApiVerify, DisagreementIsAnErrorNotAnAnswer) {
  char* err = nullptr;
  kp_engine* e = kp_open("std.desk_booking", nullptr, 0, &err);
  ASSERT_NE(e, nullptr) << (err ? err : "");
  ASSERT_EQ(kp_load_data(e, kTinyTenant, &err), 0);
  ASSERT_EQ(kp_is_native(e, "book"), 1);
  const char* names[] = {"user", "object"};
  const char* allow[] = {"a", "o"};
  const char* deny[] = {"z", "o"};
  EXPECT_EQ(kp_set_verify(e, 1), 0);
  EXPECT_EQ(kp_decide(e, "book", 2, names, allow, &err), 1);
  EXPECT_EQ(kp_decide(e, "book", 2, names, deny, &err), 0);
  EXPECT_EQ(err, nullptr);

  // A wrong JIT: without verify mode its answer goes out (what verify is for).
  keyplan::testing::invert_jit_decisions(e, true);
  EXPECT_EQ(kp_set_verify(e, 0), 1);
  EXPECT_EQ(kp_decide(e, "book", 2, names, allow, &err), 0);
  kp_set_verify(e, 1);
  for (const char** values : {allow, deny}) {
    EXPECT_EQ(kp_decide(e, "book", 2, names, values, &err), KP_DISAGREE);
    ASSERT_NE(err, nullptr);
    std::string msg = err;
    kp_free_string(err);
    err = nullptr;
    EXPECT_NE(msg.find("the JIT and the interpreter disagree"), std::string::npos) << msg;
    EXPECT_NE(msg.find(std::string("user = ") + values[0]), std::string::npos) << msg;
  }
  // A batch: the disagreeing requests are denies, and the batch fails even
  // though another request does not resolve (KP_DISAGREE outranks -1).
  const char* rows[] = {"a", "nothing", "a", "o", "z", "o"};
  uint8_t out[3] = {9, 9, 9};
  EXPECT_EQ(kp_decide_batch(e, "book", 2, names, 3, rows, out, &err), KP_DISAGREE);
  ASSERT_NE(err, nullptr);
  EXPECT_NE(std::string(err).find("disagree"), std::string::npos) << err;
  kp_free_string(err);
  err = nullptr;
  EXPECT_EQ(out[0] + out[1] + out[2], 0);
  kp_close(e);

  // KEYPLAN_VERIFY turns it on at kp_open; the C++ wrapper throws.
  ::setenv("KEYPLAN_VERIFY", "1", 1);
  e = kp_open("std.desk_booking", nullptr, 0, &err);
  ::unsetenv("KEYPLAN_VERIFY");
  ASSERT_NE(e, nullptr) << (err ? err : "");
  ASSERT_EQ(kp_load_data(e, kTinyTenant, &err), 0);
  keyplan::testing::invert_jit_decisions(e, true);
  EXPECT_EQ(kp_decide(e, "book", 2, names, allow, &err), KP_DISAGREE);
  kp_free_string(err);
  EXPECT_EQ(kp_set_verify(e, 1), 1);
  kp_close(e);

  std::string data = small_tenant_file();
  Engine cpp("std.desk_booking", {data});
  cpp.set_verify(true);
  EXPECT_NO_THROW(cpp.decide("book", {{"user", "u1"}, {"object", "b0_f0_d0"}}));
  keyplan::testing::invert_jit_decisions(cpp.handle(), true);
  EXPECT_THROW(cpp.decide("book", {{"user", "u1"}, {"object", "b0_f0_d0"}}), Disagreement);
  EXPECT_THROW(cpp.decide_batch("book", {"user", "object"}, {{"u1", "b0_f0_d0"}}), Disagreement);
  std::remove(data.c_str());
}

// The C ABI decides through engine::Decider: the JIT for native actions, the
// interpreter (behind a lock) for actions the JIT does not compile (here a
// string comparison). Those never go through the JIT, so a wrong JIT does not
// touch them, in verify mode or not, and concurrent decisions of them are
// serialised, not racing.
TEST(CApi, ActionsTheJitDoesNotCompileAreDecidedByTheInterpreter) {
  std::string policy = ::testing::TempDir() + "keyplan_c_api_strings.kp";
  std::ofstream(policy) << "entity User { name: string = \"\"  active: bool = true }\n"
                           "action named(user: User, name: string) = user.name == name\n"
                           "action active(user: User) = user.active\n";
  char* err = nullptr;
  kp_engine* e = kp_open(policy.c_str(), nullptr, 0, &err);
  ASSERT_NE(e, nullptr) << (err ? err : "");
  ASSERT_EQ(kp_load_data(e, "User: [{id: a, name: Anna}]\n", &err), 0) << (err ? err : "");
  ASSERT_EQ(kp_is_native(e, "named"), 0);
  ASSERT_EQ(kp_is_native(e, "active"), 1);
  const char* names[] = {"user", "name"};
  const char* allow[] = {"a", "Anna"};
  const char* deny[] = {"a", "Bert"};
  keyplan::testing::invert_jit_decisions(e, true);
  for (int verify : {0, 1}) {
    kp_set_verify(e, verify);
    EXPECT_EQ(kp_decide(e, "named", 2, names, allow, &err), 1) << verify;
    EXPECT_EQ(kp_decide(e, "named", 2, names, deny, &err), 0) << verify;
    EXPECT_EQ(err, nullptr);
  }
  // The native action does go through the (wrong) JIT, and verify mode sees it.
  EXPECT_EQ(kp_decide(e, "active", 1, names, allow, &err), KP_DISAGREE);
  kp_free_string(err);
  kp_set_verify(e, 0);
  EXPECT_EQ(kp_decide(e, "active", 1, names, allow, nullptr), 0);
  std::vector<std::thread> threads;
  std::vector<int> wrong(4, 0);
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&, t] {
      for (int rep = 0; rep < 200; ++rep)
        wrong[t] += (kp_decide(e, "named", 2, names, allow, nullptr) != 1) +
                    (kp_decide(e, "named", 2, names, deny, nullptr) != 0);
    });
  for (auto& th : threads) th.join();
  for (int w : wrong) EXPECT_EQ(w, 0);
  kp_close(e);
  std::remove(policy.c_str());
}
