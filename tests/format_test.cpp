// keyplan fmt: golden outputs, idempotency and tree equivalence over every
// policy, comment survival, a generative check of the parentheses, and the
// command line (print, --check, --write, bad input).
#include "compiler/format.hpp"
#include "compiler/parse.hpp"

#include <gtest/gtest.h>
#include <rapidcheck.h>
#include <rapidcheck/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

namespace keyplan {
namespace {

namespace fs = std::filesystem;
using ast::BinOp;
using ast::ExprKind;
using ast::ExprPtr;

struct Parsed {
  SourceManager sm;
  Diagnostics diags;
  std::optional<ast::File> file;
  std::string errors() const { return diags.render_text(sm); }
};

std::unique_ptr<Parsed> parse_text(const std::string& text, const std::string& path = "t.kp") {
  auto p = std::make_unique<Parsed>();
  p->file = parse_file(p->sm, p->sm.add(path, text), p->diags);
  return p;
}

std::string fmt(const std::string& text) {
  auto p = parse_text(text);
  if (!p->file) {
    ADD_FAILURE() << "syntax errors in the input:\n" << p->errors();
    return {};
  }
  return format_file(*p->file, p->sm);
}

std::string read(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

std::string comment_text(const ast::Comment& c) {
  std::string t = c.text;
  if (t.rfind("/*", 0) != 0)
    while (!t.empty() && std::isspace(static_cast<unsigned char>(t.back()))) t.pop_back();
  return t;
}

// Why formatting `text` breaks a promise, or "" when it keeps them all: the
// output parses to the same tree, formats to itself, and holds every comment
// in order.
std::string roundtrip_problem(const std::string& text) {
  auto a = parse_text(text);
  if (!a->file) return "input does not parse:\n" + a->errors();
  std::string out = format_file(*a->file, a->sm);
  auto b = parse_text(out, "formatted.kp");
  if (!b->file) return "output does not parse:\n" + b->errors() + "\n" + out;
  if (!same_ast(*a->file, *b->file)) return "output has another tree:\n" + out;
  std::string again = format_file(*b->file, b->sm);
  if (again != out) return "not idempotent; first:\n" + out + "\nsecond:\n" + again;
  if (b->file->comments.size() != a->file->comments.size()) return "comment count changed\n" + out;
  size_t pos = 0;
  for (const auto& c : a->file->comments) {
    size_t at = out.find(comment_text(c), pos);
    if (at == std::string::npos) return "comment lost or out of order: " + c.text + "\n" + out;
    pos = at + comment_text(c).size();
  }
  return {};
}

// ------------------------------------------------------------ golden files

TEST(FmtGolden, DataFiles) {
  int n = 0;
  for (const auto& entry : fs::directory_iterator(KEYPLAN_TEST_DATA "/fmt")) {
    fs::path in = entry.path();
    if (in.extension() != ".in") continue;
    SCOPED_TRACE(in.string());
    fs::path expected = in;
    expected.replace_extension(".out");
    ASSERT_TRUE(fs::exists(expected));
    std::string out = fmt(read(in));
    EXPECT_EQ(out, read(expected));
    EXPECT_EQ(roundtrip_problem(read(in)), "");
    EXPECT_EQ(roundtrip_problem(out), "");
    EXPECT_EQ(fmt(out), out);
    ++n;
  }
  EXPECT_GE(n, 2);
}

TEST(FmtGolden, Declarations) {
  std::string in = R"(enum  E{a,b}
enum F { none }
entity  P { parent  floor : Floor , n:int=1 }
entity Q {}
Group IT   Group Legal
Group X {}
Building b { groups:[IT] Floor f { desk D1 { status: blocked } } }
setting s : bool = true
setting t : set<int>? = none
set s = false
alias a = Object { kind : desk }
rule r ( x : int , y : int = 2 ) : int = x + y
action go ( ) = true
invariant "i" : forall u : User . true
)";
  std::string out = R"(enum E { a, b }
enum F { none }

entity P {
  parent floor: Floor
  n: int = 1
}

entity Q {}

Group IT
Group Legal
Group X {}

Building b {
  groups: [IT]
  Floor f {
    desk D1 { status: blocked }
  }
}

setting s: bool = true
setting t: set<int>? = none

set s = false

alias a = Object { kind: desk }

rule r(x: int, y: int = 2): int = x + y

action go() = true

invariant "i": forall u: User . true
)";
  EXPECT_EQ(fmt(in), out);
}

TEST(FmtGolden, BlankLinesKeptOnceNeverTwice) {
  std::string in = "Group A\n\n\n\nGroup B\nGroup C\n// about D\n\nGroup D\n\n\n\n";
  EXPECT_EQ(fmt(in), "Group A\n\nGroup B\nGroup C\n// about D\n\nGroup D\n");
  EXPECT_EQ(fmt(""), "");
  EXPECT_EQ(fmt("\n\n// only a comment\n\n"), "// only a comment\n");
}

TEST(FmtGolden, CommentsStayWithTheirItems) {
  std::string in = R"(// leads A
@implements("F-1") // on the annotation
entity A { // opens the block
  x: int // about x
  /* leads y */ y: int = 1 + // inside y's default
    2
  // ends A
} // after A
rule r(u: int, // the u
  v: int) = // before the body
  u + v
)";
  std::string out = R"(// leads A
// on the annotation
@implements("F-1")
entity A {
  // opens the block
  x: int // about x
  /* leads y */
  // inside y's default
  y: int = 1 + 2
  // ends A
} // after A

rule r(
  u: int, // the u
  v: int
) =
  // before the body
  u + v
)";
  EXPECT_EQ(fmt(in), out);
  EXPECT_EQ(roundtrip_problem(in), "");
}

