#include "cli/unified_diff.hpp"

#include <algorithm>
#include <fmt/format.h>
#include <vector>

namespace keyplan::cli {

namespace {

constexpr size_t kMaxTable = 50'000'000; // LCS cells; beyond, one whole-file hunk

std::vector<std::string> split_lines(const std::string& s) {
  std::vector<std::string> out;
  size_t pos = 0;
  while (pos < s.size()) {
    size_t nl = s.find('\n', pos);
    if (nl == std::string::npos) {
      out.push_back(s.substr(pos)); // no newline at the end
      break;
    }
    out.push_back(s.substr(pos, nl - pos + 1));
    pos = nl + 1;
  }
  return out;
}

struct Line {
  char tag;    // ' ', '-', '+'
  size_t a, b; // line indices (before this line) in each side
  const std::string* text;
};

// The edit script, common lines included, by a longest common subsequence.
std::vector<Line> script(const std::vector<std::string>& a, const std::vector<std::string>& b) {
  size_t pre = 0;
  while (pre < a.size() && pre < b.size() && a[pre] == b[pre]) ++pre;
  size_t suf = 0;
  while (suf < a.size() - pre && suf < b.size() - pre &&
         a[a.size() - 1 - suf] == b[b.size() - 1 - suf])
    ++suf;
  size_t n = a.size() - pre - suf, m = b.size() - pre - suf;
  std::vector<Line> out;
  for (size_t i = 0; i < pre; ++i) out.push_back({' ', i, i, &a[i]});
  if ((n + 1) * (m + 1) > kMaxTable) {
    for (size_t i = 0; i < n; ++i) out.push_back({'-', pre + i, pre, &a[pre + i]});
    for (size_t j = 0; j < m; ++j) out.push_back({'+', pre + n, pre + j, &b[pre + j]});
  } else {
    // len[i][j]: LCS of a[pre+i..] and b[pre+j..].
    std::vector<uint32_t> len((n + 1) * (m + 1), 0);
    auto at = [&](size_t i, size_t j) -> uint32_t& { return len[i * (m + 1) + j]; };
    for (size_t i = n; i-- > 0;)
      for (size_t j = m; j-- > 0;)
        at(i, j) =
            a[pre + i] == b[pre + j] ? at(i + 1, j + 1) + 1 : std::max(at(i + 1, j), at(i, j + 1));
    size_t i = 0, j = 0;
    while (i < n || j < m) {
      if (i < n && j < m && a[pre + i] == b[pre + j]) {
        out.push_back({' ', pre + i, pre + j, &a[pre + i]});
        ++i, ++j;
      } else if (i < n && (j == m || at(i + 1, j) >= at(i, j + 1))) {
        out.push_back({'-', pre + i, pre + j, &a[pre + i]}); // removals first, as diff -u
        ++i;
      } else {
        out.push_back({'+', pre + i, pre + j, &b[pre + j]});
        ++j;
      }
    }
  }
  for (size_t k = 0; k < suf; ++k)
    out.push_back({' ', a.size() - suf + k, b.size() - suf + k, &a[a.size() - suf + k]});
  return out;
}

std::string range(size_t start, size_t count) {
  // diff -u: an empty range is shown at the line before it.
  if (count == 0) return fmt::format("{},0", start);
  if (count == 1) return fmt::format("{}", start + 1);
  return fmt::format("{},{}", start + 1, count);
}

} // namespace

std::string unified_diff(const std::string& a, const std::string& b, const std::string& from,
                         const std::string& to, int context) {
  if (a == b) return {};
  auto la = split_lines(a), lb = split_lines(b);
  auto s = script(la, lb);
  std::string out = fmt::format("--- {}\n+++ {}\n", from, to);
  size_t ctx = static_cast<size_t>(std::max(context, 0));
  size_t k = 0;
  while (k < s.size()) {
    while (k < s.size() && s[k].tag == ' ') ++k;
    if (k == s.size()) break;
    size_t begin = k >= ctx ? k - ctx : 0, end = k;
    // Extend over changes separated by at most 2*ctx common lines.
    while (end < s.size()) {
      size_t next = end;
      while (next < s.size() && s[next].tag != ' ') ++next;
      size_t common = next;
      while (common < s.size() && s[common].tag == ' ') ++common;
      if (common < s.size() && common - next <= 2 * ctx) {
        end = common;
        continue;
      }
      end = std::min(next + ctx, s.size());
      break;
    }
    size_t ca = 0, cb = 0;
    for (size_t i = begin; i < end; ++i) {
      if (s[i].tag != '+') ++ca;
      if (s[i].tag != '-') ++cb;
    }
    out += fmt::format("@@ -{} +{} @@\n", range(s[begin].a, ca), range(s[begin].b, cb));
    for (size_t i = begin; i < end; ++i) {
      out += s[i].tag;
      out += *s[i].text;
      if (s[i].text->empty() || s[i].text->back() != '\n')
        out += "\n\\ No newline at end of file\n";
    }
    k = end;
  }
  return out;
}

} // namespace keyplan::cli
