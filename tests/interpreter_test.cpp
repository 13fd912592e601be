// The reference interpreter: the semantics of every IR op (the JIT must
// match these bit for bit), the desk-booking model's DOMAIN rules, and
// explanations. Request resolution is tested at the end (Request*).
#include "compiler/compile.hpp"
#include "runtime/data_loader.hpp"
#include "runtime/interpreter.hpp"
#include "runtime/request.hpp"
#include "runtime/value_text.hpp"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

using namespace keyplan;

namespace {

int64_t day(const char* text) {
  int64_t d = 0;
  EXPECT_TRUE(ir::parse_date(text, d)) << text;
  return d;
}

// A compiled policy and its snapshot (which points to the policy).
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
  rt::Snapshot& snapshot() { return *snap; }

  void load(const std::string& yaml) {
    Diagnostics d;
    EXPECT_TRUE(rt::load_data(*snap, yaml, "data.yaml", d, *result->sources))
        << d.render_text(*result->sources);
  }
  // Rule `name` (first overload) on arguments written as text.
  rt::Decision call(const std::string& name, const std::vector<std::string>& args = {},
                    int64_t today = day("2026-11-23"), bool explain = false) {
    auto rules = policy().find_rules(name);
    if (rules.empty()) {
      ADD_FAILURE() << "no rule " << name;
      return {};
    }
    const ir::Rule& r = policy().rules[static_cast<size_t>(rules[0])];
    std::vector<rt::RtValue> rt_args;
    for (size_t i = 0; i < args.size(); ++i) {
      std::string err;
      auto v = rt::parse_value_text(*snap, r.params[i].type, args[i], err);
      EXPECT_TRUE(v) << err;
      rt_args.push_back(rt::to_rt(v.value_or(ir::Value{}), r.params[i].type, *snap));
    }
    return rt::evaluate(policy(), *snap, rules[0], rt_args, {today, explain});
  }
  std::string value(const std::string& name, const std::vector<std::string>& args = {}) {
    auto d = call(name, args);
    return d.error.empty() ? snap->format(d.value) : "error: " + d.error;
  }
  std::unique_ptr<CompileResult> result;
  std::unique_ptr<rt::Snapshot> snap;
};

// Declarations shared by the op tests: a location tree of one self-parented
// type, enums, optionals and sets of every representation.
const char* kOps = R"(
enum Color { red, green, blue }
entity Site {
  parent up: Site?
  n: int = 0
  tags: set<Color> = []
  nums: set<int> = []
  words: set<string> = []
  label: string?
  flag: bool = false
  on: date?
}
Site root {
  n: 1  tags: [red, blue]  nums: [1, 2, 3]  words: ["b", "a"]  label: "top"  flag: true
  Site mid {
    n: 2  tags: [green]
    Site leaf { n: 3  nums: [3, 4]  on: 2026-01-31 }
  }
}
Site other { n: 4 }
)";

struct Case {
  std::string rule; // declared after kOps; the probe is named `p`
  std::vector<std::string> args;
  std::string expected;
};

void run_cases(const std::vector<Case>& cases) {
  for (const auto& c : cases) {
    Env env(std::string(kOps) + c.rule + "\n");
    if (!env.snap) continue;
    EXPECT_EQ(env.value("p", c.args), c.expected) << c.rule;
  }
}

} // namespace

TEST(InterpOps, IntArithmeticWrapsAndIsTotal) {
  run_cases({
      {"rule p(x: int, y: int) = x + y", {"9223372036854775807", "1"}, "-9223372036854775808"},
      {"rule p(x: int, y: int) = x - y", {"-9223372036854775808", "1"}, "9223372036854775807"},
      {"rule p(x: int, y: int) = x * y", {"4611686018427387904", "2"}, "-9223372036854775808"},
      {"rule p(x: int) = -x", {"-9223372036854775808"}, "-9223372036854775808"},
      {"rule p(x: int, y: int) = x / y", {"7", "0"}, "0"},
      {"rule p(x: int, y: int) = x % y", {"7", "0"}, "0"},
      {"rule p(x: int, y: int) = x / y", {"-7", "2"}, "-3"},
      {"rule p(x: int, y: int) = x % y", {"-7", "2"}, "-1"},
      {"rule p(x: int, y: int) = x / y", {"-9223372036854775808", "-1"}, "-9223372036854775808"},
      {"rule p(x: int, y: int) = x % y", {"-9223372036854775808", "-1"}, "0"},
  });
}

