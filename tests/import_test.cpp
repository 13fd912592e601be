// keyplan import users (DOMAIN F-I1..F-I5): CSV and XLSX fixtures made by
// LibreOffice (tests/data/import/make_fixtures.sh) and by libxlsxwriter,
// against the ACME example tenant; plus a fuzz property on the CSV path.
#include "compiler/compile.hpp"
#include "import_support.hpp"
#include "runtime/data_loader.hpp"
#include "simulator/import_run.hpp"
#include "simulator/import_table.hpp"
#include "simulator/import_users.hpp"
#include "test_support.hpp"

#include <filesystem>
#include <fstream>
#include <gtest/gtest.h>
#include <rapidcheck.h>
#include <sstream>
#include <sys/stat.h>
#include <xlsxwriter.h>

namespace fs = std::filesystem;
using namespace keyplan;
using namespace keyplan::import_test;

namespace {

const fs::path kFixtures = kSrc / "tests/data/import";

void spit(const fs::path& p, const std::string& s) {
  std::ofstream(p, std::ios::binary) << s;
}

class Import : public import_test::TenantCopy {
protected:
  ImportRun run(const fs::path& table, bool dry_run = false, char sep = 0) {
    sim::UserImportOptions o;
    o.table = table.string();
    o.into = data.string();
    o.policy = kPolicy.string();
    o.dry_run = dry_run;
    o.separator = sep;
    std::ostringstream out, err;
    ImportRun r;
    r.code = sim::run_user_import(o, out, err);
    r.out = out.str();
    r.err = err.str();
    return r;
  }
  fs::path csv(const std::string& name, const std::string& text) {
    spit(dir / name, text);
    return dir / name;
  }
};

// The loaded data file: one user's attribute as keyplan prints it.
struct Loaded {
  CompileResult compiled;
  std::unique_ptr<rt::Snapshot> snap;
  explicit Loaded(const fs::path& data) {
    compiled = compile_policy(kPolicy.string());
    snap = std::make_unique<rt::Snapshot>(*compiled.policy);
    Diagnostics diags;
    ok = rt::load_data_file(*snap, data.string(), diags, *compiled.sources);
  }
  bool ok = false;
  bool has(const std::string& id) const {
    return snap->find(compiled.policy->find_entity("User"), id) >= 0;
  }
  std::string attr(const std::string& id, const std::string& a) const {
    int32_t u = compiled.policy->find_entity("User");
    int32_t row = snap->find(u, id);
    if (row < 0) return "<no user " + id + ">";
    ir::Value v = snap->get(u, row, compiled.policy->entities[u].find_attribute(a));
    if (v.tag == ir::Value::Tag::String) return v.str;
    if (v.tag == ir::Value::Tag::Bool) return v.num ? "true" : "false";
    if (v.tag == ir::Value::Tag::Set) {
      std::string s;
      for (const auto& e : v.elems) {
        if (!s.empty()) s += ",";
        s += e.tag == ir::Value::Tag::Entity
                 ? snap->id(e.ref, static_cast<int32_t>(e.num))
                 : compiled.policy->enums[e.ref].members[static_cast<size_t>(e.num)];
      }
      return s;
    }
    return "?";
  }
};

} // namespace

TEST_F(Import, F_I1_EnglishHeadersEveryColumnCsvWithQuotedNewline) {
  auto r = run(kFixtures / "users_en.csv");
  ASSERT_EQ(r.code, 0) << r.err;
  Loaded l(data);
  ASSERT_TRUE(l.ok);
  EXPECT_EQ(l.attr("lena", "groups"), "IT,HR");
  EXPECT_EQ(l.attr("lena", "roles"), "administrator");
  EXPECT_EQ(l.attr("lena", "about"), "Two lines:\r\nsecond line");
  EXPECT_EQ(l.attr("lena", "department"), "IT");
  EXPECT_EQ(l.attr("lena", "function"), "Admin");
  EXPECT_EQ(l.attr("lena", "timezone"), "Europe/Berlin");
  EXPECT_EQ(l.attr("lena", "external_id"), "1001");
  EXPECT_EQ(l.attr("lena", "notify"), "true");
  EXPECT_EQ(l.attr("mara_klein", "notify"), "false");
  EXPECT_EQ(l.attr("mara_klein", "email"), "Mara.Klein@acme.example");
}

