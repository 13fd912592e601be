// The fuzz corpus (tests/data/fuzz/<kind>/) replayed through the `keyplan`
// binary, then mutated from. Every hostile input that ever crashed, hung,
// exhausted memory or gave a wrong answer lives there (docs/security.md):
//   kp/        policies            -> keyplan check, keyplan fmt
//   scenario/  scenario files      -> keyplan simulate (JIT and interpreter)
//   data/      tenant data         -> keyplan decide --data on the seed 002 example
//   requests/  CSV request files   -> keyplan bench --requests-file on a tiny tenant
//   argv/      argument vectors    -> keyplan ARGS (one argument per line)
//   import/    user lists (CSV/XLSX) -> keyplan import users FILE --dry-run;
//              SCIM documents (.json) -> keyplan import scim FILE --dry-run
// What must hold for each: the process exits by itself (no signal, no
// sanitizer report) within a time bound and a memory bound, with 0, 1 or 2.
// The mutation properties run in process (YAML loaders) or as processes
// (argument vectors, request files), bounded like the rest of the fuzz tests.
#include "compiler/compile.hpp"
#include "runtime/data_loader.hpp"
#include "runtime/snapshot.hpp"
#include "simulator/runner.hpp"

#include <gtest/gtest.h>
#include <rapidcheck.h>
#include <rapidcheck/gtest.h>

#include "tests/test_support.hpp"

#include <algorithm>
#include <chrono>
#include <csignal>
#include <cstdlib>
#include <fcntl.h>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <sys/resource.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>
#include <vector>

namespace fs = std::filesystem;

