// The roles of the desk-booking model (policies/std/desk_booking.kp, roles
// section) against DOMAIN's F-R1..F-R6, with F-G2 (read-only groups), F-G3
// (hidden groups) and F-G5 (group administrators). One or more tests per
// rule, each named with its id; every role also has its negative tests, the
// privilege-escalation guards (what the role must NOT do). Decisions are
// made by name through rt::decide on a snapshot, with an explicit `today`.
// At the end: the roles report and the shipped scenarios
// (policies/examples/desk_booking_roles).
#include "compiler/compile.hpp"
#include "runtime/data_loader.hpp"
#include "runtime/interpreter.hpp"
#include "runtime/request.hpp"
#include "runtime/snapshot.hpp"
#include "simulator/roles_report.hpp"
#include "simulator/runner.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

using namespace keyplan;
namespace fs = std::filesystem;

namespace {

constexpr const char* kToday = "2026-11-23";

int64_t day(const char* text) {
  int64_t d = 0;
  EXPECT_TRUE(ir::parse_date(text, d)) << text;
  return d;
}

fs::path source_root() {
  return fs::path(KEYPLAN_TEST_DATA).parent_path().parent_path();
}

using Args = std::map<std::string, std::string>;

// The office of the role tests. IT and HR are linked to the building, so
// objects can be accessible through them (F-R2); Munich keeps the defaults.
const char* kOffice = R"(
Group IT
Group HR
Group Legal
Group Wheelchair { hidden: true }
Group Sales { kind: external, administrators: [frieda] }
Group Facility { administrators: [frieda] }

Building hq {
  groups: [ALL, IT, HR]
  Floor ground {
    groups: [ALL, IT]
    Object open_desk
    Object it_desk { groups: [IT] }
    Object blocked_it_desk { groups: [IT], status: blocked }
  }
  Floor hr_floor {
    groups: [HR]
    Object hr_desk { groups: [HR] }
  }
}
Building munich {
  Floor m1 {
    Object m1_desk
    Object sales_desk { groups: [Sales] }
  }
  Floor m2 {
    Object m2_desk
  }
}

User nina { groups: [IT] }
User hanna { groups: [HR] }
User leo { groups: [Legal] }
User frieda
User gustav { groups: [IT], roles: [group_manager], managed_groups: [IT] }
User gabi { roles: [group_manager], managed_groups: [ALL] }
User idle_gm { roles: [group_manager] }
User lars { roles: [location_manager_light], managed_locations: ["hq"] }
User lena { roles: [location_manager_light] }
User lotte { roles: [location_manager], managed_locations: ["m1"] }
User luis { roles: [location_manager] }
User carla { roles: [location_manager_light, group_manager], managed_locations: ["munich"],
             managed_groups: [HR] }
User adam { groups: [IT], roles: [administrator] }
User sofia { roles: [administrator], can_manage_admins: true }
)";

// The admin actions and their parameters beyond `actor` (the contract).
const std::vector<std::pair<std::string, std::vector<std::string>>> kAdminActions = {
    {"admin_area", {}},
    {"book_for", {"user", "object", "on"}},
    {"manage_bookings", {"user", "object"}},
    {"export_bookings", {"floor"}},
    {"edit_object", {"object"}},
    {"edit_plan", {"floor"}},
    {"view_analytics", {"floor"}},
    {"create_location", {}},
    {"delete_location", {"target"}},
    {"edit_user", {"user"}},
    {"invite_user", {}},
    {"delete_user", {"user"}},
    {"assign_roles", {"user"}},
    {"edit_group", {"group"}},
    {"see_group", {"group"}},
    {"global_settings", {}},
};

struct Office {
  explicit Office(const std::string& extra = "") {
    result = std::make_unique<CompileResult>(
        compile_source("client.kp", "import std.desk_booking\n" + std::string(kOffice) + extra));
    if (!result->policy) {
      ADD_FAILURE() << result->diags.render_text(*result->sources);
      return;
    }
    snap = std::make_unique<rt::Snapshot>(*result->policy);
  }
  bool ok() const { return snap != nullptr; }
  const ir::Policy& policy() const { return *result->policy; }

  void load(const std::string& yaml) {
    Diagnostics d;
    EXPECT_TRUE(rt::load_data(*snap, yaml, "tenant.yaml", d, *result->sources))
        << d.render_text(*result->sources);
  }
  void set(const std::string& setting, const std::string& value) {
    std::string err;
    EXPECT_TRUE(snap->set_setting(setting, value, &err)) << err;
  }
  // A request that must resolve.
  bool may(const std::string& action, const Args& args) {
    if (!ok()) return false;
    rt::EvalOptions eo;
    eo.today = day(kToday);
    auto d = rt::decide(policy(), *snap, action, args, eo);
    EXPECT_TRUE(d.error.empty()) << action << ": " << d.error;
    return d.allowed;
  }
  bool may(const std::string& action, const std::string& actor) {
    return may(action, Args{{"actor", actor}});
  }
  bool may(const std::string& action, const std::string& actor, const std::string& key,
           const std::string& value) {
    return may(action, Args{{"actor", actor}, {key, value}});
  }
  bool book_for(const std::string& actor, const std::string& user, const std::string& object) {
    return may("book_for", {{"actor", actor}, {"user", user}, {"object", object}});
  }
  bool manage(const std::string& actor, const std::string& user, const std::string& object) {
    return may("manage_bookings", {{"actor", actor}, {"user", user}, {"object", object}});
  }
  bool edit_user(const std::string& actor, const std::string& user) {
    return may("edit_user", actor, "user", user);
  }
  bool assign_roles(const std::string& actor, const std::string& user) {
    return may("assign_roles", actor, "user", user);
  }
  bool grant(const std::string& actor, const std::string& user, const std::string& role) {
    return may("grant_role", {{"actor", actor}, {"user", user}, {"role", role}});
  }
  bool edit_group(const std::string& actor, const std::string& group) {
    return may("edit_group", actor, "group", group);
  }
  bool see_group(const std::string& actor, const std::string& group) {
    return may("see_group", actor, "group", group);
  }
  bool edit_plan(const std::string& actor, const std::string& floor) {
    return may("edit_plan", actor, "floor", floor);
  }
  bool edit_object(const std::string& actor, const std::string& object) {
    return may("edit_object", actor, "object", object);
  }
  bool analytics(const std::string& actor, const std::string& floor) {
    return may("view_analytics", actor, "floor", floor);
  }
  bool export_bookings(const std::string& actor, const std::string& floor) {
    return may("export_bookings", actor, "floor", floor);
  }
  bool delete_location(const std::string& actor, const std::string& target) {
    return may("delete_location", actor, "target", target);
  }