TEST(InterpOps, DateArithmetic) {
  run_cases({
      {"rule p(a: date, b: date) = a - b", {"2026-03-01", "2026-02-01"}, "28"},
      {"rule p(a: date, b: date) = a - b", {"2024-02-01", "2024-03-01"}, "-29"},
      {"rule p(a: date, n: int) = a + n", {"2026-12-31", "1"}, "2027-01-01"},
      {"rule p(a: date, n: int) = n + a", {"2026-12-31", "1"}, "2027-01-01"},
      {"rule p(a: date, n: int) = a - n", {"2026-03-01", "1"}, "2026-02-28"},
      {"rule p() = today", {}, "2026-11-23"},
  });
}

TEST(InterpOps, ComparisonsAndOrder) {
  run_cases({
      {"rule p(a: int, b: int) = a < b", {"-1", "0"}, "true"},
      {"rule p(a: int, b: int) = a >= b", {"0", "0"}, "true"},
      {"rule p(a: date, b: date) = a > b", {"2026-01-02", "2026-01-01"}, "true"},
      {"rule p(a: Color, b: Color) = a < b", {"red", "blue"}, "true"},
      {"rule p(a: Color, b: Color) = a <= b", {"blue", "green"}, "false"},
      // Strings compare bytewise: upper case before lower case, UTF-8 last.
      {"rule p(a: string, b: string) = a < b", {"B", "a"}, "true"},
      {"rule p(a: string, b: string) = a > b", {"ä", "z"}, "true"},
      {"rule p(a: string, b: string) = a == b", {"x", "x"}, "true"},
      {"rule p(a: Site, b: Site) = a != b", {"root", "mid"}, "true"},
      {"rule p(a: set<int>, b: set<int>) = a == b", {"[2, 1]", "[1, 2, 2]"}, "true"},
      {"rule p(a: set<Color>, b: set<Color>) = a == b", {"[red]", "[red, blue]"}, "false"},
  });
}

TEST(InterpOps, ShortCircuitLeftToRight) {
  run_cases({
      {"rule p(a: bool, b: bool) = a and b", {"true", "false"}, "false"},
      {"rule p(a: bool, b: bool) = a or b", {"false", "true"}, "true"},
      {"rule p(a: bool, b: bool) = a implies b", {"false", "false"}, "true"},
      {"rule p(a: bool, b: bool) = a implies b", {"true", "false"}, "false"},
      {"rule p(a: bool) = not a", {"true"}, "false"},
      {"rule p(a: bool) = if a then 1 else 2", {"false"}, "2"},
  });
  // The right operand is not evaluated: it is absent from the explanation.
  Env env(std::string(kOps) + "rule p(a: bool, s: Site) = a and s.flag\n");
  auto d = env.call("p", {"false", "root"}, day("2026-11-23"), true);
  ASSERT_TRUE(d.explanation);
  const auto& conj = d.explanation->root.kids.at(0);
  EXPECT_EQ(conj.op, "and");
  ASSERT_EQ(conj.kids.size(), 1u);
  EXPECT_EQ(conj.kids[0].text, "a");
}

TEST(InterpOps, OptionalsPropagateThroughAttr) {
  run_cases({
      {"rule p(s: Site) = s.up.n", {"root"}, "none"},
      {"rule p(s: Site) = s.up.up.n", {"leaf"}, "1"},
      {"rule p(s: Site) = s.up.up.up.up.n ?? 7", {"leaf"}, "7"},
      {"rule p(s: Site) = s.up == none", {"root"}, "true"},
      {"rule p(s: Site) = s.up == s", {"root"}, "false"},
      {"rule p(s: Site) = s.up != none", {"mid"}, "true"},
      {"rule p(s: Site) = s.up == root", {"mid"}, "true"},
      {"rule p(s: Site) = s.label ?? \"-\"", {"mid"}, "\"-\""},
      {"rule p(s: Site) = s.label", {"root"}, "\"top\""},
      {"rule p(s: Site) = s.up.label == none", {"mid"}, "false"},
      {"rule p(s: Site) = s.on in [2026-01-31]", {"root"}, "false"},
      {"rule p(s: Site) = s.on in [2026-01-31]", {"leaf"}, "true"},
      {"rule p(s: Site) = s.up in [root, mid]", {"root"}, "false"},
  });
}

