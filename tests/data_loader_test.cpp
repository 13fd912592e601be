// Tenant data in YAML: merging, what-if overrides, every error kind with
// its position, and that nothing is ever half-loaded.
#include "compiler/compile.hpp"
#include "runtime/data_loader.hpp"

#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

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
  EXPECT_EQ(
      env.errors(),
      (Lines{"2:20: Leave.start expects a date (YYYY-MM-DD), got '2026-02-30'",
             "4:10: duplicate Leave id 'c'",
             "5:5: Leave 'd' is missing required attribute 'start' [start: date]",
             "6:32: attribute 'start' of Leave 'e' given twice", "7:5: a Leave needs an id"}));
  auto dup = std::find_if(env.diags.items().begin(), env.diags.items().end(),
                          [](const Diagnostic& d) { return d.message.starts_with("duplicate"); });
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
  EXPECT_EQ(env.errors(), Lines{"1:1: data must map entity type names to lists of instances"});
  EXPECT_TRUE(env.load(""));
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