  std::vector<std::string> ids(const std::string& type) const {
    int32_t t = policy().find_entity(type);
    std::vector<std::string> out;
    for (int32_t r = 0; r < snap->count(t); ++r) out.push_back(snap->id(t, r));
    return out;
  }

  std::unique_ptr<CompileResult> result;
  std::unique_ptr<rt::Snapshot> snap;
};

// Everything a user who holds no role must not do in the admin area: the
// actions that only roles grant, over every target.
void expect_no_administration(Office& o, const std::string& u) {
  EXPECT_FALSE(o.may("admin_area", u)) << u;
  EXPECT_FALSE(o.may("global_settings", u)) << u;
  EXPECT_FALSE(o.may("create_location", u)) << u;
  EXPECT_FALSE(o.may("invite_user", u)) << u;
  for (const auto& f : o.ids("Floor")) {
    EXPECT_FALSE(o.edit_plan(u, f)) << u << " " << f;
    EXPECT_FALSE(o.analytics(u, f)) << u << " " << f;
    EXPECT_FALSE(o.export_bookings(u, f)) << u << " " << f;
    EXPECT_FALSE(o.delete_location(u, "Floor." + f)) << u << " " << f;
  }
  for (const auto& b : o.ids("Building")) EXPECT_FALSE(o.delete_location(u, "Building." + b));
  for (const auto& obj : o.ids("Object")) EXPECT_FALSE(o.edit_object(u, obj)) << u << " " << obj;
  for (const auto& v : o.ids("User")) {
    EXPECT_FALSE(o.assign_roles(u, v)) << u << " " << v;
    EXPECT_FALSE(o.may("delete_user", u, "user", v)) << u << " " << v;
    if (v == u) continue;
    EXPECT_FALSE(o.edit_user(u, v)) << u << " " << v;
    for (const auto& obj : o.ids("Object")) {
      EXPECT_FALSE(o.book_for(u, v, obj)) << u << " " << v << " " << obj;
      EXPECT_FALSE(o.manage(u, v, obj)) << u << " " << v << " " << obj;
    }
  }
}

} // namespace

// ------------------------------------------------------------ vocabulary

TEST(Roles, VocabularyIsTheContract) {
  Office o;
  ASSERT_TRUE(o.ok());
  const auto& p = o.policy();
  int32_t role = p.find_enum("Role");
  ASSERT_GE(role, 0);
  EXPECT_EQ(p.enums[static_cast<size_t>(role)].members,
            (std::vector<std::string>{"group_manager", "location_manager_light", "location_manager",
                                      "administrator"}));
  const auto& user = p.entities[static_cast<size_t>(p.find_entity("User"))];
  const auto& group = p.entities[static_cast<size_t>(p.find_entity("Group"))];
  auto type_of = [&](const ir::EntityType& e, const char* name) {
    int32_t a = e.find_attribute(name);
    return a < 0 ? std::string("<missing>")
                 : p.type_name(e.attributes[static_cast<size_t>(a)].type);
  };
  EXPECT_EQ(type_of(user, "roles"), "set<Role>");
  EXPECT_EQ(type_of(user, "managed_groups"), "set<Group>");
  EXPECT_EQ(type_of(user, "managed_locations"), "set<string>");
  EXPECT_EQ(type_of(user, "can_manage_admins"), "bool");
  EXPECT_EQ(type_of(group, "administrators"), "set<User>");
  EXPECT_EQ(type_of(group, "description"), "string");
  // Every admin action exists, is an action, takes the actor first and has
  // exactly the contract's parameter names.
  for (const auto& [name, params] : kAdminActions) {
    auto rules = p.find_rules(name);
    ASSERT_FALSE(rules.empty()) << name;
    for (int32_t r : rules) {
      const ir::Rule& rule = p.rules[static_cast<size_t>(r)];
      EXPECT_TRUE(rule.is_action) << name;
      std::vector<std::string> names;
      for (const auto& prm : rule.params) names.push_back(prm.name);
      std::vector<std::string> want = {"actor"};
      want.insert(want.end(), params.begin(), params.end());
      EXPECT_EQ(names, want) << rule.signature;
      EXPECT_FALSE(rule.implements.empty()) << rule.signature;
    }
  }
  // A normal user is one with no role: the default.
  int32_t user_t = p.find_entity("User");
  EXPECT_EQ(o.snap->format(
                o.snap->get(user_t, o.snap->find(user_t, "nina"), user.find_attribute("roles"))),
            "[]");
}