TEST(InterpOps, SetsAsBitsetsAndSortedValues) {
  run_cases({
      {"rule p(s: Site) = blue in s.tags", {"root"}, "true"},
      {"rule p(s: Site) = green in s.tags", {"root"}, "false"},
      {"rule p(s: Site, t: Site) = s.tags meets t.tags", {"root", "mid"}, "false"},
      {"rule p(s: Site, t: Site) = s.nums meets t.nums", {"root", "leaf"}, "true"},
      {"rule p(s: Site, t: Site) = s.nums intersect t.nums", {"root", "leaf"}, "[3]"},
      {"rule p(s: Site, t: Site) = s.nums union t.nums", {"root", "leaf"}, "[1, 2, 3, 4]"},
      {"rule p(s: Site, t: Site) = s.nums except t.nums", {"root", "leaf"}, "[1, 2]"},
      {"rule p(s: Site, t: Site) = s.tags union t.tags", {"root", "mid"}, "[red, green, blue]"},
      {"rule p(s: Site) = s.tags except [red]", {"root"}, "[blue]"},
      {"rule p(s: Site) = s.tags intersect [red, green]", {"root"}, "[red]"},
      {"rule p(s: Site) = \"a\" in s.words", {"root"}, "true"},
      {"rule p(s: Site) = count(s.words)", {"root"}, "2"},
      {"rule p(a: int, b: int) = [a, b, a]", {"2", "1"}, "[1, 2]"},
      {"rule p(s: Site) = [s, root]", {"root"}, "[root]"},
      {"rule p() = count(Site)", {}, "4"},
      {"rule p() = Site", {}, "[root, mid, leaf, other]"},
      {"rule p(s: Site) = s in Site", {"other"}, "true"},
  });
}

TEST(InterpOps, CountMaxMin) {
  run_cases({
      {"rule p(s: Site) = max(s.nums)", {"root"}, "3"},
      {"rule p(s: Site) = min(s.nums)", {"leaf"}, "3"},
      {"rule p(s: Site) = max(s.nums)", {"other"}, "none"},
      {"rule p(s: Site) = min(s.tags)", {"other"}, "none"},
      {"rule p(s: Site) = max(s.tags)", {"root"}, "blue"},
      {"rule p(s: Site) = min(s.tags)", {"root"}, "red"},
      {"rule p(s: Site) = max(s.words)", {"root"}, "\"b\""},
      {"rule p(s: Site) = count(s.tags)", {"root"}, "2"},
      {"rule p(a: int, b: int) = max(a, b)", {"3", "-4"}, "3"},
      {"rule p(a: date, b: date) = min(a, b)", {"2026-01-02", "2025-12-31"}, "2025-12-31"},
      {"rule p(a: Color, b: Color) = max(a, b)", {"green", "red"}, "green"},
      {"rule p() = max({x.n for x in Site})", {}, "4"},
  });
}

TEST(InterpOps, QuantifiersMapFilter) {
  run_cases({
      {"rule p() = any x in Site: x.n > 3", {}, "true"},
      {"rule p() = all x in Site: x.n > 0", {}, "true"},
      {"rule p(s: Site) = any x in s.nums: x > 5", {"root"}, "false"},
      {"rule p(s: Site) = all c in s.tags: c != green", {"root"}, "true"},
      {"rule p(s: Site) = any c in s.tags: true", {"other"}, "false"},
      {"rule p(s: Site) = all c in s.tags: false", {"other"}, "true"},
      {"rule p() = {x.n * 10 for x in Site where x.flag}", {}, "[10]"},
      {"rule p() = {x.n for x in Site}", {}, "[1, 2, 3, 4]"},
      {"rule p() = {x in Site where x.n % 2 == 0}", {}, "[mid, other]"},
      {"rule p(s: Site) = {c in s.tags where c != red}", {"root"}, "[blue]"},
      {"rule p() = {x.up ?? x for x in Site}", {}, "[root, mid, other]"},
      {"rule p() = all x in Site: any y in Site: x.n <= y.n", {}, "true"},
  });
}

