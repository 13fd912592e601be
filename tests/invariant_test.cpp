// keyplan test (docs/testing.md): the exhaustive and generative invariant
// checks as a library (simulator/invariant_check.hpp) and through the binary:
// the broken example fails with replayable counterexamples, the standard
// models' invariants hold on their example tenants, exit codes, reports.
#include "compiler/compile.hpp"
#include "runtime/data_loader.hpp"
#include "simulator/counterexample.hpp"
#include "simulator/invariant_check.hpp"

#include "tests/test_support.hpp"
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <yaml-cpp/yaml.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <sys/wait.h>
#include <unistd.h>

namespace fs = std::filesystem;
using namespace keyplan;

namespace {

fs::path source_root() {
  return fs::path(KEYPLAN_TEST_DATA).parent_path().parent_path();
}

std::string read(const fs::path& p) {
  std::ifstream in(p);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

using CliRun = keyplan::testing_support::CommandRun;

// `keyplan ARGS` in the source root (stderr discarded).
CliRun run_keyplan(const std::string& args) {
  std::string cmd =
      "cd '" + source_root().string() + "' && '" + KEYPLAN_BINARY + "' " + args + " 2>/dev/null";
  return keyplan::testing_support::run_command(cmd);
}

struct Scratch {
  Scratch() {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    dir = fs::temp_directory_path() / (std::string("keyplan_inv_") + info->name());
    fs::remove_all(dir);
    fs::create_directories(dir);
  }
  ~Scratch() { fs::remove_all(dir); }
  fs::path dir;
};

const std::string kBroken = "policies/examples/broken/hr_floor.kp";
const std::string kParking = "tests/data/invariants/parking.kp";
int64_t day(const char* text) {
  int64_t d = 0;
  ir::parse_date(text, d);
  return d;
}

struct Loaded {
  CompileResult cr;
  std::unique_ptr<rt::Snapshot> snap;
};

std::unique_ptr<Loaded> load(const std::string& policy, const std::string& data = "") {
  auto l = std::make_unique<Loaded>();
  l->cr = compile_policy((source_root() / policy).string());
  if (!l->cr.policy) return nullptr;
  l->snap = std::make_unique<rt::Snapshot>(*l->cr.policy);
  if (!data.empty()) {
    Diagnostics d;
    SourceManager sm;
    if (!rt::load_data_file(*l->snap, (source_root() / data).string(), d, sm)) return nullptr;
  }
  return l;
}

sim::InvariantOptions options() {
  sim::InvariantOptions o;
  o.today = o.from = day("2026-11-23");
  o.to = o.today + 30;
  o.max_success = 100;
  return o;
}

const sim::InvariantOutcome* find(const std::vector<sim::InvariantOutcome>& v,
                                  const std::string& name) {
  for (const auto& o : v)
    if (o.name == name) return &o;
  return nullptr;
}

} // namespace

// ------------------------------------------------------------ the library

TEST(InvariantCheck, ExhaustCountsEveryCombinationAndStopsAtTheFirstFailure) {
  struct Below final : sim::InvariantEngine {
    int64_t limit;
    explicit Below(int64_t l) : limit(l) {}
    const char* name() const override { return "test"; }
    bool prepare(int32_t) override { return true; }
    bool holds(const int64_t* v, int64_t) override { return v[0] + v[1] + v[2] < limit; }
  };
  std::vector<std::vector<int64_t>> doms{{0, 1, 2}, {0, 10}, {0, 100, 200, 300}};
  std::optional<std::vector<int64_t>> w;
  Below all(1000);
  EXPECT_EQ(sim::exhaust(all, doms, 0, w), 24u);
  EXPECT_FALSE(w);
  Below some(300);
  EXPECT_EQ(sim::exhaust(some, doms, 0, w), 4u); // (0, 0, 300) is the fourth
  ASSERT_TRUE(w);
  EXPECT_EQ(*w, (std::vector<int64_t>{0, 0, 300}));
  w.reset();
  EXPECT_EQ(sim::exhaust(all, {{1, 2}, {}}, 0, w), 0u) << "an empty domain is vacuous";
  struct Always final : sim::InvariantEngine {
    const char* name() const override { return "test"; }
    bool prepare(int32_t) override { return true; }
    bool holds(const int64_t*, int64_t) override { return true; }
  } always;
  EXPECT_EQ(sim::exhaust(always, {}, 0, w), 1u) << "no binders: one case";
}

TEST(InvariantCheck, BrokenExampleFailsExhaustivelyWithTheOffendingBooking) {
  auto l = load(kBroken);
  ASSERT_TRUE(l);
  auto out = sim::check_exhaustive(*l->cr.policy, *l->snap, options());
  const auto* hr = find(out, "only HR ever books on the HR floor");
  ASSERT_TRUE(hr);
  EXPECT_EQ(hr->status, sim::Status::Fail);
  EXPECT_EQ(hr->witness_text, "u = rita, o = HR_DESK_2");
  EXPECT_NE(hr->explanation.find("offending decision: book(user = rita, object = HR_DESK_2"),
            std::string::npos)
      << hr->explanation;
  EXPECT_NE(hr->scenario_yaml.find("expect: deny"), std::string::npos) << hr->scenario_yaml;
  for (const auto& o : out) {
    if (o.name != hr->name) {
      EXPECT_EQ(o.status, sim::Status::Pass) << o.name;
    }
  }
}

TEST(InvariantCheck, JitAndInterpreterAgreeOnTheStandardModels) {
  for (auto [policy, data] :
       {std::pair<std::string, std::string>{"policies/examples/desk_booking/acme_office.kp",
                                            "policies/examples/desk_booking/data/tenant.yaml"},
        {"policies/examples/fm_suite/acme_fm.kp", "policies/examples/fm_suite/data/problems.yaml"},
        {kBroken, ""}}) {
    auto l = load(policy, data);
    ASSERT_TRUE(l) << policy;
    auto o = options();
    auto jit = sim::check_exhaustive(*l->cr.policy, *l->snap, o);
    o.jit = false;
    auto interp = sim::check_exhaustive(*l->cr.policy, *l->snap, o);
    ASSERT_EQ(jit.size(), interp.size());
    for (size_t i = 0; i < jit.size(); ++i) {
      EXPECT_EQ(interp[i].engine, "interp");
      EXPECT_EQ(jit[i].status, interp[i].status) << policy << ": " << jit[i].name;
      EXPECT_EQ(jit[i].cases, interp[i].cases) << policy << ": " << jit[i].name;
      EXPECT_EQ(jit[i].witness_text, interp[i].witness_text) << jit[i].name;
    }
  }
}

TEST(InvariantCheck, StandardModelsHoldOnTheirExamplesAndOnRandomTenants) {
  for (auto [policy, data] :
       {std::pair<std::string, std::string>{"policies/examples/desk_booking/acme_office.kp",
                                            "policies/examples/desk_booking/data/tenant.yaml"},
        {"policies/examples/fm_suite/acme_fm.kp",
         "policies/examples/fm_suite/data/problems.yaml"}}) {
    auto l = load(policy, data);
    ASSERT_TRUE(l) << policy;
    auto o = options();
    auto ex = sim::check_exhaustive(*l->cr.policy, *l->snap, o);
    rt::Snapshot base(*l->cr.policy);
    auto gen = sim::check_generative(*l->cr.policy, base, o);
    EXPECT_FALSE(ex.empty());
    for (const auto* v : {&ex, &gen})
      for (const auto& r : *v) {
        EXPECT_EQ(r.status, sim::Status::Pass)
            << policy << ": " << r.name << " (" << r.mode << ")\n"
            << r.witness_text << "\n"
            << r.explanation;
        EXPECT_GT(r.cases, 0u) << r.name << " (" << r.mode << ")";
      }
  }
}

TEST(InvariantCheck, GenerativeShrinksToAMinimalTenant) {
  auto l = load(kParking);
  ASSERT_TRUE(l);
  auto o = options();
  auto ex = sim::check_exhaustive(*l->cr.policy, *l->snap, o);
  const auto* e = find(ex, "nobody books a parking space");
  ASSERT_TRUE(e);
  EXPECT_EQ(e->status, sim::Status::Pass) << "the policy declares no objects";
  EXPECT_EQ(e->cases, 0u);
  rt::Snapshot base(*l->cr.policy);
  for (uint64_t seed : {0u, 1u, 2u}) {
    o.seed = seed;
    o.max_success = 1000;
    auto gen = sim::check_generative(*l->cr.policy, base, o);
    const auto* g = find(gen, "nobody books a parking space");
    ASSERT_TRUE(g);
    ASSERT_EQ(g->status, sim::Status::Fail) << "seed " << seed;
    EXPECT_EQ(g->witness_text, "u = User_1, o = Object_1");
    // One instance of each type the counterexample needs, nothing else.
    const std::string& y = g->scenario_yaml;
    EXPECT_NE(y.find("kind: parking"), std::string::npos) << y;
    EXPECT_EQ(y.find("User_2"), std::string::npos) << y;
    EXPECT_EQ(y.find("Object_2"), std::string::npos) << y;
    EXPECT_EQ(y.find("Group_1"), std::string::npos) << y;
  }
}

TEST(InvariantCheck, SameSeedSameCounterexample) {
  auto l = load(kParking);
  ASSERT_TRUE(l);
  auto o = options();
  o.seed = 42;
  o.max_success = 1000;
  rt::Snapshot base(*l->cr.policy);
  auto a = sim::check_generative(*l->cr.policy, base, o);
  auto b = sim::check_generative(*l->cr.policy, base, o);
  ASSERT_EQ(a.size(), b.size());
  for (size_t i = 0; i < a.size(); ++i) {
    EXPECT_EQ(a[i].scenario_yaml, b[i].scenario_yaml);
    EXPECT_EQ(a[i].cases, b[i].cases);
  }
}

TEST(InvariantCheck, BinderDomains) {
  auto l = load("policies/examples/fm_suite/acme_fm.kp");
  ASSERT_TRUE(l);
  const ir::Policy& p = *l->cr.policy;
  auto o = options();
  std::vector<int64_t> d;
  std::string why;
  ASSERT_TRUE(sim::binder_domain(*l->snap, ir::TypeTable::kDate, o, o.from, o.to, d, why));
  EXPECT_EQ(d.size(), 31u);
  ASSERT_TRUE(sim::binder_domain(*l->snap, ir::TypeTable::kBool, o, 0, 0, d, why));
  EXPECT_EQ(d, (std::vector<int64_t>{0, 1}));
  ASSERT_TRUE(sim::binder_domain(*l->snap, ir::TypeTable::kInt, o, 0, 0, d, why));
  EXPECT_EQ(d.size(), 11u);
  ir::TypeTable tt = p.types;
  ir::TypeId lic = tt.enum_type(p.find_enum("License"));
  ASSERT_TRUE(sim::binder_domain(*l->snap, tt.optional_of(lic), o, 0, 0, d, why));
  EXPECT_EQ(d, (std::vector<int64_t>{rt::kNone, 0, 1, 2}));
  EXPECT_FALSE(sim::binder_domain(*l->snap, ir::TypeTable::kString, o, 0, 0, d, why));
  EXPECT_NE(why.find("cannot be enumerated"), std::string::npos);
}

// -------------------------------------------------------------- the binary

TEST(KeyplanTest, BrokenExampleExitsOneAndItsCounterexamplesReplay) {
  Scratch s;
  CliRun r = run_keyplan("test " + kBroken + " --today 2026-11-23 --counterexample-dir '" +
                         s.dir.string() + "'");
  EXPECT_EQ(r.code, 1) << r.out;
  EXPECT_NE(r.out.find("FAIL \"only HR ever books on the HR floor\" (exhaustive)"),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("offending decision: book(user = rita, object = HR_DESK_2"),
            std::string::npos);
  for (const char* mode : {"exhaustive", "generative"}) {
    fs::path f = s.dir / (std::string("only-hr-ever-books-on-the-hr-floor.") + mode + ".yaml");
    ASSERT_TRUE(fs::exists(f)) << f;
    EXPECT_NE(read(f).find("# invariant \"only HR ever books on the HR floor\""),
              std::string::npos);
    CliRun replay = run_keyplan("simulate '" + f.string() + "'");
    EXPECT_EQ(replay.code, 1) << replay.out;
    EXPECT_NE(replay.out.find("book(user = rita, object = HR_DESK_2, on = 2026-11-23)  allow    "
                              "deny     FAIL"),
              std::string::npos)
        << replay.out;
  }
}

TEST(KeyplanTest, GenerativeCounterexampleWithInlineDataReplays) {
  Scratch s;
  CliRun r = run_keyplan("test " + kParking + " --today 2026-11-23 --max-success 1000 " +
                         "--counterexample-dir '" + s.dir.string() + "'");
  EXPECT_EQ(r.code, 1) << r.out;
  fs::path f = s.dir / "nobody-books-a-parking-space.generative.yaml";
  ASSERT_TRUE(fs::exists(f));
  EXPECT_NE(read(f).find("data:"), std::string::npos);
  CliRun replay = run_keyplan("simulate '" + f.string() + "'");
  EXPECT_EQ(replay.code, 1) << replay.out;
  EXPECT_NE(replay.out.find("book(user = User_1, object = Object_1"), std::string::npos);
}

TEST(KeyplanTest, StandardExamplesPassWithScenariosAndReports) {
  Scratch s;
  std::string junit = (s.dir / "report.xml").string();
  CliRun r = run_keyplan("test policies/examples/desk_booking/acme_office.kp --data "
                         "policies/examples/desk_booking/data/tenant.yaml --today 2026-11-23 "
                         "--scenario policies/examples/desk_booking/booking.yaml --junit '" +
                         junit + "'");
  EXPECT_EQ(r.code, 0) << r.out;
  EXPECT_NE(r.out.find("\"booking needs seeing the floor\""), std::string::npos);
  EXPECT_NE(r.out.find("0 failed"), std::string::npos);
  std::string x = read(junit);
  EXPECT_NE(x.find("<testsuites name=\"keyplan test\""), std::string::npos);
  EXPECT_NE(x.find("classname=\"invariants.exhaustive\" name=\"booking needs seeing the floor\""),
            std::string::npos);
  EXPECT_NE(x.find("classname=\"invariants.generative\""), std::string::npos);
}

TEST(KeyplanTest, JsonReport) {
  CliRun r =
      run_keyplan("test " + kBroken + " --today 2026-11-23 --format json --mode exhaustive " +
                  "--scenario tests/data/invariants/hr_floor_checks.yaml");
  EXPECT_EQ(r.code, 1);
  auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["failed"], 1);
  EXPECT_EQ(j["scenarios"]["passed"], 2);
  bool seen = false;
  for (const auto& inv : j["invariants"])
    if (inv["name"] == "only HR ever books on the HR floor") {
      seen = true;
      EXPECT_EQ(inv["status"], "fail");
      EXPECT_EQ(inv["mode"], "exhaustive");
      EXPECT_EQ(inv["witness"], "u = rita, o = HR_DESK_2");
    }
  EXPECT_TRUE(seen);
}

