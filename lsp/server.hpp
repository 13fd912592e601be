// The language server: JSON-RPC 2.0 dispatch over a Transport, the open
// documents, and when they are checked. A change is checked once typing
// pauses (`debounce_ms`), or at once when a request needs the result; one
// thread, so a request always sees the document as last changed.
#pragma once

#include "lsp/analysis.hpp"
#include "lsp/transport.hpp"

#include <chrono>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

namespace keyplan::lsp {

struct ServerOptions {
  int debounce_ms = 150;
  std::vector<std::string> search_path; // --path: extra module directories
};

class Server {
public:
  Server(Transport& t, ServerOptions o) : t_(t), opts_(std::move(o)) {}
  // Serves until `exit` or end of input; the process exit code (0 after
  // shutdown, else 1, as the protocol asks).
  int run();

  // One message (public for the benchmark, which drives the server directly).
  void handle(const std::string& body);
  // Checks every changed document now and publishes its diagnostics.
  void flush();

private:
  using Clock = std::chrono::steady_clock;
  struct Document {
    std::string path, text;
    int version = 0;
    bool dirty = true;
    Clock::time_point due;
    std::shared_ptr<const Analysis> analysis; // the latest check
    std::shared_ptr<const Analysis> nav;      // the latest one where the document parsed
    std::set<std::string> published;          // paths given diagnostics last time
  };

  void request(const std::string& method, const nlohmann::json& id, const nlohmann::json& params);
  void notification(const std::string& method, const nlohmann::json& params);
  nlohmann::json dispatch(const std::string& method, const nlohmann::json& params);
  void reply(const nlohmann::json& id, nlohmann::json result);
  void reply_error(const nlohmann::json& id, int code, const std::string& message);
  void did_change(const nlohmann::json& params);
  Document* document(const nlohmann::json& params); // textDocument.uri, checked when dirty
  void check(const std::string& uri, Document& d);
  int wait_ms() const;

  Transport& t_;
  ServerOptions opts_;
  std::map<std::string, Document> docs_; // by uri
  ParseCache cache_;                     // the imported modules' trees
  bool initialized_ = false, shutdown_ = false, exit_ = false;
};

} // namespace keyplan::lsp
