#include "runtime/data_file.hpp"

#include "runtime/data_loader.hpp"

#include <cctype>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <string_view>
#include <sys/stat.h>
#include <unistd.h>
#include <yaml-cpp/yaml.h>

namespace keyplan::rt {

namespace {

// The first entity type names, for a message.
std::string type_list(const ir::Policy& p) {
  std::vector<std::string> names;
  for (const auto& e : p.entities) {
    if (names.size() == 5) {
      names.push_back("...");
      break;
    }
    names.push_back(e.name);
  }
  return fmt::format("{}", fmt::join(names, ", "));
}

} // namespace

void not_data(Diagnostics& diags, const std::string& path, const std::string& why) {
  diags.error(Span{}, fmt::format("'{}' is not a keyplan data file: {}", path, why));
}

void not_data_shape(Diagnostics& diags, const std::string& path, const ir::Policy& p,
                    const std::vector<std::pair<std::string, int64_t>>& keys) {
  std::vector<std::string> names;
  for (const auto& e : p.entities) names.push_back(e.name);
  std::string hint;
  for (const auto& [key, line] : keys) {
    std::string m = closest_match(key, names);
    if (m.empty()) continue;
    hint = fmt::format("the key on line {}: did you mean '{}'?", line, m);
    break;
  }
  diags.error(Span{},
              fmt::format("'{}' is not a keyplan data file: expected a map from entity type "
                          "names ({}) to lists of instances",
                          path, type_list(p)),
              hint);
}

bool recognised(const YAML::Node& root, const ir::Policy& p, const std::string& path,
                Diagnostics& diags) {
  std::vector<std::pair<std::string, int64_t>> keys;
  if (root.IsMap() && root.size() == 0) return true; // `{}`: no data, nothing to show
  if (root.IsMap())
    for (const auto& kv : root) {
      if (!kv.first.IsScalar()) continue;
      if (p.find_entity(kv.first.Scalar()) >= 0) return true;
      keys.emplace_back(kv.first.Scalar(), kv.first.Mark().line + 1);
    }
  not_data_shape(diags, path, p, keys);
  return false;
}

bool text_names_a_type_before(const std::string& text, size_t end, const ir::Policy& p) {
  for (size_t pos = 0; pos < text.size() && pos < end;) {
    size_t nl = text.find('\n', pos);
    size_t line_end = nl == std::string::npos ? text.size() : nl + 1;
    std::string_view l(text.data() + pos, std::min(line_end, end) - pos);
    if (l.substr(0, 3) == "---") l.remove_prefix(3);
    while (!l.empty() &&
           (l.front() == ' ' || l.front() == '{' || l.front() == '"' || l.front() == '\''))
      l.remove_prefix(1);
    size_t n = 0;
    while (n < l.size() && (std::isalnum(static_cast<unsigned char>(l[n])) || l[n] == '_')) ++n;
    size_t colon = n;
    while (colon < l.size() && (l[colon] == '"' || l[colon] == '\'' || l[colon] == ' ')) ++colon;
    if (n > 0 && colon < l.size() && l[colon] == ':' &&
        p.find_entity(std::string(l.substr(0, n))) >= 0)
      return true;
    pos = line_end;
  }
  return false;
}

namespace {

// Calls bad(i) for each byte diagnostics must not show as it is (invalid
// UTF-8, control characters); stops when bad returns false.
template <typename F> void scan_undisplayable(const std::string& text, F&& bad) {
  for (size_t i = 0; i < text.size();) {
    auto c = static_cast<unsigned char>(text[i]);
    if (c < 0x80) {
      if (((c < 0x20 && c != '\t' && c != '\n' && c != '\r') || c == 0x7f) && !bad(i)) return;
      ++i;
      continue;
    }
    size_t len = c >= 0xF0 && c <= 0xF4 ? 4 : c >= 0xE0 ? 3 : c >= 0xC2 && c <= 0xDF ? 2 : 0;
    if (c > 0xF4) len = 0;
    bool ok = len > 0 && i + len <= text.size();
    for (size_t k = 1; ok && k < len; ++k)
      ok = (static_cast<unsigned char>(text[i + k]) & 0xC0) == 0x80;
    if (ok && len >= 3) { // overlong forms, surrogates, beyond U+10FFFF
      auto c1 = static_cast<unsigned char>(text[i + 1]);
      if ((c == 0xE0 && c1 < 0xA0) || (c == 0xED && c1 > 0x9F) || (c == 0xF0 && c1 < 0x90) ||
          (c == 0xF4 && c1 > 0x8F))
        ok = false;
    }
    if (!ok) {
      if (!bad(i)) return;
      ++i;
      continue;
    }
    i += len;
  }
}

} // namespace

std::string displayable(const std::string& text) {
  std::string out;
  scan_undisplayable(text, [&](size_t i) {
    if (out.empty()) out = text;
    out[i] = '?';
    return true;
  });
  return out.empty() ? text : out;
}

bool displayable_as_is(const std::string& text) {
  bool as_is = true;
  scan_undisplayable(text, [&](size_t) { return as_is = false; });
  return as_is;
}

// Data files over this size are refused before they are read whole (the
// 100,000-user tenant is 6 MB); it also stops endless character devices.
constexpr size_t kMaxDataFileBytes = size_t{256} << 20;

bool read_data_file(const std::string& path, std::string& text, Diagnostics& diags) {
  text.clear();
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    diags.error(Span{}, fmt::format("cannot read data file '{}': {}", path, std::strerror(errno)));
    return false;
  }
  struct FdCloser {
    int fd;
    ~FdCloser() { ::close(fd); }
  } closer{fd};
  struct stat st {};
  if (::fstat(fd, &st) != 0) {
    diags.error(Span{}, fmt::format("cannot read data file '{}': {}", path, std::strerror(errno)));
    return false;
  }
  // Pipes and character devices are read as streams (`--data <(...)`,
  // /dev/stdin); directories, sockets and block devices are not data.
  if (S_ISDIR(st.st_mode)) {
    diags.error(Span{}, fmt::format("data file '{}' is a directory", path),
                "give a YAML file of tenant data");
    return false;
  }
  if (!S_ISREG(st.st_mode) && !S_ISFIFO(st.st_mode) && !S_ISCHR(st.st_mode)) {
    diags.error(Span{}, fmt::format("data file '{}' is not a regular file", path));
    return false;
  }
  if (S_ISREG(st.st_mode) && static_cast<uint64_t>(st.st_size) < kMaxDataFileBytes)
    text.reserve(static_cast<size_t>(st.st_size));
  char buf[1 << 16];
  while (true) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      diags.error(Span{},
                  fmt::format("cannot read data file '{}': {}", path, std::strerror(errno)));
      return false;
    }
    if (n == 0) break;
    // A NUL byte: not data (and /dev/zero ends here, not at the size limit).
    if (std::memchr(buf, 0, static_cast<size_t>(n))) {
      not_data(diags, path, "it contains a NUL byte");
      return false;
    }
    if (text.size() + static_cast<size_t>(n) > kMaxDataFileBytes) {
      diags.error(Span{}, fmt::format("data file '{}' is larger than {} MiB", path,
                                      kMaxDataFileBytes >> 20));
      return false;
    }
    text.append(buf, static_cast<size_t>(n));
  }
  return true;
}

} // namespace keyplan::rt
