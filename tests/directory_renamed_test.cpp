// A model whose user directory has other names than std.desk_booking's
// (tests/data/directory/renamed.kp: Person.mail, Person.fullname,
// Person.teams, Team.origin federated/local, teams_of) imports, exports and
// detaches like std.desk_booking does: the C++ finds the directory by its
// annotations (issue 13). A model without them is refused with what is
// missing (exit 2).
#include "what_if_support.hpp"

#include <gtest/gtest.h>

namespace {

using keyplan::what_if_test::quote;
using keyplan::what_if_test::read;
using keyplan::what_if_test::run_keyplan;
using keyplan::what_if_test::Scratch;
using keyplan::what_if_test::show;

const std::string kPolicy = "tests/data/directory/renamed.kp";
const std::string kNoKey = "tests/data/directory/no_key.kp";

// A copy of the renamed tenant in the scratch directory.
std::string tenant(const Scratch& s) {
  return s
      .write("tenant.yaml",
             read(keyplan::what_if_test::source_root() / "tests/data/directory/renamed.yaml"))
      .string();
}

} // namespace

TEST(DirectoryRenamed, ImportUsersKeysOnTheImportKeyAttribute) {
  Scratch s;
  std::string data = tenant(s);
  auto csv = s.write("people.csv", "Full name,Mail,Teams\n"
                                   "Ann Smith,ANN@example.com,Finance\n"
                                   "Carl Cole,carl@example.com,\"Finance, Okta_Sales\"\n");
  auto r = run_keyplan("import users " + quote(csv.string()) + " --into " + quote(data) +
                       " --policy " + kPolicy);
  ASSERT_EQ(r.code, 0) << show(r);
  EXPECT_NE(r.out.find("1 created, 1 updated, 0 unchanged"), std::string::npos) << show(r);
  EXPECT_NE(r.out.find("fullname: 1 user changed"), std::string::npos) << show(r);
  // Written into the Person section under the model's own attribute names;
  // the key's stored spelling stays (F-I2).
  EXPECT_NE(read(data).find("{id: \"carl\", fullname: \"Carl Cole\", mail:"), std::string::npos)
      << read(data);
  auto e = run_keyplan("export users --data " + quote(data) + " --policy " + kPolicy);
  ASSERT_EQ(e.code, 0) << show(e);
  EXPECT_EQ(e.out, "Full name,Mail,Teams,Desk\r\nAnn Smith,ann@example.com,Finance,\r\n"
                   "Bob Baker,bob@example.com,Okta_Sales,\r\n"
                   "Carl Cole,carl@example.com,\"Finance, Okta_Sales\",\r\n")
      << show(e);
}

TEST(DirectoryRenamed, ImportUsersNamesTheModelsRequiredColumns) {
  Scratch s;
  std::string data = tenant(s);
  auto csv = s.write("people.csv", "Full name,Teams\nAnn,Finance\n");
  auto r = run_keyplan("import users " + quote(csv.string()) + " --into " + quote(data) +
                       " --policy " + kPolicy);
  EXPECT_EQ(r.code, 2) << show(r);
  EXPECT_NE(r.err.find("no column for 'mail': every row needs a mail and a fullname (F-I3) "
                       "(header 'Mail')"),
            std::string::npos)
      << show(r);
}

TEST(DirectoryRenamed, ImportUsersWithoutAnImportKeyIsRefused) {
  Scratch s;
  auto data = s.write("tenant.yaml", "Member: []\n");
  auto csv = s.write("people.csv", "Email\na@example.com\n");
  auto r = run_keyplan("import users " + quote(csv.string()) + " --into " + quote(data.string()) +
                       " --policy " + kNoKey);
  EXPECT_EQ(r.code, 2) << show(r);
  EXPECT_NE(r.err.find("the policy declares no @import_key attribute"), std::string::npos)
      << show(r);
  EXPECT_EQ(read(data), "Member: []\n");
}

