// The HTTP/1.1 transport of `keyplan serve`: Boost.Beast on Boost.Asio,
// event-driven, one event loop (io_context) per thread, connections spread
// over the loops round-robin. A connection costs a socket and a small
// buffer, not a thread: idle keep-alive clients cost nothing until they
// speak, and no request waits for a worker (docs/serve.md "The HTTP server").
// Routing and answers are the caller's (serve/server.cpp): this file knows
// sockets, limits, timeouts and draining, not AuthZEN.
#pragma once

#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace keyplan::serve {

// One request and the answer to it, free of Beast types.
struct HttpExchange {
  // The request (views into the connection's request, valid while handled).
  std::string_view method;        // "GET", "POST", ...
  std::string_view path;          // the target without its query string
  std::string_view authorization; // the Authorization header, "" if none
  std::string_view host;          // the Host header, "" if none
  std::string body;
  // The answer.
  int status = 200;
  std::string content_type = "application/json";
  std::string response;
  std::vector<std::pair<std::string, std::string>> headers; // beside Content-Type/Length
};

struct HttpLimits {
  size_t threads = 2;           // event loops, one thread each
  size_t max_body = 1 << 20;    // larger bodies: the error callback with 413
  size_t max_header = 16 << 10; // larger request heads: 431
  int read_timeout_ms = 5000;   // from a request's first byte to its last; also per write
  int keep_alive_seconds = 5;   // an idle connection is closed after this
};

class HttpServer {
public:
  struct Callbacks {
    // Answers a request (on an event loop, or on the slow pool if `slow`).
    std::function<void(HttpExchange&)> handle;
    // Requests that may take long (a reload compiles a policy): run on a
    // separate pool so that the event loops keep serving.
    std::function<bool(const HttpExchange&)> slow;
    // A request that could not be read: fills the answer for `status`
    // (400 malformed, 413 body too large, 431 head too large).
    std::function<void(HttpExchange&)> error;
  };
  HttpServer(HttpLimits limits, Callbacks callbacks);
  ~HttpServer();
  // Binds and listens (port 0: any free port). False with `error`.
  bool listen(const std::string& host, int port, std::string& error);
  int port() const;
  // Serves until stop(), then drains: returns when every connection is closed.
  void run();
  // Stops accepting, closes idle connections, lets requests in flight finish
  // (their answers say Connection: close). Any thread, any time, idempotent.
  void stop();
  bool running() const;

  struct Impl; // public only for the connections in http_server.cpp

private:
  std::unique_ptr<Impl> impl_;
};

} // namespace keyplan::serve
