// `keyplan search` end to end: who / what an action allows with one entity
// parameter open, --filter, ACTION *, and the input errors (exit 2).
#include "tests/what_if_support.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

using namespace keyplan::what_if_test;

namespace {

std::vector<std::string> lines(const std::string& s) {
  std::vector<std::string> out;
  std::stringstream ss(s);
  std::string l;
  while (std::getline(ss, l)) out.push_back(l);
  return out;
}

} // namespace

// Seed 002, F-A3: TABLE_2 is Legal's, so only Schmidt may book it.
TEST(Search, WhoCanBookTable2IsSchmidtOnly) {
  auto r = run_keyplan("search " + kSeed002 + " book object=TABLE_2 --today 2026-11-23");
  EXPECT_EQ(r.code, 0) << show(r);
  EXPECT_EQ(r.out, "schmidt\n") << show(r);
}

// Seed 002: Müller (ALL, IT) may book TABLE_1 (IT), not TABLE_2 (Legal).
TEST(Search, WhatMuellerCanBookIsTable1) {
  auto r =
      run_keyplan("search " + kSeed002 + " book user=mueller --today 2026-11-23 --format json");
  EXPECT_EQ(r.code, 0) << show(r);
  auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["action"], "book");
  EXPECT_EQ(j["open"], "object");
  EXPECT_EQ(j["results"], nlohmann::json::array({"TABLE_1"}));
}

// F-A4: inside TABLE_2's two-day priority window groups are ignored: on
// today both tables are Müller's, the day after tomorrow only TABLE_1.
TEST(Search, GivenDateAndSettingsChangeTheResult) {
  auto r = run_keyplan("search " + kOffice + " book user=mueller on=2026-11-23 --today 2026-11-23");
  EXPECT_EQ(lines(r.out), (std::vector<std::string>{"TABLE_1", "TABLE_2"})) << show(r);
  r = run_keyplan("search " + kOffice + " book user=mueller on=2026-11-25 --today 2026-11-23");
  EXPECT_EQ(lines(r.out), (std::vector<std::string>{"TABLE_1"})) << show(r);
  // F-G2: with ALL meaning only its listed members, Schmidt no longer sees
  // the floor (ALL), Müller (listed in ALL) still does.
  r = run_keyplan("search " + kOffice + " see target=first_floor --set all_is_everyone=false");
  EXPECT_EQ(lines(r.out), (std::vector<std::string>{"mueller"})) << show(r);
}

// Every instance of the open parameter is listed exactly when `decide`
// allows it (the reference path, one request at a time).
TEST(Search, ListsExactlyTheInstancesDecideAllows) {
  for (std::string object : {"TABLE_1", "TABLE_2"}) {
    auto r = run_keyplan("search " + kOffice + " book object=" + object + " --data " + kOfficeData +
                         " --today 2026-11-23 on=2026-11-25");
    ASSERT_EQ(r.code, 0) << show(r);
    auto found = lines(r.out);
    for (std::string user : {"mueller", "schmidt", "rob", "ann"}) {
      auto d = run_keyplan("decide " + kOffice + " book user=" + user + " object=" + object +
                           " --data " + kOfficeData + " --today 2026-11-23 on=2026-11-25");
      bool listed = std::find(found.begin(), found.end(), user) != found.end();
      EXPECT_EQ(listed, d.out == "allow\n") << user << " " << object << "\n" << show(r);
    }
  }
}

TEST(Search, InterpreterAndJitEnginesAgree) {
  auto a = run_keyplan("search " + kOffice + " book object=TABLE_1 --data " + kOfficeData +
                       " --engine interp --today 2026-11-23");
  auto b = run_keyplan("search " + kOffice + " book object=TABLE_1 --data " + kOfficeData +
                       " --engine jit --today 2026-11-23");
  EXPECT_EQ(a.code, 0) << show(a);
  EXPECT_EQ(a.out, b.out);
  EXPECT_EQ(lines(a.out), (std::vector<std::string>{"mueller", "rob"})) << show(a);
}

