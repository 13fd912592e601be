// keyplan import scim (DOMAIN F-G2, F-I2, F-I5): SCIM 2.0 ListResponse
// documents (RFC 7643/7644) against the ACME example tenant, whose policy
// declares Sales_Munich as an external group.
#include "compiler/compile.hpp"
#include "import_support.hpp"
#include "runtime/data_loader.hpp"
#include "simulator/import_scim.hpp"
#include "simulator/scim_document.hpp"
#include "test_support.hpp"

#include <filesystem>
#include <fstream>
#include <gtest/gtest.h>
#include <rapidcheck.h>
#include <sstream>

namespace fs = std::filesystem;
using namespace keyplan;
using namespace keyplan::import_test;

namespace {

const fs::path kScim = kSrc / "tests/data/import/scim";

class ImportScim : public import_test::TenantCopy {
protected:
  ImportRun run(const fs::path& file, bool dry_run = false, bool into = true) {
    sim::ScimImportOptions o;
    o.file = file.string();
    if (into) o.into = data.string();
    o.policy = kPolicy.string();
    o.dry_run = dry_run;
    std::ostringstream out, err;
    ImportRun r;
    r.code = sim::run_scim_import(o, out, err);
    r.out = out.str();
    r.err = err.str();
    return r;
  }
  fs::path json(const std::string& name, const std::string& text) {
    std::ofstream(dir / name, std::ios::binary) << text;
    return dir / name;
  }
};

// The data file loaded: a user's groups, a group's kind.
struct Tenant {
  CompileResult compiled = compile_policy(kPolicy.string());
  std::unique_ptr<rt::Snapshot> snap;
  bool ok = false;
  explicit Tenant(const fs::path& data) {
    snap = std::make_unique<rt::Snapshot>(*compiled.policy);
    Diagnostics d;
    ok = rt::load_data_file(*snap, data.string(), d, *compiled.sources);
  }
  std::string groups(const std::string& user) const {
    int32_t u = compiled.policy->find_entity("User");
    int32_t row = snap->find(u, user);
    if (row < 0) return "<none>";
    auto v = snap->get(u, row, compiled.policy->entities[u].find_attribute("groups"));
    std::set<std::string> ids;
    for (const auto& e : v.elems) ids.insert(snap->id(e.ref, static_cast<int32_t>(e.num)));
    std::string s;
    for (const auto& i : ids) s += (s.empty() ? "" : ",") + i;
    return s;
  }
  std::string kind(const std::string& group) const {
    int32_t g = compiled.policy->find_entity("Group");
    int32_t row = snap->find(g, group);
    if (row < 0) return "<none>";
    return snap->format(snap->get(g, row, compiled.policy->entities[g].find_attribute("kind")));
  }
};

const std::string kHead = R"({"schemas": ["urn:ietf:params:scim:api:messages:2.0:ListResponse"],
"Resources": [)";
std::string user(const std::string& id, const std::string& email, const std::string& name) {
  return R"({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "id": ")" + id +
         R"(", "userName": ")" + email + R"(", "name": {"formatted": ")" + name + R"("}})";
}
std::string group(const std::string& name, const std::vector<std::string>& members) {
  std::string m;
  for (const auto& x : members)
    m += std::string(m.empty() ? "" : ", ") + R"({"value": ")" + x + R"("})";
  return R"({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"], "id": "g-)" + name +
         R"(", "displayName": ")" + name + R"(", "members": [)" + m + "]}";
}

} // namespace

