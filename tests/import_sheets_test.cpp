// keyplan import users with an XLSX workbook of several sheets: the first
// sheet in the workbook's order, or the one `--sheet NAME` chooses; a first
// sheet that is not the user list names the workbook's sheets.
#include "simulator/import_run.hpp"
#include "simulator/import_table.hpp"

#include <filesystem>
#include <fstream>
#include <gtest/gtest.h>
#include <sstream>
#include <unistd.h>
#include <xlsxwriter.h>

namespace fs = std::filesystem;
using namespace keyplan;

namespace {

const fs::path kSrc = KEYPLAN_SOURCE_DIR;
const fs::path kPolicy = kSrc / "policies/examples/desk_booking/acme_office.kp";
const fs::path kTenant = kSrc / "policies/examples/desk_booking/data/tenant.yaml";

class ImportSheets : public ::testing::Test {
protected:
  fs::path dir, data, book;
  void SetUp() override {
    dir = fs::temp_directory_path() /
          ("keyplan_sheets_" + std::to_string(::getpid()) + "_" +
           ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir);
    fs::create_directories(dir);
    data = dir / "tenant.yaml";
    fs::copy_file(kTenant, data);
    // A cover sheet first, then the user list (as exports with a summary come).
    book = dir / "book.xlsx";
    lxw_workbook* wb = workbook_new(book.c_str());
    lxw_worksheet* cover = workbook_add_worksheet(wb, "Summary");
    worksheet_write_string(cover, 0, 0, "Exported users", nullptr);
    worksheet_write_string(cover, 1, 0, "ACME", nullptr);
    lxw_worksheet* users = workbook_add_worksheet(wb, "Users");
    worksheet_write_string(users, 0, 0, "Name", nullptr);
    worksheet_write_string(users, 0, 1, "E-Mail", nullptr);
    worksheet_write_string(users, 0, 2, "Abteilung", nullptr);
    worksheet_write_string(users, 1, 0, "Nina Sheet", nullptr);
    worksheet_write_string(users, 1, 1, "nina.sheet@acme.example", nullptr);
    worksheet_write_string(users, 1, 2, "Finance", nullptr);
    EXPECT_EQ(workbook_close(wb), LXW_NO_ERROR);
  }
  void TearDown() override { fs::remove_all(dir); }
  int run(const std::string& sheet, std::string& out, std::string& err) {
    sim::UserImportOptions o;
    o.table = book.string();
    o.into = data.string();
    o.policy = kPolicy.string();
    o.sheet = sheet;
    std::ostringstream os, es;
    int code = sim::run_user_import(o, os, es);
    out = os.str();
    err = es.str();
    return code;
  }
  std::string data_text() const {
    std::ifstream in(data);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
  }
};

} // namespace

TEST_F(ImportSheets, FirstSheetNotAUserListNamesTheSheets) {
  std::string out, err;
  EXPECT_EQ(run("", out, err), 2);
  EXPECT_NE(err.find("book.xlsx: the first sheet, 'Summary', does not have the user list's "
                     "columns; the workbook's sheets: Summary, Users (choose one with --sheet "
                     "NAME)"),
            std::string::npos)
      << err;
  EXPECT_EQ(data_text().find("nina.sheet"), std::string::npos);
}

TEST_F(ImportSheets, SheetOptionChoosesTheUserList) {
  std::string out, err;
  ASSERT_EQ(run("Users", out, err), 0) << err;
  EXPECT_NE(data_text().find("nina.sheet@acme.example"), std::string::npos);
}

TEST_F(ImportSheets, UnknownSheetIsAnErrorListingTheSheets) {
  std::string out, err;
  EXPECT_EQ(run("User", out, err), 2);
  EXPECT_NE(err.find("book.xlsx: no sheet 'User' (did you mean 'Users'?); the workbook's sheets: "
                     "Summary, Users"),
            std::string::npos)
      << err;
}

TEST_F(ImportSheets, SheetOptionOnACsvFileIsAnError) {
  sim::ImportTable table;
  std::vector<std::string> errors;
  sim::ImportReadOptions ro;
  ro.sheet = "Users";
  EXPECT_FALSE(
      sim::read_import_table("u.csv", "Name,Email\nA,a@acme.example\n", ro, table, errors));
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0], "u.csv: --sheet is for XLSX workbooks; this is a CSV file");
}