TEST(KeyplanTest, BadInputExitsTwo) {
  EXPECT_EQ(run_keyplan("test tests/data/invariants/no_such.kp").code, 2);
  EXPECT_EQ(run_keyplan("test " + kBroken + " --today 2026-02-30").code, 2);
  EXPECT_EQ(run_keyplan("test " + kBroken + " --from 2026-12-01 --to 2026-11-01").code, 2);
  EXPECT_EQ(run_keyplan("test " + kBroken + " --data tests/data/scenarios/bad_data.yaml").code, 2);
  EXPECT_EQ(run_keyplan("test " + kBroken + " --mode sideways").code, 2);
}

TEST(KeyplanTest, ShippedCounterexampleIsCurrentAndReplays) {
  // policies/examples/broken/ ships the counterexample `keyplan test` writes;
  // regenerate it with:
  //   keyplan test policies/examples/broken/hr_floor.kp --today 2026-11-23
  //     --mode exhaustive --counterexample-dir policies/examples/broken
  fs::path shipped = source_root() / "policies/examples/broken" /
                     "only-hr-ever-books-on-the-hr-floor.exhaustive.yaml";
  fs::path copy = source_root() / "policies/examples/broken" / "copy_for_test";
  fs::remove_all(copy);
  CliRun r = run_keyplan("test " + kBroken + " --today 2026-11-23 --mode exhaustive " +
                         "--counterexample-dir policies/examples/broken/copy_for_test");
  EXPECT_EQ(r.code, 1);
  std::string fresh = read(copy / shipped.filename());
  fs::remove_all(copy);
  // The fresh one names the policy one directory further up.
  std::string expected = read(shipped);
  auto at = expected.find("policy: hr_floor.kp");
  ASSERT_NE(at, std::string::npos);
  expected.replace(at, std::string("policy: hr_floor.kp").size(), "policy: ../hr_floor.kp");
  EXPECT_EQ(fresh, expected);
  CliRun replay = run_keyplan("simulate '" + shipped.string() + "'");
  EXPECT_EQ(replay.code, 1) << replay.out;
  EXPECT_NE(replay.out.find("allow    deny     FAIL"), std::string::npos) << replay.out;
}