TEST(FmtGolden, LongRulesBreakChains) {
  std::string in =
      R"(action book(user: User, object: Object, on: date = today) = see(user, object.floor) and object.status == flexible and (admitted(user, object.groups) or in_priority_window(object, on))
rule short(a: bool) = a and not a
rule long_nested(a: bool, b: bool) = a and b and (aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa or bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb or c)
rule tighter(a: bool) = aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa and bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb and cccccccccccccccc or d
)";
  std::string out = R"(action book(user: User, object: Object, on: date = today) =
  see(user, object.floor)
    and object.status == flexible
    and (admitted(user, object.groups) or in_priority_window(object, on))

rule short(a: bool) = a and not a

rule long_nested(a: bool, b: bool) =
  a
    and b
    and (aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa
           or bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb
           or c)

rule tighter(a: bool) =
  aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa
      and bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb
      and cccccccccccccccc
    or d
)";
  EXPECT_EQ(fmt(in), out);
}

TEST(FmtGolden, ExpressionSpacingAndLiterals) {
  EXPECT_EQ(fmt("rule r()=f( a ,b ) . c+[ 1,2, ]*- x"), "rule r() = f(a, b).c + [1, 2] * -x\n");
  EXPECT_EQ(fmt("rule r()={x*2 for x in s where x>1}union{x in s where not x<2}"),
            "rule r() = {x * 2 for x in s where x > 1} union {x in s where not x < 2}\n");
  EXPECT_EQ(fmt(R"(rule r()="a\"b\\c\nd\te" + 007 + 2026-01-02)"),
            "rule r() = \"a\\\"b\\\\c\\nd\\te\" + 007 + 2026-01-02\n");
  EXPECT_EQ(fmt("rule r()= ((a)) and(b)"), "rule r() = ((a)) and (b)\n");
  EXPECT_EQ(fmt("rule r()= x not in s and - - 1 == 1"), "rule r() = x not in s and - -1 == 1\n");
}

// ------------------------------------------------------------ parentheses

ExprPtr node(ExprKind k, std::vector<ExprPtr> kids = {}) {
  auto e = std::make_unique<ast::Expr>();
  e->kind = k;
  e->kids = std::move(kids);
  return e;
}
ExprPtr name(const std::string& n) {
  auto e = node(ExprKind::Name);
  e->name.text = n;
  return e;
}
std::vector<ExprPtr> kids(ExprPtr a, ExprPtr b = {}, ExprPtr c = {}) {
  std::vector<ExprPtr> v;
  for (auto* p : {&a, &b, &c})
    if (*p) v.push_back(std::move(*p));
  return v;
}
ExprPtr bin(BinOp op, ExprPtr a, ExprPtr b) {
  auto e = node(ExprKind::Binary, kids(std::move(a), std::move(b)));
  e->bop = op;
  return e;
}
ExprPtr un(ast::UnOp op, ExprPtr a) {
  auto e = node(ExprKind::Unary, kids(std::move(a)));
  e->uop = op;
  return e;
}
ExprPtr member(ExprPtr a, const std::string& n) {
  auto e = node(ExprKind::Member, kids(std::move(a)));
  e->name.text = n;
  return e;
}

