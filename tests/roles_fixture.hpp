// The office and helpers shared by the role tests (roles_test.cpp,
// roles_admin_test.cpp): a small client policy of std.desk_booking's roles
// section, decided by name through rt::decide with an explicit `today`.
#pragma once

#include "compiler/compile.hpp"
#include "runtime/data_loader.hpp"
#include "runtime/interpreter.hpp"
#include "runtime/request.hpp"
#include "runtime/snapshot.hpp"
#include "simulator/declared_report.hpp"
#include "simulator/runner.hpp"
#include <algorithm>
#include <filesystem>
#include <gtest/gtest.h>
#include <map>
#include <string>
#include <vector>

using namespace keyplan;
namespace fs = std::filesystem;

namespace roles_test {

inline constexpr const char* kToday = "2026-11-23";

inline int64_t day(const char* text) {
  int64_t d = 0;
  EXPECT_TRUE(ir::parse_date(text, d)) << text;
  return d;
}

// `keyplan report roles`: the report std.desk_booking declares.
inline std::vector<sim::Table> roles_report(const ir::Policy& p, const rt::Snapshot& s,
                                            int64_t today) {
  int32_t r = p.find_report("roles");
  EXPECT_GE(r, 0) << "the policy declares no roles report";
  if (r < 0) return {};
  return sim::render_declared_report(p, s, p.reports[static_cast<size_t>(r)], today);
}

inline fs::path source_root() {
  return fs::path(KEYPLAN_TEST_DATA).parent_path().parent_path();
}

using Args = std::map<std::string, std::string>;

// The office of the role tests. IT and HR are linked to the building, so
// objects can be accessible through them (F-R2); Munich keeps the defaults.
inline const char* kOffice = R"(
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
inline void expect_no_administration(Office& o, const std::string& u) {
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

} // namespace roles_test

using namespace roles_test;
