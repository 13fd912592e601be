// Parser and locator of the DOMAIN rule catalogue shown in hovers.
#include "lsp/domain_rules.hpp"

#include "compiler/compile.hpp"

#include <cctype>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace keyplan::lsp {
namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

// An id is letters, a dash, then letters/digits (F-A4, W-12).
bool is_rule_id(std::string_view id) {
  size_t dash = id.find('-');
  if (dash == 0 || dash == std::string_view::npos || dash + 1 >= id.size()) return false;
  for (size_t i = 0; i < id.size(); ++i)
    if (i != dash && !std::isalnum(static_cast<unsigned char>(id[i]))) return false;
  return std::isupper(static_cast<unsigned char>(id[0])) != 0;
}

} // namespace

DomainRules parse_domain_rules(std::string_view md) {
  DomainRules out;
  std::string* current = nullptr;
  while (!md.empty()) {
    size_t nl = md.find('\n');
    std::string_view line = md.substr(0, nl);
    md.remove_prefix(nl == std::string_view::npos ? md.size() : nl + 1);
    if (line.starts_with("- **")) {
      std::string_view rest = line.substr(4);
      size_t close = rest.find("**");
      current = nullptr;
      if (close != std::string_view::npos && is_rule_id(rest.substr(0, close))) {
        current = &out[std::string(rest.substr(0, close))];
        *current = std::string(trim(rest.substr(close + 2)));
      }
    } else if (current && !line.empty() && std::isspace(static_cast<unsigned char>(line[0])) &&
               !trim(line).empty()) {
      // An indented line continues the rule (a nested bullet too).
      *current += " " + std::string(trim(line));
    } else {
      current = nullptr;
    }
  }
  return out;
}

const DomainRules& domain_rules() {
  static const DomainRules rules = [] {
    namespace fs = std::filesystem;
    for (const auto& dir : standard_search_path()) {
      for (const fs::path& p : {fs::path(dir) / ".." / "docs" / "domain.md",
                                fs::path(dir) / ".." / ".." / "doc" / "keyplan" / "domain.md"}) {
        std::error_code ec;
        if (!fs::is_regular_file(p, ec)) continue;
        std::ifstream in(p, std::ios::binary);
        std::stringstream ss;
        ss << in.rdbuf();
        DomainRules r = parse_domain_rules(ss.str());
        if (!r.empty()) return r;
      }
    }
    return DomainRules{};
  }();
  return rules;
}

} // namespace keyplan::lsp
