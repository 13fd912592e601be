// keyplan diff --format html, rendered in headless Chromium (Debian package
// `chromium`, scripts/setup.sh): the DOM shows the counts of the JSON
// output, gained and lost rows carry their colours, and a screenshot of the
// page is not blank.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <png.h>

#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>
#include <sys/wait.h>
#include <unistd.h>
#include <vector>

namespace fs = std::filesystem;

namespace {

fs::path root() {
  return fs::path(KEYPLAN_TEST_DATA).parent_path().parent_path();
}

struct Out {
  int code = -1;
  std::string text;
};

Out shell(const std::string& cmd) {
  Out o;
  FILE* p = ::popen(cmd.c_str(), "r");
  if (!p) return o;
  char buf[4096];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, p)) > 0) o.text.append(buf, n);
  int status = ::pclose(p);
  o.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return o;
}

std::string keyplan_cmd(const std::string& args) {
  return "cd '" + root().string() + "' && '" + KEYPLAN_BINARY + "' " + args;
}

// The text of the element with id `id` in a dumped DOM.
std::string element_text(const std::string& dom, const std::string& id) {
  std::smatch m;
  if (!std::regex_search(dom, m, std::regex("id=\"" + id + "\"[^>]*>([^<]*)<"))) return "";
  return m[1];
}

size_t count(const std::string& s, const std::string& what) {
  size_t n = 0;
  for (size_t p = s.find(what); p != std::string::npos; p = s.find(what, p + 1)) ++n;
  return n;
}

} // namespace

TEST(DiffHtml, ChromiumShowsTheJsonCountsInTwoColours) {
  if (shell("command -v chromium >/dev/null 2>&1").code != 0)
    GTEST_SKIP() << "chromium is not installed (scripts/setup.sh)";
  const fs::path dir =
      fs::temp_directory_path() / ("keyplan_diff_html_" + std::to_string(::getpid()));
  fs::create_directories(dir);
  const std::string base = "diff policies/examples/seed002/example_building.kp --today 2026-11-23 "
                           "--what-if tests/data/diff/new_version.yaml --explain 2";
  Out json = shell(keyplan_cmd(base + " --format json"));
  ASSERT_EQ(json.code, 1) << json.text;
  const auto j = nlohmann::json::parse(json.text);
  const fs::path page = dir / "diff.html";
  Out html = shell(keyplan_cmd(base + " --format html -o '" + page.string() + "'"));
  ASSERT_EQ(html.code, 1) << html.text;
  const std::string chromium = "timeout 120 chromium --headless --disable-gpu --no-sandbox "
                               "--user-data-dir='" +
                               (dir / "profile").string() + "' ";
  Out dom = shell(chromium + "--dump-dom 'file://" + page.string() + "' 2>/dev/null");
  ASSERT_EQ(dom.code, 0);
  EXPECT_EQ(element_text(dom.text, "kp-gained"), std::to_string(j["gained"].get<uint64_t>()));
  EXPECT_EQ(element_text(dom.text, "kp-lost"), std::to_string(j["lost"].get<uint64_t>()));
  // Every flipped cell is a row of its colour.
  EXPECT_EQ(
      count(dom.text, "<tr class=\"kp-gained\">"), j["gained"].get<size_t>() + [&] {
        size_t g = 0;
        for (const auto& x : j["groups"]) g += x["change"] == "gained";
        return g;
      }());
  EXPECT_NE(dom.text.find("because:"), std::string::npos);
  // A screenshot that is not one colour.
  const fs::path shot = dir / "diff.png";
  shell(chromium + "--window-size=1000,800 --screenshot='" + shot.string() + "' 'file://" +
        page.string() + "' >/dev/null 2>&1");
  png_image image{};
  image.version = PNG_IMAGE_VERSION;
  ASSERT_TRUE(png_image_begin_read_from_file(&image, shot.c_str())) << "no screenshot";
  image.format = PNG_FORMAT_RGB;
  std::vector<unsigned char> pixels(PNG_IMAGE_SIZE(image));
  ASSERT_TRUE(png_image_finish_read(&image, nullptr, pixels.data(), 0, nullptr));
  std::set<uint32_t> colours;
  for (size_t i = 0; i + 2 < pixels.size(); i += 3)
    colours.insert(static_cast<uint32_t>(pixels[i] << 16 | pixels[i + 1] << 8 | pixels[i + 2]));
  EXPECT_GE(colours.size(), 3u) << "a blank screenshot";
  // Gained in green (#d9f0d3), lost in red (#f8d0d0), both on screen.
  EXPECT_TRUE(colours.count(0xd9f0d3)) << "no gained (green) cell on the screenshot";
  EXPECT_TRUE(colours.count(0xf8d0d0)) << "no lost (red) cell on the screenshot";
  fs::remove_all(dir);
}
