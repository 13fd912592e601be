#include "serve/auth.hpp"

#include <fstream>

namespace keyplan::serve {

bool constant_time_equal(const std::string& a, const std::string& b) {
  // Walks the longer string whole; a length difference fails at the end.
  const size_t n = std::max(a.size(), b.size());
  unsigned char diff = a.size() == b.size() ? 0 : 1;
  for (size_t i = 0; i < n; ++i) {
    const unsigned char x = i < a.size() ? static_cast<unsigned char>(a[i]) : 0;
    const unsigned char y = i < b.size() ? static_cast<unsigned char>(b[i]) : 0;
    diff |= static_cast<unsigned char>(x ^ y);
  }
  return diff == 0;
}

bool TokenAuth::load(const std::string& path, std::string& error) {
  std::ifstream in(path);
  if (!in) {
    error = "cannot read the token file " + path;
    return false;
  }
  std::vector<std::string> tokens;
  std::string line;
  while (std::getline(in, line)) {
    while (!line.empty() && (line.back() == '\r' || line.back() == ' ' || line.back() == '\t'))
      line.pop_back();
    const size_t start = line.find_first_not_of(" \t");
    if (start == std::string::npos || line[start] == '#') continue;
    tokens.push_back(line.substr(start));
  }
  if (tokens.empty()) {
    error = "the token file " + path + " holds no token";
    return false;
  }
  tokens_ = std::move(tokens);
  return true;
}

bool TokenAuth::check(const std::string& header) const {
  static const std::string kScheme = "Bearer ";
  if (header.size() <= kScheme.size() || header.compare(0, kScheme.size(), kScheme) != 0)
    return false;
  const std::string given = header.substr(kScheme.size());
  bool ok = false;
  for (const auto& t : tokens_) ok = constant_time_equal(given, t) || ok; // no early exit
  return ok;
}

} // namespace keyplan::serve