TEST(Search, FilterRestrictsTheOpenParameter) {
  auto r =
      run_keyplan("search " + kOffice + " book user=mueller on=2026-11-23 --today 2026-11-23 " +
                  "--filter " + quote("object.floor == first_floor and object != TABLE_1"));
  EXPECT_EQ(r.code, 0) << show(r);
  EXPECT_EQ(r.out, "TABLE_2\n") << show(r);
  // A filter nothing passes lists nothing (not everything).
  r = run_keyplan("search " + kOffice + " book user=mueller --filter false");
  EXPECT_EQ(r.code, 0) << show(r);
  EXPECT_EQ(r.out, "") << show(r);
}

TEST(Search, BadFilterIsADiagnosticWithCaret) {
  auto r = run_keyplan("search " + kSeed002 + " book user=mueller --filter " +
                       quote("object.flor == first_floor"));
  EXPECT_EQ(r.code, 2) << show(r);
  EXPECT_EQ(r.out, "");
  EXPECT_NE(r.err.find("--filter:2:8: error: entity 'Object' has no attribute 'flor'"),
            std::string::npos)
      << show(r);
  EXPECT_NE(r.err.find("         ^~~~\n"), std::string::npos) << show(r);
  EXPECT_NE(r.err.find("did you mean 'floor'"), std::string::npos) << show(r);
  EXPECT_EQ(r.err.find("never used"), std::string::npos) << show(r); // no noise
}

TEST(Search, NonBooleanFilterIsRejected) {
  auto r = run_keyplan("search " + kSeed002 + " book user=mueller --filter " + quote("1 + 2"));
  EXPECT_EQ(r.code, 2) << show(r);
  EXPECT_NE(r.err.find("returns 'bool', but its body gives 'int'"), std::string::npos) << show(r);
}

TEST(Search, FilterCannotSmuggleADeclaration) {
  auto r = run_keyplan("search " + kSeed002 + " book user=mueller --filter " +
                       quote("true\naction book_all(user: User) = true"));
  EXPECT_EQ(r.code, 2) << show(r);
  EXPECT_NE(r.err.find("expected one boolean expression"), std::string::npos) << show(r);
}

TEST(Search, StarListsTheActionsThatAllow) {
  auto r =
      run_keyplan("search " + kSeed002 + " '*' user=mueller object=TABLE_1 --today 2026-11-23");
  EXPECT_EQ(r.code, 0) << show(r);
  EXPECT_EQ(lines(r.out), (std::vector<std::string>{"see_status", "book"})) << show(r);
  // Schmidt sees the floor's status but may not book IT's table.
  r = run_keyplan("search " + kSeed002 +
                  " '*' user=schmidt object=TABLE_1 --today 2026-11-23 --format json");
  auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["action"], "*");
  EXPECT_EQ(j["open"], "action");
  EXPECT_EQ(j["results"], nlohmann::json::array({"see_status"}));
  // `see` applies to a floor: target=first_floor picks see(User, Floor).
  r = run_keyplan("search " + kSeed002 + " '*' user=mueller target=first_floor");
  EXPECT_EQ(lines(r.out), (std::vector<std::string>{"see"})) << show(r);
}

TEST(Search, InputErrorsExitTwoWithDidYouMean) {
  struct Case {
    std::string args, message;
  };
  const std::vector<Case> cases = {
      {"bok user=mueller", "unknown action 'bok' (did you mean 'book'?)"},
      {"book usr=mueller", "has no parameter 'usr' (did you mean 'user'?)"},
      {"book", "leaves 2 parameters open (user, object)"},
      {"book user=mueller object=TABLE_1", "every parameter of book"},
      {"book user=ghost", "unknown User 'ghost'"},
      {"see user=mueller", "ambiguous"},
      {"'*' usr=mueller", "no action has a parameter 'usr' (did you mean 'user'?)"},
      {"book user=mueller user=schmidt", "gives 'user' again"},
      {"book mueller", "expected name=value"},
      {"'*' user=mueller --filter true", "ACTION * has none"},
  };
  for (const auto& c : cases) {
    auto r = run_keyplan("search " + kSeed002 + " " + c.args);
    EXPECT_EQ(r.code, 2) << c.args << "\n" << show(r);
    EXPECT_EQ(r.out, "") << c.args;
    EXPECT_NE(r.err.find(c.message), std::string::npos) << c.args << "\n" << show(r);
  }
}