TEST_F(ImportScim, F_G2_UsersAndExternalGroupsWithMembers) {
  auto r = run(kScim / "acme.json");
  ASSERT_EQ(r.code, 0) << r.err;
  Tenant t(data);
  ASSERT_TRUE(t.ok);
  // F-I2: lena matched by email (case-insensitively); max_klein created from
  // the primary email; Project Atlas a new external group.
  EXPECT_EQ(t.groups("lena"), "IT,Mobile_Workers,Sales_Munich");
  EXPECT_EQ(t.groups("max_klein"), "Sales_Munich");
  EXPECT_EQ(t.kind("Project_Atlas"), "external");
  // The document's groups are exactly their members: sophie left Sales Munich.
  EXPECT_EQ(t.groups("sophie"), "Project_Atlas");
  EXPECT_NE(r.out.find("users: 1 created, 2 updated, 0 unchanged"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("memberships: 3 added, 1 removed"), std::string::npos) << r.out;
}

TEST_F(ImportScim, F_G2_SecondImportChangesNothing) {
  ASSERT_EQ(run(kScim / "acme.json").code, 0);
  std::string once = slurp(data);
  auto r = run(kScim / "acme.json");
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(slurp(data), once);
  EXPECT_NE(r.out.find("nothing to change"), std::string::npos) << r.out;
}

TEST_F(ImportScim, F_G2_InternalGroupsAndCommentsUntouched) {
  ASSERT_EQ(run(kScim / "acme.json").code, 0);
  std::string before = slurp(kTenant), after = slurp(data);
  // The header comment and clara's block-style entry (not in the document) stay.
  EXPECT_EQ(after.substr(0, before.find("User:")), before.substr(0, before.find("User:")));
  EXPECT_NE(after.find("  - id: clara\n"), std::string::npos);
  Tenant t(data);
  EXPECT_EQ(t.groups("clara"), "Car_Pool,Legal");
  EXPECT_EQ(t.kind("IT"), "internal");
}

TEST_F(ImportScim, F_G2_VanishedExternalGroupIsReportedNeverDropped) {
  // Sales_Munich (external, sophie is a member) is not in this document.
  auto r =
      run(json("only_atlas.json", kHead + user("u1", "sophie.huber@acme.example", "Sophie Huber") +
                                      "," + group("Project Atlas", {"u1"}) + "]}"));
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("warning: external group Sales_Munich (1 member) is not in the SCIM "
                       "document: kept"),
            std::string::npos)
      << r.out;
  Tenant t(data);
  EXPECT_EQ(t.groups("sophie"), "Project_Atlas,Sales_Munich");
  EXPECT_EQ(t.kind("Sales_Munich"), "external");
}

TEST_F(ImportScim, F_G2_InternalGroupCannotBeTakenOver) {
  std::string before = slurp(data);
  auto r = run(json("it.json", kHead + user("u1", "tom.richter@acme.example", "Tom Richter") + "," +
                                   group("IT", {"u1"}) + "]}"));
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("it.json:Resources[1].displayName: the group 'IT' exists and is not "
                       "external (internal)"),
            std::string::npos)
      << r.err;
  EXPECT_EQ(slurp(data), before);
}

TEST_F(ImportScim, F_I5_EveryProblemListedAtOnceNothingWritten) {
  std::string before = slurp(data);
  auto r = run(kScim / "problems.json");
  EXPECT_EQ(r.code, 2);
  for (const char* p :
       {"problems.json:Resources[0].emails: 'not-an-address' is not an email address",
        "problems.json:Resources[1].name: a User without a name",
        "problems.json:Resources[5].emails: the email 'anna@acme.example' is also Resources[2]'s",
        "problems.json:Resources[3].members[0]: a group as a member: groups are flat (F-G4)",
        "problems.json:Resources[3].members[1].value: 'nobody' is not the id of a User",
        "problems.json:Resources[4].schemas: neither a User nor a Group"})
    EXPECT_NE(r.err.find(p), std::string::npos) << p << "\n" << r.err;
  EXPECT_EQ(slurp(data), before);
}

TEST_F(ImportScim, F_I5_SyntaxErrorHasLineAndColumn) {
  auto r = run(json("broken.json", "{\n  \"Resources\": [\n    {\"id\": 1,,}\n  ]\n}\n"));
  EXPECT_EQ(r.code, 2);
  EXPECT_EQ(r.err.rfind("broken.json:3:14: not JSON:", 0), 0u) << r.err;
}

TEST_F(ImportScim, F_I5_OnePageOfAPagedAnswerIsRefused) {
  auto r = run(json("page.json", R"({"totalResults": 120, "itemsPerPage": 1, "Resources": [)" +
                                     user("u1", "a@acme.example", "A") + "]}"));
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("holds 1 of 120 resources"), std::string::npos) << r.err;
}