TEST_F(Import, F_I1_GermanHeadersAnyOrderUtf8Bom) {
  auto r = run(kFixtures / "users_de_bom.csv");
  ASSERT_EQ(r.code, 0) << r.err;
  Loaded l(data);
  EXPECT_EQ(l.attr("ahmet", "groups"), "IT,Legal");
  EXPECT_EQ(l.attr("ahmet", "about"), "Größe: 1,80 m");
  EXPECT_EQ(l.attr("ahmet", "timezone"), "Europe/Istanbul");
  EXPECT_NE(r.out.find("separator ';'"), std::string::npos);
}

TEST_F(Import, F_I1_HeadersCaseInsensitiveWithUmlauts) {
  auto r =
      run(csv("u.csv", "  EMAIL ;NAME;ÜBER;gruppen\ntom.richter@acme.example;Tom Richter;x;IT\n"));
  ASSERT_EQ(r.code, 0) << r.err;
  Loaded l(data);
  EXPECT_EQ(l.attr("tom", "about"), "x");
  EXPECT_EQ(l.attr("tom", "groups"), "IT");
}

TEST_F(Import, F_I1_UnknownHeaderIsAnErrorWithDidYouMean) {
  auto r = run(csv("u.csv", "Name;E-Mail;Abteilng\nTom;tom.richter@acme.example;x\n"));
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("u.csv:1:Abteilng: unknown column 'Abteilng' (did you mean 'Abteilung'?)"),
            std::string::npos)
      << r.err;
}

TEST_F(Import, F_I1_XlsxFromLibreOfficeEqualsCsv) {
  ASSERT_EQ(run(kFixtures / "users_en.csv").code, 0);
  std::string from_csv = slurp(data);
  fs::copy_file(kTenant, data, fs::copy_options::overwrite_existing);
  auto r = run(kFixtures / "users_en_libreoffice.xlsx");
  ASSERT_EQ(r.code, 0) << r.err;
  // LibreOffice keeps the cell's line break as \n (the CSV had \r\n in the quote).
  std::string from_xlsx = slurp(data);
  Loaded l(data);
  EXPECT_EQ(l.attr("lena", "about"), "Two lines:\nsecond line");
  EXPECT_EQ(l.attr("lena", "external_id"), "1001"); // a number cell
  EXPECT_EQ(l.attr("mara_klein", "groups"), "Graphics");
  ASSERT_EQ(run(kFixtures / "users_de_libreoffice.xlsx").code, 0);
  EXPECT_EQ(Loaded(data).attr("ahmet", "about"), "Größe: 1,80 m");
}

TEST_F(Import, F_I1_XlsxFromLibxlsxwriter) {
  fs::path x = dir / "w.xlsx";
  lxw_workbook* wb = workbook_new(x.c_str());
  lxw_worksheet* ws = workbook_add_worksheet(wb, "Users");
  const char* head[] = {"Rollen", "E-Mail", "Name", "ID", "Benachrichtigen"};
  for (int c = 0; c < 5; ++c) worksheet_write_string(ws, 0, c, head[c], nullptr);
  worksheet_write_string(ws, 1, 0, "group_manager, location_manager", nullptr);
  worksheet_write_string(ws, 1, 1, "jonas.becker@acme.example", nullptr);
  worksheet_write_string(ws, 1, 2, "Jonas Becker", nullptr);
  worksheet_write_number(ws, 1, 3, 42, nullptr);
  worksheet_write_boolean(ws, 1, 4, 0, nullptr);
  ASSERT_EQ(workbook_close(wb), LXW_NO_ERROR);
  auto r = run(x);
  ASSERT_EQ(r.code, 0) << r.err;
  Loaded l(data);
  EXPECT_EQ(l.attr("jonas", "roles"), "group_manager,location_manager");
  EXPECT_EQ(l.attr("jonas", "external_id"), "42");
  EXPECT_EQ(l.attr("jonas", "notify"), "false");
}