// ------------------------------------------------------------------ F-R1

TEST(Roles, F_R1_NormalUserHasNoAdminArea) {
  Office o;
  ASSERT_TRUE(o.ok());
  for (const char* u : {"nina", "hanna", "leo", "frieda"}) expect_no_administration(o, u);
}

TEST(Roles, F_R1_NormalUserBooksAndEditsOnlyForThemself) {
  Office o;
  ASSERT_TRUE(o.ok());
  // Books for herself exactly what `book` allows her.
  EXPECT_TRUE(o.book_for("nina", "nina", "it_desk"));
  EXPECT_TRUE(o.book_for("nina", "nina", "open_desk"));
  EXPECT_FALSE(o.book_for("nina", "nina", "hr_desk"));
  EXPECT_FALSE(o.book_for("nina", "nina", "blocked_it_desk"));
  EXPECT_TRUE(o.manage("nina", "nina", "it_desk"));
  EXPECT_TRUE(o.edit_user("nina", "nina"));
  // Nothing of other users' data.
  EXPECT_FALSE(o.book_for("nina", "hanna", "open_desk"));
  EXPECT_FALSE(o.manage("nina", "hanna", "open_desk"));
  EXPECT_FALSE(o.edit_user("nina", "hanna"));
}

TEST(Roles, F_R1_NormalUserCannotGrantThemselfARole) {
  Office o;
  ASSERT_TRUE(o.ok());
  for (const char* r :
       {"group_manager", "location_manager_light", "location_manager", "administrator"})
    EXPECT_FALSE(o.grant("nina", "nina", r)) << r;
  EXPECT_FALSE(o.assign_roles("nina", "nina"));
}

// ------------------------------------------------------------------ F-R2

TEST(Roles, F_R2_GroupManagerBooksAccessibleObjectsForAssignedUsers) {
  Office o;
  ASSERT_TRUE(o.ok());
  EXPECT_TRUE(o.may("admin_area", "gustav"));
  // it_desk: IT is linked to hq, ground and it_desk; Nina and Adam are in IT.
  EXPECT_TRUE(o.book_for("gustav", "nina", "it_desk"));
  EXPECT_TRUE(o.book_for("gustav", "adam", "it_desk"));
  // Not for users outside his groups.
  EXPECT_FALSE(o.book_for("gustav", "hanna", "it_desk"));
  EXPECT_FALSE(o.book_for("gustav", "leo", "it_desk"));
  // Not objects that are not accessible through IT: open_desk lists only
  // ALL; hr_desk is HR's; m1_desk's building does not list IT.
  EXPECT_FALSE(o.book_for("gustav", "nina", "open_desk"));
  EXPECT_FALSE(o.book_for("gustav", "nina", "hr_desk"));
  EXPECT_FALSE(o.book_for("gustav", "nina", "m1_desk"));
  // F-A9 still holds on behalf of others.
  EXPECT_FALSE(o.book_for("gustav", "nina", "blocked_it_desk"));
  // The same scope for existing bookings (a blocked object's bookings too).
  EXPECT_TRUE(o.manage("gustav", "nina", "it_desk"));
  EXPECT_TRUE(o.manage("gustav", "nina", "blocked_it_desk"));
  EXPECT_FALSE(o.manage("gustav", "hanna", "it_desk"));
  EXPECT_FALSE(o.manage("gustav", "nina", "m1_desk"));
  // Our reading: the two conditions are independent. With IT and HR
  // assigned, an IT-accessible desk may be booked for an HR user.
  o.load("User:\n  - {id: gustav, managed_groups: [IT, HR]}\n");
  EXPECT_TRUE(o.book_for("gustav", "hanna", "it_desk"));
  EXPECT_TRUE(o.book_for("gustav", "nina", "hr_desk"));
  EXPECT_FALSE(o.book_for("gustav", "leo", "it_desk"));
}

TEST(Roles, F_R2_GroupLinkedToBuildingFloorAndObject) {
  // The seed's example: a group assigned to the building, the floor plan and
  // the object; remove it from any one level and the object is no longer
  // accessible through it.
  Office o;
  ASSERT_TRUE(o.ok());
  EXPECT_TRUE(o.book_for("gustav", "nina", "it_desk"));
  for (const char* edit :
       {"Building:\n  - {id: hq, groups: [ALL, HR]}\n", "Floor:\n  - {id: ground, groups: [ALL]}\n",
        "Object:\n  - {id: it_desk, groups: [ALL]}\n"}) {
    Office e;
    ASSERT_TRUE(e.ok());
    e.load(edit);
    EXPECT_FALSE(e.book_for("gustav", "nina", "it_desk")) << edit;
    EXPECT_FALSE(e.manage("gustav", "nina", "it_desk")) << edit;
  }
}