// ------------------------------------------------- int binders near the int64 limits

const std::string kIntBinders = "tests/data/invariants/int_binders.kp";

// `keyplan ARGS` with stderr in `out`, killed after 60 s (the old code never
// finished: `++i <= INT64_MAX` overflowed and the domain grew without end).
CliRun run_keyplan_bounded(const std::string& args) {
  std::string cmd = "cd '" + source_root().string() + "' && timeout 60 '" + KEYPLAN_BINARY + "' " +
                    args + " 2>&1";
  return keyplan::testing_support::run_command(cmd);
}

TEST(IntBinders, RangeEndingAtInt64MaxTerminates) {
  CliRun r = run_keyplan_bounded("test " + kIntBinders +
                                 " --mode exhaustive --int-min 9223372036854775800 "
                                 "--int-max 9223372036854775807");
  EXPECT_EQ(r.code, 0) << r.out; // every n > 5: all three hold
  EXPECT_NE(r.out.find("3 held, 0 failed"), std::string::npos) << r.out;
  auto l = load(kIntBinders);
  ASSERT_TRUE(l);
  auto o = options();
  o.int_min = INT64_MAX - 2;
  o.int_max = INT64_MAX;
  std::vector<int64_t> d;
  std::string why;
  ASSERT_TRUE(sim::binder_domain(*l->snap, ir::TypeTable::kInt, o, 0, 0, d, why)) << why;
  EXPECT_EQ(d, (std::vector<int64_t>{INT64_MAX - 2, INT64_MAX - 1, INT64_MAX}));
}

