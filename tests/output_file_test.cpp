// Output files (simulator/output_file.hpp): every writer (report -o, --junit,
// gen -o, counterexamples, fmt -w) goes through sim::write_output_file. These
// tests pin what it guarantees: no predictable temporary file, the target's
// mode and links kept, devices and "-" written through.
#include "simulator/output_file.hpp"

#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <sys/stat.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

namespace fs = std::filesystem;
using namespace keyplan;

namespace {

std::string read(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

struct Scratch {
  Scratch() {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    dir = fs::temp_directory_path() /
          (std::string("keyplan_out_") + info->name() + std::to_string(::getpid()));
    fs::remove_all(dir);
    fs::create_directories(dir);
  }
  ~Scratch() { fs::remove_all(dir); }
  fs::path dir;
};

mode_t mode_of(const fs::path& p) {
  struct stat st {};
  return ::stat(p.c_str(), &st) == 0 ? st.st_mode & 07777 : 0;
}

// `keyplan ARGS` through the shell, stdout to `out` (a redirection).
int run_keyplan(const std::string& args, const std::string& redirect = "") {
  std::string command = KEYPLAN_BINARY " ";
  command += args;
  command += " ";
  command += redirect;
  int rc = std::system(command.c_str());
  return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}

} // namespace

// The old writer opened PATH.tmp<pid> with a plain open: a symbolic link
// planted under that name redirected the write to any file.
TEST(OutputFile, PlantedTemporaryNameIsNotFollowed) {
  Scratch s;
  fs::path victim = s.dir / "victim";
  std::ofstream(victim) << "precious\n";
  fs::path target = s.dir / "report.csv";
  fs::create_symlink(victim, s.dir / ("report.csv.tmp" + std::to_string(::getpid())));
  std::string error;
  ASSERT_TRUE(sim::write_output_file(target.string(), "new\n", &error)) << error;
  EXPECT_EQ(read(victim), "precious\n");
  EXPECT_EQ(read(target), "new\n");
  EXPECT_FALSE(fs::is_symlink(target));
  // Nothing left behind but the planted link.
  size_t entries = 0;
  for (const auto& e : fs::directory_iterator(s.dir)) ++entries, (void)e;
  EXPECT_EQ(entries, 3u);
}

TEST(OutputFile, NewFileGetsUmaskModeExistingKeepsItsMode) {
  Scratch s;
  fs::path f = s.dir / "out.txt";
  mode_t old = ::umask(027);
  std::string error;
  bool ok = sim::write_output_file(f.string(), "a", &error);
  ::umask(old);
  ASSERT_TRUE(ok) << error;
  EXPECT_EQ(mode_of(f), 0640u);
  ::chmod(f.c_str(), 0604);
  ASSERT_TRUE(sim::write_output_file(f.string(), "b", &error)) << error;
  EXPECT_EQ(mode_of(f), 0604u);
  EXPECT_EQ(read(f), "b");
}

TEST(OutputFile, SymlinkTargetIsReplacedAndTheLinkStays) {
  Scratch s;
  fs::path real = s.dir / "real.txt";
  std::ofstream(real) << "old";
  fs::path link = s.dir / "link.txt";
  fs::create_symlink("real.txt", link);
  std::string error;
  ASSERT_TRUE(sim::write_output_file(link.string(), "new", &error)) << error;
  EXPECT_TRUE(fs::is_symlink(link));
  EXPECT_EQ(read(real), "new");
  // A link to nothing is an error, not a new file somewhere.
  fs::create_symlink("nowhere/x.txt", s.dir / "dangling");
  EXPECT_FALSE(sim::write_output_file((s.dir / "dangling").string(), "x", &error));
  EXPECT_NE(error.find("does not exist"), std::string::npos) << error;
}

TEST(OutputFile, HardLinkedFileIsWrittenInPlace) {
  Scratch s;
  fs::path a = s.dir / "a", b = s.dir / "b";
  std::ofstream(a) << "old";
  fs::create_hard_link(a, b);
  std::string error;
  ASSERT_TRUE(sim::write_output_file(a.string(), "new", &error)) << error;
  EXPECT_EQ(read(b), "new");
  EXPECT_EQ(fs::hard_link_count(a), 2u);
}

TEST(OutputFile, ReadOnlyFileIsRefusedUnlessForced) {
  Scratch s;
  fs::path f = s.dir / "ro";
  std::ofstream(f) << "old";
  ::chmod(f.c_str(), 0444);
  std::string error;
  EXPECT_FALSE(sim::write_output_file(f.string(), "new", &error));
  EXPECT_NE(error.find("read-only"), std::string::npos) << error;
  EXPECT_EQ(read(f), "old");
  sim::OutputOptions force;
  force.force = true;
  ASSERT_TRUE(sim::write_output_file(f.string(), "new", &error, force)) << error;
  EXPECT_EQ(read(f), "new");
  EXPECT_EQ(mode_of(f), 0444u);
}

// A FIFO is written through, not replaced by a regular file.
TEST(OutputFile, FifoIsWrittenThrough) {
  Scratch s;
  fs::path fifo = s.dir / "pipe";
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  std::string got;
  std::thread reader([&] { got = read(fifo); });
  std::string error;
  bool ok = sim::write_output_file(fifo.string(), "through", &error);
  reader.join();
  ASSERT_TRUE(ok) << error;
  EXPECT_EQ(got, "through");
  EXPECT_TRUE(fs::is_fifo(fifo));
}

TEST(OutputFile, DirectoryIsAnError) {
  Scratch s;
  std::string error;
  EXPECT_FALSE(sim::write_output_file(s.dir.string(), "x", &error));
  EXPECT_NE(error.find("is a directory"), std::string::npos) << error;
  EXPECT_FALSE(sim::write_output_file((s.dir / "no/such/dir/f").string(), "x", &error));
  EXPECT_NE(error, "");
}

// `-o -` is standard output; `-o /dev/stdout` writes through to wherever
// standard output goes (here a file the shell opened), never replacing it.
TEST(OutputFile, DashAndDevStdoutWriteToStandardOutput) {
  Scratch s;
  fs::path dash = s.dir / "dash.yaml", dev = s.dir / "dev.yaml", plain = s.dir / "plain.yaml";
  std::string shape = "gen --users 3 --groups 2 --buildings 1 --floors 1 --desks 2";
  ASSERT_EQ(run_keyplan(shape, ">" + plain.string()), 0);
  EXPECT_EQ(run_keyplan(shape + " -o -", ">" + dash.string()), 0);
  EXPECT_EQ(run_keyplan(shape + " -o /dev/stdout", ">" + dev.string()), 0);
  std::string want = read(plain);
  ASSERT_NE(want, "");
  EXPECT_EQ(read(dash), want);
  EXPECT_EQ(read(dev), want);
  EXPECT_FALSE(fs::exists(s.dir / "-"));
}

// Every CLI writer takes the same path: `report -o` into a read-only file is
// refused with the reason, and `report -o -` prints.
TEST(OutputFile, ReportOutputUsesTheSharedWriter) {
  Scratch s;
  fs::path root = fs::path(KEYPLAN_TEST_DATA).parent_path().parent_path();
  std::string report = "report profile-matrix " +
                       (root / "policies/examples/fm_suite/acme_fm.kp").string() + " --format csv ";
  fs::path ro = s.dir / "ro.csv";
  std::ofstream(ro) << "keep";
  ::chmod(ro.c_str(), 0444);
  fs::path err = s.dir / "err";
  EXPECT_EQ(run_keyplan(report + "-o " + ro.string(), "2>" + err.string()), 2);
  EXPECT_EQ(read(ro), "keep");
  EXPECT_NE(read(err).find("read-only"), std::string::npos) << read(err);
  fs::path out = s.dir / "out.csv";
  EXPECT_EQ(run_keyplan(report + "-o -", ">" + out.string() + " 2>/dev/null"), 0);
  EXPECT_EQ(read(out).rfind("System group,", 0), 0u) << read(out);
}

// Content in pieces (keyplan diff --format json streams millions of cells):
// the file holds exactly the pieces in order, across the writer's buffer
// boundary and with pieces larger than it, whether replaced atomically or
// rewritten in place; a target rewritten in place is never left half-written
// while the pieces are still being produced.
TEST(OutputFile, ProducedPiecesAreWrittenInOrder) {
  Scratch s;
  std::string expected;
  auto produce = [&expected](const sim::WritePiece& write) {
    expected.clear();
    for (int i = 0; i < 40000; ++i) {
      const std::string piece = "piece " + std::to_string(i) + (i % 7 ? "," : "\n");
      expected += piece;
      write(piece);
    }
    const std::string big(3 << 20, 'x'); // one piece over the 1 MiB buffer
    expected += big;
    write(big);
    write("end\n");
    expected += "end\n";
  };
  std::string error;
  const fs::path f = s.dir / "new.json";
  ASSERT_TRUE(sim::write_output_file(f.string(), produce, &error)) << error;
  EXPECT_EQ(read(f), expected);
  // In place (hard links): the old content stays until every piece is there.
  const fs::path a = s.dir / "a", b = s.dir / "b";
  std::ofstream(a) << "old";
  fs::create_hard_link(a, b);
  bool old_while_producing = true;
  ASSERT_TRUE(sim::write_output_file(
      a.string(),
      [&](const sim::WritePiece& write) {
        produce(write);
        old_while_producing = read(b) == "old";
      },
      &error))
      << error;
  EXPECT_TRUE(old_while_producing);
  EXPECT_EQ(read(b), expected);
}