TEST(DirectoryRenamed, ExportUsersRoundTripsThroughImport) {
  Scratch s;
  std::string data = tenant(s);
  auto out = s.dir / "people.csv";
  auto r = run_keyplan("export users --data " + quote(data) + " --policy " + kPolicy + " -o " +
                       quote(out.string()));
  ASSERT_EQ(r.code, 0) << show(r);
  std::string csv = read(out);
  EXPECT_EQ(csv.substr(0, csv.find('\r')), "Full name,Mail,Teams,Desk") << csv;
  EXPECT_NE(csv.find("Bob Baker,bob@example.com,Okta_Sales,"), std::string::npos) << csv;
  auto back = run_keyplan("import users " + quote(out.string()) + " --into " + quote(data) +
                          " --policy " + kPolicy + " --dry-run");
  ASSERT_EQ(back.code, 0) << show(back);
  EXPECT_NE(back.out.find("0 created, 0 updated, 2 unchanged"), std::string::npos) << show(back);
}

TEST(DirectoryRenamed, ExportGroupMembersUsesTheEffectiveMembershipRule) {
  Scratch s;
  std::string data = tenant(s);
  // Staff: nobody lists it, teams_of adds it for everyone.
  auto r = run_keyplan("export group-members Staff --data " + quote(data) + " --policy " + kPolicy);
  ASSERT_EQ(r.code, 0) << show(r);
  EXPECT_EQ(r.out, "Person,Full name,Mail\r\nann,Ann Arbor,ann@example.com\r\n"
                   "bob,Bob Baker,bob@example.com\r\n")
      << show(r);
  auto finance =
      run_keyplan("export group-members Finance --data " + quote(data) + " --policy " + kPolicy);
  ASSERT_EQ(finance.code, 0) << show(finance);
  EXPECT_EQ(finance.out, "Person,Full name,Mail\r\nann,Ann Arbor,ann@example.com\r\n")
      << show(finance);
}

TEST(DirectoryRenamed, ScimImportCreatesTeamsOfTheIdentityProvider) {
  Scratch s;
  std::string data = tenant(s);
  auto doc = s.write("scim.json",
                     R"({"schemas": ["urn:ietf:params:scim:api:messages:2.0:ListResponse"],
  "Resources": [
    {"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "id": "u1",
     "userName": "dora@example.com", "name": {"formatted": "Dora Diaz"},
     "emails": [{"value": "dora@example.com", "primary": true}]},
    {"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "id": "u2",
     "userName": "bob@example.com", "displayName": "Bob Baker",
     "emails": [{"value": "bob@example.com"}]},
    {"schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"], "id": "g1",
     "displayName": "Okta Berlin", "members": [{"value": "u1", "type": "User"}]},
    {"schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"], "id": "g2",
     "displayName": "Okta Sales", "members": [{"value": "u2", "type": "User"}]}
  ]})");
  auto r = run_keyplan("import scim " + quote(doc.string()) + " --into " + quote(data) +
                       " --policy " + kPolicy);
  ASSERT_EQ(r.code, 0) << show(r);
  EXPECT_NE(r.out.find("new external groups: Okta_Berlin"), std::string::npos) << show(r);
  EXPECT_NE(read(data).find("{id: Okta_Berlin, origin: federated}"), std::string::npos)
      << read(data);
  auto e = run_keyplan("export users --data " + quote(data) + " --policy " + kPolicy);
  ASSERT_EQ(e.code, 0) << show(e);
  EXPECT_NE(e.out.find("Dora Diaz,dora@example.com,Okta_Berlin,\r\n"), std::string::npos)
      << show(e);
  // Okta_Sales now lists only u2 (bob), as before.
  EXPECT_NE(e.out.find("Bob Baker,bob@example.com,Okta_Sales,\r\n"), std::string::npos) << show(e);
}

TEST(DirectoryRenamed, ScimImportRefusesToTakeOverALocalTeam) {
  Scratch s;
  std::string data = tenant(s);
  auto doc = s.write("scim.json",
                     R"({"Resources": [{"schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"],
       "id": "g", "displayName": "Finance", "members": []}]})");
  auto r = run_keyplan("import scim " + quote(doc.string()) + " --into " + quote(data) +
                       " --policy " + kPolicy);
  EXPECT_EQ(r.code, 2) << show(r);
  EXPECT_NE(r.err.find("the group 'Finance' exists and is not external (local)"), std::string::npos)
      << show(r);
}

