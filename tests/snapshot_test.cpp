// The tenant snapshot: dense tables per entity type, bitset columns for sets
// of entities and enum members, settings.
#include "compiler/compile.hpp"
#include "runtime/bitset.hpp"
#include "runtime/rt_value.hpp"
#include "runtime/snapshot.hpp"
#include "runtime/value_text.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

using namespace keyplan;

namespace {

struct Env {
  explicit Env(const std::string& src, const std::string& path = "test.kp") {
    result = std::make_unique<CompileResult>(compile_source(path, src));
    if (!result->policy) {
      ADD_FAILURE() << result->diags.render_text(*result->sources);
      return;
    }
    snap = std::make_unique<rt::Snapshot>(*result->policy);
  }
  const ir::Policy& policy() const { return *result->policy; }
  int32_t type(const std::string& name) const { return policy().find_entity(name); }
  int32_t attr(const std::string& type_name, const std::string& a) const {
    return policy().entities[static_cast<size_t>(type(type_name))].find_attribute(a);
  }
  std::unique_ptr<CompileResult> result;
  std::unique_ptr<rt::Snapshot> snap;
};

std::string worked_example() {
  std::ifstream in(std::filesystem::path(KEYPLAN_TEST_DATA) / "runtime" / "worked_example.kp");
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

const char* kKinds = R"(
enum Color { red, green, blue }
entity Thing {
  n: int = 5
  maybe: int?
  label: string?
  tags: set<Color> = [blue]
  nums: set<int> = [3, 1]
  friends: set<Thing> = []
  best: Thing?
  on: date = 2026-01-01
}
Thing a { maybe: 7  label: "x"  nums: [2] }
Thing b { best: a  friends: [a, b] }
setting limit: int = 3
setting colors: set<Color> = [red]
)";

} // namespace

TEST(SnapshotBits, WordOperations) {
  using namespace rt::bits;
  EXPECT_EQ(words_for(0), 0u);
  EXPECT_EQ(words_for(1), 1u);
  EXPECT_EQ(words_for(64), 1u);
  EXPECT_EQ(words_for(65), 2u);
  uint64_t a[2] = {0, 0}, b[2] = {0, 0}, out[2];
  set(a, 3);
  set(a, 64);
  set(b, 64);
  EXPECT_TRUE(test(a, 64));
  EXPECT_FALSE(test(a, 63));
  EXPECT_TRUE(intersects(a, b, 2));
  EXPECT_FALSE(intersects(a, b, 1));
  EXPECT_EQ(count(a, 2), 2u);
  EXPECT_EQ(next(a, 2, 0), 3);
  EXPECT_EQ(next(a, 2, 4), 64);
  EXPECT_EQ(next(a, 2, 65), -1);
  EXPECT_EQ(last(a, 2), 64);
  EXPECT_EQ(last(out, 0), -1);
  except(out, a, b, 2);
  EXPECT_EQ(count(out, 2), 1u);
  EXPECT_TRUE(test(out, 3));
  unite(out, a, b, 2);
  EXPECT_TRUE(equal(out, a, 2));
  intersect(out, a, b, 2);
  EXPECT_TRUE(equal(out, b, 2));
  uint64_t full[2] = {0, 0};
  fill(full, 65);
  EXPECT_EQ(count(full, 2), 65u);
  EXPECT_EQ(full[1], 1u);
  clear(full, 64);
  EXPECT_FALSE(any(full + 1, 1));
}

TEST(SnapshotLayout, DeclaredInstancesKeepTheirIrIndices) {
  Env env(worked_example());
  ASSERT_TRUE(env.snap);
  const auto& sn = *env.snap;
  for (int32_t t = 0; t < sn.entity_count(); ++t) {
    const auto& et = env.policy().entities[static_cast<size_t>(t)];
    ASSERT_EQ(sn.count(t), static_cast<int32_t>(et.instances.size()));
    EXPECT_EQ(sn.table(t).declared, sn.count(t));
    for (size_t i = 0; i < et.instances.size(); ++i) {
      EXPECT_EQ(sn.id(t, static_cast<int32_t>(i)), et.instances[i].id);
      EXPECT_EQ(sn.find(t, et.instances[i].id), static_cast<int32_t>(i));
    }
  }
  EXPECT_EQ(sn.find(env.type("User"), "nobody"), -1);
}

