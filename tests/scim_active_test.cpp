// SCIM `active: false` (RFC 7643 4.1.1). DOMAIN and PRODUCT name no inactive
// user, so `keyplan import scim` imports such a user like the others and
// lists it in the summary (docs/import.md, "SCIM").
#include "simulator/import_scim.hpp"
#include "simulator/scim_document.hpp"

#include <filesystem>
#include <fstream>
#include <gtest/gtest.h>
#include <sstream>
#include <unistd.h>

namespace fs = std::filesystem;
using namespace keyplan;

namespace {

std::string scim_user(const std::string& id, const std::string& email, const std::string& active) {
  return R"({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "id": ")" + id +
         R"(", "userName": ")" + email + R"(", "displayName": "N )" + id + R"(")" +
         (active.empty() ? "" : R"(, "active": )" + active) + "}";
}

std::string list_response(const std::vector<std::string>& resources) {
  std::string s = R"({"schemas": ["urn:ietf:params:scim:api:messages:2.0:ListResponse"],
"Resources": [)";
  for (size_t i = 0; i < resources.size(); ++i) s += (i ? ", " : "") + resources[i];
  return s + "]}";
}

} // namespace

TEST(ScimActive, DocumentKeepsActiveFalseAndRefusesANonBoolean) {
  sim::ScimDocument doc;
  std::vector<std::string> problems;
  ASSERT_TRUE(sim::read_scim_document(
      "d.json",
      list_response({scim_user("1", "a@x.de", "false"), scim_user("2", "b@x.de", ""),
                     scim_user("3", "c@x.de", "true")}),
      doc, problems));
  ASSERT_EQ(doc.users.size(), 3u);
  EXPECT_FALSE(doc.users[0].active);
  EXPECT_TRUE(doc.users[1].active);
  EXPECT_TRUE(doc.users[2].active);
  sim::ScimDocument bad;
  EXPECT_FALSE(sim::read_scim_document(
      "d.json", list_response({scim_user("1", "a@x.de", "\"no\"")}), bad, problems));
  ASSERT_FALSE(problems.empty());
  EXPECT_NE(problems.back().find("d.json:Resources[0].active: expected true or false"),
            std::string::npos)
      << problems.back();
}

TEST(ScimActive, InactiveUsersAreImportedAndListedInTheSummary) {
  fs::path dir = fs::temp_directory_path() / ("keyplan_scim_active_" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  std::ofstream(dir / "d.json") << list_response(
      {scim_user("1", "ina.aktiv@x.de", "false"), scim_user("2", "bo@x.de", "")});
  sim::ScimImportOptions o;
  o.file = (dir / "d.json").string();
  o.into = (dir / "tenant.yaml").string();
  std::ostringstream out, err;
  int code = sim::run_scim_import(o, out, err);
  std::string data;
  {
    std::ifstream in(dir / "tenant.yaml");
    std::stringstream ss;
    ss << in.rdbuf();
    data = ss.str();
  }
  fs::remove_all(dir);
  ASSERT_EQ(code, 0) << err.str();
  EXPECT_NE(out.str().find("1 user inactive in the identity provider (active: false), imported "
                           "like the others"),
            std::string::npos)
      << out.str();
  EXPECT_NE(data.find("ina.aktiv@x.de"), std::string::npos) << data;
  EXPECT_NE(data.find("bo@x.de"), std::string::npos) << data;
}
