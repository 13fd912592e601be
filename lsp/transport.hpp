// The LSP base protocol: messages framed by a `Content-Length: N` header
// block and N bytes of JSON-RPC 2.0 body, read from and written to file
// descriptors (stdin/stdout for `keyplan lsp`).
#pragma once

#include <nlohmann/json.hpp>

#include <optional>
#include <string>

namespace keyplan::lsp {

// A body larger than this is refused (the connection is closed): bounded memory.
constexpr size_t kMaxMessageBytes = 64u << 20;

class Transport {
public:
  Transport(int in_fd, int out_fd) : in_(in_fd), out_(out_fd) {}

  enum class Status { Message, Timeout, Closed, Bad };
  // Waits at most `timeout_ms` (-1: for ever) for the next message body.
  // Bad: a malformed header or an oversized body (the stream cannot be
  // resynchronised, so the caller stops).
  Status read(std::string& body, int timeout_ms);
  // Frames and writes one message; false when the peer is gone.
  bool write(const nlohmann::json& message);

private:
  bool complete(std::string& body, Status& status); // one message out of buf_, if any
  int in_, out_;
  std::string buf_;
};

} // namespace keyplan::lsp
