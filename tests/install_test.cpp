// `cmake --install` (CMakeLists.txt): a prefix with the keyplan command,
// the std policies and the docs, where the installed command decides, and
// libkeyplan.so, keyplan.h and keyplan.pc: a C program builds against the
// installed library with pkg-config and decides (docs/serve.md "Embedding").
#include "tests/test_support.hpp"

#include <filesystem>
#include <fstream>
#include <gtest/gtest.h>
#include <unistd.h>

#ifdef KEYPLAN_BUILD_DIR

namespace fs = std::filesystem;

TEST(Install, CmakeInstallGivesAPrefixWhereKeyplanAndTheLibraryWork) {
  const fs::path dir =
      fs::temp_directory_path() / ("keyplan_install_" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  const fs::path prefix = dir / "prefix";
  auto r = keyplan::testing_support::run_command("timeout 120 cmake --install '" +
                                                 std::string(KEYPLAN_BUILD_DIR) + "' --prefix '" +
                                                 prefix.string() + "' 2>&1");
  ASSERT_EQ(r.code, 0) << r.out;
  for (const char* f :
       {"bin/keyplan", "share/keyplan/policies/std/desk_booking.kp",
        "share/keyplan/policies/std/desk_booking.authzen.yaml", "share/doc/keyplan/serve.md"})
    EXPECT_TRUE(fs::exists(prefix / f)) << f;
  std::ofstream(dir / "office.kp")
      << "import std.desk_booking\n"
         "Group IT\n"
         "User mueller { groups: [IT] }\n"
         "User schmidt { groups: [] }\n"
         "Building b {\n  Floor f {\n    Object T1 { groups: [IT] }\n  }\n}\n";
  // The installed command finds the installed std policies.
  r = keyplan::testing_support::run_command(
      "cd '" + dir.string() + "' && env -u KEYPLAN_PATH timeout 60 '" +
      (prefix / "bin/keyplan").string() + "' decide office.kp book user=mueller object=T1 2>&1");
  EXPECT_EQ(r.code, 0) << r.out;
  EXPECT_EQ(r.out, "allow\n");
  for (const char* f : {"lib/libkeyplan.so", "include/keyplan.h", "lib/pkgconfig/keyplan.pc"})
    EXPECT_TRUE(fs::exists(prefix / f)) << f;
  std::ofstream(dir / "prog.c") << R"(#include <keyplan.h>
#include <stdio.h>
int main(int argc, char** argv) {
  char* error = NULL;
  kp_engine* e = kp_open(argv[1], NULL, 0, &error);
  if (!e) { fprintf(stderr, "%s\n", error); kp_free_string(error); return 1; }
  const char* names[] = {"user", "object"};
  const char* yes[] = {"mueller", "T1"};
  const char* no[] = {"schmidt", "T1"};
  printf("abi %d: %d %d\n", kp_abi_version(), kp_decide(e, "book", 2, names, yes, NULL),
         kp_decide(e, "book", 2, names, no, NULL));
  kp_close(e);
  return 0;
}
)";
  const std::string pc = "PKG_CONFIG_PATH='" + (prefix / "lib/pkgconfig").string() + "' ";
  r = keyplan::testing_support::run_command(
      "cd '" + dir.string() +
      "' && timeout 120 cc -Wall -Werror " KEYPLAN_C_TEST_FLAGS " -o prog prog.c $(" + pc +
      "pkg-config --cflags --libs keyplan) 2>&1");
  ASSERT_EQ(r.code, 0) << r.out;
  r = keyplan::testing_support::run_command("cd '" + dir.string() + "' && LD_LIBRARY_PATH='" +
                                            (prefix / "lib").string() + "' KEYPLAN_PATH='" +
                                            (prefix / "share/keyplan/policies").string() +
                                            "' timeout 60 ./prog office.kp 2>&1");
  EXPECT_EQ(r.code, 0) << r.out;
  EXPECT_EQ(r.out, "abi 1: 1 0\n");
  // Only the C ABI of keyplan.h is exported: neither the C++ inside nor the
  // JIT runtime's kp_ helpers (the JIT gets their addresses directly).
  r = keyplan::testing_support::run_command("nm -D --defined-only '" +
                                            (prefix / "lib/libkeyplan.so").string() +
                                            "' | grep -v ' kp_' | grep -c ' T '");
  EXPECT_EQ(r.out, "0\n");
  r = keyplan::testing_support::run_command("nm -D --defined-only '" +
                                            (prefix / "lib/libkeyplan.so").string() +
                                            "' | grep -c -E ' kp_(arena|values|alloc)_'");
  EXPECT_EQ(r.out, "0\n");
  r = keyplan::testing_support::run_command("nm -D --defined-only '" +
                                            (prefix / "lib/libkeyplan.so").string() +
                                            "' | grep -c -E ' T kp_(open|decide|close)$'");
  EXPECT_EQ(r.out, "3\n");
  fs::remove_all(dir);
}

#endif