TEST(IntBinders, HugeRangesAreRefusedWithoutOverflow) {
  uint64_t n = 0;
  EXPECT_FALSE(sim::int_range_size(INT64_MIN, INT64_MAX, n)); // the span overflowed int64
  EXPECT_FALSE(sim::int_range_size(-5000000000000000000, 5000000000000000000, n));
  EXPECT_FALSE(sim::int_range_size(1, 0, n));
  ASSERT_TRUE(sim::int_range_size(INT64_MAX, INT64_MAX, n));
  EXPECT_EQ(n, 1u);
  ASSERT_TRUE(sim::int_range_size(-50000, 49999, n));
  EXPECT_EQ(n, 100000u);
  EXPECT_FALSE(sim::int_range_size(-50000, 50000, n));
  auto l = load(kIntBinders);
  ASSERT_TRUE(l);
  auto o = options();
  o.int_min = -5000000000000000000;
  o.int_max = 5000000000000000000;
  std::vector<int64_t> d;
  std::string why;
  EXPECT_FALSE(sim::binder_domain(*l->snap, ir::TypeTable::kInt, o, 0, 0, d, why));
  EXPECT_NE(why.find("more than 100000 values"), std::string::npos) << why;

  CliRun r = run_keyplan_bounded("test " + kIntBinders +
                                 " --int-min -5000000000000000000 --int-max 5000000000000000000");
  EXPECT_EQ(r.code, 2) << r.out;
  EXPECT_NE(r.out.find("at most 100000 values"), std::string::npos) << r.out;
}