TEST(InterpOps, WithinWalksTheParentChain) {
  run_cases({
      {"rule p(a: Site, b: Site) = a within b", {"leaf", "root"}, "true"},
      {"rule p(a: Site, b: Site) = a within b", {"leaf", "leaf"}, "true"},
      {"rule p(a: Site, b: Site) = a within b", {"root", "leaf"}, "false"},
      {"rule p(a: Site, b: Site) = a within b", {"other", "root"}, "false"},
      {"rule p(a: Site) = a.up within root", {"root"}, "false"},
  });
}

TEST(InterpOps, CallsOverloadsAndSettings) {
  run_cases({
      {"rule twice(x: int) = x * 2\nrule p(x: int) = twice(twice(x))", {"3"}, "12"},
      {"rule f(x: int) = 1\nrule f(x: Color) = 2\nrule p() = f(red) * 10 + f(5)", {}, "21"},
      {"setting limit: int = 3\nrule p(x: int) = x < limit", {"2"}, "true"},
      {"setting limit: int = 3\nset limit = 1\nrule p(x: int) = x < limit", {"2"}, "false"},
  });
  Env env(std::string(kOps) + "setting limit: int = 3\nrule p(x: int) = x < limit\n");
  std::string err;
  ASSERT_TRUE(env.snapshot().set_setting("limit", std::string("10"), &err)) << err;
  EXPECT_EQ(env.value("p", {"5"}), "true");
}

TEST(InterpOps, AllOfIncludesDataInstances) {
  Env env(std::string(kOps) + "rule p() = count(Site)\nrule q(s: Site) = s within root\n");
  env.load("Site:\n  - {id: extra, up: leaf, n: 9}\n");
  EXPECT_EQ(env.value("p"), "5");
  EXPECT_EQ(env.value("q", {"extra"}), "true");
}

TEST(InterpOps, FailsClosedOnBadArguments) {
  Env env(std::string(kOps) + "rule p(s: Site) = s.flag\n");
  int32_t p = env.policy().find_rules("p")[0];
  auto d = rt::evaluate(env.policy(), env.snapshot(), p, {rt::RtValue::entity(0, 99)});
  EXPECT_FALSE(d.allowed);
  EXPECT_NE(d.error.find("argument 's' of p(s: Site) is not a Site"), std::string::npos) << d.error;
  d = rt::evaluate(env.policy(), env.snapshot(), p, {});
  EXPECT_FALSE(d.allowed);
  EXPECT_NE(d.error.find("takes 1 argument"), std::string::npos) << d.error;
  d = rt::evaluate(env.policy(), env.snapshot(), p, {rt::RtValue::none()});
  EXPECT_FALSE(d.allowed);
  EXPECT_FALSE(d.error.empty());
}

// ------------------------------------------------------------ desk model