TEST_F(ImportScim, F_I5_NestingDeeperThanTheLimitIsRefused) {
  auto r = run(json("deep.json", std::string(10000, '[') + std::string(10000, ']')));
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("nested deeper than 64 levels"), std::string::npos) << r.err;
}

TEST_F(ImportScim, F_I5_DryRunChangesNothing) {
  std::string before = slurp(data);
  auto r = run(kScim / "acme.json", true);
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("dry run"), std::string::npos);
  EXPECT_EQ(slurp(data), before);
}

TEST(ScimGroupId, F_G2_GroupIdFromDisplayName) {
  EXPECT_EQ(sim::group_id_for("Sales Munich"), "Sales_Munich");
  EXPECT_EQ(sim::group_id_for(" Project -- Atlas! "), "Project_Atlas");
  EXPECT_EQ(sim::group_id_for("2nd floor"), "g_2nd_floor");
  EXPECT_EQ(sim::group_id_for("äöü"), "group");
}

// Random and mutated documents: never a crash; a refusal lists its problems
// with the file name and produces nothing; an acceptance produces data that
// loads.
TEST(ImportScimFuzz, F_I5_RandomAndMutatedDocumentsNeverCrashNeverPartial) {
  CompileResult compiled = compile_policy(kPolicy.string());
  ASSERT_TRUE(compiled.policy);
  const std::string tenant = slurp(kTenant);
  const std::string seed = slurp(kScim / "acme.json");
  const std::vector<std::string> tokens = {"{",
                                           "}",
                                           "[",
                                           "]",
                                           ",",
                                           ":",
                                           "\"",
                                           "\"Resources\"",
                                           "\"schemas\"",
                                           "\"members\"",
                                           "\"value\"",
                                           "\"emails\"",
                                           "\"userName\"",
                                           "\"displayName\"",
                                           "\"id\"",
                                           "null",
                                           "true",
                                           "1",
                                           "\"urn:ietf:params:scim:schemas:core:2.0:User\"",
                                           "\"urn:ietf:params:scim:schemas:core:2.0:Group\"",
                                           "\"x@y\"",
                                           "\"IT\"",
                                           "\"\\u0000\"",
                                           "\"\xC3\"",
                                           "\"Sales Munich\""};
  keyplan::testing_support::check_bounded(
      [&] {
        std::string text;
        if (*rc::gen::arbitrary<bool>()) {
          text = seed; // mutate the real document: cut, insert, replace
          auto edits = *rc::gen::inRange(1, 6);
          for (int i = 0; i < edits; ++i) {
            size_t at = *rc::gen::inRange<size_t>(0, text.size());
            size_t len = *rc::gen::inRange<size_t>(0, 12);
            std::string tok = tokens[*rc::gen::inRange<size_t>(0, tokens.size())];
            text.replace(at, std::min(len, text.size() - at), tok);
          }
        } else {
          for (size_t i :
               *rc::gen::container<std::vector<size_t>>(rc::gen::inRange<size_t>(0, tokens.size())))
            text += tokens[i];
        }
        sim::ScimDocument doc;
        std::vector<std::string> problems;
        if (!sim::read_scim_document("f.json", text, doc, problems)) {
          RC_ASSERT(!problems.empty());
          for (const auto& p : problems) RC_ASSERT(p.rfind("f.json:", 0) == 0);
          return;
        }
        rt::Snapshot snap(*compiled.policy);
        Diagnostics d;
        RC_ASSERT(rt::load_data(snap, tenant, "tenant.yaml", d, *compiled.sources));
        auto r = sim::import_scim(snap, tenant, "f.json", doc);
        RC_ASSERT(r.problems.empty() != r.new_text.empty());
        for (const auto& p : r.problems) RC_ASSERT(p.rfind("f.json:", 0) == 0);
        if (r.problems.empty()) {
          rt::Snapshot check(*compiled.policy);
          Diagnostics d2;
          RC_ASSERT(rt::load_data(check, r.new_text, "new.yaml", d2, *compiled.sources));
        }
      },
      300, 40);
}
