// A real editor: Neovim (Debian's neovim, headless) attaches `keyplan lsp`
// to a .kp buffer with vim.lsp.start_client and must receive the checker's
// diagnostics and a hover (tests/data/lsp/nvim_attach.lua). Bounded by
// timeout(1); skipped when nvim is not installed.
#include "tests/what_if_support.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace keyplan {
namespace {

using namespace what_if_test;

TEST(LspNeovim, HeadlessNeovimReceivesDiagnosticsAndHover) {
  if (testing_support::run_command("command -v nvim >/dev/null").code != 0)
    GTEST_SKIP() << "nvim is not installed";
  Scratch scratch;
  fs::path policy = scratch.write("typo.kp", read(source_root() / "tests/data/lsp/typo.kp"));
  fs::path out = scratch.dir / "result.json";
  // Hover over `IT` in `IT in u.grups` (line 4, 0-based).
  std::string env = "HOME=" + quote(scratch.dir.string()) +
                    " XDG_CONFIG_HOME=" + quote((scratch.dir / "config").string()) +
                    " XDG_DATA_HOME=" + quote((scratch.dir / "data").string()) +
                    " XDG_STATE_HOME=" + quote((scratch.dir / "state").string()) +
                    " XDG_CACHE_HOME=" + quote((scratch.dir / "cache").string()) +
                    " KEYPLAN_PATH=" + quote((source_root() / "policies").string()) +
                    " KP_BIN=" + quote(KEYPLAN_BINARY) + " KP_FILE=" + quote(policy.string()) +
                    " KP_OUT=" + quote(out.string()) + " KP_LINE=4 KP_CHAR=28";
  auto r = testing_support::run_command(
      "cd " + quote(scratch.dir.string()) + " && " + env +
      " timeout 90 nvim --headless --clean -u " +
      quote((source_root() / "tests/data/lsp/nvim_attach.lua").string()) + " </dev/null 2>&1");
  ASSERT_EQ(r.code, 0) << r.out;
  std::string text = read(out);
  ASSERT_FALSE(text.empty()) << "nvim wrote no result: " << r.out;
  auto j = nlohmann::json::parse(text);
  ASSERT_FALSE(j.contains("error")) << j.dump(2);
  ASSERT_TRUE(j["got_diagnostics"].get<bool>()) << j.dump(2);
  ASSERT_EQ(j["diagnostics"].size(), 1u) << j.dump(2);
  const auto& d = j["diagnostics"][0];
  EXPECT_NE(d["message"].get<std::string>().find("grups"), std::string::npos) << d.dump();
  EXPECT_NE(d["message"].get<std::string>().find("did you mean 'groups'?"), std::string::npos)
      << d.dump();
  EXPECT_EQ(d["range"]["start"]["line"], 4);
  EXPECT_EQ(j["buffer_diagnostics"], 1); // Neovim's own diagnostic list has it too
  ASSERT_TRUE(j["hover"].is_object()) << j.dump(2);
  std::string hover = j["hover"]["contents"]["value"];
  EXPECT_NE(hover.find("Group IT"), std::string::npos) << hover;
}

} // namespace
} // namespace keyplan
