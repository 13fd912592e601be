// The roles of the desk-booking model, continued from roles_test.cpp:
// F-R5 (administrators), F-R6 (combined roles), the admin side of F-G2, F-G3
// and F-G5, the roles report and the shipped role scenarios.
#include "tests/roles_fixture.hpp"

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
  // sales_desk is on her plan but lists only Sales: not accessible through HR.
  EXPECT_FALSE(o.book_for("carla", "hanna", "sales_desk"));
  // m1_desk keeps ALL: accessible through HR (F-R2, seed 001), by the group role.
  EXPECT_TRUE(o.book_for("carla", "hanna", "m1_desk"));
  EXPECT_FALSE(o.edit_object("carla", "hr_desk")); // group role: no plans
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
  auto tables = roles_report(o.policy(), *o.snap, day(kToday));
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
  EXPECT_EQ(cell("gustav", "book_for"), "nina, adam → open_desk, it_desk, m1_desk, m2_desk");
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
  auto before = roles_report(o.policy(), *o.snap, day(kToday));
  o.set("group_access_counts_all", "false");
  auto after = roles_report(o.policy(), *o.snap, day(kToday));
  auto cell = [](const std::vector<sim::Table>& t, const char* user, const char* action) {
    for (const auto& r : t[0].rows)
      if (r[0] == user && r[2] == action) return r[3];
    return std::string("<none>");
  };
  EXPECT_EQ(cell(before, "gustav", "book_for"),
            "nina, adam → open_desk, it_desk, m1_desk, m2_desk");
  EXPECT_EQ(cell(after, "gustav", "book_for"), "nina, adam → it_desk");
}

// A report's `rows a in actions(actor: T)` on a policy without such actions
// says so (the roles report used to say it in C++).
TEST(RolesReport, ActionRowsWithoutMatchingActionsSayWhy) {
  auto r = compile_source("p.kp", "entity Thing { n: int = 0 }\naction a(t: Thing) = t.n == 0\n"
                                  "Thing one\n"
                                  "report r { rows t: Thing\n rows x in actions(actor: Thing)\n"
                                  " column \"x\" = x }\n");
  ASSERT_TRUE(r.policy) << r.diags.render_text(*r.sources);
  rt::Snapshot s(*r.policy);
  auto tables = sim::render_declared_report(*r.policy, s, r.policy->reports.at(0), day(kToday));
  ASSERT_EQ(tables.size(), 1u);
  EXPECT_TRUE(tables[0].rows.empty());
  ASSERT_FALSE(tables[0].notes.empty());
  EXPECT_EQ(tables[0].notes[0], "no action has a first parameter 'actor: Thing'");
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