// CLI11 clamped out-of-range numbers to the type's limit and read 010 as octal.
TEST(IntBinders, CliNumbersAreDecimalAndInRange) {
  for (const char* bad :
       {"--int-max 99999999999999999999", "--int-min -9223372036854775808", "--int-max 0x10",
        "--int-max 1e3", "--int-max ''", "--seed -1", "--seed 18446744073709551616"}) {
    CliRun r = run_keyplan_bounded("test " + kIntBinders + " --mode exhaustive " + bad);
    EXPECT_EQ(r.code, 2) << bad << "\n" << r.out;
    EXPECT_NE(r.out.find("expected"), std::string::npos) << bad << "\n" << r.out;
  }
  // 010 is ten: --int-min 10 --int-max 10 makes every invariant hold.
  CliRun r =
      run_keyplan_bounded("test " + kIntBinders + " --mode exhaustive --int-min 010 --int-max 10");
  EXPECT_EQ(r.code, 0) << r.out;
  r = run_keyplan_bounded("test " + kIntBinders +
                          " --mode exhaustive --int-min 8 --int-max 9 "
                          "--seed 18446744073709551615");
  EXPECT_EQ(r.code, 0) << r.out;
}

// ------------------------------------------------- counterexample file names

TEST(CounterexampleFiles, NamesThatMapToTheSameFileGetDistinctFiles) {
  std::set<std::string> taken;
  EXPECT_EQ(sim::counterexample_file_name("always big", "exhaustive", taken),
            "always-big.exhaustive.yaml");
  EXPECT_EQ(sim::counterexample_file_name("always-big", "exhaustive", taken),
            "always-big-2.exhaustive.yaml");
  EXPECT_EQ(sim::counterexample_file_name("Always Big!", "exhaustive", taken),
            "always-big-3.exhaustive.yaml");
  EXPECT_EQ(sim::counterexample_file_name("always big", "generative", taken),
            "always-big.generative.yaml");
  EXPECT_EQ(sim::counterexample_file_name("", "exhaustive", taken), "invariant.exhaustive.yaml");
  EXPECT_EQ(sim::counterexample_file_name("\xC3\xBC", "exhaustive", taken),
            "invariant-2.exhaustive.yaml");

  Scratch s;
  CliRun r = run_keyplan("test " + kIntBinders + " --mode exhaustive --counterexample-dir '" +
                         s.dir.string() + "'");
  EXPECT_EQ(r.code, 1) << r.out;
  fs::path a = s.dir / "always-big.exhaustive.yaml", b = s.dir / "always-big-2.exhaustive.yaml";
  ASSERT_TRUE(fs::exists(a));
  ASSERT_TRUE(fs::exists(b));
  EXPECT_NE(read(a).find("# invariant \"always big\""), std::string::npos);
  EXPECT_NE(read(b).find("# invariant \"always-big\""), std::string::npos);
  EXPECT_NE(r.out.find("counterexample: " + b.string()), std::string::npos) << r.out;
}