TEST(SnapshotLayout, ColumnsByAttributeType_F_A2) {
  Env env(worked_example());
  ASSERT_TRUE(env.snap);
  const auto& sn = *env.snap;
  int32_t user = env.type("User"), group = env.type("Group"), floor = env.type("Floor");
  const auto& groups = sn.table(user).columns[static_cast<size_t>(env.attr("User", "groups"))];
  EXPECT_EQ(groups.kind, rt::ColumnKind::Bits);
  EXPECT_EQ(groups.elem_ref, group);
  EXPECT_FALSE(groups.elem_enum);
  EXPECT_EQ(groups.stride, 1u);
  int32_t mueller = sn.find(user, "mueller");
  const uint64_t* row = groups.bits_row(mueller);
  EXPECT_TRUE(rt::bits::test(row, static_cast<size_t>(sn.find(group, "ALL"))));
  EXPECT_TRUE(rt::bits::test(row, static_cast<size_t>(sn.find(group, "IT"))));
  EXPECT_FALSE(rt::bits::test(row, static_cast<size_t>(sn.find(group, "Legal"))));
  // The parent attribute's column is the parent array (F-A2: floor > building).
  const auto& tab = sn.table(floor);
  ASSERT_EQ(tab.parent_attr, env.attr("Floor", "building"));
  const auto& parent = tab.columns[static_cast<size_t>(tab.parent_attr)];
  EXPECT_EQ(parent.kind, rt::ColumnKind::Scalar);
  EXPECT_EQ(parent.scalar_data()[sn.find(floor, "first_floor")],
            sn.find(env.type("Building"), "example_building"));
  const auto& name = sn.table(user).columns[static_cast<size_t>(env.attr("User", "name"))];
  EXPECT_EQ(name.kind, rt::ColumnKind::String);
  EXPECT_EQ(name.strings[static_cast<size_t>(mueller)], "Herr Müller");
  const auto& kind =
      sn.table(env.type("Object")).columns[static_cast<size_t>(env.attr("Object", "kind"))];
  EXPECT_EQ(kind.kind, rt::ColumnKind::Scalar);
  EXPECT_EQ(kind.scalars[0], 0); // desk, the first ObjectKind member
}

TEST(SnapshotLayout, EveryColumnKindRoundTrips) {
  Env env(kKinds);
  ASSERT_TRUE(env.snap);
  auto& sn = *env.snap;
  int32_t t = env.type("Thing");
  auto get = [&](const char* id, const char* a) {
    return sn.format(sn.get(t, sn.find(t, id), env.attr("Thing", a)));
  };
  EXPECT_EQ(get("a", "n"), "5");
  EXPECT_EQ(get("a", "maybe"), "7");
  EXPECT_EQ(get("b", "maybe"), "none");
  EXPECT_EQ(sn.table(t).columns[static_cast<size_t>(env.attr("Thing", "maybe"))].scalars[1],
            rt::kNone);
  EXPECT_EQ(get("a", "label"), "\"x\"");
  EXPECT_EQ(get("b", "label"), "none");
  EXPECT_EQ(get("a", "tags"), "[blue]");
  EXPECT_EQ(get("a", "nums"), "[2]");
  EXPECT_EQ(get("b", "nums"), "[1, 3]");
  EXPECT_EQ(get("b", "friends"), "[a, b]");
  EXPECT_EQ(get("b", "best"), "a");
  EXPECT_EQ(get("a", "best"), "none");
  EXPECT_EQ(get("a", "on"), "2026-01-01");
  const auto& nums = sn.table(t).columns[static_cast<size_t>(env.attr("Thing", "nums"))];
  EXPECT_EQ(nums.kind, rt::ColumnKind::Values);
  const auto& tags = sn.table(t).columns[static_cast<size_t>(env.attr("Thing", "tags"))];
  EXPECT_TRUE(tags.elem_enum);
  uint64_t v = sn.version();
  sn.set(t, 0, env.attr("Thing", "label"), ir::Value::none());
  EXPECT_EQ(get("a", "label"), "none");
  sn.set(t, 1, env.attr("Thing", "maybe"), ir::Value::integer(-3));
  EXPECT_EQ(get("b", "maybe"), "-3");
  EXPECT_NE(sn.version(), v);
}