TEST(FmtParens, AddsOnlyWhatTheTreeNeeds) {
  auto a = [] { return name("a"); };
  auto b = [] { return name("b"); };
  auto c = [] { return name("c"); };
  using U = ast::UnOp;
  EXPECT_EQ(format_expr(*bin(BinOp::Mul, bin(BinOp::Add, a(), b()), c())), "(a + b) * c");
  EXPECT_EQ(format_expr(*bin(BinOp::Add, a(), bin(BinOp::Mul, b(), c()))), "a + b * c");
  EXPECT_EQ(format_expr(*bin(BinOp::Sub, a(), bin(BinOp::Sub, b(), c()))), "a - (b - c)");
  EXPECT_EQ(format_expr(*bin(BinOp::Sub, bin(BinOp::Sub, a(), b()), c())), "a - b - c");
  EXPECT_EQ(format_expr(*bin(BinOp::Implies, bin(BinOp::Implies, a(), b()), c())),
            "(a implies b) implies c");
  EXPECT_EQ(format_expr(*bin(BinOp::Implies, a(), bin(BinOp::Implies, b(), c()))),
            "a implies b implies c");
  EXPECT_EQ(format_expr(*bin(BinOp::Eq, bin(BinOp::Lt, a(), b()), c())), "(a < b) == c");
  EXPECT_EQ(format_expr(*bin(BinOp::Eq, a(), bin(BinOp::Eq, b(), c()))), "a == (b == c)");
  EXPECT_EQ(format_expr(*bin(BinOp::Mul, un(U::Not, a()), b())), "(not a) * b");
  EXPECT_EQ(format_expr(*bin(BinOp::And, un(U::Not, a()), b())), "not a and b");
  EXPECT_EQ(format_expr(*un(U::Not, bin(BinOp::And, a(), b()))), "not (a and b)");
  EXPECT_EQ(format_expr(*un(U::Not, bin(BinOp::Eq, a(), b()))), "not a == b");
  EXPECT_EQ(format_expr(*bin(BinOp::Add, bin(BinOp::Mul, a(), un(U::Not, b())), c())),
            "a * (not b) + c");
  EXPECT_EQ(format_expr(*member(un(U::Neg, a()), "x")), "(-a).x");
  EXPECT_EQ(format_expr(*un(U::Neg, member(a(), "x"))), "-a.x");
  EXPECT_EQ(format_expr(*un(U::Neg, un(U::Neg, a()))), "- -a");
  EXPECT_EQ(format_expr(*member(bin(BinOp::Or, a(), b()), "none")), "(a or b).none");
  auto quant = [&] {
    auto q = node(ExprKind::Quant, kids(a(), b()));
    q->name.text = "x";
    return q;
  };
  EXPECT_EQ(format_expr(*bin(BinOp::And, quant(), c())), "(any x in a: b) and c");
  EXPECT_EQ(format_expr(*bin(BinOp::And, c(), quant())), "c and any x in a: b");
  auto cond = [&] { return node(ExprKind::If, kids(a(), b(), c())); };
  EXPECT_EQ(format_expr(*bin(BinOp::Add, cond(), a())), "(if a then b else c) + a");
  EXPECT_EQ(format_expr(*bin(BinOp::Add, a(), cond())), "a + if a then b else c");
}

// A value in [lo, hi), uniform whatever RapidCheck's size (which would keep
// small cases to the first alternatives).
template <typename T> T pick(T lo, T hi) {
  return *rc::gen::resize(100, rc::gen::inRange(lo, hi));
}