namespace {

std::string read(const std::filesystem::path& p) {
  std::ifstream in(p);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

std::filesystem::path data(const std::string& name) {
  return std::filesystem::path(KEYPLAN_TEST_DATA) / "runtime" / name;
}

struct Desk : Env {
  Desk() : Env(read(data("worked_example.kp")), data("worked_example.kp").string()) {}
  rt::Decision ask(const std::string& action, std::map<std::string, std::string> args,
                   const char* today = "2026-11-23", bool explain = false) {
    return rt::decide(policy(), snapshot(), action, args, {day(today), explain});
  }
  bool allows(const std::string& action, std::map<std::string, std::string> args,
              const char* today = "2026-11-23") {
    auto d = ask(action, std::move(args), today);
    EXPECT_TRUE(d.error.empty()) << d.error;
    return d.allowed;
  }
};

} // namespace

TEST(InterpDesk, F_A3_ObjectWhitelist) {
  Desk desk;
  EXPECT_TRUE(desk.allows("book", {{"user", "mueller"}, {"object", "TABLE_1"}}));
  EXPECT_FALSE(desk.allows("book", {{"user", "mueller"}, {"object", "TABLE_2"}}));
}

TEST(InterpDesk, F_A8_StatusVisibleWithoutBookingRight) {
  Desk desk;
  EXPECT_TRUE(desk.allows("see_status", {{"user", "mueller"}, {"object", "TABLE_2"}}));
}

TEST(InterpDesk, F_A4_PriorityWindowIsTodayToTodayPlusNMinusOne) {
  Desk desk;
  desk.load("Object:\n  - {id: TABLE_2, ignore_groups_within: 3}\n");
  auto books = [&](const char* on) {
    return desk.allows("book", {{"user", "mueller"}, {"object", "TABLE_2"}, {"on", on}});
  };
  EXPECT_FALSE(books("2026-11-22")); // the past is outside the window
  EXPECT_TRUE(books("2026-11-23"));  // today
  EXPECT_TRUE(books("2026-11-25"));  // today + N - 1
  EXPECT_FALSE(books("2026-11-26")); // today + N: whitelist again
  desk.load("Object:\n  - {id: TABLE_2, ignore_groups_within: 0}\n");
  EXPECT_FALSE(books("2026-11-23")); // N = 0 turns it off
}

TEST(InterpDesk, F_A9_PublishedAndFlexible) {
  Desk desk;
  desk.load("Floor:\n  - {id: first_floor, published: false}\n");
  EXPECT_FALSE(desk.allows("book", {{"user", "mueller"}, {"object", "TABLE_1"}}));
  Desk d2;
  d2.load("Object:\n  - {id: TABLE_1, status: blocked}\n");
  EXPECT_FALSE(d2.allows("book", {{"user", "mueller"}, {"object", "TABLE_1"}}));
  EXPECT_TRUE(d2.allows("see_status", {{"user", "mueller"}, {"object", "TABLE_1"}}));
}

TEST(InterpDesk, F_G2_AllIsEveryoneSetting) {
  Desk desk;
  // Schmidt does not list ALL; the floor has ALL.
  EXPECT_TRUE(desk.allows("see", {{"user", "schmidt"}, {"target", "first_floor"}}));
  ASSERT_TRUE(desk.snapshot().set_setting("all_is_everyone", std::string("false")));
  EXPECT_FALSE(desk.allows("see", {{"user", "schmidt"}, {"target", "first_floor"}}));
}

TEST(InterpDesk, F_A2_FloorNeedsBuilding) {
  Desk desk;
  desk.load("Building:\n  - {id: example_building, groups: [IT]}\n");
  EXPECT_FALSE(desk.allows("see", {{"user", "schmidt"}, {"target", "first_floor"}}));
  ASSERT_TRUE(desk.snapshot().set_setting("floor_needs_building", std::string("false")));
  EXPECT_TRUE(desk.allows("see", {{"user", "schmidt"}, {"target", "first_floor"}}));
}

TEST(InterpDesk, DataUsersAndWithinAcrossTypes) {
  Desk desk;
  desk.load("User:\n  - {id: rob, groups: [IT]}\nObject:\n  - {id: TABLE_3, floor: first_floor, "
            "groups: [IT]}\n");
  EXPECT_TRUE(desk.allows("book", {{"user", "rob"}, {"object", "TABLE_3"}}));
  EXPECT_FALSE(desk.allows("book", {{"user", "schmidt"}, {"object", "TABLE_3"}}));
}

// ----------------------------------------------------------- explanations

namespace {

const rt::Explanation& explained(const rt::Decision& d) {
  EXPECT_TRUE(d.explanation) << d.error;
  static const rt::Explanation empty;
  return d.explanation ? *d.explanation : empty;
}

std::vector<std::string> changes(const rt::Decision& d) {
  std::vector<std::string> out;
  for (const auto& r : explained(d).reasons)
    if (!r.change.empty()) out.push_back(r.change);
  return out;
}

bool has(const std::vector<std::string>& v, const std::string& s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

} // namespace

// The golden text of a denial: Schmidt books the IT desk outside any
// priority window (F-A3, F-A4). Regenerate with KEYPLAN_UPDATE_GOLDEN=1 and
// read the diff.
TEST(InterpExplain, GoldenDenial_F_A3_F_A4) {
  Desk desk;
  auto d = desk.ask("book", {{"user", "schmidt"}, {"object", "TABLE_1"}}, "2026-11-23", true);
  EXPECT_FALSE(d.allowed);
  std::string text = rt::render_text(explained(d));
  auto golden = data("explain_deny.expected");
  if (std::getenv("KEYPLAN_UPDATE_GOLDEN")) std::ofstream(golden) << text;
  EXPECT_EQ(text, read(golden));
}

TEST(InterpExplain, MissingGroupNamesTheGroups_F_A3) {
  Desk desk;
  auto d = desk.ask("book", {{"user", "schmidt"}, {"object", "TABLE_1"}}, "2026-11-23", true);
  const auto& ex = explained(d);
  EXPECT_EQ(ex.call, "book(user = schmidt, object = TABLE_1, on = 2026-11-23)");
  EXPECT_TRUE(has(changes(d), "groups_of(schmidt) needs one of [IT]"));
  ASSERT_FALSE(ex.reasons.empty());
  EXPECT_EQ(ex.reasons[0].text, "groups_of(u) meets whitelist");
  EXPECT_TRUE(has(ex.reasons[0].details, "no common element"));
  EXPECT_TRUE(has(ex.reasons[0].details, "whitelist = [IT]"));
  EXPECT_EQ(ex.reasons[0].via, (std::vector<std::string>{"book", "admitted"}));
  EXPECT_TRUE(has(ex.reasons[0].implements, "F-A3"));
}

TEST(InterpExplain, UnpublishedFloorMustBePublished_F_A9) {
  Desk desk;
  desk.load("Floor:\n  - {id: first_floor, published: false}\n");
  auto d = desk.ask("book", {{"user", "mueller"}, {"object", "TABLE_1"}}, "2026-11-23", true);
  EXPECT_FALSE(d.allowed);
  EXPECT_EQ(changes(d), std::vector<std::string>{"Floor first_floor must be published"});
  EXPECT_TRUE(has(explained(d).reasons.at(0).details, "Floor first_floor.published = false"));
}

TEST(InterpExplain, BlockedObjectMustBeFlexible_F_A9) {
  Desk desk;
  desk.load("Object:\n  - {id: TABLE_1, status: blocked}\n");
  auto d = desk.ask("book", {{"user", "mueller"}, {"object", "TABLE_1"}}, "2026-11-23", true);
  EXPECT_EQ(changes(d),
            std::vector<std::string>{"Object TABLE_1.status must be flexible (is blocked)"});
}

TEST(InterpExplain, AllowListsTheDecidingClausesWithoutChanges) {
  Desk desk;
  auto d = desk.ask("book", {{"user", "mueller"}, {"object", "TABLE_1"}}, "2026-11-23", true);
  ASSERT_TRUE(d.allowed);
  const auto& ex = explained(d);
  EXPECT_TRUE(ex.allowed);
  EXPECT_TRUE(changes(d).empty());
  EXPECT_FALSE(ex.reasons.empty());
  std::string text = rt::render_text(ex, {.unicode = false});
  EXPECT_EQ(text.rfind("allow book(user = mueller", 0), 0u) << text;
  EXPECT_NE(text.find("because:"), std::string::npos);
  EXPECT_EQ(text.find("✓"), std::string::npos);
}

TEST(InterpExplain, JsonHasTreeReasonsAndDomainIds) {
  Desk desk;
  auto d = desk.ask("see", {{"user", "schmidt"}, {"target", "first_floor"}}, "2026-11-23", true);
  ASSERT_TRUE(d.allowed);
  auto j = rt::to_json(explained(d), desk.result->sources.get());
  EXPECT_EQ(j["decision"], "allow");
  EXPECT_EQ(j["tree"]["kind"], "rule");
  EXPECT_EQ(j["tree"]["signature"], "see(user: User, target: Floor)");
  EXPECT_EQ(j["tree"]["implements"][0], "F-A2");
  EXPECT_EQ(j["tree"]["args"][1]["value"], "first_floor");
  EXPECT_EQ(j["tree"]["kids"][0]["op"], "and");
  EXPECT_TRUE(j["tree"]["kids"][0]["truth"].get<bool>());
  EXPECT_TRUE(j["reasons"].is_array());
  EXPECT_TRUE(j["tree"]["span"]["file"].get<std::string>().ends_with("desk_booking.kp"));
}

TEST(InterpExplain, NotInIsOneClause) {
  Env env(std::string(kOps) + "action p(c: Color, s: Site) = c not in s.tags\n");
  auto d = env.call("p", {"red", "root"}, day("2026-11-23"), true);
  const auto& n = explained(d).root.kids.at(0);
  EXPECT_EQ(n.op, "not in");
  EXPECT_TRUE(n.kids.empty());
  EXPECT_TRUE(has(n.details, "Site root.tags = [red, blue]"));
  EXPECT_EQ(changes(d), std::vector<std::string>{"red must not be in Site root.tags"});
}

TEST(InterpExplain, PlainPathRecordsNothing) {
  Desk desk;
  auto d = desk.ask("book", {{"user", "schmidt"}, {"object", "TABLE_1"}});
  EXPECT_FALSE(d.allowed);
  EXPECT_FALSE(d.explanation);
  EXPECT_TRUE(d.error.empty());
}

TEST(InterpExplain, QuantifiersListDecidingElements) {
  std::string src = "entity T { n: int = 0 }\n";
  for (int i = 0; i < 30; ++i)
    src += "T t" + std::to_string(i) + " { n: " + std::to_string(i) + " }\n";
  src += "action p(k: int) = all x in T: x.n < k\naction q(k: int) = any x in T: x.n == k\n";
  Env env(src);
  auto d = rt::decide(env.policy(), env.snapshot(), "p", {{"k", "25"}}, {day("2026-01-01"), true});
  EXPECT_FALSE(d.allowed);
  const auto& all = explained(d).root.kids.at(0);
  EXPECT_EQ(all.op, "all");
  EXPECT_EQ(all.kids.back().text, "x = t25"); // the failing element is always listed
  EXPECT_EQ(all.kids.size() + static_cast<size_t>(all.omitted), 26u);
  EXPECT_EQ(explained(d).reasons.at(0).text, "x.n < k");
  d = rt::decide(env.policy(), env.snapshot(), "q", {{"k", "99"}}, {day("2026-01-01"), true});
  const auto& any = explained(d).root.kids.at(0);
  EXPECT_EQ(any.omitted, 10);
  EXPECT_TRUE(has(any.details, "no element satisfies it"));
  EXPECT_NE(rt::render_text(explained(d)).find("… 10 more element(s)"), std::string::npos);
}

// ---------------------------------------------------------------- requests

TEST(RequestResolve, PicksTheOverloadByEntityType_F_A1_F_A2) {
  Desk desk;
  auto r = rt::resolve_request(desk.policy(), desk.snapshot(), "see",
                               {{"user", "mueller"}, {"target", "first_floor"}});
  ASSERT_TRUE(r.ok()) << r.error;
  EXPECT_EQ(desk.policy().rules[static_cast<size_t>(r.rule)].signature,
            "see(user: User, target: Floor)");
  r = rt::resolve_request(desk.policy(), desk.snapshot(), "see",
                          {{"user", "mueller"}, {"target", "example_building"}});
  ASSERT_TRUE(r.ok()) << r.error;
  EXPECT_EQ(desk.policy().rules[static_cast<size_t>(r.rule)].signature,
            "see(user: User, target: Building)");
}

TEST(RequestResolve, DefaultsAreEvaluatedAndTextIsTyped) {
  Desk desk;
  auto r = rt::resolve_request(desk.policy(), desk.snapshot(), "book",
                               {{"user", "mueller"}, {"object", "TABLE_1"}}, day("2026-11-23"));
  ASSERT_TRUE(r.ok()) << r.error;
  ASSERT_EQ(r.args.size(), 3u);
  EXPECT_EQ(r.args[2], ir::Value::date(day("2026-11-23"))); // on = today
  r = rt::resolve_request(desk.policy(), desk.snapshot(), "book",
                          {{"user", "User.mueller"}, {"object", "TABLE_1"}, {"on", "2026-12-01"}});
  ASSERT_TRUE(r.ok()) << r.error;
  EXPECT_EQ(r.args[2], ir::Value::date(day("2026-12-01")));
}

TEST(RequestResolve, ErrorsAreStructured) {
  Desk desk;
  desk.load("User:\n  - {id: rob}\n");
  auto check = [&](const std::string& action, std::map<std::string, std::string> args,
                   rt::RequestStatus status, const std::string& error) {
    auto r = rt::resolve_request(desk.policy(), desk.snapshot(), action, args);
    EXPECT_EQ(r.status, status) << rt::status_name(r.status) << ": " << r.error;
    EXPECT_EQ(r.error, error);
  };
  using S = rt::RequestStatus;
  check("bok", {}, S::UnknownAction, "unknown action 'bok' (did you mean 'book'?)");
  check("admitted", {}, S::NotAnAction, "'admitted' is a rule, not an action");
  check("book", {{"usr", "rob"}, {"object", "TABLE_1"}}, S::UnknownParameter,
        "book(user: User, object: Object, on: date) has no parameter 'usr' (did you mean "
        "'user'?)");
  check("book", {{"user", "rob"}}, S::MissingParameter,
        "missing parameter 'object' of book(user: User, object: Object, on: date)");
  check("book", {{"user", "bob"}, {"object", "TABLE_1"}}, S::UnknownInstance,
        "unknown User 'bob' (did you mean 'rob'?)");
  check("book", {{"user", "rob"}, {"object", "TABLE_1"}, {"on", "2026-02-30"}}, S::BadValue,
        "parameter 'on' of book(user: User, object: Object, on: date): '2026-02-30' is not a "
        "date (YYYY-MM-DD)");
  check("see", {{"user", "rob"}, {"target", "TABLE_1"}}, S::NoMatch,
        "no overload of 'see' accepts these arguments: unknown Building 'TABLE_1'; unknown "
        "Floor 'TABLE_1'");
  check("see", {{"user", "bob"}, {"target", "first_floor"}}, S::UnknownInstance,
        "unknown User 'bob' (did you mean 'rob'?)");
}

TEST(RequestResolve, AmbiguityAndQualifiedIds) {
  Desk desk;
  // A data floor whose id is also a building's: `see` cannot choose.
  desk.load("Floor:\n  - {id: example_building, building: example_building}\n");
  auto r = rt::resolve_request(desk.policy(), desk.snapshot(), "see",
                               {{"user", "mueller"}, {"target", "example_building"}});
  EXPECT_EQ(r.status, rt::RequestStatus::Ambiguous);
  EXPECT_EQ(r.error, "ambiguous request for 'see': it matches see(user: User, target: Building) "
                     "and see(user: User, target: Floor)");
  r = rt::resolve_request(desk.policy(), desk.snapshot(), "see",
                          {{"user", "mueller"}, {"target", "Floor.example_building"}});
  ASSERT_TRUE(r.ok()) << r.error;
  EXPECT_EQ(desk.policy().rules[static_cast<size_t>(r.rule)].signature,
            "see(user: User, target: Floor)");
}

TEST(RequestDecide, FailsClosed) {
  Desk desk;
  auto d = desk.ask("book", {{"user", "nobody"}, {"object", "TABLE_1"}}, "2026-11-23", true);
  EXPECT_FALSE(d.allowed);
  EXPECT_EQ(d.error, "unknown User 'nobody'");
  EXPECT_FALSE(d.explanation);
  d = desk.ask("delete_everything", {});
  EXPECT_FALSE(d.allowed);
  EXPECT_EQ(d.error, "unknown action 'delete_everything'");
  d = desk.ask("book", {{"user", "mueller"}, {"object", "TABLE_1"}});
  EXPECT_TRUE(d.allowed);
  EXPECT_EQ(d.args.size(), 3u);
}