TEST(Roles, F_R2_GroupManagerOfAllManagesAllUsersAndBookings) {
  Office o;
  ASSERT_TRUE(o.ok());
  for (const auto& u : o.ids("User")) {
    if (u == "gabi") continue;
    for (const auto& obj : o.ids("Object")) EXPECT_TRUE(o.manage("gabi", u, obj)) << u << obj;
  }
  // All users, also under the reading where ALL holds only its listed members.
  EXPECT_TRUE(o.edit_user("gabi", "leo"));
  o.set("all_is_everyone", "false");
  EXPECT_TRUE(o.edit_user("gabi", "leo"));
  EXPECT_TRUE(o.manage("gabi", "leo", "hr_desk"));
  EXPECT_TRUE(o.book_for("gabi", "leo", "open_desk"));
  o.set("all_is_everyone", "true");
  // New bookings: objects accessible through ALL (ALL on all three levels).
  EXPECT_TRUE(o.book_for("gabi", "hanna", "open_desk"));
  EXPECT_TRUE(o.book_for("gabi", "hanna", "m2_desk"));
  EXPECT_FALSE(o.book_for("gabi", "hanna", "hr_desk"));  // hr_floor lists only HR
  EXPECT_FALSE(o.book_for("gabi", "nina", "it_desk"));   // it_desk lists only IT
  EXPECT_FALSE(o.book_for("gabi", "leo", "sales_desk")); // Sales only
}

TEST(Roles, F_R2_GroupManagerWithoutGroupsManagesNobody) {
  Office o;
  ASSERT_TRUE(o.ok());
  EXPECT_TRUE(o.may("admin_area", "idle_gm"));
  for (const auto& u : o.ids("User")) {
    if (u == "idle_gm") continue;
    EXPECT_FALSE(o.edit_user("idle_gm", u)) << u;
    for (const auto& obj : o.ids("Object")) {
      EXPECT_FALSE(o.book_for("idle_gm", u, obj)) << u << obj;
      EXPECT_FALSE(o.manage("idle_gm", u, obj)) << u << obj;
    }
  }
}

TEST(Roles, F_R2_GroupManagerEditsProfilesButNotRolesOrGroups) {
  Office o;
  ASSERT_TRUE(o.ok());
  EXPECT_TRUE(o.edit_user("gustav", "nina"));
  EXPECT_FALSE(o.edit_user("gustav", "hanna"));
  // Privilege-escalation guards, also for the ALL group manager.
  for (const char* gm : {"gustav", "gabi"}) {
    for (const auto& u : o.ids("User")) {
      EXPECT_FALSE(o.assign_roles(gm, u)) << gm << " " << u;
      for (const char* r : {"group_manager", "location_manager", "administrator"})
        EXPECT_FALSE(o.grant(gm, u, r)) << gm << " " << u << " " << r;
      EXPECT_FALSE(o.may("delete_user", gm, "user", u)) << gm << " " << u;
    }
    for (const auto& g : o.ids("Group")) EXPECT_FALSE(o.edit_group(gm, g)) << gm << " " << g;
    EXPECT_FALSE(o.may("invite_user", gm)) << gm;
  }
}

TEST(Roles, F_R2_GroupManagerCannotEditAnAdministratorsProfile) {
  // Our reading, a setting: Adam (administrator, in IT) is in Gustav's
  // group, but his profile (his e-mail is his login) is not Gustav's to edit.
  Office o;
  ASSERT_TRUE(o.ok());
  EXPECT_FALSE(o.edit_user("gustav", "adam"));
  EXPECT_FALSE(o.edit_user("gabi", "sofia"));
  EXPECT_TRUE(o.book_for("gustav", "adam", "it_desk")); // bookings are not protected
  o.set("protect_admin_profiles", "false");
  EXPECT_TRUE(o.edit_user("gustav", "adam"));
  EXPECT_TRUE(o.edit_user("gabi", "sofia"));
}

TEST(Roles, F_R2_GroupManagerHasNoPlansAnalyticsOrSettings) {
  Office o;
  ASSERT_TRUE(o.ok());
  for (const char* gm : {"gustav", "gabi", "idle_gm"}) {
    for (const auto& f : o.ids("Floor")) {
      EXPECT_FALSE(o.edit_plan(gm, f)) << gm << f;
      EXPECT_FALSE(o.analytics(gm, f)) << gm << f;
      EXPECT_FALSE(o.export_bookings(gm, f)) << gm << f;
    }
    for (const auto& obj : o.ids("Object")) EXPECT_FALSE(o.edit_object(gm, obj)) << gm << obj;
    EXPECT_FALSE(o.may("global_settings", gm));
    EXPECT_FALSE(o.may("create_location", gm));
  }
}

TEST(Roles, F_R2_SeedConflictGroupManagersDoNotEditGroups) {
  // Seed 000 says group managers add and remove group members; seeds 001 and
  // 003 (the reference pages) say they cannot edit groups: we follow 001/003.
  // A group's own administrators (F-G5) govern it; a group manager who is
  // also one may edit that group, as its administrator.
  Office o(R"(
Group Team { administrators: [gustav] }
)");
  ASSERT_TRUE(o.ok());
  EXPECT_FALSE(o.edit_group("gustav", "IT"));
  EXPECT_TRUE(o.edit_group("gustav", "Team"));
  EXPECT_FALSE(o.edit_group("gabi", "Team"));
}

TEST(Roles, F_R2_AccessibleThroughIsASetting) {
  // The second reading: a level that lists ALL counts as linked to every
  // group. Still only for the users of the assigned groups.
  Office o;
  ASSERT_TRUE(o.ok());
  EXPECT_FALSE(o.book_for("gustav", "nina", "open_desk"));
  o.set("group_access_counts_all", "true");
  EXPECT_TRUE(o.book_for("gustav", "nina", "open_desk"));
  EXPECT_TRUE(o.book_for("gustav", "nina", "m1_desk"));
  EXPECT_FALSE(o.book_for("gustav", "nina", "hr_desk"));
  EXPECT_FALSE(o.book_for("gustav", "hanna", "m1_desk"));
}

// ------------------------------------------------------------------ F-R3

