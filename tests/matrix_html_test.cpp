// `keyplan matrix --format html` in a real browser: headless Chromium loads
// the page (its script runs), the DOM must show the counts the JSON output
// gives, a screenshot must show the heatmap, and ids cannot inject markup.
// Chromium is a Debian package that scripts/setup.sh installs.
#include "tests/what_if_support.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <png.h>

#include <map>
#include <regex>
#include <set>

using namespace keyplan::what_if_test;

namespace {

const std::string kChromium = "timeout 60 chromium --headless --no-sandbox --disable-gpu ";

// The DOM after the page loaded and its scripts ran.
std::string dump_dom(const fs::path& page, const std::string& fragment = "") {
  auto r = keyplan::testing_support::run_command(
      kChromium + "--dump-dom " + quote("file://" + page.string() + fragment) + " 2>/dev/null");
  EXPECT_EQ(r.code, 0) << "chromium failed (scripts/setup.sh installs it)";
  return r.out;
}

std::string element_text(const std::string& dom, const std::string& id) {
  std::smatch m;
  std::regex re("id=\"" + id + "\">([^<]*)<");
  return std::regex_search(dom, m, re) ? m[1].str() : "(missing " + id + ")";
}

// (row, col) -> data-v of every heatmap cell in the DOM.
std::map<std::pair<int, int>, uint64_t> dom_cells(const std::string& dom) {
  std::map<std::pair<int, int>, uint64_t> out;
  std::regex re(R"re(<td class="d\d" data-v="(\d+)" data-r="(\d+)" data-c="(\d+)">)re");
  for (auto it = std::sregex_iterator(dom.begin(), dom.end(), re); it != std::sregex_iterator();
       ++it)
    out[{std::stoi((*it)[2]), std::stoi((*it)[3])}] = std::stoull((*it)[1]);
  return out;
}

nlohmann::json json_of(const std::string& args) {
  auto r = run_keyplan(args + " --format json");
  EXPECT_EQ(r.code, 0) << show(r);
  nlohmann::json j;
  EXPECT_NO_THROW(j = nlohmann::json::parse(r.out)) << show(r);
  return j;
}

fs::path write_html(const Scratch& s, const std::string& args) {
  auto r = run_keyplan(args + " --format html -o " + quote((s.dir / "m.html").string()));
  EXPECT_EQ(r.code, 0) << show(r);
  return s.dir / "m.html";
}

const std::string kOfficeBook = "matrix " + kOffice +
                                " book --rows user --cols object --today 2026-11-23 --data " +
                                kOfficeData;

} // namespace

TEST(MatrixHtml, DomShowsTheSameCountsAsJson) {
  Scratch s;
  auto j = json_of(kOfficeBook);
  std::string dom = dump_dom(write_html(s, kOfficeBook));
  EXPECT_EQ(element_text(dom, "kp-allowed"), std::to_string(j["allowed"].get<int>()));
  EXPECT_EQ(element_text(dom, "kp-cells"), "8");
  // Computed by the page's script from the cells: the script ran.
  EXPECT_EQ(element_text(dom, "kp-shown-allowed"), std::to_string(j["allowed"].get<int>()));
  auto cells = dom_cells(dom);
  ASSERT_EQ(cells.size(), 8u) << dom;
  for (size_t r = 0; r < 4; ++r)
    for (size_t c = 0; c < 2; ++c)
      EXPECT_EQ(cells[std::make_pair(static_cast<int>(r), static_cast<int>(c))],
                j["cells"][r].get<std::string>()[c] == '1' ? 1u : 0u)
          << r << "," << c;
}

TEST(MatrixHtml, GroupedPageShowsTheGroupCounts) {
  Scratch s;
  const std::string args = kOfficeBook + " --group-rows groups --group-cols floor";
  auto j = json_of(args);
  auto cells = dom_cells(dump_dom(write_html(s, args)));
  ASSERT_EQ(cells.size(), j["rows"].size() * j["cols"].size());
  for (size_t r = 0; r < j["rows"].size(); ++r)
    for (size_t c = 0; c < j["cols"].size(); ++c)
      EXPECT_EQ(cells[std::make_pair(static_cast<int>(r), static_cast<int>(c))],
                j["cells"][r][c].get<uint64_t>());
}