TEST(Search, JsonStaysValidForHostileIds) {
  Scratch s;
  auto data = s.write("hostile.yaml", "User:\n"
                                      "  - {id: \"q\\\"uote</script>\", groups: [IT]}\n"
                                      "  - {id: \"nl\\nline\\u001b[31m\", groups: [IT]}\n"
                                      "  - {id: \"bad\\xff\", groups: [IT]}\n");
  auto r =
      run_keyplan("search " + kSeed002 + " book object=TABLE_1 --format json --today 2026-11-23 " +
                  "--data " + quote(data.string()));
  ASSERT_EQ(r.code, 0) << show(r);
  nlohmann::json j;
  ASSERT_NO_THROW(j = nlohmann::json::parse(r.out)) << r.out;
  EXPECT_EQ(j["results"].size(), 4u) << r.out; // mueller and the three
  EXPECT_NE(r.out.find("q\\\"uote</script>"), std::string::npos) << r.out;
  // The text form never writes a raw control sequence to the terminal.
  r = run_keyplan("search " + kSeed002 + " book object=TABLE_1 --today 2026-11-23 --data " +
                  quote(data.string()));
  EXPECT_EQ(r.out.find('\x1b'), std::string::npos) << r.out;
  EXPECT_EQ(lines(r.out).size(), 4u) << r.out;
}

TEST(Search, OutputFileIsWritten) {
  Scratch s;
  auto r = run_keyplan("search " + kSeed002 + " book object=TABLE_2 -o " +
                       quote((s.dir / "who.txt").string()));
  EXPECT_EQ(r.code, 0) << show(r);
  EXPECT_EQ(r.out, "");
  EXPECT_EQ(read(s.dir / "who.txt"), "schmidt\n");
}

// std.desk_booking overloads `see` by the target's type (Building, Floor):
// with only the user given the open parameter is ambiguous, said so with
// the overloads and how to choose one (exit 2, nothing on stdout).
TEST(Search, OverloadedActionWithAmbiguousOpenParameterSaysHowToChoose) {
  auto r = run_keyplan("search " + kSeed002 + " see user=mueller --today 2026-11-23");
  EXPECT_EQ(r.code, 2) << show(r);
  EXPECT_EQ(r.out, "");
  EXPECT_NE(r.err.find("see(user: User, target: Building)"), std::string::npos) << show(r);
  EXPECT_NE(r.err.find("see(user: User, target: Floor)"), std::string::npos) << show(r);
  EXPECT_NE(r.err.find("--open target:Building or --open target:Floor"), std::string::npos)
      << show(r);
}

// --open NAME:TYPE (or the type alone) chooses the overload (F-A2, F-A5):
// Müller (ALL) sees the building and the floor (both ALL).
TEST(Search, OpenWithTypeChoosesTheOverload) {
  auto r = run_keyplan("search " + kSeed002 +
                       " see user=mueller --open target:Floor --today 2026-11-23 --format json");
  ASSERT_EQ(r.code, 0) << show(r);
  auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["open"], "target");
  EXPECT_EQ(j["results"], nlohmann::json::array({"first_floor"}));
  r = run_keyplan("search " + kSeed002 + " see user=mueller --open Building --today 2026-11-23");
  EXPECT_EQ(r.code, 0) << show(r);
  EXPECT_EQ(r.out, "example_building\n") << show(r);
  // With the type chosen, --filter types the open parameter as that type.
  r = run_keyplan("search " + kSeed002 +
                  " see user=mueller --open target:Floor --filter 'target.building == "
                  "example_building' --today 2026-11-23");
  EXPECT_EQ(r.code, 0) << show(r);
  EXPECT_EQ(r.out, "first_floor\n") << show(r);
  // A type no overload has there, an unknown type: exit 2.
  r = run_keyplan("search " + kSeed002 + " see user=mueller --open target:Object");
  EXPECT_EQ(r.code, 2) << show(r);
  EXPECT_NE(r.err.find("target:Building, target:Floor"), std::string::npos) << show(r);
  r = run_keyplan("search " + kSeed002 + " see user=mueller --open target:Flor");
  EXPECT_EQ(r.code, 2) << show(r);
  EXPECT_NE(r.err.find("did you mean 'Floor'"), std::string::npos) << show(r);
}