TEST(DirectoryRenamed, SamlGroupsReadTheKeysColumnAndCreateFederatedTeams) {
  Scratch s;
  std::string data = tenant(s);
  auto mapping = s.write("map.yaml", "\"CN=Berlin,DC=example\": Okta_Berlin\n"
                                     "\"CN=Sales,DC=example\": Okta_Sales\n");
  auto users = s.write("users.csv", "Mail,memberOf\nann@example.com,\"CN=Berlin,DC=example\"\n"
                                    "bob@example.com,\n");
  auto r = run_keyplan("import saml-groups " + quote(users.string()) + " --mapping " +
                       quote(mapping.string()) + " --into " + quote(data) + " --policy " + kPolicy);
  ASSERT_EQ(r.code, 0) << show(r);
  EXPECT_NE(read(data).find("{id: Okta_Berlin, origin: federated}"), std::string::npos)
      << read(data);
  auto e = run_keyplan("export users --data " + quote(data) + " --policy " + kPolicy);
  ASSERT_EQ(e.code, 0) << show(e);
  EXPECT_NE(e.out.find("Ann Arbor,ann@example.com,\"Finance, Okta_Berlin\",\r\n"),
            std::string::npos)
      << show(e);
  EXPECT_NE(e.out.find("Bob Baker,bob@example.com,,\r\n"), std::string::npos) << show(e);
  auto bad = s.write("bad.csv", "Email,memberOf\nann@example.com,x\n");
  auto refused =
      run_keyplan("import saml-groups " + quote(bad.string()) + " --mapping " +
                  quote(mapping.string()) + " --into " + quote(data) + " --policy " + kPolicy);
  EXPECT_EQ(refused.code, 2) << show(refused);
  EXPECT_NE(refused.err.find("unknown column 'Email' (expected Mail, memberOf)"), std::string::npos)
      << show(refused);
}

TEST(DirectoryRenamed, WhatIfMembersOfFederatedTeamsAreReadOnlyUntilDetached) {
  Scratch s;
  const std::string diff = "diff " + kPolicy + " --data tests/data/directory/renamed.yaml " +
                           "--today 2026-11-23 --action enter --what-if ";
  auto edit =
      s.write("w.yaml", "data:\n  Person:\n    - {id: ann, teams: [Finance, Okta_Sales]}\n");
  auto refused = run_keyplan(diff + quote(edit.string()));
  EXPECT_EQ(refused.code, 2) << show(refused);
  EXPECT_NE(refused.err.find("w.yaml:3:17: error: the what-if changes the membership of user "
                             "'ann' in the external group Okta_Sales"),
            std::string::npos)
      << show(refused);
  auto kind = s.write("k.yaml", "data:\n  Team:\n    - {id: Okta_Sales, origin: local}\n");
  auto kind_refused = run_keyplan(diff + quote(kind.string()));
  EXPECT_EQ(kind_refused.code, 2) << show(kind_refused);
  EXPECT_NE(kind_refused.err.find("k.yaml:3:24: error: the what-if changes the kind of the "
                                  "external group 'Okta_Sales'"),
            std::string::npos)
      << show(kind_refused);
  auto detached = s.write("d.yaml", "detach: [Okta_Sales]\ndata:\n  Person:\n"
                                    "    - {id: ann, teams: [Finance, Okta_Sales]}\n");
  auto ok = run_keyplan(diff + quote(detached.string()));
  EXPECT_EQ(ok.code, 1) << show(ok); // ann may now enter Okta_Sales
  auto not_external = s.write("n.yaml", "detach: [Finance]\n");
  auto refused_detach = run_keyplan(diff + quote(not_external.string()));
  EXPECT_EQ(refused_detach.code, 2) << show(refused_detach);
  EXPECT_NE(refused_detach.err.find("detach: the group 'Finance' is not external (local)"),
            std::string::npos)
      << show(refused_detach);
}

TEST(DirectoryRenamed, ExportWithoutAnImportKeyIsRefused) {
  Scratch s;
  auto data = s.write("tenant.yaml", "Member: []\n");
  auto r = run_keyplan("export users --data " + quote(data.string()) + " --policy " + kNoKey);
  EXPECT_EQ(r.code, 2) << show(r);
  EXPECT_NE(r.err.find("keyplan export: the policy declares no @import_key attribute"),
            std::string::npos)
      << show(r);
}