TEST(Roles, F_R3_LightManagesAssignedPlans) {
  Office o;
  ASSERT_TRUE(o.ok());
  EXPECT_TRUE(o.may("admin_area", "lars"));
  // Lars has the building hq: all its floors and their objects.
  for (const char* f : {"ground", "hr_floor"}) {
    EXPECT_TRUE(o.edit_plan("lars", f)) << f;
    EXPECT_TRUE(o.analytics("lars", f)) << f;
  }
  for (const char* obj : {"open_desk", "it_desk", "blocked_it_desk", "hr_desk"})
    EXPECT_TRUE(o.edit_object("lars", obj)) << obj;
  for (const char* f : {"m1", "m2"}) {
    EXPECT_FALSE(o.edit_plan("lars", f)) << f;
    EXPECT_FALSE(o.analytics("lars", f)) << f;
  }
  EXPECT_FALSE(o.edit_object("lars", "m1_desk"));
  // Lena has no assignment: all plans.
  for (const auto& f : o.ids("Floor")) EXPECT_TRUE(o.edit_plan("lena", f)) << f;
  for (const auto& obj : o.ids("Object")) EXPECT_TRUE(o.edit_object("lena", obj)) << obj;
  // An id that names no location covers nothing (it does not mean "all").
  o.load("User:\n  - {id: lars, managed_locations: [hq_typo]}\n");
  for (const auto& f : o.ids("Floor")) EXPECT_FALSE(o.edit_plan("lars", f)) << f;
}

TEST(Roles, F_R3_LightNeverTouchesBookingsOrPersonalData) {
  Office o;
  ASSERT_TRUE(o.ok());
  for (const char* lm : {"lars", "lena"}) {
    for (const auto& u : o.ids("User")) {
      if (u == lm) continue;
      EXPECT_FALSE(o.edit_user(lm, u)) << lm << " " << u;
      EXPECT_FALSE(o.may("delete_user", lm, "user", u)) << lm << " " << u;
      EXPECT_FALSE(o.assign_roles(lm, u)) << lm << " " << u;
      for (const auto& obj : o.ids("Object")) {
        EXPECT_FALSE(o.book_for(lm, u, obj)) << lm << " " << u << " " << obj;
        EXPECT_FALSE(o.manage(lm, u, obj)) << lm << " " << u << " " << obj;
      }
    }
    for (const auto& f : o.ids("Floor")) EXPECT_FALSE(o.export_bookings(lm, f)) << lm << f;
    EXPECT_FALSE(o.may("invite_user", lm));
    EXPECT_FALSE(o.may("global_settings", lm));
    for (const auto& g : o.ids("Group")) EXPECT_FALSE(o.edit_group(lm, g)) << lm << g;
  }
}

TEST(Roles, F_R3_LightCannotCreateOrDeleteLocations) {
  Office o;
  ASSERT_TRUE(o.ok());
  for (const char* lm : {"lars", "lena"}) {
    EXPECT_FALSE(o.may("create_location", lm));
    EXPECT_FALSE(o.delete_location(lm, "hq")) << lm; // not even an assigned one
    EXPECT_FALSE(o.delete_location(lm, "hr_floor")) << lm;
  }
}

// ------------------------------------------------------------------ F-R4

TEST(Roles, F_R4_LocationManagerHasEverythingOfLight) {
  Office o;
  ASSERT_TRUE(o.ok());
  EXPECT_TRUE(o.edit_plan("lotte", "m1"));
  EXPECT_TRUE(o.analytics("lotte", "m1"));
  EXPECT_TRUE(o.edit_object("lotte", "sales_desk"));
  // A floor, not its building: m2 is not hers.
  EXPECT_FALSE(o.edit_plan("lotte", "m2"));
  EXPECT_FALSE(o.edit_object("lotte", "m2_desk"));
  EXPECT_FALSE(o.analytics("lotte", "ground"));
}

TEST(Roles, F_R4_LocationManagerBooksForAnyUserOnAssignedPlans) {
  Office o;
  ASSERT_TRUE(o.ok());
  for (const auto& u : o.ids("User")) {
    if (u == "lotte") continue;
    EXPECT_TRUE(o.book_for("lotte", u, "m1_desk")) << u;
    EXPECT_TRUE(o.book_for("lotte", u, "sales_desk")) << u; // whatever the object's groups
    EXPECT_TRUE(o.manage("lotte", u, "m1_desk")) << u;
    EXPECT_FALSE(o.book_for("lotte", u, "m2_desk")) << u;
    EXPECT_FALSE(o.manage("lotte", u, "m2_desk")) << u;
    EXPECT_FALSE(o.manage("lotte", u, "hr_desk")) << u;
  }
  EXPECT_TRUE(o.export_bookings("lotte", "m1"));
  EXPECT_FALSE(o.export_bookings("lotte", "m2"));
  // No assignment: all plans.
  EXPECT_TRUE(o.export_bookings("luis", "hr_floor"));
  EXPECT_TRUE(o.book_for("luis", "leo", "hr_desk"));
  EXPECT_FALSE(o.book_for("luis", "leo", "blocked_it_desk")); // F-A9
}

