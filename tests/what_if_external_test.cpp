// DOMAIN F-G2 in what-ifs (docs/what-if.md "External groups"): members of an
// external group are read-only, so a what-if that changes them is refused
// (exit 2, file:line:col, the reason); `detach: [GROUP]` makes the group
// internal first, after which its members may be edited. ACME's policy
// declares Sales_Munich external (sophie is its member).
#include "what_if_support.hpp"

#include <gtest/gtest.h>

namespace {

using keyplan::what_if_test::run_keyplan;
using keyplan::what_if_test::Scratch;
using keyplan::what_if_test::show;

const std::string kAcme = "policies/examples/desk_booking/acme_office.kp --data "
                          "policies/examples/desk_booking/data/tenant.yaml --today 2026-11-23 "
                          "--action book";

keyplan::what_if_test::Run diff_with(const Scratch& s, const std::string& whatif) {
  return run_keyplan("diff " + kAcme + " --what-if " + s.write("w.yaml", whatif).string());
}

} // namespace

TEST(WhatIfExternal, F_G2_AddingAMemberToAnExternalGroupIsRefused) {
  Scratch s;
  auto r = diff_with(s, "data:\n  User:\n    - {id: tom, groups: [Sales_Munich]}\n");
  EXPECT_EQ(r.code, 2) << show(r);
  EXPECT_NE(r.err.find("w.yaml:3:17: error: the what-if changes the membership of user 'tom' in "
                       "the external group Sales_Munich: members of external groups are "
                       "read-only (F-G2"),
            std::string::npos)
      << show(r);
  EXPECT_NE(r.err.find("detach: [Sales_Munich]"), std::string::npos) << show(r);
}

TEST(WhatIfExternal, F_G2_RemovingAMemberOfAnExternalGroupIsRefused) {
  Scratch s;
  auto r = diff_with(s, "data:\n  User:\n    - {id: sophie, groups: []}\n");
  EXPECT_EQ(r.code, 2) << show(r);
  EXPECT_NE(r.err.find("user 'sophie' in the external group Sales_Munich"), std::string::npos)
      << show(r);
}

TEST(WhatIfExternal, F_G2_ANewUserInAnExternalGroupIsRefused) {
  Scratch s;
  auto r = diff_with(s, "data:\n  User:\n    - {id: neu, email: n@acme.example, groups: "
                        "[Sales_Munich]}\n");
  EXPECT_EQ(r.code, 2) << show(r);
  EXPECT_NE(r.err.find("user 'neu'"), std::string::npos) << show(r);
}

TEST(WhatIfExternal, F_G2_ChangingTheKindOfAnExternalGroupIsRefused) {
  Scratch s;
  auto r = diff_with(s, "data:\n  Group:\n    - {id: Sales_Munich, kind: internal}\n");
  EXPECT_EQ(r.code, 2) << show(r);
  EXPECT_NE(r.err.find("changes the kind of the external group 'Sales_Munich'"), std::string::npos)
      << show(r);
}

TEST(WhatIfExternal, F_G2_DetachedGroupsMembersMayBeEdited) {
  Scratch s;
  auto r =
      diff_with(s, "detach: [Sales_Munich]\ndata:\n  User:\n"
                   "    - {id: tom, groups: [Sales_Munich]}\n    - {id: sophie, groups: []}\n");
  EXPECT_TRUE(r.code == 0 || r.code == 1) << show(r);
}

TEST(WhatIfExternal, F_G2_InternalGroupsMembersMayBeEdited) {
  Scratch s;
  auto r = diff_with(s, "data:\n  User:\n    - {id: tom, groups: [IT]}\n");
  EXPECT_TRUE(r.code == 0 || r.code == 1) << show(r);
}

TEST(WhatIfExternal, F_G2_DetachNeedsAnExternalGroup) {
  Scratch s;
  auto internal = diff_with(s, "detach: [IT]\n");
  EXPECT_EQ(internal.code, 2) << show(internal);
  EXPECT_NE(internal.err.find("w.yaml:1:10: error: detach: the group 'IT' is not external "
                              "(internal)"),
            std::string::npos)
      << show(internal);
  auto unknown = diff_with(s, "detach: [Sales_Munch]\n");
  EXPECT_EQ(unknown.code, 2) << show(unknown);
  EXPECT_NE(unknown.err.find("did you mean 'Sales_Munich'"), std::string::npos) << show(unknown);
}