TEST_F(Import, F_I2_EmailIsTheKeyCaseInsensitiveTrimmed) {
  auto r = run(csv("u.csv", "Name,Email,Department\nLena W.,  LENA.Wagner@ACME.example ,IT\n"));
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("0 created, 1 updated"), std::string::npos) << r.out;
  Loaded l(data);
  EXPECT_EQ(l.attr("lena", "name"), "Lena W.");
  EXPECT_EQ(l.attr("lena", "email"), "lena.wagner@acme.example"); // the stored key stays
}

TEST_F(Import, F_I2_NewEmailCreatesUserWithStableId) {
  auto r =
      run(csv("u.csv", "Name,Email\nNew One,new.one@acme.example\nOther,new-one@other.example\n"));
  ASSERT_EQ(r.code, 0) << r.err;
  Loaded l(data);
  EXPECT_EQ(l.attr("new_one", "email"), "new.one@acme.example");
  EXPECT_EQ(l.attr("new_one_2", "email"), "new-one@other.example");
  // A second run finds both by email: nothing changes.
  std::string after = slurp(data);
  auto again = run(dir / "u.csv");
  EXPECT_NE(again.out.find("0 created, 0 updated, 2 unchanged"), std::string::npos) << again.out;
  EXPECT_EQ(slurp(data), after);
}

TEST(ImportId, F_I2_NewUserIdRule) {
  EXPECT_EQ(sim::new_user_id("Lena.Wagner@x", {}), "lena_wagner");
  EXPECT_EQ(sim::new_user_id("lena.wagner@x", {"lena_wagner", "lena_wagner_2"}), "lena_wagner_3");
  EXPECT_EQ(sim::new_user_id("007@x", {}), "u_007");
  EXPECT_EQ(sim::new_user_id("...@x", {}), "user");
  EXPECT_EQ(sim::new_user_id("jürgen--m@x", {}), "j_rgen_m");
}

TEST_F(Import, F_I3_RowWithoutEmailOrNameIsAnError) {
  auto r = run(csv("u.csv", "Name;E-Mail\n;a@acme.example\nNo Mail;\nBad;not-an-email\n"));
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("u.csv:2:Name: the row has no name (F-I3)"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("u.csv:3:E-Mail: the row has no email (F-I3)"), std::string::npos);
  EXPECT_NE(r.err.find("u.csv:4:E-Mail: 'not-an-email' is not an email address"),
            std::string::npos);
  auto no_col = run(csv("v.csv", "Email\na@acme.example\n"));
  EXPECT_EQ(no_col.code, 2);
  EXPECT_NE(no_col.err.find("no column for 'name'"), std::string::npos) << no_col.err;
}

TEST_F(Import, F_I4_AbsentColumnUntouchedEmptyCellSetsEmpty) {
  ASSERT_EQ(run(csv("a.csv", "Name,Email\nLena,lena.wagner@acme.example\n")).code, 0);
  EXPECT_EQ(Loaded(data).attr("lena", "groups"), "IT,Mobile_Workers"); // absent: untouched
  auto r = run(csv("b.csv", "Name,Email,Groups,Notify,About\nLena,lena.wagner@acme.example,,,\n"));
  ASSERT_EQ(r.code, 0) << r.err;
  Loaded l(data);
  EXPECT_EQ(l.attr("lena", "groups"), "");
  EXPECT_EQ(l.attr("lena", "notify"), "false");
  EXPECT_NE(r.out.find("groups: 1 user changed"), std::string::npos) << r.out;
}