TEST(Roles, F_R4_LocationManagerGuards) {
  Office o;
  ASSERT_TRUE(o.ok());
  for (const char* lm : {"lotte", "luis"}) {
    for (const auto& u : o.ids("User")) {
      if (u == lm) continue;
      EXPECT_FALSE(o.edit_user(lm, u)) << lm << " " << u; // no user management
      EXPECT_FALSE(o.assign_roles(lm, u)) << lm << " " << u;
      EXPECT_FALSE(o.may("delete_user", lm, "user", u)) << lm << " " << u;
    }
    EXPECT_FALSE(o.may("invite_user", lm));
    EXPECT_FALSE(o.may("create_location", lm));
    for (const auto& f : o.ids("Floor")) EXPECT_FALSE(o.delete_location(lm, "Floor." + f));
    for (const auto& b : o.ids("Building")) EXPECT_FALSE(o.delete_location(lm, "Building." + b));
    EXPECT_FALSE(o.may("global_settings", lm));
  }
}

// ------------------------------------------------------------------ F-R5

TEST(Roles, F_R5_AdministratorIsUnrestricted) {
  Office o;
  ASSERT_TRUE(o.ok());
  for (const char* a : {"adam", "sofia"}) {
    EXPECT_TRUE(o.may("admin_area", a));
    EXPECT_TRUE(o.may("global_settings", a));
    EXPECT_TRUE(o.may("create_location", a));
    EXPECT_TRUE(o.may("invite_user", a));
    for (const auto& f : o.ids("Floor")) {
      EXPECT_TRUE(o.edit_plan(a, f));
      EXPECT_TRUE(o.analytics(a, f));
      EXPECT_TRUE(o.export_bookings(a, f));
      EXPECT_TRUE(o.delete_location(a, "Floor." + f));
    }
    for (const auto& b : o.ids("Building")) EXPECT_TRUE(o.delete_location(a, "Building." + b));
    for (const auto& u : o.ids("User")) {
      EXPECT_TRUE(o.edit_user(a, u)) << a << " " << u;
      for (const auto& obj : o.ids("Object")) {
        EXPECT_TRUE(o.manage(a, u, obj)) << a << " " << u << " " << obj;
        // Any flexible object for anyone; a blocked one for nobody (F-A9).
        EXPECT_EQ(o.book_for(a, u, obj), obj != "blocked_it_desk") << a << " " << u << " " << obj;
      }
    }
    EXPECT_TRUE(o.see_group(a, "Wheelchair"));
    EXPECT_TRUE(o.edit_group(a, "IT"));
    EXPECT_TRUE(o.may("detach_group", a, "group", "Sales"));
  }
}

TEST(Roles, F_R5_OnlyAdministratorsAssignRoles) {
  // Exhaustive over the office: whoever may assign roles (or grant any one
  // role) to anyone is an administrator.
  Office o;
  ASSERT_TRUE(o.ok());
  for (const auto& a : o.ids("User")) {
    bool admin = a == "adam" || a == "sofia";
    for (const auto& u : o.ids("User")) {
      if (!admin) {
        EXPECT_FALSE(o.assign_roles(a, u)) << a << " " << u;
        for (const char* r :
             {"group_manager", "location_manager_light", "location_manager", "administrator"})
          EXPECT_FALSE(o.grant(a, u, r)) << a << " " << u << " " << r;
      }
    }
    EXPECT_EQ(o.may("create_location", a), admin) << a;
    EXPECT_EQ(o.may("global_settings", a), admin) << a;
    EXPECT_EQ(o.may("invite_user", a), admin) << a;
  }
  EXPECT_TRUE(o.assign_roles("adam", "nina"));
  EXPECT_TRUE(o.grant("adam", "nina", "location_manager"));
}

TEST(Roles, F_R5_OtherAdministratorsRightsNeedCanManageAdmins) {
  Office o;
  ASSERT_TRUE(o.ok());
  // Adam may not: change Sofia's rights, his own (he would grant himself
  // can_manage_admins), make anyone an administrator, delete an administrator.
  EXPECT_FALSE(o.assign_roles("adam", "sofia"));
  EXPECT_FALSE(o.assign_roles("adam", "adam"));
  EXPECT_FALSE(o.grant("adam", "nina", "administrator"));
  EXPECT_FALSE(o.grant("adam", "adam", "administrator"));
  EXPECT_FALSE(o.may("delete_user", "adam", "user", "sofia"));
  EXPECT_TRUE(o.may("delete_user", "adam", "user", "nina"));
  // He may still edit her profile data ("all user data").
  EXPECT_TRUE(o.edit_user("adam", "sofia"));
  // Sofia, the super administrator, may.
  EXPECT_TRUE(o.assign_roles("sofia", "adam"));
  EXPECT_TRUE(o.grant("sofia", "nina", "administrator"));
  EXPECT_TRUE(o.may("delete_user", "sofia", "user", "adam"));
  // The flag alone is nothing: without the administrator role it grants no right.
  o.load("User:\n  - {id: nina, can_manage_admins: true}\n");
  EXPECT_FALSE(o.assign_roles("nina", "leo"));
  expect_no_administration(o, "nina");
}

// ------------------------------------------------------------------ F-R6

TEST(Roles, F_R6_LightAndGroupManagerCombine) {
  Office o;
  ASSERT_TRUE(o.ok());
  // Carla: location manager light of munich, group manager of HR.
  EXPECT_TRUE(o.edit_plan("carla", "m1"));
  EXPECT_TRUE(o.edit_object("carla", "m2_desk"));
  EXPECT_TRUE(o.book_for("carla", "hanna", "hr_desk"));
  EXPECT_TRUE(o.manage("carla", "hanna", "hr_desk"));
  EXPECT_TRUE(o.edit_user("carla", "hanna"));
  // Neither role lends its scope to the other.
  EXPECT_FALSE(o.book_for("carla", "nina", "m1_desk")); // light: no bookings
  EXPECT_FALSE(o.manage("carla", "leo", "m1_desk"));
  EXPECT_FALSE(o.book_for("carla", "hanna", "m1_desk")); // not accessible through HR
  EXPECT_FALSE(o.edit_object("carla", "hr_desk"));       // group role: no plans
  EXPECT_FALSE(o.edit_plan("carla", "hr_floor"));
  EXPECT_FALSE(o.export_bookings("carla", "m1"));
  EXPECT_FALSE(o.edit_user("carla", "leo"));
  EXPECT_FALSE(o.assign_roles("carla", "hanna"));
  EXPECT_FALSE(o.may("create_location", "carla"));
}