// A random expression tree of at most `depth` levels, with every kind of
// node, operator and literal.
ExprPtr gen_expr(int depth) {
  static const std::vector<std::string> names = {"a", "b", "x", "foo", "set", "parent", "module"};
  auto pick_name = [] { return names[pick<size_t>(0, names.size())]; };
  int kind = pick(0, depth <= 0 ? 2 : 17);
  switch (kind) {
  case 0:
    return name(pick_name());
  case 1: {
    auto e = node(ExprKind::Literal);
    e->lit = static_cast<ast::LitKind>(pick(0, 7));
    switch (e->lit) {
    case ast::LitKind::Int:
      e->text = std::to_string(pick(0, 100000));
      break;
    case ast::LitKind::String:
      e->text =
          *rc::gen::container<std::string>(rc::gen::elementOf(std::string("ab \"\\\n\t{}/*")));
      break;
    case ast::LitKind::Date:
      e->text = "2026-11-23";
      break;
    case ast::LitKind::True:
      e->text = "true";
      break;
    case ast::LitKind::False:
      e->text = "false";
      break;
    case ast::LitKind::None:
      e->text = "none";
      break;
    case ast::LitKind::Today:
      e->text = "today";
      break;
    }
    return e;
  }
  case 2:
  case 3:
  case 4:
  case 5: {
    auto op = static_cast<BinOp>(pick(0, static_cast<int>(BinOp::Intersect) + 1));
    return bin(op, gen_expr(depth - 1), gen_expr(depth - 1));
  }
  case 6:
    return un(ast::UnOp::Not, gen_expr(depth - 1));
  case 7:
    return un(ast::UnOp::Neg, gen_expr(depth - 1));
  case 8:
    return node(ExprKind::If, kids(gen_expr(depth - 1), gen_expr(depth - 1), gen_expr(depth - 1)));
  case 9: {
    auto e = node(ExprKind::Quant, kids(gen_expr(depth - 1), gen_expr(depth - 1)));
    e->quant_all = pick(0, 2) == 1;
    e->name.text = pick_name();
    return e;
  }
  case 10:
    return member(gen_expr(depth - 1), pick(0, 2) == 1 ? "none" : pick_name());
  case 11:
  case 12: {
    auto e = node(kind == 11 ? ExprKind::Call : ExprKind::SetLit);
    int n = pick(0, 4);
    for (int i = 0; i < n; ++i) e->kids.push_back(gen_expr(depth - 1));
    e->name.text = kind == 11 ? pick_name() : "";
    return e;
  }
  case 13: {
    auto e = node(ExprKind::Comprehension, kids(gen_expr(depth - 1), gen_expr(depth - 1)));
    if (pick(0, 2) == 1) e->kids.push_back(gen_expr(depth - 1));
    e->name.text = pick_name();
    return e;
  }
  case 14: {
    auto e = node(ExprKind::Filter, kids(gen_expr(depth - 1), gen_expr(depth - 1)));
    e->name.text = pick_name();
    return e;
  }
  default:
    return node(ExprKind::Paren, kids(gen_expr(depth - 1)));
  }
}

// Printing any tree and parsing it back gives the tree again (with added
// parentheses at most): the parenthesisation matches the grammar. Long
// bodies also exercise the line breaking.
RC_GTEST_PROP(FmtProperty, RandomExpressionsReparseToTheSameTree, ()) {
  ast::File file;
  ast::Decl d;
  d.kind = ast::DeclKind::Rule;
  d.name.text = "r";
  d.value = gen_expr(pick(0, 8));
  file.decls.push_back(std::move(d));
  SourceManager none;
  std::string out = format_file(file, none);
  auto back = parse_text(out);
  if (!back->file) RC_FAIL("the output does not parse:\n" + out + back->errors());
  RC_ASSERT(back->file->decls.size() == 1u);
  if (!same_expr(*file.decls[0].value, *back->file->decls[0].value, true))
    RC_FAIL("another tree after parsing back:\n" + out);
  RC_ASSERT(format_file(*back->file, back->sm) == out);
  RC_CLASSIFY(std::count(out.begin(), out.end(), '\n') > 2, "broken over lines");
  RC_CLASSIFY(out.find('(', 9) != std::string::npos, "with parentheses");
  RC_ASSERT(format_expr(*back->file->decls[0].value) == format_expr(*file.decls[0].value));
}