TEST_F(Import, F_I5_EveryProblemListedAtOnceNothingChanged) {
  std::string before = slurp(data);
  auto r = run(kFixtures / "users_problems.csv");
  EXPECT_EQ(r.code, 2);
  for (const char* line :
       {"users_problems.csv:1:Abteilng: unknown column 'Abteilng' (did you mean 'Abteilung'?)",
        "users_problems.csv:2:Gruppen: unknown group 'Finanse'",
        "users_problems.csv:3:Name: the row has no name (F-I3)",
        "users_problems.csv:4:E-Mail: the row has no email (F-I3)",
        "users_problems.csv:5:Rollen: unknown role 'admin' (did you mean 'administrator'?)",
        "users_problems.csv:5:E-Mail: the email 'TOM.RICHTER@acme.example' is already on line 2",
        "6 problems, nothing imported"})
    EXPECT_NE(r.err.find(line), std::string::npos) << line << "\n" << r.err;
  EXPECT_EQ(slurp(data), before);
  auto x = run(kFixtures / "users_bad_rows_libreoffice.xlsx");
  EXPECT_EQ(x.code, 2);
  EXPECT_NE(x.err.find("users_bad_rows_libreoffice.xlsx:2:Gruppen: unknown group 'Finanse'"),
            std::string::npos)
      << x.err;
  EXPECT_EQ(slurp(data), before);
}

TEST_F(Import, F_I5_UnknownGroupDidYouMean) {
  auto r = run(csv("users.csv", "Name;E-Mail;Gruppen\nT;tom.richter@acme.example;Graphic\n"));
  EXPECT_NE(r.err.find("users.csv:2:Gruppen: unknown group 'Graphic' (did you mean 'Graphics'?)"),
            std::string::npos)
      << r.err;
}

TEST_F(Import, F_I5_DryRunPrintsSummaryChangesNothing) {
  std::string before = slurp(data);
  auto r = run(kFixtures / "users_en.csv", true);
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("2 rows: 1 created, 1 updated, 0 unchanged"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("groups: 1 user changed"), std::string::npos);
  EXPECT_NE(r.out.find("dry run"), std::string::npos);
  EXPECT_EQ(slurp(data), before);
}

TEST_F(Import, F_I5_WriteKeepsModeCommentsAndUntouchedLines) {
  std::string before = slurp(data);
  ::chmod(data.c_str(), 0640);
  auto r = run(csv("u.csv", "Name,Email,Department\nTom Richter,tom.richter@acme.example,Ops\n"));
  ASSERT_EQ(r.code, 0) << r.err;
  struct stat st {};
  ::stat(data.c_str(), &st);
  EXPECT_EQ(st.st_mode & 0777, 0640u);
  std::string after = slurp(data);
  // Only Tom's line differs; every other line (comments included) is kept.
  std::istringstream a(before), b(after);
  std::string la, lb;
  int diffs = 0;
  while (std::getline(a, la) && std::getline(b, lb))
    if (la != lb) {
      ++diffs;
      EXPECT_NE(lb.find("department: \"Ops\""), std::string::npos) << lb;
    }
  EXPECT_EQ(diffs, 1);
  EXPECT_EQ(after.rfind("# ACME's users", 0), 0u);
  // No temporary file is left next to it.
  int files = 0;
  for (auto& e : fs::directory_iterator(dir)) files += e.is_regular_file();
  EXPECT_EQ(files, 2);
}

TEST_F(Import, F_I5_Windows1252IsDetectedAndSaid) {
  auto r = run(kFixtures / "users_1252.csv");
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("not valid UTF-8, read as Windows-1252"), std::string::npos);
  Loaded l(data);
  EXPECT_EQ(l.attr("juergen_mueller", "name"), "Jürgen Müller");
  EXPECT_EQ(l.attr("juergen_mueller", "about"), "Budget 5 €");
}

TEST_F(Import, F_I5_SeparatorOptionOverridesDetection) {
  fs::path f = csv("u.csv", "Name;Email;About\nTom Richter;tom.richter@acme.example;a,b,c,d\n");
  EXPECT_EQ(run(f).code, 0); // detected ';'
  auto forced = run(f, false, ',');
  EXPECT_EQ(forced.code, 2);
  EXPECT_NE(forced.err.find("unknown column 'Name;Email;About'"), std::string::npos) << forced.err;
}