TEST(Roles, F_R6_CombinedRolesAreTheUnionOfEachRole) {
  // For every pair of roles and every admin action over every target: a
  // user holding both may exactly what either role alone allows (same
  // managed groups and locations). Self-service is left out (the actor as
  // target is decided by the actor's roles on both sides).
  const std::vector<std::string> roles = {"group_manager", "location_manager_light",
                                          "location_manager", "administrator"};
  Office o(R"(
User x { roles: [], managed_groups: [IT], managed_locations: ["munich", "hr_floor"] }
)");
  ASSERT_TRUE(o.ok());
  const ir::Policy& p = o.policy();
  int32_t user_t = p.find_entity("User");
  int32_t roles_attr = p.entities[static_cast<size_t>(user_t)].find_attribute("roles");
  int32_t role_e = p.find_enum("Role");
  int32_t x = o.snap->find(user_t, "x");
  auto set_roles = [&](std::vector<int64_t> rs) {
    std::vector<ir::Value> v;
    for (auto r : rs) v.push_back(ir::Value::enumerator(role_e, r));
    o.snap->set(user_t, x, roles_attr, ir::Value::set(std::move(v)));
  };
  // Every request of every admin action with actor x.
  std::vector<std::pair<std::string, Args>> requests;
  for (const auto& [name, params] : kAdminActions) {
    std::vector<Args> args = {{{"actor", "x"}}};
    for (const auto& prm : params) {
      if (prm == "on") continue; // its default, today
      std::vector<std::string> vals;
      if (prm == "user")
        vals = o.ids("User");
      else if (prm == "object")
        vals = o.ids("Object");
      else if (prm == "floor")
        vals = o.ids("Floor");
      else if (prm == "group")
        vals = o.ids("Group");
      else if (prm == "target") {
        for (const auto& f : o.ids("Floor")) vals.push_back("Floor." + f);
        for (const auto& b : o.ids("Building")) vals.push_back("Building." + b);
      }
      std::vector<Args> next;
      for (const auto& a : args)
        for (const auto& v : vals) {
          if (prm == "user" && v == "x") continue;
          Args b = a;
          b[prm] = v;
          next.push_back(b);
        }
      args = next;
    }
    for (const auto& a : args) requests.push_back({name, a});
  }
  ASSERT_GT(requests.size(), 250u);
  auto decisions = [&](std::vector<int64_t> rs) {
    set_roles(std::move(rs));
    std::vector<bool> out;
    for (const auto& [name, a] : requests) out.push_back(o.may(name, a));
    return out;
  };
  for (size_t i = 0; i < roles.size(); ++i)
    for (size_t j = i + 1; j < roles.size(); ++j) {
      auto a = decisions({static_cast<int64_t>(i)});
      auto b = decisions({static_cast<int64_t>(j)});
      auto both = decisions({static_cast<int64_t>(i), static_cast<int64_t>(j)});
      for (size_t k = 0; k < requests.size(); ++k) {
        std::string what = roles[i] + "+" + roles[j] + ": " + requests[k].first;
        for (const auto& [key, v] : requests[k].second) what += " " + key + "=" + v;
        EXPECT_EQ(both[k], a[k] || b[k]) << what;
      }
    }
}

// ------------------------------------------------- F-G2, F-G3, F-G5 (admin)

TEST(Roles, F_G2_SystemAndExternalGroupsAreReadOnly) {
  Office o;
  ASSERT_TRUE(o.ok());
  for (const auto& u : o.ids("User")) {
    EXPECT_FALSE(o.edit_group(u, "ALL")) << u;
    EXPECT_FALSE(o.edit_group(u, "Sales")) << u; // even frieda, its group administrator
  }
  // Detaching turns it internal: then it is editable.
  EXPECT_FALSE(o.may("detach_group", "frieda", "group", "Sales"));
  EXPECT_FALSE(o.may("detach_group", "adam", "group", "IT"));
  o.load("Group:\n  - {id: Sales, kind: internal}\n");
  EXPECT_TRUE(o.edit_group("frieda", "Sales"));
  EXPECT_TRUE(o.edit_group("adam", "Sales"));
  EXPECT_FALSE(o.may("detach_group", "adam", "group", "Sales"));
}

TEST(Roles, F_G3_HiddenGroupsOnlyForAdministrators) {
  Office o;
  ASSERT_TRUE(o.ok());
  for (const auto& u : o.ids("User")) {
    EXPECT_TRUE(o.see_group(u, "IT")) << u;
    bool admin = u == "adam" || u == "sofia";
    EXPECT_EQ(o.see_group(u, "Wheelchair"), admin) << u;
  }
  // A group manager the hidden group is assigned to sees it; so do its
  // group administrators.
  o.load("User:\n  - {id: gustav, managed_groups: [IT, Wheelchair]}\n"
         "Group:\n  - {id: Wheelchair, administrators: [leo]}\n");
  EXPECT_TRUE(o.see_group("gustav", "Wheelchair"));
  EXPECT_TRUE(o.see_group("leo", "Wheelchair"));
  EXPECT_FALSE(o.see_group("gabi", "Wheelchair")); // ALL means all users, not all groups
}