// An id with line breaks in a counterexample's comment ("# fails for u = ...")
// ended the comment: the rest of the id became keys of the scenario.
TEST(CounterexampleFiles, IdsInCommentsCannotInjectYaml) {
  auto l = load(kBroken);
  ASSERT_TRUE(l);
  const ir::Policy& p = *l->cr.policy;
  Diagnostics d;
  SourceManager sm;
  ASSERT_TRUE(rt::load_data(*l->snap,
                            "User:\n  - {id: \"x\\npolicy: /etc/passwd\\rtoday: 1999-01-01\", "
                            "groups: [Reception]}\n",
                            "hostile.yaml", d, sm));
  int32_t user = p.find_entity("User"), object = p.find_entity("Object");
  int32_t u = l->snap->find(user, "x\npolicy: /etc/passwd\rtoday: 1999-01-01");
  int32_t o = l->snap->find(object, "HR_DESK_2");
  ASSERT_GE(u, 0);
  ASSERT_GE(o, 0);
  const ir::Invariant* inv = nullptr;
  for (const auto& i : p.invariants)
    if (i.name == "only HR ever books on the HR floor") inv = &i;
  ASSERT_TRUE(inv);
  std::vector<ir::Value> witness = {ir::Value::entity(user, u), ir::Value::entity(object, o)};
  auto ds = sim::decisions_at(p, *l->snap, *inv, witness, day("2026-11-23"));
  sim::ScenarioSource src;
  src.name = "cx";
  src.policy = kBroken;
  src.today = day("2026-11-23");
  std::string yaml = sim::counterexample_yaml(p, *l->snap, *inv, witness, ds, src);
  YAML::Node doc = YAML::Load(yaml);
  EXPECT_EQ(doc["policy"].as<std::string>(), kBroken) << yaml;
  EXPECT_EQ(doc["today"].as<std::string>(), "2026-11-23") << yaml;
  EXPECT_NE(yaml.find("# fails for u = x\\npolicy: /etc/passwd\\rtoday"), std::string::npos)
      << yaml;
}

