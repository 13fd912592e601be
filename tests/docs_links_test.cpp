// The documentation stays true about where things are: every relative link in
// README.md and docs/*.md names a file or directory that exists, and every
// `#anchor` into a Markdown page names one of its headings.
#include <gtest/gtest.h>

#include <cctype>
#include <filesystem>
#include <fstream>
#include <map>
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

// A heading's visible text: `[text](url)` keeps its text, `<a ...>` tags go.
std::string visible(const std::string& h) {
  std::string out;
  for (size_t i = 0; i < h.size(); ++i) {
    if (h[i] == ']' && i + 1 < h.size() && h[i + 1] == '(') {
      size_t close = h.find(')', i);
      if (close != std::string::npos) {
        i = close;
        continue;
      }
    }
    if (h[i] == '<') {
      size_t close = h.find('>', i);
      if (close != std::string::npos) {
        i = close;
        continue;
      }
    }
    out += h[i];
  }
  return out;
}

// GitHub's anchor of a heading: lower case, punctuation dropped, spaces to '-'.
std::string anchor_of(const std::string& heading) {
  std::string a;
  for (unsigned char c : visible(heading)) {
    if (std::isalnum(c) || c >= 0x80 || c == '-' || c == '_')
      a += char(std::tolower(c));
    else if (c == ' ')
      a += '-';
  }
  return a;
}

// Every anchor of a page: its headings (a repeated heading gets -1, -2, ...
// as on GitHub) and explicit `<a id="x">` / `<a name="x">` targets.
std::set<std::string> anchors(const fs::path& page) {
  std::set<std::string> out;
  std::map<std::string, int> seen;
  const std::string text = read_file(page);
  std::istringstream in(text);
  std::string line;
  bool fenced = false;
  while (std::getline(in, line)) {
    if (line.rfind("```", 0) == 0) fenced = !fenced;
    if (fenced || line.empty() || line[0] != '#') continue;
    const size_t start = line.find_first_not_of('#');
    if (start == std::string::npos || line[start] != ' ') continue;
    std::string a = anchor_of(line.substr(line.find_first_not_of(' ', start)));
    int n = seen[a]++;
    out.insert(n ? a + "-" + std::to_string(n) : a);
  }
  for (const char* attr : {"<a id=\"", "<a name=\""})
    for (size_t at = text.find(attr); at != std::string::npos; at = text.find(attr, at + 1)) {
      size_t b = at + std::string(attr).size(), e = text.find('"', b);
      if (e != std::string::npos) out.insert(text.substr(b, e - b));
    }
  return out;
}

// Link targets of a page: inline `](target)`, reference definitions
// `[label]: target` and HTML `href="target"`; code blocks and spans skipped.
std::vector<std::string> link_targets(const std::string& raw) {
  // Blank out fenced blocks and inline code, keeping offsets.
  std::string text = raw;
  bool fenced = false;
  for (size_t pos = 0; pos < text.size();) {
    size_t eol = text.find('\n', pos);
    if (eol == std::string::npos) eol = text.size();
    bool fence = text.compare(pos, 3, "```") == 0;
    if (fence || fenced)
      for (size_t i = pos; i < eol; ++i) text[i] = ' ';
    if (fence) fenced = !fenced;
    pos = eol + 1;
  }
  for (size_t at = text.find('`'); at != std::string::npos; at = text.find('`', at + 1)) {
    size_t end = text.find('`', at + 1);
    if (end == std::string::npos || text.find('\n', at) < end) continue;
    for (size_t i = at; i <= end; ++i) text[i] = ' ';
    at = end;
  }
  std::vector<std::string> out;
  for (size_t at = text.find("]("); at != std::string::npos; at = text.find("](", at + 2)) {
    const size_t end = text.find_first_of(") \n", at + 2);
    if (end == std::string::npos || text[end] != ')' || end == at + 2) continue;
    out.push_back(text.substr(at + 2, end - at - 2));
  }
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    size_t lead = line.find_first_not_of(' ');
    if (lead == std::string::npos || lead > 3 || line[lead] != '[') continue;
    size_t colon = line.find("]: ", lead);
    if (colon == std::string::npos) continue;
    std::string target = line.substr(colon + 3);
    target = target.substr(0, target.find(' '));
    if (!target.empty()) out.push_back(target);
  }
  for (size_t at = text.find("href=\""); at != std::string::npos;
       at = text.find("href=\"", at + 1)) {
    size_t b = at + 6, e = text.find('"', b);
    if (e != std::string::npos && e > b) out.push_back(text.substr(b, e - b));
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
    for (const std::string& target : link_targets(text)) {
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

// The checker itself: the kinds of links and anchors it must see.
TEST(Docs, LinkCheckSeesReferenceLinksHtmlAndRepeatedHeadings) {
  auto targets = link_targets("See [a](x.md#one) and [b][r] and <a href=\"y.md\">y</a>.\n"
                              "`[not](a link)`\n```\n[nor](this)\n```\n[r]: z.md#two\n");
  EXPECT_EQ(targets, (std::vector<std::string>{"x.md#one", "z.md#two", "y.md"}));
  fs::path page = fs::temp_directory_path() / "keyplan_docs_links_test.md";
  std::ofstream(page) << "# Setup\n## Setup\n## The [CLI](cli.md) `keyplan test`\n"
                         "<a id=\"later-commands\"></a>\n";
  auto a = anchors(page);
  fs::remove(page);
  EXPECT_TRUE(a.count("setup") && a.count("setup-1")) << "a repeated heading gets -1";
  EXPECT_TRUE(a.count("the-cli-keyplan-test")) << "a link in a heading keeps its text";
  EXPECT_TRUE(a.count("later-commands")) << "an explicit anchor";
  EXPECT_FALSE(a.count("setup-2"));
}

} // namespace