TEST(Roles, F_G5_GroupAdministratorsEditTheirGroupOnly) {
  Office o;
  ASSERT_TRUE(o.ok());
  EXPECT_TRUE(o.edit_group("frieda", "Facility"));
  EXPECT_FALSE(o.edit_group("frieda", "IT"));
  // Administering a group is not a role (F-G6): Frieda is a normal user.
  expect_no_administration(o, "frieda");
}

// ---------------------------------------------------------------- report

TEST(RolesReport, ListsWhatEachRoleMayAdminister) {
  Office o;
  ASSERT_TRUE(o.ok());
  auto tables = sim::roles_report(o.policy(), *o.snap, day(kToday));
  ASSERT_EQ(tables.size(), 2u);
  const sim::Table& list = tables[0];
  EXPECT_EQ(list.name, "roles");
  EXPECT_EQ(list.headers,
            (std::vector<std::string>{"user", "roles", "action", "scope", "allowed"}));
  auto cell = [&](const std::string& user, const std::string& action) -> std::string {
    for (const auto& r : list.rows)
      if (r[0] == user && r[2] == action) return r[3];
    return "<none>";
  };
  EXPECT_EQ(cell("gustav", "book_for"), "nina, adam → it_desk");
  EXPECT_EQ(cell("gustav", "edit_user"), "nina");
  EXPECT_EQ(cell("gustav", "edit_plan"), "<none>");
  EXPECT_EQ(cell("lars", "edit_plan"), "ground, hr_floor");
  EXPECT_EQ(cell("lars", "book_for"), "<none>");
  EXPECT_EQ(cell("lotte", "export_bookings"), "m1");
  EXPECT_EQ(cell("carla", "edit_user"), "hanna");
  EXPECT_EQ(cell("adam", "global_settings"), "yes");
  EXPECT_EQ(cell("adam", "create_location"), "yes");
  EXPECT_EQ(cell("adam", "delete_location(target: Building)"), "all (2)");
  EXPECT_EQ(cell("lars", "global_settings"), "<none>");
  // Group administrators are listed; normal users are not.
  EXPECT_EQ(cell("frieda", "edit_group"), "Facility");
  for (const auto& r : list.rows) EXPECT_NE(r[0], "nina");
  // The matrix: one row per listed user, one column per admin action.
  const sim::Table& m = tables[1];
  EXPECT_EQ(m.headers[0], "user");
  EXPECT_NE(std::find(m.headers.begin(), m.headers.end(), "grant_role"), m.headers.end());
  for (const auto& r : m.rows) EXPECT_EQ(r.size(), m.headers.size());
}

TEST(RolesReport, FollowsThePolicyNotCpp) {
  // The report decides through the policy: a client that changes the
  // policy's settings changes the report.
  Office o;
  ASSERT_TRUE(o.ok());
  auto before = sim::roles_report(o.policy(), *o.snap, day(kToday));
  o.set("group_access_counts_all", "true");
  auto after = sim::roles_report(o.policy(), *o.snap, day(kToday));
  auto cell = [](const std::vector<sim::Table>& t, const char* user, const char* action) {
    for (const auto& r : t[0].rows)
      if (r[0] == user && r[2] == action) return r[3];
    return std::string("<none>");
  };
  EXPECT_EQ(cell(before, "gustav", "book_for"), "nina, adam → it_desk");
  EXPECT_EQ(cell(after, "gustav", "book_for"), "nina, adam → open_desk, it_desk, m1_desk, m2_desk");
}

TEST(RolesReport, PolicyWithoutRoles) {
  auto r = compile_source("p.kp", "entity Thing { n: int = 0 }\naction a(t: Thing) = t.n == 0\n");
  ASSERT_TRUE(r.policy) << r.diags.render_text(*r.sources);
  rt::Snapshot s(*r.policy);
  auto tables = sim::roles_report(*r.policy, s, day(kToday));
  ASSERT_FALSE(tables.empty());
  EXPECT_TRUE(tables[0].rows.empty());
  EXPECT_FALSE(tables[0].notes.empty());
}

// ------------------------------------------------------------- scenarios

TEST(Roles, ShippedScenariosPass) {
  std::vector<std::string> paths;
  for (const auto& e :
       fs::directory_iterator(source_root() / "policies/examples/desk_booking_roles"))
    if (e.path().extension() == ".yaml") paths.push_back(e.path().string());
  std::sort(paths.begin(), paths.end());
  ASSERT_GE(paths.size(), 7u);
  auto rep = sim::run_scenarios(paths, {});
  std::string diags = rep.diags.render_text(*rep.sources);
  for (const auto& [sm, d] : rep.policy_diags) diags += d.render_text(*sm);
  EXPECT_FALSE(rep.input_errors()) << diags;
  EXPECT_EQ(rep.failed, 0);
  EXPECT_EQ(rep.unresolved, 0);
  EXPECT_GE(rep.passed, 150);
  for (const auto& r : rep.results) {
    EXPECT_TRUE(r.loaded) << r.scenario->name;
    for (const auto& c : r.cases)
      EXPECT_TRUE(c.passed) << r.scenario->name << ": " << c.call << " -> "
                            << (c.allowed ? "allow" : "deny") << " (" << c.c->note << ")";
  }
}
