// Bearer-token authentication: the tokens come from a file (one a line,
// blank lines and lines starting with # ignored) and are compared in
// constant time, every token every time, so that timing tells nothing
// about how much of a guess was right or which token it was close to.
#pragma once

#include <string>
#include <vector>

namespace keyplan::serve {

class TokenAuth {
public:
  // False with `error` when the file cannot be read or holds no token.
  bool load(const std::string& path, std::string& error);
  bool enabled() const { return !tokens_.empty(); }
  // `header` is the Authorization header's value ("Bearer TOKEN").
  bool check(const std::string& header) const;

private:
  std::vector<std::string> tokens_;
};

// Equality whose time depends only on the lengths, not on the contents.
bool constant_time_equal(const std::string& a, const std::string& b);

} // namespace keyplan::serve
