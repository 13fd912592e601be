#include "lsp/server.hpp"

#include "lsp/diagnostics.hpp"
#include "lsp/features.hpp"
#include "lsp/position.hpp"
#include "lsp/uri.hpp"

#include <algorithm>

namespace keyplan::lsp {
namespace {

// JSON-RPC and LSP error codes.
constexpr int kParseError = -32700, kInvalidRequest = -32600, kMethodNotFound = -32601,
              kInvalidParams = -32602, kInternalError = -32603, kNotInitialized = -32002,
              kRequestFailed = -32803;

struct RequestError {
  int code;
  std::string message;
};

nlohmann::json capabilities() {
  return {{"textDocumentSync",
           {{"openClose", true}, {"change", 2}, {"save", {{"includeText", false}}}}},
          {"hoverProvider", true},
          {"definitionProvider", true},
          {"referencesProvider", true},
          {"completionProvider", {{"triggerCharacters", {"."}}, {"resolveProvider", false}}},
          {"documentSymbolProvider", true},
          {"documentFormattingProvider", true},
          {"renameProvider", true},
          {"codeActionProvider", {{"codeActionKinds", {"quickfix"}}}}};
}

} // namespace

int Server::run() {
  std::string body;
  while (!exit_) {
    auto status = t_.read(body, wait_ms());
    if (status == Transport::Status::Timeout) {
      flush();
      continue;
    }
    if (status != Transport::Status::Message) return 1; // end of input or a broken stream
    handle(body);
  }
  return shutdown_ ? 0 : 1;
}

int Server::wait_ms() const {
  auto now = Clock::now();
  int wait = -1;
  for (const auto& [uri, d] : docs_)
    if (d.dirty) {
      auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(d.due - now).count();
      int w = static_cast<int>(std::clamp<long long>(ms, 0, 60'000));
      wait = wait < 0 ? w : std::min(wait, w);
    }
  return wait;
}

void Server::flush() {
  auto now = Clock::now();
  for (auto& [uri, d] : docs_)
    if (d.dirty && d.due <= now) check(uri, d);
}

void Server::check(const std::string& uri, Document& d) {
  d.dirty = false;
  d.analysis = analyze_document(d.path, d.text, opts_.search_path, &cache_);
  if (d.analysis->root_parsed) d.nav = d.analysis;
  auto by_path = lsp_diagnostics(*d.analysis, d.path);
  std::set<std::string> now;
  for (auto& [path, list] : by_path) {
    nlohmann::json p = {{"uri", path == d.path ? uri : path_to_uri(path)}, {"diagnostics", list}};
    if (path == d.path) p["version"] = d.version;
    t_.write({{"jsonrpc", "2.0"}, {"method", "textDocument/publishDiagnostics"}, {"params", p}});
    now.insert(path);
  }
  for (const auto& path : d.published) // files that are clean now
    if (!now.count(path))
      t_.write({{"jsonrpc", "2.0"},
                {"method", "textDocument/publishDiagnostics"},
                {"params",
                 {{"uri", path == d.path ? uri : path_to_uri(path)},
                  {"diagnostics", nlohmann::json::array()}}}});
  d.published = std::move(now);
}

void Server::handle(const std::string& body) {
  nlohmann::json msg = nlohmann::json::parse(body, nullptr, false);
  if (msg.is_discarded()) return reply_error(nullptr, kParseError, "the message is not JSON");
  if (!msg.is_object() || !msg.contains("method") || !msg["method"].is_string()) {
    if (msg.is_object() && !msg.contains("method")) return; // a response to us: none expected
    return reply_error(msg.is_object() && msg.contains("id") ? msg["id"] : nlohmann::json(),
                       kInvalidRequest, "not a JSON-RPC request");
  }
  std::string method = msg["method"];
  nlohmann::json params = msg.value("params", nlohmann::json::object());
  if (msg.contains("id"))
    request(method, msg["id"], params);
  else
    notification(method, params);
}

void Server::reply(const nlohmann::json& id, nlohmann::json result) {
  t_.write({{"jsonrpc", "2.0"}, {"id", id}, {"result", std::move(result)}});
}

void Server::reply_error(const nlohmann::json& id, int code, const std::string& message) {
  t_.write({{"jsonrpc", "2.0"}, {"id", id}, {"error", {{"code", code}, {"message", message}}}});
}

void Server::request(const std::string& method, const nlohmann::json& id,
                     const nlohmann::json& params) {
  if (method == "initialize") {
    initialized_ = true;
    if (params.is_object() && params.contains("initializationOptions") &&
        params["initializationOptions"].is_object()) {
      const auto& io = params["initializationOptions"];
      if (io.contains("path") && io["path"].is_array())
        for (const auto& p : io["path"])
          if (p.is_string()) opts_.search_path.push_back(p);
    }
    return reply(id, {{"capabilities", capabilities()},
                      {"serverInfo", {{"name", "keyplan"}, {"version", "0.1"}}}});
  }
  if (!initialized_) return reply_error(id, kNotInitialized, "initialize first");
  if (shutdown_) return reply_error(id, kInvalidRequest, "the server is shutting down");
  if (method == "shutdown") {
    shutdown_ = true;
    return reply(id, nullptr);
  }
  try {
    reply(id, dispatch(method, params.is_object() ? params : nlohmann::json::object()));
  } catch (const RequestError& e) {
    reply_error(id, e.code, e.message);
  } catch (const nlohmann::json::exception& e) {
    reply_error(id, kInvalidParams, std::string("bad params: ") + e.what());
  } catch (const std::exception& e) {
    reply_error(id, kInternalError, e.what());
  }
}

Server::Document* Server::document(const nlohmann::json& params) {
  std::string uri = params.at("textDocument").at("uri");
  auto it = docs_.find(uri);
  if (it == docs_.end()) throw RequestError{kInvalidParams, "the document is not open: " + uri};
  if (it->second.dirty) check(uri, it->second);
  return &it->second;
}

nlohmann::json Server::dispatch(const std::string& method, const nlohmann::json& params) {
  const nlohmann::json pos = params.value("position", nlohmann::json::object());
  if (method == "textDocument/hover") {
    Document* d = document(params);
    return d->nav ? hover(*d->nav, d->path, pos) : nlohmann::json();
  }
  if (method == "textDocument/definition") {
    Document* d = document(params);
    return d->nav ? definition(*d->nav, d->path, pos) : nlohmann::json();
  }
  if (method == "textDocument/references") {
    Document* d = document(params);
    bool decl = params.value("context", nlohmann::json::object()).value("includeDeclaration", true);
    return d->nav ? references(*d->nav, d->path, pos, decl) : nlohmann::json();
  }
  if (method == "textDocument/rename") {
    Document* d = document(params);
    if (!d->nav) throw RequestError{kRequestFailed, "the document does not parse"};
    std::vector<const Analysis*> workspace;
    for (auto& [uri, other] : docs_) {
      if (other.dirty) check(uri, other);
      if (other.nav) workspace.push_back(other.nav.get());
    }
    std::string error;
    auto r = rename(workspace, *d->nav, d->path, pos, params.at("newName"), error);
    if (!error.empty()) throw RequestError{kRequestFailed, error};
    return r;
  }
  if (method == "textDocument/completion") {
    Document* d = document(params);
    return d->nav ? completion(*d->nav, d->text, pos)
                  : nlohmann::json{{"isIncomplete", false}, {"items", nlohmann::json::array()}};
  }
  if (method == "textDocument/documentSymbol") {
    Document* d = document(params);
    return d->nav ? document_symbols(*d->nav) : nlohmann::json::array();
  }
  if (method == "textDocument/formatting") {
    Document* d = document(params);
    return formatting(d->path, d->text);
  }
  if (method == "textDocument/codeAction") {
    document(params);
    return code_actions(params.at("textDocument").at("uri"), params);
  }
  throw RequestError{kMethodNotFound, "unknown method " + method};
}

void Server::did_change(const nlohmann::json& params) {
  std::string uri = params.at("textDocument").at("uri");
  auto it = docs_.find(uri);
  if (it == docs_.end()) return;
  Document& d = it->second;
  for (const auto& c : params.at("contentChanges")) {
    std::string text = c.at("text");
    if (c.contains("range")) {
      LineIndex li(d.text);
      uint32_t b = li.offset(c["range"].at("start")), e = li.offset(c["range"].at("end"));
      d.text.replace(b, std::max(b, e) - b, text);
    } else {
      d.text = std::move(text);
    }
  }
  d.version = params["textDocument"].value("version", d.version + 1);
  d.dirty = true;
  d.due = Clock::now() + std::chrono::milliseconds(opts_.debounce_ms);
}

void Server::notification(const std::string& method, const nlohmann::json& params) {
  if (method == "exit") {
    exit_ = true;
    return;
  }
  if (!initialized_ || shutdown_) return;
  try {
    if (method == "textDocument/didOpen") {
      const auto& td = params.at("textDocument");
      std::string uri = td.at("uri");
      std::string path = uri_to_path(uri);
      Document& d = docs_[uri];
      d.path = path.empty() ? uri : path;
      d.text = td.at("text");
      d.version = td.value("version", 0);
      d.dirty = true;
      d.due = Clock::now(); // opening is checked at once
    } else if (method == "textDocument/didChange") {
      did_change(params);
    } else if (method == "textDocument/didSave") {
      // The saved file may be imported by other open documents: check them again.
      for (auto& [uri, d] : docs_)
        if (!d.dirty) {
          d.dirty = true;
          d.due = Clock::now() + std::chrono::milliseconds(opts_.debounce_ms);
        }
    } else if (method == "textDocument/didClose") {
      std::string uri = params.at("textDocument").at("uri");
      auto it = docs_.find(uri);
      if (it == docs_.end()) return;
      for (const auto& path : it->second.published)
        t_.write({{"jsonrpc", "2.0"},
                  {"method", "textDocument/publishDiagnostics"},
                  {"params",
                   {{"uri", path == it->second.path ? uri : path_to_uri(path)},
                    {"diagnostics", nlohmann::json::array()}}}});
      docs_.erase(it);
    }
  } catch (const std::exception&) {
    // A malformed notification has no reply; it is dropped.
  }
}

} // namespace keyplan::lsp