namespace {

#if defined(__SANITIZE_ADDRESS__)
constexpr bool kSanitized = true;
#else
constexpr bool kSanitized = false;
#endif
// Generous bounds (sanitized builds are several times slower): an input that
// needs longer hangs, one that needs more memory is unbounded.
const double kSecondsPerRun = kSanitized ? 60.0 : 20.0;
constexpr rlim_t kMemoryBytes = rlim_t(3) << 30;
// A sanitizer report exits with this code (set in the child's environment),
// so that it is never mistaken for keyplan's exit code 1.
constexpr int kSanitizerExit = 86;

fs::path source_root() {
  return fs::path(KEYPLAN_TEST_DATA).parent_path().parent_path();
}
fs::path corpus_root() {
  return fs::path(KEYPLAN_TEST_DATA) / "fuzz";
}

std::string read_file(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

struct Outcome {
  bool timed_out = false;
  int signal = 0; // the child died of this signal
  int code = -1;  // its exit code otherwise
  double seconds = 0;
  std::string err; // the first part of its standard error
};

std::string describe(const std::vector<std::string>& args, const Outcome& o) {
  std::string s = "keyplan";
  for (const auto& a : args) s += " '" + a + "'";
  if (o.timed_out)
    s += "\n  did not finish within the time bound";
  else if (o.signal)
    s += "\n  died of signal " + std::to_string(o.signal);
  else
    s += "\n  exit code " + std::to_string(o.code);
  s += "\n  stderr: " + o.err.substr(0, 2000);
  return s;
}

// Runs the binary with `args` in the source root, stdout discarded, bounded in
// time (killed after kSecondsPerRun) and, outside sanitized builds, in
// address space.
Outcome run_keyplan(const std::vector<std::string>& args) {
  static int counter = 0;
  const fs::path err_path =
      fs::temp_directory_path() /
      ("keyplan_fuzz_corpus_" + std::to_string(::getpid()) + "_" + std::to_string(counter++));
  const auto start = std::chrono::steady_clock::now();
  const pid_t pid = ::fork();
  if (pid == 0) {
    if (::chdir(source_root().c_str()) != 0) ::_exit(127);
    const int null_fd = ::open("/dev/null", O_RDWR);
    const int err_fd = ::open(err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    if (null_fd < 0 || err_fd < 0) ::_exit(127);
    ::dup2(null_fd, 0);
    ::dup2(null_fd, 1);
    ::dup2(err_fd, 2);
    if (!kSanitized) {
      const rlimit mem{kMemoryBytes, kMemoryBytes};
      ::setrlimit(RLIMIT_AS, &mem);
    }
    const std::string code = std::to_string(kSanitizerExit);
    const char* asan = std::getenv("ASAN_OPTIONS");
    const std::string asan_opts =
        (asan ? std::string(asan) + ":" : std::string()) + "exitcode=" + code;
    ::setenv("ASAN_OPTIONS", asan_opts.c_str(), 1);
    ::setenv("UBSAN_OPTIONS", ("print_stacktrace=1:exitcode=" + code).c_str(), 1);
    std::vector<char*> argv;
    std::string binary = KEYPLAN_BINARY;
    argv.push_back(binary.data());
    std::vector<std::string> copy = args;
    for (auto& a : copy) argv.push_back(a.data());
    argv.push_back(nullptr);
    ::execv(binary.c_str(), argv.data());
    ::_exit(127);
  }
  Outcome o;
  if (pid < 0) {
    o.code = -2;
    return o;
  }
  int status = 0;
  for (;;) {
    const pid_t done = ::waitpid(pid, &status, WNOHANG);
    o.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    if (done == pid) break;
    if (o.seconds > kSecondsPerRun) {
      ::kill(pid, SIGKILL);
      ::waitpid(pid, &status, 0);
      o.timed_out = true;
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  if (!o.timed_out) {
    if (WIFSIGNALED(status))
      o.signal = WTERMSIG(status);
    else
      o.code = WEXITSTATUS(status);
  }
  o.err = read_file(err_path).substr(0, 8000);
  fs::remove(err_path);
  return o;
}

// True when the run ended as keyplan promises: by itself, 0/1/2, no report.
bool well_behaved(const Outcome& o) {
  if (o.timed_out || o.signal || o.code < 0 || o.code > 2) return false;
  for (const char* marker : {"AddressSanitizer", "runtime error:", "LeakSanitizer",
                             "terminate called", "internal error"})
    if (o.err.find(marker) != std::string::npos) return false;
  return true;
}

std::vector<fs::path> corpus(const std::string& kind) {
  std::vector<fs::path> files;
  const fs::path dir = corpus_root() / kind;
  if (fs::is_directory(dir))
    for (const auto& e : fs::directory_iterator(dir))
      if (e.is_regular_file()) files.push_back(e.path());
  std::sort(files.begin(), files.end());
  return files;
}

// The argument vector of an argv/ corpus file: one argument per line; a line
// `@corpus/KIND/NAME` names another corpus file by path.
std::vector<std::string> argv_of(const fs::path& file) {
  std::vector<std::string> args;
  std::istringstream in(read_file(file));
  std::string line;
  while (std::getline(in, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.rfind("@corpus/", 0) == 0) line = (corpus_root() / line.substr(8)).string();
    args.push_back(line);
  }
  return args;
}

const std::vector<std::string>& tiny_tenant() {
  static const std::vector<std::string> shape = {"--users",     "20", "--groups",   "3",
                                                 "--buildings", "1",  "--floors",   "2",
                                                 "--desks",     "5",  "--requests", "200"};
  return shape;
}

std::vector<std::string> concat(std::vector<std::string> a, const std::vector<std::string>& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

const std::string kExample = "policies/examples/seed002/example_building.kp";

// The argument vectors a corpus file of `kind` is replayed with.
std::vector<std::vector<std::string>> replays(const std::string& kind, const fs::path& f) {
  const std::string p = f.string();
  if (kind == "kp") return {{"check", p}, {"fmt", p}};
  if (kind == "scenario") return {{"simulate", p}, {"simulate", "--engine", "interp", p}};
  if (kind == "data")
    return {{"decide", kExample, "book", "user=mueller", "object=TABLE_1", "--today", "2026-11-23",
             "--data", p},
            {"decide", kExample, "book", "user=mueller", "object=TABLE_1", "--today", "2026-11-23",
             "--engine", "interp", "--data", p}};
  if (kind == "requests")
    return {concat({"bench", "--format", "json", "--requests-file", p}, tiny_tenant())};
  if (kind == "argv") return {argv_of(f)};
  // Hostile user imports (CSV/XLSX), checked against the ACME tenant; a dry
  // run, so the shipped tenant is never written.
  if (kind == "import" && f.extension() == ".json")
    return {{"import", "scim", p, "--into", "policies/examples/desk_booking/data/tenant.yaml",
             "--policy", "policies/examples/desk_booking/acme_office.kp", "--dry-run"}};
  if (kind == "import")
    return {{"import", "users", p, "--into", "policies/examples/desk_booking/data/tenant.yaml",
             "--policy", "policies/examples/desk_booking/acme_office.kp", "--dry-run"}};
  return {};
}

void replay_kind(const std::string& kind) {
  const auto files = corpus(kind);
  ASSERT_FALSE(files.empty()) << "the fuzz corpus has no " << kind << " inputs under "
                              << (corpus_root() / kind);
  for (const auto& f : files)
    for (const auto& args : replays(kind, f)) {
      const Outcome o = run_keyplan(args);
      EXPECT_TRUE(well_behaved(o)) << describe(args, o);
    }
}

TEST(FuzzCorpus, PoliciesCheckAndFormatWithoutCrash) {
  replay_kind("kp");
}
TEST(FuzzCorpus, ScenariosReplayWithoutCrash) {
  replay_kind("scenario");
}
TEST(FuzzCorpus, TenantDataLoadsOrIsRejected) {
  replay_kind("data");
}
TEST(FuzzCorpus, RequestFilesReplayOrAreRejected) {
  replay_kind("requests");
}
TEST(FuzzCorpus, ArgumentVectorsRunOrAreRejected) {
  replay_kind("argv");
}
TEST(FuzzCorpus, UserImportsImportOrAreRejected) {
  replay_kind("import");
}

// The runner itself must notice a crash, a hang and a wrong exit code, or the
// tests above could not fail.
TEST(FuzzCorpus, TheRunnerSeesFailures) {
  EXPECT_TRUE(well_behaved(run_keyplan({"check", kExample})));
  const Outcome unknown = run_keyplan({"no-such-command"});
  EXPECT_EQ(unknown.code, 2) << describe({"no-such-command"}, unknown);
  Outcome killed;
  killed.signal = SIGSEGV;
  EXPECT_FALSE(well_behaved(killed));
  Outcome hung;
  hung.timed_out = true;
  EXPECT_FALSE(well_behaved(hung));
  Outcome asan;
  asan.code = 1;
  asan.err = "==1==ERROR: AddressSanitizer: heap-buffer-overflow";
  EXPECT_FALSE(well_behaved(asan));
  Outcome odd;
  odd.code = 3;
  EXPECT_FALSE(well_behaved(odd));
}

// ---- mutation from the corpus ---------------------------------------------

using keyplan::testing_support::check_bounded;

// Fragments that exercise YAML's dark corners: anchors and aliases (also
// nested, the billion-laughs shape), merge keys, several documents, tags,
// flow and block style, duplicate keys, odd bytes.
const std::vector<std::string>& yaml_fragments() {
  static const std::vector<std::string> f = {"&a ",
                                             "*a",
                                             "&b [*a, *a, *a, *a]",
                                             "*b",
                                             "<<: *a\n",
                                             "\n---\n",
                                             "\n...\n",
                                             "? ",
                                             "!!str ",
                                             "!!binary ",
                                             "{",
                                             "}",
                                             "[",
                                             "]",
                                             ", ",
                                             ": ",
                                             "\n  - ",
                                             "\n- ",
                                             "id: x\n",
                                             "id: mueller\n",
                                             "\t",
                                             "\"",
                                             "'",
                                             "# c\n",
                                             "\xff",
                                             std::string("\0", 1),
                                             "\r",
                                             "\r\n",
                                             "~",
                                             "null",
                                             "2026-02-30",
                                             "9999-12-31",
                                             "0001-01-01",
                                             "99999999999999999999",
                                             "-9223372036854775808",
                                             "today: 2026-11-23\n",
                                             "cases: []\n",
                                             "settings: {all_is_everyone: true}\n",
                                             "groups: [ALL, IT]\n",
                                             "User:\n",
                                             "Floor:\n",
                                             "\"Berlin, Mitte\"",
                                             "User.mueller",
                                             "\xc3\x28",
                                             "\x1b[31m",
                                             "expect: deny\n",
                                             "expect: unresolved\n",
                                             "action: book\n"};
  return f;
}

struct Mutation {
  int kind = 0; // 0 insert a fragment, 1 delete a range, 2 duplicate a line, 3 flip a byte
  size_t at = 0, length = 0, pick = 0;
};

void showValue(const Mutation& m, std::ostream& os) {
  os << "{kind " << m.kind << " at " << m.at << " length " << m.length << " pick " << m.pick << "}";
}

rc::Gen<Mutation> gen_mutation() {
  return rc::gen::apply(
      [](int kind, size_t at, size_t length, size_t pick) {
        return Mutation{kind, at, length, pick};
      },
      rc::gen::inRange(0, 4), rc::gen::inRange<size_t>(0, 1 << 16), rc::gen::inRange<size_t>(0, 40),
      rc::gen::inRange<size_t>(0, 1 << 16));
}

std::string mutate(std::string text, const std::vector<Mutation>& mutations) {
  for (const Mutation& m : mutations) {
    const size_t at = text.empty() ? 0 : m.at % (text.size() + 1);
    switch (m.kind) {
    case 0:
      text.insert(at, yaml_fragments()[m.pick % yaml_fragments().size()]);
      break;
    case 1:
      text.erase(at, std::min(m.length, text.size() - at));
      break;
    case 2: {
      const size_t begin = text.rfind('\n', at == 0 ? 0 : at - 1);
      const size_t from = begin == std::string::npos ? 0 : begin + 1;
      const size_t end = text.find('\n', from);
      const std::string line = text.substr(from, end == std::string::npos ? end : end - from + 1);
      text.insert(from, line.back() == '\n' ? line : line + "\n");
      break;
    }
    default:
      if (!text.empty()) text[at % text.size()] ^= char(1 + m.pick % 255);
    }
  }
  return text;
}

// Seeds for the YAML mutations: the corpus of `kind` and shipped examples.
std::vector<std::string> yaml_seeds(const std::string& kind) {
  std::vector<std::string> seeds;
  for (const auto& f : corpus(kind)) seeds.push_back(read_file(f));
  const fs::path examples = source_root() / "policies" / "examples";
  for (const auto& e : fs::recursive_directory_iterator(examples)) {
    if (e.path().extension() != ".yaml") continue;
    const bool is_data = e.path().parent_path().filename() == "data";
    if (is_data == (kind == "data")) seeds.push_back(read_file(e.path()));
  }
  return seeds;
}

struct ExampleTenant {
  keyplan::sim::Tenant tenant;
  bool ok = false;
  ExampleTenant() {
    keyplan::sim::RunOptions options;
    ok = keyplan::sim::load_tenant(tenant, (source_root() / kExample).string(), options);
  }
};

TEST(FuzzYaml, MutatedTenantDataLoadsOrIsRejected) {
  static ExampleTenant example;
  ASSERT_TRUE(example.ok);
  const auto seeds = yaml_seeds("data");
  ASSERT_FALSE(seeds.empty());
  check_bounded(
      [&] {
        const size_t seed = *rc::gen::inRange<size_t>(0, seeds.size());
        const auto mutations = *rc::gen::container<std::vector<Mutation>>(gen_mutation());
        const std::string text = mutate(seeds[seed], mutations);
        keyplan::rt::Snapshot snapshot = *example.tenant.snapshot;
        keyplan::Diagnostics diags;
        keyplan::SourceManager sources;
        const auto start = std::chrono::steady_clock::now();
        const bool loaded = keyplan::rt::load_data(snapshot, text, "fuzz.yaml", diags, sources);
        const double seconds =
            std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        RC_ASSERT(seconds < kSecondsPerRun);
        // Loaded exactly when there is no error; an error always says where.
        RC_ASSERT(loaded == !diags.has_errors());
      },
      kSanitized ? 150 : 400, 30);
}

TEST(FuzzYaml, MutatedScenariosLoadOrAreRejected) {
  const auto seeds = yaml_seeds("scenario");
  ASSERT_FALSE(seeds.empty());
  const fs::path dir =
      fs::temp_directory_path() / ("keyplan_fuzz_scenarios_" + std::to_string(::getpid()));
  fs::create_directories(dir);
  // Scenarios name their policy relative to themselves: the seed 002 example.
  fs::copy_file(source_root() / kExample, dir / "example_building.kp",
                fs::copy_options::overwrite_existing);
  check_bounded(
      [&] {
        const size_t seed = *rc::gen::inRange<size_t>(0, seeds.size());
        const auto mutations = *rc::gen::container<std::vector<Mutation>>(gen_mutation());
        const fs::path file = dir / "fuzz.yaml";
        std::ofstream(file, std::ios::binary) << mutate(seeds[seed], mutations);
        keyplan::sim::RunOptions options;
        options.engine = keyplan::engine::Kind::Interp;
        const auto start = std::chrono::steady_clock::now();
        const keyplan::sim::RunReport report =
            keyplan::sim::run_scenarios({file.string()}, options);
        const double seconds =
            std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        RC_ASSERT(seconds < kSecondsPerRun);
        // Input errors are reported, never half-applied: a scenario that did
        // not load decides nothing.
        for (const auto& r : report.results)
          if (!r.loaded) RC_ASSERT(r.cases.empty());
      },
      kSanitized ? 100 : 250, 30);
  fs::remove_all(dir);
}

// Tokens of random command lines: every subcommand, its flags, hostile values.
const std::vector<std::string>& argv_tokens() {
  static const std::vector<std::string> t = {"check",
                                             "fmt",
                                             "simulate",
                                             "decide",
                                             "explain",
                                             "report",
                                             "test",
                                             "gen",
                                             "bench",
                                             "--format",
                                             "json",
                                             "text",
                                             "csv",
                                             "xlsx",
                                             "markdown",
                                             "junit",
                                             "--strict",
                                             "-w",
                                             "--check",
                                             "--engine",
                                             "jit",
                                             "interp",
                                             "--data",
                                             "--set",
                                             "all_is_everyone=false",
                                             "--today",
                                             "2026-11-23",
                                             "2026-13-45",
                                             "--path",
                                             "-o",
                                             "-",
                                             "/dev/null",
                                             "/",
                                             ".",
                                             "",
                                             "--junit",
                                             "--users",
                                             "--desks",
                                             "--floors",
                                             "--buildings",
                                             "--groups",
                                             "--seed",
                                             "--requests",
                                             "2000000000",
                                             "-1",
                                             "18446744073709551616",
                                             "9223372036854775807",
                                             "0",
                                             "--int-min",
                                             "--int-max",
                                             "-9223372036854775808",
                                             kExample,
                                             "policies/examples/seed002/worked_examples.yaml",
                                             "policies/examples/seed002",
                                             "book",
                                             "see",
                                             "user=mueller",
                                             "user=mueller",
                                             "object=TABLE_1",
                                             "object=",
                                             "=",
                                             "user=User.mueller",
                                             "nobody=x",
                                             "--help",
                                             "--version",
                                             "\xff\xfe",
                                             "\x1b[2J",
                                             "roles",
                                             "checks",
                                             "--requests-file",
                                             "search",
                                             "matrix",
                                             "*",
                                             "--filter",
                                             "object.floor == first_floor",
                                             "--rows",
                                             "--cols",
                                             "user",
                                             "object",
                                             "--summary",
                                             "--group-rows",
                                             "--group-cols",
                                             "groups",
                                             "floor.building",
                                             "html",
                                             "--explain-plan"};
  return t;
}

TEST(FuzzCli, RandomArgumentVectorsRunOrAreRejected) {
  check_bounded(
      [] {
        const auto picks = *rc::gen::container<std::vector<size_t>>(
            rc::gen::inRange<size_t>(0, argv_tokens().size()));
        std::vector<std::string> args;
        for (size_t i = 0; i < picks.size() && i < 12; ++i) args.push_back(argv_tokens()[picks[i]]);
        // Never let a random vector write into the source tree.
        for (const auto& a : args)
          if (a == "-w" || a == "-o" || a == "--junit") RC_DISCARD("writes files");
        const Outcome o = run_keyplan(args);
        RC_ASSERT(well_behaved(o));
      },
      kSanitized ? 25 : 60, 12);
}

TEST(FuzzCli, RandomRequestFilesReplayOrAreRejected) {
  const fs::path file =
      fs::temp_directory_path() / ("keyplan_fuzz_requests_" + std::to_string(::getpid()) + ".csv");
  std::vector<std::string> seeds;
  for (const auto& f : corpus("requests")) seeds.push_back(read_file(f));
  seeds.push_back("user,object\nu0,d0\n");
  check_bounded(
      [&] {
        const size_t seed = *rc::gen::inRange<size_t>(0, seeds.size());
        const auto mutations = *rc::gen::container<std::vector<Mutation>>(gen_mutation());
        std::ofstream(file, std::ios::binary) << mutate(seeds[seed], mutations);
        const auto args =
            concat({"bench", "--format", "json", "--requests-file", file.string()}, tiny_tenant());
        const Outcome o = run_keyplan(args);
        RC_ASSERT(well_behaved(o));
      },
      kSanitized ? 10 : 25, 10);
  fs::remove(file);
}

} // namespace
