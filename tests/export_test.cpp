// keyplan export users / group-members (DOMAIN F-G5, F-I1): the directory out
// again, and export -> import as a round trip that changes nothing.
#include "compiler/compile.hpp"
#include "runtime/data_loader.hpp"
#include "simulator/export_users.hpp"
#include "simulator/import_run.hpp"
#include "simulator/import_table.hpp"
#include "simulator/import_users.hpp"
#include "test_support.hpp"

#include <filesystem>
#include <fmt/format.h>
#include <fstream>
#include <gtest/gtest.h>
#include <rapidcheck.h>
#include <set>
#include <sstream>

namespace fs = std::filesystem;
using namespace keyplan;

namespace {

const fs::path kSrc = KEYPLAN_SOURCE_DIR;
const fs::path kPolicy = kSrc / "policies/examples/desk_booking/acme_office.kp";
const fs::path kTenant = kSrc / "policies/examples/desk_booking/data/tenant.yaml";

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

struct Exported {
  int code = -1;
  std::string text, err;
};

Exported export_to_file(sim::ExportOptions o, const fs::path& file) {
  o.policy = kPolicy.string();
  if (o.data.empty()) o.data = kTenant.string();
  o.output = file.string();
  std::ostringstream out, err;
  Exported e;
  e.code = sim::run_export(o, out, err);
  e.text = slurp(file);
  e.err = err.str();
  return e;
}

struct TempDir {
  fs::path path;
  TempDir() {
    path = fs::temp_directory_path() /
           ("keyplan_export_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(path);
    fs::create_directories(path);
  }
  ~TempDir() { fs::remove_all(path); }
};

} // namespace

TEST(Export, F_G5_GroupMembersAsCsv) {
  TempDir d;
  sim::ExportOptions o;
  o.what = "group-members";
  o.group = "Car_Pool";
  auto e = export_to_file(o, d.path / "m.csv");
  ASSERT_EQ(e.code, 0) << e.err;
  EXPECT_EQ(e.text, "User,Name,Email\r\nclara,Clara Neumann,clara.neumann@acme.example\r\n"
                    "jonas,Jonas Becker,jonas.becker@acme.example\r\n");
}

TEST(Export, F_G5_GroupMembersInAzureAdBulkImportShape) {
  TempDir d;
  sim::ExportOptions o;
  o.what = "group-members";
  o.group = "Car_Pool";
  o.format = "azure-csv";
  auto e = export_to_file(o, d.path / "m.csv");
  ASSERT_EQ(e.code, 0) << e.err;
  EXPECT_EQ(e.text, "version:v1.0\r\n"
                    "Member object ID or user principal name [memberObjectIdOrUpn] Required\r\n"
                    "clara.neumann@acme.example\r\njonas.becker@acme.example\r\n");
}

TEST(Export, F_G5_GroupMembersAsXlsxReadBack) {
  TempDir d;
  sim::ExportOptions o;
  o.what = "group-members";
  o.group = "Legal";
  o.format = "xlsx";
  auto e = export_to_file(o, d.path / "m.xlsx");
  ASSERT_EQ(e.code, 0) << e.err;
  sim::ImportTable t;
  std::vector<std::string> errors;
  ASSERT_TRUE(sim::read_import_table("m.xlsx", e.text, {}, t, errors));
  EXPECT_EQ(t.header, (std::vector<std::string>{"User", "Name", "Email"}));
  ASSERT_EQ(t.rows.size(), 2u);
  EXPECT_EQ(t.rows[0].cells[0], "ahmet");
  EXPECT_EQ(t.rows[1].cells[0], "clara");
}

TEST(Export, F_G2_AllHoldsEveryUserWhileAllIsEveryone) {
  TempDir d;
  sim::ExportOptions o;
  o.what = "group-members";
  o.group = "ALL";
  auto e = export_to_file(o, d.path / "m.csv");
  ASSERT_EQ(e.code, 0) << e.err;
  CompileResult c = compile_policy(kPolicy.string());
  rt::Snapshot s(*c.policy);
  Diagnostics diags;
  ASSERT_TRUE(rt::load_data_file(s, kTenant.string(), diags, *c.sources));
  size_t lines = std::count(e.text.begin(), e.text.end(), '\n');
  EXPECT_EQ(lines, 1u + static_cast<size_t>(s.count(c.policy->find_entity("User"))));
}

TEST(Export, F_G5_UnknownGroupIsAnErrorWithDidYouMean) {
  TempDir d;
  sim::ExportOptions o;
  o.what = "group-members";
  o.group = "Car_Pol";
  auto e = export_to_file(o, d.path / "m.csv");
  EXPECT_EQ(e.code, 2);
  EXPECT_NE(e.err.find("unknown group 'Car_Pol' (did you mean 'Car_Pool'?)"), std::string::npos)
      << e.err;
}

TEST(Export, F_I1_UsersInTheImportColumns) {
  TempDir d;
  sim::ExportOptions o;
  o.what = "users";
  auto e = export_to_file(o, d.path / "u.csv");
  ASSERT_EQ(e.code, 0) << e.err;
  EXPECT_EQ(e.text.substr(0, e.text.find('\r')),
            "Name,Email,Groups,Roles,Department,Function,About,Notify,Timezone,ID");
  EXPECT_NE(e.text.find("Lena Wagner,lena.wagner@acme.example,\"IT, Mobile_Workers\""),
            std::string::npos)
      << e.text;
}

// The round trip: any tenant exported as CSV or XLSX and imported back into
// itself changes nothing (0 created, 0 updated, the same bytes).
TEST(ExportRoundTrip, F_I1_ExportThenImportChangesNothing) {
  TempDir d;
  const std::vector<std::string> groups = {"IT", "HR", "Legal", "Car_Pool", "Sales_Munich"};
  const std::vector<std::string> roles = {"group_manager", "location_manager", "administrator"};
  const std::vector<std::string> texts = {
      "Anna", "=1+2",       "-x",         "+49 30 1234", "@home",      "12345",  "1-jan", "Ä Ö ü",
      "a, b", "\"quoted\"", "two\nlines", "'apostrophe", "2026-01-02", "Zeile;", "x@y.z", "0049"};
  keyplan::testing_support::check_bounded(
      [&] {
        auto n = *rc::gen::inRange(1, 6);
        std::string yaml = "User:\n";
        for (int i = 0; i < n; ++i) {
          auto pick = [&](const std::vector<std::string>& v) {
            return v[*rc::gen::inRange<size_t>(0, v.size())];
          };
          auto quoted = [](const std::string& s) {
            std::string o = "\"";
            for (char c : s)
              o += c == '"' ? std::string("\\\"") : c == '\n' ? "\\n" : std::string(1, c);
            return o + "\"";
          };
          auto gs =
              *rc::gen::container<std::vector<size_t>>(rc::gen::inRange<size_t>(0, groups.size()));
          std::set<std::string> g;
          for (size_t x : gs) g.insert(groups[x]);
          std::string gl;
          for (const auto& x : g) gl += (gl.empty() ? "" : ", ") + x;
          yaml += fmt::format("  - {{id: u{}, name: {}, email: \"user{}@acme.example\", groups: "
                              "[{}], roles: [{}], department: {}, about: {}, notify: {}, "
                              "external_id: {}}}\n",
                              i, quoted(pick(texts)), i, gl, pick(roles), quoted(pick(texts)),
                              quoted(pick(texts)), *rc::gen::arbitrary<bool>() ? "true" : "false",
                              quoted(pick(texts)));
        }
        fs::path data = d.path / "t.yaml";
        std::ofstream(data, std::ios::binary) << yaml;
        for (const char* fmt_name : {"csv", "xlsx"}) {
          sim::ExportOptions o;
          o.what = "users";
          o.data = data.string();
          o.format = fmt_name;
          fs::path file = d.path / (std::string("u.") + fmt_name);
          auto e = export_to_file(o, file);
          RC_ASSERT(e.code == 0);
          sim::UserImportOptions io;
          io.table = file.string();
          io.into = data.string();
          io.policy = kPolicy.string();
          std::ostringstream out, err;
          RC_ASSERT(sim::run_user_import(io, out, err) == 0);
          RC_ASSERT(out.str().find(fmt::format("{} row{}: 0 created, 0 updated, {} unchanged", n,
                                               n == 1 ? "" : "s", n)) != std::string::npos);
          RC_ASSERT(slurp(data) == yaml);
        }
      },
      30, 20);
}
