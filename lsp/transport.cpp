#include "lsp/transport.hpp"

#include <cerrno>
#include <charconv>
#include <poll.h>
#include <unistd.h>

namespace keyplan::lsp {

bool Transport::complete(std::string& body, Status& status) {
  size_t end = buf_.find("\r\n\r\n");
  if (end == std::string::npos) {
    if (buf_.size() > 64 * 1024) { // a header block is a few dozen bytes
      status = Status::Bad;
      return true;
    }
    return false;
  }
  // Header fields: Content-Length (required), Content-Type (ignored).
  size_t length = 0;
  bool have_length = false;
  size_t pos = 0;
  while (pos < end) {
    size_t eol = buf_.find("\r\n", pos);
    std::string_view line(buf_.data() + pos, eol - pos);
    pos = eol + 2;
    constexpr std::string_view kLen = "content-length:";
    if (line.size() > kLen.size()) {
      std::string lower(line.substr(0, kLen.size()));
      for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      if (lower == kLen) {
        std::string_view v = line.substr(kLen.size());
        while (!v.empty() && v.front() == ' ') v.remove_prefix(1);
        auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), length);
        have_length = ec == std::errc() && p == v.data() + v.size();
      }
    }
  }
  if (!have_length || length > kMaxMessageBytes) {
    status = Status::Bad;
    return true;
  }
  if (buf_.size() < end + 4 + length) return false;
  body = buf_.substr(end + 4, length);
  buf_.erase(0, end + 4 + length);
  status = Status::Message;
  return true;
}

Transport::Status Transport::read(std::string& body, int timeout_ms) {
  Status status;
  if (complete(body, status)) return status;
  for (;;) {
    pollfd p{in_, POLLIN, 0};
    int r = ::poll(&p, 1, timeout_ms);
    if (r < 0 && errno == EINTR) continue;
    if (r == 0) return Status::Timeout;
    if (r < 0) return Status::Closed;
    char chunk[65536];
    ssize_t n = ::read(in_, chunk, sizeof chunk);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return Status::Closed;
    buf_.append(chunk, static_cast<size_t>(n));
    if (complete(body, status)) return status;
  }
}

bool Transport::write(const nlohmann::json& message) {
  std::string body = message.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  std::string out = "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
  size_t done = 0;
  while (done < out.size()) {
    ssize_t n = ::write(out_, out.data() + done, out.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    done += static_cast<size_t>(n);
  }
  return true;
}

} // namespace keyplan::lsp