// Every policy and golden input, with the places where a comment may go: whitespace outside
// strings and comments.
struct Sample {
  std::string text;
  std::vector<size_t> gaps;
};
const std::vector<Sample>& samples() {
  static const std::vector<Sample> all = [] {
    std::vector<Sample> out;
    std::vector<fs::path> files;
    for (const auto& e : fs::recursive_directory_iterator(KEYPLAN_SOURCE_DIR "/policies"))
      if (e.path().extension() == ".kp") files.push_back(e.path());
    for (const auto& e : fs::directory_iterator(KEYPLAN_TEST_DATA "/fmt"))
      if (e.path().extension() == ".in") files.push_back(e.path());
    for (const auto& file : files) {
      Sample s{read(file), {}};
      const std::string& t = s.text;
      for (size_t i = 0; i < t.size(); ++i) {
        if (t[i] == '"') {
          for (++i; t[i] != '"'; ++i) i += t[i] == '\\';
        } else if (t.compare(i, 2, "//") == 0) {
          i = t.find('\n', i);
        } else if (t.compare(i, 2, "/*") == 0) {
          i = t.find("*/", i) + 1;
        } else if (t[i] == ' ' || t[i] == '\n') {
          s.gaps.push_back(i);
        }
      }
      out.push_back(std::move(s));
    }
    return out;
  }();
  return all;
}

// Comments anywhere between tokens survive, in order, and never change the
// tree or the idempotency.
RC_GTEST_PROP(FmtProperty, CommentsAnywhereSurvive, ()) {
  RC_PRE(!samples().empty());
  const Sample& base = samples()[pick<size_t>(0, samples().size())];
  auto at = *rc::gen::container<std::vector<size_t>>(
      rc::gen::resize(100, rc::gen::inRange<size_t>(0, base.gaps.size())));
  std::sort(at.begin(), at.end());
  at.erase(std::unique(at.begin(), at.end()), at.end());
  std::string text = base.text;
  for (size_t k = at.size(); k-- > 0;) {
    int style = pick(0, 3);
    std::string id = std::to_string(k);
    std::string c = style == 0   ? " //c" + id + "\n"
                    : style == 1 ? " /*c" + id + "*/ "
                                 : "\n///d" + id + "\n";
    text.insert(base.gaps[at[k]], c);
  }
  std::string problem = roundtrip_problem(text);
  if (!problem.empty()) RC_FAIL(problem);
}

// ---------------------------------------------------------------- policies

TEST(FmtPolicies, EveryPolicyRoundTrips) {
  int n = 0;
  for (const auto& entry : fs::recursive_directory_iterator(KEYPLAN_SOURCE_DIR "/policies")) {
    if (entry.path().extension() != ".kp") continue;
    SCOPED_TRACE(entry.path().string());
    EXPECT_EQ(roundtrip_problem(read(entry.path())), "");
    ++n;
  }
  EXPECT_GE(n, 1);
}

// ---------------------------------------------------------------- the CLI

struct CliRun {
  int status;
  std::string out, err;
};

CliRun run_keyplan(const std::string& args, const fs::path& dir) {
  std::string cmd = std::string(KEYPLAN_BINARY) + " " + args + " >" + (dir / "stdout").string() +
                    " 2>" + (dir / "stderr").string();
  int rc = std::system(cmd.c_str());
  return {WIFEXITED(rc) ? WEXITSTATUS(rc) : -1, read(dir / "stdout"), read(dir / "stderr")};
}

class FmtCli : public ::testing::Test {
protected:
  void SetUp() override {
    std::string test = ::testing::UnitTest::GetInstance()->current_test_info()->name();
    dir = fs::temp_directory_path() / ("keyplan_fmt_" + test + std::to_string(::getpid()));
    fs::create_directories(dir);
  }
  void TearDown() override { fs::remove_all(dir); }
  fs::path write(const std::string& name, const std::string& text) {
    std::ofstream(dir / name, std::ios::binary) << text;
    return dir / name;
  }
  fs::path dir;
};

ino_t inode(const fs::path& p) {
  struct stat st {};
  return ::stat(p.c_str(), &st) == 0 ? st.st_ino : 0;
}

