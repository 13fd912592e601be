// `keyplan serve`: the HTTP front of the decision service (serve/http_server.hpp:
// Boost.Beast, one event loop per thread). Routes the AuthZEN
// endpoints and keyplan's own (/v1/explain, /v1/policy, /v1/reload,
// /healthz, /readyz, /metrics), authenticates, limits, counts and logs.
// Every response names the policy hash of the world that answered it
// (header X-Keyplan-Policy-Hash).
#pragma once

#include "serve/world.hpp"

#include <cstdint>
#include <memory>
#include <string>

namespace keyplan::serve {

// One event loop per core.
size_t default_threads();

struct ServeOptions {
  WorldSpec spec;
  std::string host = "127.0.0.1";
  int port = 8181; // 0: any free port (tests)
  std::string token_file;
  std::string decision_log;
  uint64_t decision_log_max_bytes = 64ull << 20;
  size_t threads = default_threads(); // event loops, one thread each
  size_t max_body = 1 << 20;          // bytes; larger bodies get 413
  int read_timeout_ms = 5000;         // a client silent this long mid-request is dropped
  int keep_alive_seconds = 5;         // an idle keep-alive connection is closed after this
  int watch_ms = 0;                   // > 0: reload when a loaded file changes (checked this often)
};

class Server {
public:
  explicit Server(ServeOptions options);
  ~Server();
  // Loads the world, the tokens and the log, and binds. False with `error`.
  bool start(std::string& error);
  int port() const;
  // Serves until stop(); returns when every accepted request is answered.
  void run();
  // Stops accepting and lets requests in flight finish (graceful).
  void stop();
  bool running() const;
  // Loads a new world aside and swaps it in; on failure the old world keeps
  // serving and the error is kept for /v1/policy and /readyz.
  bool reload(std::string& error);
  std::shared_ptr<const World> world() const;

private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

} // namespace keyplan::serve
