// Tenant data in YAML: merging, what-if overrides, every error kind with
// its position, and that nothing is ever half-loaded.
#include "compiler/compile.hpp"
#include "runtime/data_loader.hpp"

#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <thread>
#include <unistd.h>

using namespace keyplan;

namespace {

std::string read(const std::filesystem::path& p) {
  std::ifstream in(p);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::filesystem::path data(const std::string& name) {
  return std::filesystem::path(KEYPLAN_TEST_DATA) / "runtime" / name;
}

struct Env {
  Env() : Env(read(data("worked_example.kp"))) {}
  explicit Env(const std::string& src) {
    result = std::make_unique<CompileResult>(compile_source("test.kp", src));
    if (!result->policy) {
      ADD_FAILURE() << result->diags.render_text(*result->sources);
      return;
    }
    snap = std::make_unique<rt::Snapshot>(*result->policy);
  }
  const ir::Policy& policy() const { return *result->policy; }
  rt::Snapshot& sn() { return *snap; }
  bool load(const std::string& yaml) {
    diags = Diagnostics();
    return rt::load_data(*snap, yaml, "tenant.yaml", diags, *result->sources);
  }
  // Every diagnostic as "line:col: message [hint]".
  std::vector<std::string> errors() const {
    std::vector<std::string> out;
    for (const auto& d : diags.sorted())
      out.push_back(std::to_string(d.span.line) + ":" + std::to_string(d.span.col) + ": " +
                    d.message + (d.hint.empty() ? "" : " [" + d.hint + "]"));
    return out;
  }
  std::string get(const std::string& type, const std::string& id, const std::string& attr) {
    int32_t t = policy().find_entity(type);
    int32_t row = snap->find(t, id);
    if (row < 0) return "<no " + id + ">";
    return snap->format(
        snap->get(t, row, policy().entities[static_cast<size_t>(t)].find_attribute(attr)));
  }
  std::unique_ptr<CompileResult> result;
  std::unique_ptr<rt::Snapshot> snap;
  Diagnostics diags;
};

using Lines = std::vector<std::string>;

} // namespace

TEST(DataLoad, NewInstancesFollowTheDeclaredOnesWithDefaults) {
  Env env;
  ASSERT_TRUE(env.load(R"(
User:
  - {id: rob, name: "Rob", groups: [IT, Legal]}
  - id: ann
Group:
  - {id: Facility, hidden: true}
)")) << env.diags.render_text(*env.result->sources);
  int32_t user = env.policy().find_entity("User");
  EXPECT_EQ(env.sn().table(user).declared, 2);
  EXPECT_EQ(env.sn().find(user, "rob"), 2);
  EXPECT_EQ(env.sn().find(user, "ann"), 3);
  EXPECT_EQ(env.get("User", "rob", "groups"), "[IT, Legal]");
  EXPECT_EQ(env.get("User", "ann", "groups"), "[]");
  EXPECT_EQ(env.get("User", "ann", "name"), "\"\"");
  EXPECT_EQ(env.get("Group", "Facility", "hidden"), "true");
  EXPECT_EQ(env.get("Group", "Facility", "kind"), "internal");
}

TEST(DataLoad, WhatIfOverridesOnlyTheGivenAttributes_F_A2) {
  Env env;
  ASSERT_TRUE(env.load("Floor:\n  - {id: first_floor, groups: [Legal]}\n"));
  EXPECT_EQ(env.get("Floor", "first_floor", "groups"), "[Legal]");
  EXPECT_EQ(env.get("Floor", "first_floor", "published"), "true");
  EXPECT_EQ(env.get("Floor", "first_floor", "building"), "example_building");
  EXPECT_EQ(env.sn().count(env.policy().find_entity("Floor")), 1);
  // Instances loaded before are edited the same way.
  ASSERT_TRUE(env.load("User:\n  - {id: rob, name: R, groups: [IT]}\n"));
  ASSERT_TRUE(env.load("User:\n  - {id: rob, name: Robert}\n"));
  EXPECT_EQ(env.get("User", "rob", "name"), "\"Robert\"");
  EXPECT_EQ(env.get("User", "rob", "groups"), "[IT]");
}

TEST(DataLoad, ReferencesMayPointForward) {
  Env env;
  ASSERT_TRUE(env.load(R"(
Object:
  - {id: desk_9, floor: second_floor, kind: parking, groups: [Ops]}
Floor:
  - {id: second_floor, building: annex}
Building:
  - {id: annex, published: false}
Group:
  - id: Ops
)")) << env.diags.render_text(*env.result->sources);
  EXPECT_EQ(env.get("Object", "desk_9", "floor"), "second_floor");
  EXPECT_EQ(env.get("Object", "desk_9", "kind"), "parking");
  EXPECT_EQ(env.get("Object", "desk_9", "groups"), "[Ops]");
  EXPECT_EQ(env.get("Floor", "second_floor", "building"), "annex");
  // A data group extends every set<Group> bitset; declared sets are kept.
  EXPECT_EQ(env.get("User", "mueller", "groups"), "[ALL, IT]");
}

TEST(DataLoad, InlineNodeOfAnotherDocument) {
  Env env;
  std::string scenario = "name: x\ndata:\n  User:\n    - {id: rob, groups: [ITT]}\n";
  int file = env.result->sources->add("scenario.yaml", scenario);
  YAML::Node doc = YAML::Load(scenario);
  EXPECT_FALSE(rt::load_data(env.sn(), doc["data"], file, env.diags));
  EXPECT_EQ(env.errors(), Lines{"4:26: unknown Group 'ITT' for User.groups [did you mean 'IT'?]"});
  std::string text = env.diags.render_text(*env.result->sources);
  EXPECT_NE(text.find("scenario.yaml:4:26: error: unknown Group 'ITT' for User.groups\n"
                      "      - {id: rob, groups: [ITT]}\n"
                      "                           ^~~\n"),
            std::string::npos)
      << text;
  EXPECT_TRUE(rt::load_data(env.sn(), YAML::Load("User: [{id: rob}]"), file, env.diags));
}

TEST(DataLoad, FromFile) {
  Env env;
  ASSERT_TRUE(
      rt::load_data_file(env.sn(), data("tenant.yaml").string(), env.diags, *env.result->sources))
      << env.diags.render_text(*env.result->sources);
  EXPECT_EQ(env.get("User", "weber", "groups"), "[Legal]");
  EXPECT_EQ(env.get("Object", "TABLE_3", "ignore_groups_within"), "2");
  EXPECT_FALSE(
      rt::load_data_file(env.sn(), data("missing.yaml").string(), env.diags, *env.result->sources));
}

TEST(DataLoad, YamlValueForScenarios) {
  Env env;
  int file = env.result->sources->add("s.yaml", "x");
  auto& types = env.result->policy->types;
  ir::TypeId groups = types.set_of(types.entity_type(env.policy().find_entity("Group")));
  auto v = rt::yaml_value(env.sn(), groups, YAML::Load("[Legal, ALL]"), file, env.diags, "g");
  ASSERT_TRUE(v);
  EXPECT_EQ(env.sn().format(*v), "[ALL, Legal]");
  auto none = rt::yaml_value(env.sn(), types.optional_of(ir::TypeTable::kInt), YAML::Load("~"),
                             file, env.diags, "n");
  ASSERT_TRUE(none);
  EXPECT_EQ(none->tag, ir::Value::Tag::None);
  EXPECT_FALSE(rt::yaml_value(env.sn(), ir::TypeTable::kBool, YAML::Load("yes please"), file,
                              env.diags, "flag"));
}

TEST(DataErrors, UnknownNamesWithDidYouMean) {
  Env env;
  EXPECT_FALSE(env.load(R"(Usr:
  - {id: x}
User:
  - {id: rob, grups: [IT]}
  - {id: ann, groups: [Legall]}
Object:
  - {id: TABLE_1, kind: dsk}
Floor:
  - {id: f2, building: exmple_building}
)"));
  EXPECT_EQ(env.errors(),
            (Lines{"1:1: unknown entity type 'Usr' [did you mean 'User'?]",
                   "4:15: User has no attribute 'grups' [did you mean 'groups'?]",
                   "5:24: unknown Group 'Legall' for User.groups [did you mean 'Legal'?]",
                   "7:25: unknown ObjectKind member 'dsk' for Object.kind [did you mean 'desk'?]",
                   "9:24: unknown Building 'exmple_building' for Floor.building [did you mean "
                   "'example_building'?]"}));
}

TEST(DataErrors, WrongTypes) {
  Env env;
  EXPECT_FALSE(env.load(R"(Floor:
  - {id: first_floor, published: maybe}
  - {id: f2, building: example_building, groups: Legal}
Object:
  - {id: TABLE_1, ignore_groups_within: 1.5}
  - {id: TABLE_2, floor: [first_floor]}
User: {id: x}
Group:
  - just_a_name
)"));
  EXPECT_EQ(env.errors(),
            (Lines{"2:34: Floor.published expects a bool (true or false), got 'maybe'",
                   "3:50: Floor.groups expects a list of Group, got 'Legal'",
                   "5:41: Object.ignore_groups_within expects an int, got '1.5'",
                   "6:26: Object.floor expects a Floor id, got a list",
                   "7:7: User expects a list of instances, got a map",
                   "9:5: a Group must be a map with an id, got 'just_a_name'"}));
}

TEST(DataErrors, DatesDuplicatesAndMissingAttributes) {
  Env env(R"(entity Leave { start: date  days: int = 1 }
Leave a { start: 2026-01-01 })");
  EXPECT_FALSE(env.load(R"(Leave:
  - {id: b, start: 2026-02-30}
  - {id: c, start: 2026-03-01}
  - {id: c, start: 2026-03-02}
  - {id: d, days: 3}
  - {id: e, start: 2026-03-01, start: 2026-03-02}
  - {start: 2026-03-01}
)"));
  EXPECT_EQ(env.errors(),
            (Lines{"2:20: Leave.start expects a date (YYYY-MM-DD), got '2026-02-30'",
                   "4:10: duplicate Leave id 'c'",
                   "5:5: Leave 'd' is missing required attribute 'start' [start: date]",
                   "6:32: duplicate key 'start' [each key may be given once in a map (YAML would "
                   "silently keep one)]",
                   "7:5: a Leave needs an id"}));
  auto dup =
      std::find_if(env.diags.items().begin(), env.diags.items().end(),
                   [](const Diagnostic& d) { return d.message.starts_with("duplicate Leave id"); });
  ASSERT_NE(dup, env.diags.items().end());
  ASSERT_EQ(dup->notes.size(), 1u);
  EXPECT_EQ(dup->notes[0].first.line, 3u);
  EXPECT_EQ(dup->notes[0].first.col, 10u);
  EXPECT_EQ(dup->notes[0].second, "first given here");
}

TEST(DataErrors, ATypoInAnEditedIdIsANewInstance) {
  Env env;
  EXPECT_FALSE(env.load("Floor:\n  - {id: frist_floor, groups: [Legal]}\n"));
  EXPECT_EQ(env.errors(), Lines{"2:5: Floor 'frist_floor' is missing required attribute "
                                "'building' [a new Floor needs it; did you mean 'first_floor'?]"});
}

TEST(DataErrors, ParentCycles) {
  Env env(R"(entity Area { parent up: Area?  n: int = 0 }
Area top { Area inner }
)");
  EXPECT_FALSE(env.load("Area:\n  - {id: top, up: low}\n  - {id: low, up: inner}\n"));
  EXPECT_EQ(env.errors(), Lines{"2:19: parent cycle: Area 'top' > Area 'low' > Area 'inner' > "
                                "Area 'top' [a parent chain must end at an instance without a "
                                "parent]"});
  EXPECT_FALSE(env.load("Area:\n  - {id: self, up: self}\n"));
  EXPECT_EQ(env.errors(), Lines{"2:20: parent cycle: Area 'self' > Area 'self' [a parent chain "
                                "must end at an instance without a parent]"});
  EXPECT_TRUE(env.load("Area:\n  - {id: low, up: inner}\n  - {id: top, up: ~}\n"));
}

TEST(DataErrors, InvalidYaml) {
  Env env;
  EXPECT_FALSE(env.load("User:\n  - {id: rob, groups: [IT}\n"));
  ASSERT_EQ(env.diags.error_count(), 1);
  EXPECT_EQ(env.diags.items()[0].message.rfind("invalid YAML: ", 0), 0u);
  EXPECT_EQ(env.diags.items()[0].span.line, 2u);
  EXPECT_FALSE(env.load("- just\n- a list\n"));
  EXPECT_EQ(env.errors(),
            Lines{"0:0: 'tenant.yaml' is not a keyplan data file: expected a map from entity type "
                  "names (Group, User, Building, Floor, Object) to lists of instances"});
  EXPECT_TRUE(env.load(""));
  EXPECT_TRUE(env.load("{}\n"));
  EXPECT_TRUE(env.load("# nothing yet\n---\n"));
}

TEST(DataErrors, NothingIsHalfLoaded) {
  Env env;
  uint64_t version = env.sn().version();
  int32_t user = env.policy().find_entity("User");
  EXPECT_FALSE(env.load(R"(
Group:
  - {id: Facility}
User:
  - {id: rob, groups: [Facility]}
  - {id: mueller, groups: [Legal]}
Floor:
  - {id: first_floor, published: false}
  - {id: f2, building: nowhere}
)"));
  EXPECT_EQ(env.errors().size(), 1u);
  EXPECT_EQ(env.sn().version(), version);
  EXPECT_EQ(env.sn().count(user), 2);
  EXPECT_EQ(env.sn().find(env.policy().find_entity("Group"), "Facility"), -1);
  EXPECT_EQ(env.get("User", "mueller", "groups"), "[ALL, IT]");
  EXPECT_EQ(env.get("Floor", "first_floor", "published"), "true");
}

// ---------------------------------------------------------------- documents

// A revocation in a second document used to be dropped: only the first
// document of a file was read.
TEST(DataLoad, EveryDocumentAppliesInOrder) {
  Env env;
  ASSERT_TRUE(env.load(R"(User:
  - {id: rob, groups: [IT, Legal]}
---
# the revocation: rob leaves Legal
User:
  - {id: rob, groups: [IT]}
---
Group:
  - {id: Facility}
User:
  - {id: ann, groups: [Facility]}
...
)")) << env.diags.render_text(*env.result->sources);
  EXPECT_EQ(env.get("User", "rob", "groups"), "[IT]");
  EXPECT_EQ(env.get("User", "ann", "groups"), "[Facility]");
}

TEST(DataLoad, AnErrorInAnyDocumentLoadsNoDocument) {
  Env env;
  EXPECT_FALSE(
      env.load("User:\n  - {id: rob, groups: [IT]}\n---\nUser:\n  - {id: ann, grups: []}\n"));
  EXPECT_EQ(env.errors(), Lines{"5:15: User has no attribute 'grups' [did you mean 'groups'?]"});
  EXPECT_EQ(env.get("User", "rob", "groups"), "<no rob>");
}

// ---------------------------------------------------------- duplicate keys

// yaml-cpp keeps one of two equal keys: each is an error at the second key
// with a note at the first, in every map of the data.
TEST(DataErrors, DuplicateKeysAreErrorsWithBothPositions) {
  Env env;
  EXPECT_FALSE(env.load(R"(User:
  - {id: rob, id: robert}
  - {id: ann, name: A, groups: [], name: B}
Group:
  - {id: Facility}
User:
  - {id: tom}
)"));
  EXPECT_EQ(env.errors(),
            (Lines{"2:15: duplicate key 'id' [each key may be given once in a map (YAML would "
                   "silently keep one)]",
                   "3:36: duplicate key 'name' [each key may be given once in a map (YAML would "
                   "silently keep one)]",
                   "6:1: duplicate key 'User' [each key may be given once in a map (YAML would "
                   "silently keep one)]"}));
  std::vector<std::string> notes;
  for (const auto& d : env.diags.sorted())
    for (const auto& [span, text] : d.notes)
      notes.push_back(std::to_string(span.line) + ":" + std::to_string(span.col) + ": " + text);
  EXPECT_EQ(notes,
            (Lines{"2:6: first given here", "3:15: first given here", "1:1: first given here"}));
  EXPECT_EQ(env.sn().find(env.policy().find_entity("User"), "rob"), -1);
  // Duplicate ids in a list: both positions too.
  EXPECT_FALSE(env.load("User:\n  - {id: rob}\n  - {id: rob}\n"));
  ASSERT_EQ(env.diags.items().size(), 1u);
  EXPECT_EQ(env.diags.items()[0].span.line, 3u);
  ASSERT_EQ(env.diags.items()[0].notes.size(), 1u);
  EXPECT_EQ(env.diags.items()[0].notes[0].first.line, 2u);
}

TEST(DataErrors, DuplicateKeysInInlineDataAreErrors) {
  Env env;
  std::string scenario = "data:\n  User:\n    - {id: rob, groups: [IT], groups: [Legal]}\n";
  int file = env.result->sources->add("scenario.yaml", scenario);
  EXPECT_FALSE(rt::load_data(env.sn(), YAML::Load(scenario)["data"], file, env.diags));
  ASSERT_EQ(env.diags.error_count(), 1);
  EXPECT_EQ(env.diags.items()[0].message, "duplicate key 'groups'");
  EXPECT_EQ(env.diags.items()[0].span.line, 3u);
  EXPECT_EQ(env.diags.items()[0].span.col, 31u);
}

// --------------------------------------------------------------- aliases

// 1 KB of YAML whose aliases stand for 10^9 nodes: refused at once, within
// the node budget, however the loader would walk it.
TEST(DataErrors, BillionLaughsIsRefusedQuickly) {
  std::string bomb = "Group:\n  - {id: Facility}\nx0: &a0 [lol, lol, lol, lol, lol, lol, lol, "
                     "lol, lol, lol]\n";
  for (int i = 1; i < 10; ++i) {
    std::string prev = "*a" + std::to_string(i - 1);
    bomb += "x" + std::to_string(i) + ": &a" + std::to_string(i) + " [";
    for (int k = 0; k < 10; ++k) bomb += (k ? ", " : "") + prev;
    bomb += "]\n";
  }
  bomb += "User:\n  - {id: rob, groups: *a9}\n";
  ASSERT_LT(bomb.size(), 1024u);
  Env env;
  auto start = std::chrono::steady_clock::now();
  EXPECT_FALSE(env.load(bomb));
  auto secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  EXPECT_LT(secs, 10.0);
  ASSERT_EQ(env.diags.error_count(), 1) << env.diags.render_text(*env.result->sources);
  EXPECT_NE(env.diags.items()[0].message.find("YAML too large: more than"), std::string::npos);
  EXPECT_EQ(env.sn().find(env.policy().find_entity("User"), "rob"), -1);
  // The same with every anchor where the loader reads values (a user's
  // groups), so that a reader without the budget would expand them.
  std::string in_values = "User:\n  - {id: u0, groups: &a0 [ALL, ALL, ALL, ALL, ALL, ALL, ALL, "
                          "ALL, ALL, ALL]}\n";
  for (int i = 1; i < 10; ++i) {
    in_values += "  - {id: u" + std::to_string(i) + ", groups: &a" + std::to_string(i) + " [";
    for (int k = 0; k < 10; ++k) in_values += (k ? ", *a" : "*a") + std::to_string(i - 1);
    in_values += "]}\n";
  }
  in_values += "  - {id: rob, groups: *a9}\n";
  start = std::chrono::steady_clock::now();
  EXPECT_FALSE(env.load(in_values));
  secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  EXPECT_LT(secs, 10.0);
  ASSERT_EQ(env.diags.error_count(), 1) << env.diags.render_text(*env.result->sources);
  EXPECT_NE(env.diags.items()[0].message.find("YAML too large: more than"), std::string::npos);
  // An alias inside its own anchor is a cycle: refused too.
  EXPECT_FALSE(env.load("User:\n  - &u {id: rob, groups: [*u]}\n"));
  EXPECT_NE(env.diags.items()[0].message.find("nested more than"), std::string::npos);
}

TEST(DataLoad, OrdinaryAliasesLoad) {
  Env env;
  ASSERT_TRUE(env.load(R"(User:
  - {id: rob, groups: &legal_it [Legal, IT]}
  - {id: ann, groups: *legal_it}
)")) << env.diags.render_text(*env.result->sources);
  EXPECT_EQ(env.get("User", "ann", "groups"), "[IT, Legal]");
}

// ------------------------------------------------------------------ files

namespace {

struct TempDir {
  TempDir() {
    path = std::filesystem::temp_directory_path() /
           ("keyplan-data-test-" + std::to_string(::getpid()) + "-" + std::to_string(counter++));
    std::filesystem::create_directories(path);
  }
  ~TempDir() { std::filesystem::remove_all(path); }
  std::string write(const std::string& name, const std::string& text) const {
    std::ofstream(path / name, std::ios::binary) << text;
    return (path / name).string();
  }
  std::filesystem::path path;
  static inline int counter = 0;
};

bool load_file(Env& env, const std::string& path) {
  env.diags = Diagnostics();
  return rt::load_data_file(env.sn(), path, env.diags, *env.result->sources);
}

} // namespace

// `--data DIR` used to load nothing and succeed.
TEST(DataFile, ADirectoryIsAnError) {
  Env env;
  TempDir dir;
  EXPECT_FALSE(load_file(env, dir.path.string()));
  ASSERT_EQ(env.diags.error_count(), 1);
  EXPECT_EQ(env.diags.items()[0].message, "data file '" + dir.path.string() + "' is a directory");
  std::string text;
  Diagnostics diags;
  EXPECT_FALSE(rt::read_data_file(dir.path.string(), text, diags));
}

TEST(DataFile, ASocketIsNotAFileAndAMissingFileSaysWhy) {
  Env env;
  TempDir dir;
  std::string sock = (dir.path / "s.sock").string();
  int fd = ::socket(AF_UNIX, SOCK_STREAM, 0);
  ASSERT_GE(fd, 0);
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  ASSERT_LT(sock.size(), sizeof addr.sun_path);
  std::strcpy(addr.sun_path, sock.c_str());
  ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  EXPECT_FALSE(load_file(env, sock));
  ::close(fd);
  ASSERT_EQ(env.diags.error_count(), 1);
  // Opening a socket fails (ENXIO); either way it is an error naming the file.
  EXPECT_NE(env.diags.items()[0].message.find(sock), std::string::npos);
  EXPECT_FALSE(load_file(env, (dir.path / "missing.yaml").string()));
  EXPECT_EQ(env.diags.items()[0].message, "cannot read data file '" +
                                              (dir.path / "missing.yaml").string() +
                                              "': No such file or directory");
}

// Pipes are streams of data (`--data <(generate)`): read, not refused.
TEST(DataFile, APipeIsRead) {
  Env env;
  TempDir dir;
  std::string fifo = (dir.path / "data.fifo").string();
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  std::thread writer([&] { std::ofstream(fifo) << "User:\n  - {id: piped}\n"; });
  bool ok = load_file(env, fifo);
  writer.join();
  EXPECT_TRUE(ok) << env.diags.render_text(*env.result->sources);
  EXPECT_GE(env.sn().find(env.policy().find_entity("User"), "piped"), 0);
}

// ------------------------------------------------ files that are not data

namespace {

// Everything a user could see of the errors: text and JSON.
std::string shown(const Env& env) {
  return env.diags.render_text(*env.result->sources) + env.diags.render_json(*env.result->sources);
}

} // namespace

// A scenario naming /etc/shadow (or any file) as data must not print its
// lines: the error says only that it is not a data file.
TEST(DataFile, AFileThatIsNotDataIsNeverEchoed) {
  Env env;
  TempDir dir;
  std::vector<std::pair<std::string, std::string>> files = {
      {"shadow", "root:$6$SECRETHASH$xyz:19000:0:99999:7:::\nbin:*:19000:0:99999:7:::\n"},
      {"config.yaml", "password: SECRET-hunter2\nuser: admin\napi_key: SECRET-abc\n"},
      {"list.yaml", "- SECRET one\n- SECRET two\n"},
      {"not_yaml", "SECRET: [unclosed\n  {{{ SECRET\n"},
      {"tabs", "\tSECRET\t: x\n"},
      {"binary", std::string("\x7f"
                             "ELF\x02\x01SECRET\0\0\0",
                             13)},
      {"key.pem",
       "-----BEGIN PRIVATE KEY-----\nMIIBVSECRETAgEAMA0GCSqGSIb3DQEBAQUABIIBPzCCATsCAQAC\n"
       "-----END PRIVATE KEY-----\n"},
  };
  // Over 1 MiB in the block shape the chunked reader splits.
  std::string big;
  for (int i = 0; big.size() < (size_t{1} << 20) + 100; ++i)
    big += "key_" + std::to_string(i) + ":\n  - SECRET value " + std::to_string(i) + "\n";
  files.emplace_back("big.yaml", big);
  for (const auto& [name, content] : files) {
    SCOPED_TRACE(name);
    std::string path = dir.write(name, content);
    EXPECT_FALSE(load_file(env, path));
    ASSERT_EQ(env.diags.error_count(), 1) << shown(env);
    EXPECT_EQ(env.diags.items()[0].message.rfind("'" + path + "' is not a keyplan data file: ", 0),
              0u)
        << env.diags.items()[0].message;
    std::string out = shown(env);
    EXPECT_EQ(out.find("SECRET"), std::string::npos) << out;
    EXPECT_EQ(out.find("root"), std::string::npos) << out;
  }
  // A near miss gets a hint with the line, not the key.
  std::string path = dir.write("typo.yaml", "Usr:\n  - {id: SECRETLESS}\n");
  EXPECT_FALSE(load_file(env, path));
  EXPECT_EQ(env.diags.items()[0].hint, "the key on line 1: did you mean 'User'?");
}

// Once a top-level key names an entity type the file is data: errors show
// its lines, with invalid UTF-8 and control characters as '?'.
TEST(DataFile, DataFilesShowTheirLinesWithoutRawBytes) {
  Env env;
  TempDir dir;
  std::string path =
      dir.write("latin1.yaml", "User:\n  - {id: rob, name: \"M\xfcller\x1b[2J\", grups: []}\n");
  EXPECT_FALSE(load_file(env, path));
  ASSERT_EQ(env.diags.error_count(), 1);
  std::string out = env.diags.render_text(*env.result->sources);
  EXPECT_NE(out.find("  - {id: rob, name: \"M?ller?[2J\", grups: []}\n"), std::string::npos) << out;
  EXPECT_NE(out.find(path + ":2:35: error: User has no attribute 'grups'"), std::string::npos)
      << out;
  // Invalid UTF-8 in a value is still loaded as it is (the writers escape it).
  path = dir.write("ok.yaml", "User:\n  - {id: rob, name: \"M\xfcller\"}\n");
  ASSERT_TRUE(load_file(env, path)) << shown(env);
  EXPECT_EQ(env.get("User", "rob", "name"), "\"M\xfcller\"");
}

// Every command reads data through read_data_file: a directory is exit 2
// with the message, never an empty tenant and exit 0.
TEST(DataFile, EveryCommandRefusesADirectoryAsData) {
  TempDir dir;
  const std::string d = dir.path.string();
  const std::vector<std::string> commands = {
      "decide std.desk_booking book user=u1 object=TABLE_1 --data " + d,
      "explain std.desk_booking book user=u1 object=TABLE_1 --data " + d,
      "report roles std.desk_booking --data " + d,
      "test std.desk_booking --data " + d,
      "bench --data " + d + " --requests 10",
      "simulate tests/data/fuzz/scenario/data_is_a_directory.yaml",
  };
  for (const auto& args : commands) {
    const std::string root =
        std::filesystem::path(KEYPLAN_TEST_DATA).parent_path().parent_path().string();
    std::string cmd = "cd '" + root + "' && KEYPLAN_PATH='" + root + "/policies' '" +
                      KEYPLAN_BINARY + "' " + args + " 2>&1";
    FILE* p = ::popen(cmd.c_str(), "r");
    ASSERT_NE(p, nullptr);
    std::string out;
    char buf[4096];
    size_t n;
    while ((n = std::fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
    int status = ::pclose(p);
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 2) << args << "\n" << out;
    EXPECT_NE(out.find("is a directory"), std::string::npos) << args << "\n" << out;
  }
}