namespace {

// A witness the JIT finds and the interpreter (the semantics) does not
// confirm is a bug in keyplan: `keyplan test` exits 3 and says so, never
// reports it as the policy failing. The testing aid KEYPLAN_TESTING_FLIP_JIT
// makes the JIT wrong on purpose.
TEST(KeyplanTest, AJitInterpreterDisagreementOnAnInvariantExitsThree) {
  const std::string policy = "policies/examples/seed002/example_building.kp";
  for (const std::string mode : {"exhaustive", "generative"}) {
    const std::string args = "test " + policy + " --today 2026-11-23 --format json --mode " + mode;
    CliRun honest = run_keyplan(args);
    EXPECT_EQ(honest.code, 0) << mode << "\n" << honest.out;
    const auto flipped = keyplan::testing_support::run_command(
        "cd '" + source_root().string() + "' && KEYPLAN_TESTING_FLIP_JIT=1 '" + KEYPLAN_BINARY +
        "' " + args + " 2>/dev/null");
    EXPECT_EQ(flipped.code, 3) << mode << "\n" << flipped.out;
    const auto j = nlohmann::json::parse(flipped.out);
    bool disagreement = false;
    for (const auto& inv : j["invariants"])
      if (inv.value("disagreement", false)) {
        disagreement = true;
        EXPECT_EQ(inv["engine"], "jit");
        EXPECT_NE(inv["note"].get<std::string>().find("the JIT and the interpreter disagree"),
                  std::string::npos);
      }
    EXPECT_TRUE(disagreement) << mode << "\n" << flipped.out;
  }
}

} // namespace