TEST_F(Import, F_I5_BrokenQuotesAndBrokenXlsxAreErrors) {
  std::string before = slurp(data);
  auto q = run(csv("u.csv", "Name,Email\n\"Tom,tom.richter@acme.example\n"));
  EXPECT_EQ(q.code, 2);
  EXPECT_NE(q.err.find("u.csv:"), std::string::npos) << q.err;
  auto c = run(csv("c.csv", std::string("Name;E-Mail\nA\x01"
                                        "B;a@acme.example\n")));
  EXPECT_EQ(c.code, 2);
  EXPECT_NE(c.err.find("c.csv:2:Name: a control character (0x01) in the cell"), std::string::npos)
      << c.err;
  auto x = run(csv("u.xlsx", std::string("PK\x03\x04garbage", 11)));
  EXPECT_EQ(x.code, 2);
  EXPECT_NE(x.err.find("not an XLSX workbook"), std::string::npos) << x.err;
  EXPECT_EQ(slurp(data), before);
}

// The CSV parser path on random and mutated files: never a crash, a problem
// list or a data text that loads (never both, never neither), and the data
// file untouched whenever there is a problem.
TEST(ImportFuzz, F_I5_RandomCsvNeverCrashesNeverPartial) {
  CompileResult compiled = compile_policy(kPolicy.string());
  ASSERT_TRUE(compiled.policy);
  std::string tenant = slurp(kTenant);
  const std::vector<std::string> tokens = {"Name",
                                           "E-Mail",
                                           "Email",
                                           "Gruppen",
                                           "Groups",
                                           "Rollen",
                                           "Notify",
                                           "Über",
                                           "ID",
                                           "Abteilng",
                                           ";",
                                           ",",
                                           "\"",
                                           "\"\"",
                                           "\n",
                                           "\r\n",
                                           "IT",
                                           "HR",
                                           "Finanse",
                                           "administrator",
                                           "ja",
                                           "maybe",
                                           "tom.richter@acme.example",
                                           "TOM.richter@acme.example ",
                                           "x@y",
                                           "",
                                           " ",
                                           "\xEF\xBB\xBF",
                                           "\xFC",
                                           "\x80",
                                           "\xC3",
                                           "{",
                                           "]",
                                           "#",
                                           "- ",
                                           ": "};
  keyplan::testing_support::check_bounded(
      [&] {
        auto picks =
            *rc::gen::container<std::vector<size_t>>(rc::gen::inRange<size_t>(0, tokens.size()));
        std::string text = "Name;E-Mail;Gruppen\n";
        if (*rc::gen::arbitrary<bool>()) text.clear();
        for (size_t i : picks) text += tokens[i];
        sim::ImportTable table;
        std::vector<std::string> errors;
        rt::Snapshot snap(*compiled.policy);
        Diagnostics d;
        RC_ASSERT(rt::load_data(snap, tenant, "tenant.yaml", d, *compiled.sources));
        if (!sim::read_import_table("f.csv", text, {}, table, errors)) {
          RC_ASSERT(!errors.empty());
          return;
        }
        auto r = sim::import_users(snap, tenant, "f.csv", table);
        RC_ASSERT(r.problems.empty() != r.new_text.empty());
        for (const auto& p : r.problems) RC_ASSERT(p.rfind("f.csv:", 0) == 0);
        if (r.problems.empty()) {
          rt::Snapshot check(*compiled.policy);
          Diagnostics d2;
          RC_ASSERT(rt::load_data(check, r.new_text, "new.yaml", d2, *compiled.sources));
        }
      },
      300, 60);
}

