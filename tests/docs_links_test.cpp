// The documentation stays true about where things are: every relative link in
// README.md and docs/*.md names a file or directory that exists, and every
// `#anchor` into a Markdown page names one of its headings.
#include <gtest/gtest.h>

#include <cctype>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <vector>

namespace fs = std::filesystem;

namespace {

fs::path source_root() {
  return fs::path(KEYPLAN_TEST_DATA).parent_path().parent_path();
}

std::string read_file(const fs::path& p) {
  std::ifstream in(p);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// GitHub's anchor of a heading: lower case, punctuation dropped, spaces to '-'.
std::string anchor_of(const std::string& heading) {
  std::string a;
  for (unsigned char c : heading) {
    if (std::isalnum(c) || c >= 0x80 || c == '-' || c == '_')
      a += char(std::tolower(c));
    else if (c == ' ')
      a += '-';
  }
  return a;
}

std::set<std::string> anchors(const fs::path& page) {
  std::set<std::string> out;
  std::istringstream in(read_file(page));
  std::string line;
  bool fenced = false;
  while (std::getline(in, line)) {
    if (line.rfind("```", 0) == 0) fenced = !fenced;
    if (fenced || line.empty() || line[0] != '#') continue;
    const size_t text = line.find_first_not_of('#');
    if (text == std::string::npos) continue;
    out.insert(anchor_of(line.substr(line.find_first_not_of(' ', text))));
  }
  return out;
}

std::vector<fs::path> pages() {
  std::vector<fs::path> out{source_root() / "README.md"};
  for (const auto& e : fs::recursive_directory_iterator(source_root() / "docs"))
    if (e.path().extension() == ".md") out.push_back(e.path());
  return out;
}

TEST(Docs, RelativeLinksNameExistingFilesAndHeadings) {
  int checked = 0;
  for (const fs::path& page : pages()) {
    const std::string text = read_file(page);
    // Inline links: `](target)`.
    for (size_t at = text.find("]("); at != std::string::npos; at = text.find("](", at + 2)) {
      const size_t end = text.find_first_of(") \n", at + 2);
      if (end == std::string::npos || text[end] != ')' || end == at + 2) continue;
      const std::string target = text.substr(at + 2, end - at - 2);
      if (target.find("://") != std::string::npos || target.rfind("mailto:", 0) == 0) continue;
      const size_t hash = target.find('#');
      const std::string file = target.substr(0, hash);
      const fs::path resolved = file.empty() ? page : page.parent_path() / file;
      ++checked;
      EXPECT_TRUE(fs::exists(resolved)) << page << " links to missing " << target;
      // A link out of the repository works only in one checkout's surroundings.
      const std::string inside =
          fs::weakly_canonical(resolved).lexically_relative(fs::weakly_canonical(source_root()));
      EXPECT_FALSE(inside.empty() || inside.rfind("..", 0) == 0)
          << page << " links out of the repository: " << target;
      if (hash != std::string::npos && resolved.extension() == ".md" && fs::exists(resolved)) {
        EXPECT_TRUE(anchors(resolved).count(target.substr(hash + 1)))
            << page << " links to a heading that does not exist: " << target;
      }
    }
  }
  EXPECT_GT(checked, 10) << "no links found: is the link pattern still right?";
}

} // namespace
