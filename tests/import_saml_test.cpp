// keyplan import saml-groups (DOMAIN F-G2): users' SAML memberOf values
// through a mapping file to external groups, on the ACME example tenant
// (Sales_Munich is external there; sophie is its member).
#include "compiler/compile.hpp"
#include "import_support.hpp"
#include "runtime/data_loader.hpp"
#include "simulator/import_saml.hpp"
#include "test_support.hpp"

#include <filesystem>
#include <fstream>
#include <gtest/gtest.h>
#include <rapidcheck.h>
#include <set>
#include <sstream>

namespace fs = std::filesystem;
using namespace keyplan;
using namespace keyplan::import_test;

namespace {

const fs::path kSaml = kSrc / "tests/data/import/saml";

class ImportSaml : public import_test::TenantCopy {
protected:
  ImportRun run(const fs::path& mapping, const fs::path& users) {
    sim::SamlImportOptions o;
    o.mapping = mapping.string();
    o.users = users.string();
    o.into = data.string();
    o.policy = kPolicy.string();
    std::ostringstream out, err;
    ImportRun r;
    r.code = sim::run_saml_import(o, out, err);
    r.out = out.str();
    r.err = err.str();
    return r;
  }
  fs::path file(const std::string& name, const std::string& text) {
    std::ofstream(dir / name, std::ios::binary) << text;
    return dir / name;
  }
  std::string groups(const std::string& user) {
    CompileResult c = compile_policy(kPolicy.string());
    rt::Snapshot s(*c.policy);
    Diagnostics d;
    if (!rt::load_data_file(s, data.string(), d, *c.sources)) return "<does not load>";
    int32_t u = c.policy->find_entity("User");
    int32_t row = s.find(u, user);
    std::set<std::string> ids;
    for (const auto& e : s.get(u, row, c.policy->entities[u].find_attribute("groups")).elems)
      ids.insert(s.id(e.ref, static_cast<int32_t>(e.num)));
    std::string out;
    for (const auto& i : ids) out += (out.empty() ? "" : ",") + i;
    return out;
  }
};

} // namespace

TEST_F(ImportSaml, F_G2_MemberOfValuesSetTheMappedExternalGroups) {
  auto r = run(kSaml / "mapping.yaml", kSaml / "users.csv");
  ASSERT_EQ(r.code, 0) << r.err;
  // lena joins both mapped groups, keeps her internal ones; sophie (email
  // matched ignoring case) leaves Sales_Munich, joins Project_Atlas (created external).
  EXPECT_EQ(groups("lena"), "IT,Mobile_Workers,Project_Atlas,Sales_Munich");
  EXPECT_EQ(groups("sophie"), "Project_Atlas");
  EXPECT_NE(r.out.find("external groups created: 1"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("1 value without a mapping (ignored)"), std::string::npos) << r.out;
  // Users without a row are untouched.
  EXPECT_EQ(groups("clara"), "Car_Pool,Legal");
  // A second run changes nothing.
  std::string once = slurp(data);
  ASSERT_EQ(run(kSaml / "mapping.yaml", kSaml / "users.csv").code, 0);
  EXPECT_EQ(slurp(data), once);
}

TEST_F(ImportSaml, F_I5_EveryProblemListedNothingWritten) {
  std::string before = slurp(data);
  auto r = run(file("m.yaml", "\"CN=IT\": IT\n\"CN=X\": [a]\n"),
               file("u.csv", "Email,memberOf,Extra\nnobody@acme.example,CN=IT\n,CN=IT\n"));
  EXPECT_EQ(r.code, 2);
  for (const char* p : {"m.yaml:2:9: a value must be a group id"})
    EXPECT_NE(r.err.find(p), std::string::npos) << p << "\n" << r.err;
  EXPECT_EQ(slurp(data), before);
  auto r2 = run(file("m2.yaml", "\"CN=IT\": IT\n"),
                file("u2.csv", "Email,memberOf,Extra\nnobody@acme.example,CN=IT\n,CN=IT\n"));
  EXPECT_EQ(r2.code, 2);
  for (const char* p : {"m2.yaml:1: the group 'IT' is not external (internal)",
                        "u2.csv:1:Extra: unknown column 'Extra'",
                        "u2.csv:2:Email: no user has the email 'nobody@acme.example'",
                        "u2.csv:3:Email: the row has no email"})
    EXPECT_NE(r2.err.find(p), std::string::npos) << p << "\n" << r2.err;
  EXPECT_EQ(slurp(data), before);
}

// Random mapping files and user lists: never a crash; a refusal lists its
// problems and writes nothing; an acceptance writes data that loads.
TEST_F(ImportSaml, F_I5_RandomInputsNeverCrashNeverPartial) {
  const std::vector<std::string> tokens = {"\"CN=A\"", ": ",        "Sales_Munich",
                                           "IT",       "New_Group", "\n",
                                           "[",        "{",         "&a",
                                           "*a",       "#",         "Email",
                                           "memberOf", ",",         ";",
                                           "|",        "CN=A",      "lena.wagner@acme.example",
                                           "\"",       "\xC3",      ""};
  keyplan::testing_support::check_bounded(
      [&] {
        fs::copy_file(kTenant, data, fs::copy_options::overwrite_existing);
        std::string before = slurp(data);
        auto gen = [&](std::string start) {
          for (size_t i :
               *rc::gen::container<std::vector<size_t>>(rc::gen::inRange<size_t>(0, tokens.size())))
            start += tokens[i];
          return start;
        };
        auto r = run(file("m.yaml", gen("\"CN=A\": Sales_Munich\n")),
                     file("u.csv", gen("Email,memberOf\n")));
        RC_ASSERT(r.code == 0 || r.code == 2);
        if (r.code == 2) {
          RC_ASSERT(slurp(data) == before);
          RC_ASSERT(!r.err.empty());
        } else {
          RC_ASSERT(groups("lena") != "<does not load>");
        }
      },
      40, 30);
}