TEST(ImportModel, F_I1_ColumnAnnotationNamesHeadersInTheModel) {
  auto ok = compile_source("m.kp", "entity User {\n  @column(\"Cost centre\", \"Kostenstelle\")\n"
                                   "  cost: string = \"\"\n  email: string = \"\"\n}\n");
  ASSERT_TRUE(ok.policy) << ok.diags.render_text(*ok.sources, false);
  const auto& u = ok.policy->entities[ok.policy->find_entity("User")];
  EXPECT_EQ(u.attributes[u.find_attribute("cost")].columns,
            (std::vector<std::string>{"Cost centre", "Kostenstelle"}));
  EXPECT_EQ(ok.diags.warning_count(), 0u);
  auto bad = compile_source("m.kp", "entity User {\n  @column\n  email: string = \"\"\n}\n");
  EXPECT_TRUE(bad.diags.has_errors());
  EXPECT_NE(bad.diags.render_text(*bad.sources, false).find("@column needs at least one column"),
            std::string::npos);
}

TEST_F(Import, F_I5_MissingDataFileIsCreated) {
  fs::remove(data);
  auto dry = run(csv("u.csv", "Name,Email\nAnna,anna@acme.example\n"), true);
  ASSERT_EQ(dry.code, 0) << dry.err;
  EXPECT_FALSE(fs::exists(data));
  ASSERT_EQ(run(dir / "u.csv").code, 0);
  EXPECT_EQ(Loaded(data).attr("anna", "name"), "Anna");
}

// The whole command on random user lists: exit 0 or 2, and on 2 the data
// file is byte for byte what it was (never a partial write).
TEST_F(Import, F_I5_RandomListsNeverPartialWrite) {
  const std::vector<std::string> tokens = {"Name",
                                           "E-Mail",
                                           "Gruppen",
                                           ";",
                                           ",",
                                           "\"",
                                           "\n",
                                           "IT",
                                           "Finanse",
                                           "tom.richter@acme.example",
                                           "new@acme.example",
                                           "Über",
                                           "\xFC",
                                           ""};
  keyplan::testing_support::check_bounded(
      [&] {
        fs::copy_file(kTenant, data, fs::copy_options::overwrite_existing);
        std::string before = slurp(data);
        auto picks =
            *rc::gen::container<std::vector<size_t>>(rc::gen::inRange<size_t>(0, tokens.size()));
        std::string text = "Name;E-Mail;Gruppen\n";
        for (size_t i : picks) text += tokens[i];
        auto r = run(csv("r.csv", text));
        RC_ASSERT(r.code == 0 || r.code == 2);
        if (r.code == 2) {
          RC_ASSERT(slurp(data) == before);
          RC_ASSERT(!r.err.empty());
        } else {
          RC_ASSERT(Loaded(data).ok);
        }
      },
      40, 40);
}

TEST(ImportTable, F_I5_CsvLinesCountBlankLinesAndQuotedNewlines) {
  sim::ImportTable t;
  std::vector<std::string> errors;
  ASSERT_TRUE(sim::read_import_table("f.csv", "Name,Email\n\n\"a\nb\",x@y\nc,\"d\ne\"\nf,g", {}, t,
                                     errors));
  ASSERT_EQ(t.rows.size(), 3u);
  EXPECT_EQ(t.rows[0].line, 3);
  EXPECT_EQ(t.rows[1].line, 5);
  EXPECT_EQ(t.rows[2].line, 7);
  EXPECT_EQ(t.rows[0].cells[0], "a\nb");
}

TEST_F(Import, F_I5_BlockStyleEntryRewrittenCommentsBetweenEntriesKept) {
  std::string t = slurp(data);
  t.replace(t.find("  - id: clara\n"), 14, "  # Clara joined in 2024\n  - id: clara\n");
  spit(data, t);
  auto r = run(csv("u.csv", "Name,Email,Department\nClara N.,clara.neumann@acme.example,Legal\n"));
  ASSERT_EQ(r.code, 0) << r.err;
  std::string after = slurp(data);
  EXPECT_NE(after.find("  # Clara joined in 2024\n  - {id: clara, name: \"Clara N.\", email: "
                       "clara.neumann@acme.example, groups: [Car_Pool, Legal], department: "
                       "\"Legal\"}\n"),
            std::string::npos)
      << after;
  Loaded l(data);
  ASSERT_TRUE(l.ok);
  EXPECT_EQ(l.attr("clara", "groups"), "Legal,Car_Pool"); // set order: declaration order
}