// More than 150 rows: the heatmap shows buckets of consecutive users, and
// the counts still add up to the matrix's.
TEST(MatrixHtml, LargeMatrixIsBucketedAndCountsStillAgree) {
  Scratch s;
  const std::string data = quote((s.dir / "t.yaml").string());
  ASSERT_EQ(
      run_keyplan("gen --users 450 --groups 6 --buildings 1 --floors 3 --desks 90 -o " + data).code,
      0);
  const std::string args = "matrix std.desk_booking book --rows user --cols object --today "
                           "2026-11-23 --data " +
                           data;
  auto sum = json_of(args + " --summary");
  ASSERT_EQ(sum["cell_count"], 450 * 270);
  std::string dom = dump_dom(write_html(s, args));
  auto cells = dom_cells(dom);
  std::set<int> rows, cols;
  uint64_t total = 0;
  for (const auto& [rc, v] : cells) {
    rows.insert(rc.first);
    cols.insert(rc.second);
    total += v;
  }
  // At most 150 buckets of ceil(n / 150): 450 users by 3, 270 desks by 2.
  EXPECT_EQ(rows.size(), 150u); // more than 150 users: bucketed
  EXPECT_EQ(cols.size(), 135u);
  EXPECT_EQ(total, sum["allowed"].get<uint64_t>());
  EXPECT_EQ(element_text(dom, "kp-shown-allowed"), std::to_string(sum["allowed"].get<uint64_t>()));
  EXPECT_NE(dom.find("buckets of consecutive ids"), std::string::npos);
}

// A cell's explanation comes from the interpreter, precomputed in the page
// (page.html#explain=ROW,COL opens one as a click does).
TEST(MatrixHtml, CellExplanationIsPrecomputed) {
  Scratch s;
  std::string dom = dump_dom(write_html(s, kOfficeBook), "#explain=1,0");
  EXPECT_NE(dom.find("deny book(user = schmidt, object = TABLE_1, on = 2026-11-23)"),
            std::string::npos)
      << dom.substr(0, 2000);
  EXPECT_NE(dom.find("groups_of(schmidt) needs one of [IT]"), std::string::npos);
}

// Decodes the PNG (libpng) and counts its colours: a blank or failed render
// is one or two colours; the seed 002 heatmap has its allow colour (#00441b).
TEST(MatrixHtml, ScreenshotShowsTheHeatmap) {
  Scratch s;
  fs::path page =
      write_html(s, "matrix " + kSeed002 + " book --rows user --cols object --today 2026-11-23");
  fs::path shot = s.dir / "shot.png";
  auto r = keyplan::testing_support::run_command(
      kChromium + "--screenshot=" + quote(shot.string()) + " --window-size=800,600 " +
      quote("file://" + page.string()) + " >/dev/null 2>&1");
  ASSERT_EQ(r.code, 0);
  png_image image{};
  image.version = PNG_IMAGE_VERSION;
  ASSERT_TRUE(png_image_begin_read_from_file(&image, shot.c_str())) << image.message;
  image.format = PNG_FORMAT_RGB;
  std::vector<png_byte> pixels(PNG_IMAGE_SIZE(image));
  ASSERT_TRUE(png_image_finish_read(&image, nullptr, pixels.data(), 0, nullptr));
  EXPECT_EQ(image.width, 800u);
  std::set<uint32_t> colours;
  size_t allow_pixels = 0;
  for (size_t i = 0; i + 2 < pixels.size(); i += 3) {
    uint32_t rgb = (uint32_t{pixels[i]} << 16) | (uint32_t{pixels[i + 1]} << 8) | pixels[i + 2];
    colours.insert(rgb);
    allow_pixels += rgb == 0x00441b;
  }
  EXPECT_GT(colours.size(), 10u);        // text, borders, cells: not blank
  EXPECT_GT(allow_pixels, 2u * 20 * 10); // two allowed cells, each at least ~20x10 pixels
}

TEST(MatrixHtml, HostileIdsCannotInjectMarkup) {
  Scratch s;
  auto data =
      s.write("hostile.yaml", "User:\n"
                              "  - {id: \"</script><img src=x onerror=alert(1)>\", groups: [IT]}\n"
                              "  - {id: \"<b onclick=x>&amp;\", groups: [IT]}\n");
  const std::string args = "matrix " + kSeed002 +
                           " book --rows user --cols object --today 2026-11-23 --data " +
                           quote(data.string());
  fs::path page = write_html(s, args);
  const std::string html = read(page);
  // Self-contained: nothing is fetched.
  EXPECT_EQ(html.find("src=\"http"), std::string::npos);
  EXPECT_EQ(html.find("href="), std::string::npos);
  EXPECT_NE(html.find("default-src 'none'"), std::string::npos);
  std::string dom = dump_dom(page);
  EXPECT_EQ(dom.find("<img"), std::string::npos) << dom.substr(0, 3000);
  EXPECT_EQ(dom.find("<b onclick"), std::string::npos);
  EXPECT_EQ(element_text(dom, "kp-shown-allowed"), "4"); // the script still ran
  EXPECT_EQ(dom_cells(dom).size(), 8u);
}