TEST(SnapshotLayout, AppendRestridesBitsetsOfAGrownType) {
  Env env(kKinds);
  ASSERT_TRUE(env.snap);
  auto& sn = *env.snap;
  int32_t t = env.type("Thing");
  std::vector<std::vector<std::string>> ids(env.policy().entities.size());
  for (int i = 0; i < 70; ++i) ids[static_cast<size_t>(t)].push_back("x" + std::to_string(i));
  sn.append(ids);
  EXPECT_EQ(sn.count(t), 72);
  EXPECT_EQ(sn.table(t).declared, 2);
  EXPECT_EQ(sn.find(t, "x69"), 71);
  const auto& friends = sn.table(t).columns[static_cast<size_t>(env.attr("Thing", "friends"))];
  EXPECT_EQ(friends.stride, 2u);
  EXPECT_EQ(sn.format(sn.get(t, 1, env.attr("Thing", "friends"))), "[a, b]");
  EXPECT_EQ(sn.format(sn.get(t, 71, env.attr("Thing", "nums"))), "[1, 3]"); // the default
  EXPECT_EQ(sn.format(sn.get(t, 71, env.attr("Thing", "tags"))), "[blue]");
  sn.set(t, 71, env.attr("Thing", "friends"), ir::Value::set({ir::Value::entity(t, 70)}));
  EXPECT_EQ(sn.format(sn.get(t, 71, env.attr("Thing", "friends"))), "[x68]");
}

TEST(SnapshotSettings, OverridesAreTypeChecked) {
  Env env(kKinds);
  ASSERT_TRUE(env.snap);
  auto& sn = *env.snap;
  int32_t limit = env.policy().find_setting("limit");
  EXPECT_EQ(sn.setting(limit), ir::Value::integer(3));
  std::string err;
  EXPECT_TRUE(sn.set_setting("limit", std::string("12"), &err)) << err;
  EXPECT_EQ(sn.setting(limit), ir::Value::integer(12));
  EXPECT_TRUE(sn.set_setting("limit", ir::Value::integer(4), &err)) << err;
  EXPECT_EQ(sn.setting(limit), ir::Value::integer(4));
  EXPECT_FALSE(sn.set_setting("limit", ir::Value::boolean(true), &err));
  EXPECT_EQ(err, "setting 'limit' has type int; true is not a int");
  EXPECT_FALSE(sn.set_setting("limit", std::string("many"), &err));
  EXPECT_EQ(err, "setting 'limit': 'many' is not an int");
  EXPECT_FALSE(sn.set_setting("limt", std::string("1"), &err));
  EXPECT_EQ(err, "unknown setting 'limt' (did you mean 'limit'?)");
  EXPECT_TRUE(sn.set_setting("colors", std::string("[blue, Color.green]"), &err)) << err;
  EXPECT_EQ(sn.format(sn.setting(env.policy().find_setting("colors"))), "[green, blue]");
  EXPECT_FALSE(sn.set_setting("colors", std::string("[bleu]"), &err));
  EXPECT_EQ(err, "setting 'colors': unknown Color member 'bleu' (did you mean 'blue'?)");
  EXPECT_EQ(sn.setting(limit), ir::Value::integer(4)); // unchanged by the failures
}