TEST_F(FmtCli, PrintsCheckAndWrite) {
  fs::path messy = write("messy.kp", "Group   IT\nrule r()=a and  b\n");
  fs::path clean = write("clean.kp", "Group IT\n");
  std::string formatted = "Group IT\n\nrule r() = a and b\n";

  CliRun r = run_keyplan("fmt " + messy.string() + " " + clean.string(), dir);
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.out, formatted + "Group IT\n");

  r = run_keyplan("fmt --check " + messy.string() + " " + clean.string(), dir);
  EXPECT_EQ(r.status, 1);
  EXPECT_EQ(r.err, messy.string() + "\n");
  // The unified diff of what formatting would change (issue 16); none for
  // the clean file.
  EXPECT_EQ(r.out, "--- " + messy.string() + "\n+++ " + messy.string() +
                       "\n@@ -1,2 +1,3 @@\n-Group   IT\n-rule r()=a and  b\n+Group IT\n+\n"
                       "+rule r() = a and b\n");

  ino_t clean_inode = inode(clean);
  r = run_keyplan("fmt -w " + messy.string() + " " + clean.string(), dir);
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(read(messy), formatted);
  EXPECT_EQ(inode(clean), clean_inode); // an already formatted file is not rewritten
  std::vector<std::string> left;
  for (const auto& e : fs::directory_iterator(dir)) left.push_back(e.path().filename().string());
  std::sort(left.begin(), left.end());
  EXPECT_EQ(left, (std::vector<std::string>{"clean.kp", "messy.kp", "stderr", "stdout"}));

  r = run_keyplan("fmt --check " + messy.string() + " " + clean.string(), dir);
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.err, "");
}

TEST_F(FmtCli, BadInputIsStatusTwoAndNeverWritten) {
  std::string broken_text = "entity E { x: }\n";
  fs::path broken = write("broken.kp", broken_text);
  CliRun r = run_keyplan("fmt -w " + broken.string(), dir);
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.err.find("broken.kp:1:"), std::string::npos) << r.err;
  EXPECT_EQ(read(broken), broken_text);

  r = run_keyplan("fmt " + (dir / "missing.kp").string(), dir);
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.err.find("missing.kp"), std::string::npos) << r.err;

  r = run_keyplan("fmt --check -w " + broken.string(), dir);
  EXPECT_NE(r.status, 0);
}

// fmt -w formats what a symbolic link points to; the link stays a link.
TEST_F(FmtCli, WriteFormatsTheSymlinkTargetAndKeepsTheLink) {
  fs::path target = write("target.kp", "Group   IT\n");
  fs::path link = dir / "link.kp";
  fs::create_symlink(target.filename(), link);
  CliRun r = run_keyplan("fmt -w " + link.string(), dir);
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_TRUE(fs::is_symlink(link));
  EXPECT_EQ(fs::read_symlink(link), target.filename());
  EXPECT_EQ(read(target), "Group IT\n");
}

// A read-only file is refused (exit 2, untouched) unless --force, which keeps
// its mode.
TEST_F(FmtCli, WriteRefusesReadOnlyFilesUnlessForced) {
  fs::path file = write("ro.kp", "Group   IT\n");
  ::chmod(file.c_str(), 0444);
  CliRun r = run_keyplan("fmt -w " + file.string(), dir);
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.err.find("read-only"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("--force"), std::string::npos) << r.err;
  EXPECT_EQ(read(file), "Group   IT\n");
  r = run_keyplan("fmt -w --force " + file.string(), dir);
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(read(file), "Group IT\n");
  struct stat st {};
  ASSERT_EQ(::stat(file.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0444u);
  EXPECT_NE(run_keyplan("fmt --force " + file.string(), dir).status, 0) << "--force needs -w";
}

// Mode and owner are the file's own after fmt -w (the owner check needs root
// to hand the file to another user first).
TEST_F(FmtCli, WriteKeepsModeAndOwner) {
  fs::path file = write("m.kp", "Group   IT\n");
  ::chmod(file.c_str(), 0640);
  bool root = ::geteuid() == 0;
  if (root) {
    ASSERT_EQ(::chown(file.c_str(), 12345, 12346), 0);
  }
  CliRun r = run_keyplan("fmt -w " + file.string(), dir);
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(read(file), "Group IT\n");
  struct stat st {};
  ASSERT_EQ(::stat(file.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0640u);
  if (root) {
    EXPECT_EQ(st.st_uid, 12345u);
    EXPECT_EQ(st.st_gid, 12346u);
  }
}

// A file with several hard links is rewritten in place: every name sees the
// formatted text, the inode stays.
TEST_F(FmtCli, WriteKeepsHardLinks) {
  fs::path file = write("a.kp", "Group   IT\n");
  fs::path other = dir / "b.kp";
  fs::create_hard_link(file, other);
  ino_t before = inode(file);
  CliRun r = run_keyplan("fmt -w " + file.string(), dir);
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(inode(file), before);
  EXPECT_EQ(inode(other), before);
  EXPECT_EQ(read(other), "Group IT\n");
  EXPECT_EQ(fs::hard_link_count(file), 2u);
}

} // namespace
} // namespace keyplan