TEST(SnapshotValues, TextParsesByType) {
  Env env(kKinds);
  ASSERT_TRUE(env.snap);
  auto& sn = *env.snap;
  auto& types = env.result->policy->types;
  auto parse = [&](ir::TypeId t, const char* text) {
    std::string err;
    auto v = rt::parse_value_text(sn, t, text, err);
    return v ? sn.format(*v) : "error: " + err;
  };
  ir::TypeId thing = types.entity_type(env.type("Thing"));
  EXPECT_EQ(parse(ir::TypeTable::kInt, "-12"), "-12");
  EXPECT_EQ(parse(ir::TypeTable::kInt, "12x"), "error: '12x' is not an int");
  EXPECT_EQ(parse(ir::TypeTable::kBool, "false"), "false");
  EXPECT_EQ(parse(ir::TypeTable::kDate, "2024-02-29"), "2024-02-29");
  EXPECT_EQ(parse(ir::TypeTable::kDate, "2023-02-29"),
            "error: '2023-02-29' is not a date (YYYY-MM-DD)");
  EXPECT_EQ(parse(ir::TypeTable::kString, "hello"), "\"hello\"");
  EXPECT_EQ(parse(thing, "Thing.b"), "b");
  EXPECT_EQ(parse(thing, "zzz"), "error: unknown Thing 'zzz'");
  EXPECT_EQ(parse(types.optional_of(thing), "none"), "none");
  EXPECT_EQ(parse(types.set_of(thing), "[b, a]"), "[a, b]");
  EXPECT_EQ(parse(types.set_of(ir::TypeTable::kString), "[\"x, y\", z]"), "[\"x, y\", \"z\"]");
  EXPECT_EQ(parse(types.set_of(ir::TypeTable::kInt), "[]"), "[]");
}

TEST(SnapshotValues, RuntimeValuesConvertAndCompare) {
  Env env(kKinds);
  ASSERT_TRUE(env.snap);
  auto& sn = *env.snap;
  auto& types = env.result->policy->types;
  int32_t t = env.type("Thing");
  ir::TypeId things = types.set_of(types.entity_type(t));
  ir::Value both = ir::Value::set({ir::Value::entity(t, 1), ir::Value::entity(t, 0)});
  rt::RtValue bits = rt::to_rt(both, things, sn);
  EXPECT_EQ(bits.kind, rt::RtKind::Bits);
  EXPECT_EQ(rt::rt_count(bits), 2u);
  auto elems = rt::rt_elements(bits, types.entity_type(t), sn);
  ASSERT_EQ(elems.size(), 2u);
  EXPECT_EQ(elems[0].num, 0);
  EXPECT_EQ(rt::to_ir(bits), both);
  // An attribute's bitset row, borrowed: equal by content to the owned set.
  const auto& friends = sn.table(t).columns[static_cast<size_t>(env.attr("Thing", "friends"))];
  rt::RtValue row = rt::RtValue::bits_view(t, false, friends.bits_row(1), friends.stride);
  EXPECT_TRUE(rt::rt_equal(row, bits));
  EXPECT_TRUE(rt::rt_meets(row, bits));
  EXPECT_TRUE(rt::rt_contains(row, rt::RtValue::entity(t, 0)));
  EXPECT_FALSE(rt::rt_contains(row, rt::RtValue::none()));
  rt::RtValue nums = rt::to_rt(ir::Value::set({ir::Value::integer(3), ir::Value::integer(1)}),
                               types.set_of(ir::TypeTable::kInt), sn);
  EXPECT_EQ(nums.kind, rt::RtKind::Values);
  EXPECT_EQ(rt::rt_format(nums, sn), "[1, 3]");
  EXPECT_TRUE(rt::rt_less(rt::RtValue::none(), rt::RtValue::integer(-5)));
  EXPECT_TRUE(rt::rt_less(rt::RtValue::owned_string("B"), rt::RtValue::owned_string("a")));
  EXPECT_TRUE(rt::rt_equal(rt::RtValue::none(), rt::RtValue::none()));
  EXPECT_FALSE(rt::rt_equal(rt::RtValue::none(), rt::RtValue::integer(0)));
}
