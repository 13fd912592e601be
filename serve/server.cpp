#include "serve/server.hpp"

#include "serve/auth.hpp"
#include "serve/authzen.hpp"
#include "serve/authzen_eval.hpp"
#include "serve/decision_log.hpp"
#include "serve/http_server.hpp"
#include "serve/json_limits.hpp"
#include "serve/metrics.hpp"
#include "serve/plain_evaluation.hpp"

#include <atomic>
#include <chrono>
#include <fmt/chrono.h>
#include <fmt/format.h>
#include <iostream>
#include <sys/stat.h>
#include <thread>

namespace keyplan::serve {

using nlohmann::json;
using Clock = std::chrono::steady_clock;

namespace {

constexpr const char* kHashHeader = "X-Keyplan-Policy-Hash";

const char* const kEndpoints[] = {"/access/v1/evaluation",
                                  "/access/v1/evaluations",
                                  "/access/v1/search/subject",
                                  "/access/v1/search/resource",
                                  "/access/v1/search/action",
                                  "/.well-known/authzen-configuration",
                                  "/v1/explain",
                                  "/v1/policy",
                                  "/v1/reload",
                                  "/healthz",
                                  "/readyz",
                                  "/metrics"};

// The endpoint label of a path: a known route, else "other" (a metric label
// per arbitrary path would let clients grow the metrics without bound).
const char* endpoint_label(std::string_view path) {
  for (const char* e : kEndpoints)
    if (path == e) return e;
  return "other";
}

std::string now_iso() {
  auto now = std::chrono::system_clock::now();
  auto ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count() % 1000;
  return fmt::format("{:%Y-%m-%dT%H:%M:%S}.{:03d}Z",
                     fmt::gmtime(std::chrono::system_clock::to_time_t(now)), ms);
}

void send_json(HttpExchange& ex, int status, const json& body) {
  ex.status = status;
  ex.response = body.dump(-1, ' ', false, json::error_handler_t::replace);
}

} // namespace

struct Server::Impl {
  ServeOptions opts;
  WorldHolder holder;
  Metrics metrics;
  TokenAuth auth;
  DecisionLog log;
  std::unique_ptr<HttpServer> http;
  int port = -1;
  std::atomic<bool> draining{false};
  std::mutex reload_mutex; // one reload at a time
  mutable std::mutex error_mutex;
  std::string last_reload_error;

  using Endpoint = Reply (*)(const World&, const json&);

  void log_decisions(const std::string& endpoint, const json& request, const Reply& r,
                     const World& w) {
    if (!log.enabled() || r.outcomes.empty()) return;
    json entry = {
        {"time", now_iso()}, {"endpoint", endpoint}, {"request", request}, {"policy_hash", w.hash}};
    if (endpoint == "/access/v1/evaluations") {
      json d = json::array(), why = json::array();
      for (const auto& o : r.outcomes) {
        d.push_back(o.allowed);
        why.push_back(o.reason_code);
      }
      entry["decisions"] = std::move(d);
      entry["reasons"] = std::move(why);
    } else {
      entry["decision"] = r.outcomes[0].allowed;
      entry["reason"] = r.outcomes[0].reason_code;
    }
    log.write(entry);
  }

  void count(const Reply& r) {
    // Batches count once per action and outcome run, not once per item.
    std::string action, outcome;
    uint64_t n = 0;
    for (const auto& o : r.outcomes) {
      const char* oc = o.allowed ? "allow" : "deny";
      if (n && (o.action != action || outcome != oc)) {
        metrics.decisions(action, outcome, n);
        n = 0;
      }
      action = o.action;
      outcome = oc;
      ++n;
    }
    if (n) metrics.decisions(action, outcome, n);
  }

  // An evaluation endpoint: JSON in, the endpoint's reply out, counted and
  // logged. The world is taken once: the request is decided on it to the end.
  void post(HttpExchange& ex, const char* path, Endpoint fn) {
    std::shared_ptr<const World> w = holder.get();
    ex.headers.emplace_back(kHashHeader, w->hash);
    json body;
    Reply r;
    if ((fn == &evaluation || fn == &evaluations) &&
        answer_plain(*w, fn == &evaluations, ex.body, r)) {
      // A plain request, answered without a JSON tree (serve/plain_evaluation.hpp);
      // the decision log records the request as received.
      if (log.enabled()) body = json::parse(ex.body, nullptr, false);
    } else {
      std::string error;
      if (!parse_json_body(ex.body, body, error)) {
        r = error_reply(400, "invalid_request", error);
        send_json(ex, r.status, r.body);
        return;
      }
      r = fn(*w, body);
    }
    count(r);
    log_decisions(path, body, r, *w);
    if (!r.text.empty()) {
      ex.status = r.status;
      ex.response = std::move(r.text);
      return;
    }
    send_json(ex, r.status, r.body);
  }

  json policy_json() const {
    std::shared_ptr<const World> w = holder.get();
    auto files = [](const std::vector<HashedFile>& fs) {
      json out = json::array();
      for (const auto& f : fs) out.push_back({{"path", f.path}, {"hash", f.hash}});
      return out;
    };
    json settings = json::array();
    for (const auto& [name, value] : w->settings)
      settings.push_back({{"name", name}, {"value", value}});
    json j = {{"policy", opts.spec.policy},
              {"policy_hash", w->hash},
              {"policy_files", files(w->policy_files)},
              {"data", files(w->data_files)},
              {"settings", settings},
              {"mapping", {{"path", w->mapping_file.path}, {"hash", w->mapping_file.hash}}},
              {"loaded_at", w->loaded_at},
              {"reloads", {{"ok", metrics.reloads(true)}, {"error", metrics.reloads(false)}}}};
    if (w->fixed_today >= 0) j["today"] = opts.spec.today;
    std::lock_guard<std::mutex> lock(error_mutex);
    j["last_reload_error"] = last_reload_error.empty() ? json() : json(last_reload_error);
    return j;
  }

  static bool slow(const HttpExchange& ex) {
    return ex.path == "/v1/reload" || ex.path.substr(0, 18) == "/access/v1/search/";
  }

  // Every request: authentication, routing, the answer, the metrics.
  void handle(HttpExchange& ex) {
    const Clock::time_point start = Clock::now();
    try {
      route(ex);
    } catch (const std::exception& e) {
      ex.headers.clear();
      ex.content_type = "application/json";
      send_json(
          ex, 500,
          error_reply(500, "internal_error", std::string("internal error: ") + e.what()).body);
    }
    metrics.request(endpoint_label(ex.path), ex.status,
                    std::chrono::duration<double>(Clock::now() - start).count());
  }

  // A request that could not be read (HttpServer::Callbacks::error).
  void unreadable(HttpExchange& ex) {
    const int status = ex.status;
    const char* code = status == 413   ? "payload_too_large"
                       : status == 431 ? "request_header_fields_too_large"
                                       : "bad_request";
    const char* message = status == 413   ? "the request body is too large"
                          : status == 431 ? "the request head is too large"
                                          : "bad request";
    send_json(ex, status, error_reply(status, code, message).body);
    metrics.request("other", status, 0.0);
  }

  void not_found(HttpExchange& ex, bool known_path, const char* allow) {
    if (known_path) {
      ex.headers.emplace_back("Allow", allow);
      send_json(ex, 405, error_reply(405, "method_not_allowed", "method not allowed here").body);
    } else {
      send_json(ex, 404, error_reply(404, "not_found", "no such endpoint").body);
    }
  }

  void route(HttpExchange& ex) {
    const std::string_view path = ex.path;
    if (auth.enabled() && path != "/healthz" && path != "/readyz" &&
        !auth.check(std::string(ex.authorization))) {
      ex.headers.emplace_back("WWW-Authenticate", "Bearer");
      send_json(ex, 401, error_reply(401, "unauthorized", "a valid bearer token is required").body);
      return;
    }
    const bool is_post = ex.method == "POST", is_get = ex.method == "GET";
    static const std::pair<const char*, Endpoint> kPosts[] = {
        {"/access/v1/evaluation", &evaluation},
        {"/access/v1/evaluations", &evaluations},
        {"/v1/explain", &explain},
        {"/access/v1/search/subject",
         [](const World& w, const json& b) { return search(w, SearchKind::Subject, b); }},
        {"/access/v1/search/resource",
         [](const World& w, const json& b) { return search(w, SearchKind::Resource, b); }},
        {"/access/v1/search/action",
         [](const World& w, const json& b) { return search(w, SearchKind::Action, b); }}};
    for (const auto& [p, fn] : kPosts)
      if (path == p) {
        if (!is_post) return not_found(ex, true, "POST");
        return post(ex, p, fn);
      }
    if (path == "/v1/reload") {
      if (!is_post) return not_found(ex, true, "POST");
      const std::string before = holder.get()->hash;
      std::string error;
      const bool ok = reload(error);
      const std::string after = holder.get()->hash;
      ex.headers.emplace_back(kHashHeader, after);
      if (ok)
        send_json(ex, 200, {{"reloaded", true}, {"policy_hash", after}, {"previous_hash", before}});
      else
        send_json(ex, 422,
                  {{"error", {{"status", 422}, {"code", "reload_failed"}, {"message", error}}},
                   {"reloaded", false},
                   {"policy_hash", after}});
      return;
    }
    const bool known = path == "/.well-known/authzen-configuration" || path == "/v1/policy" ||
                       path == "/healthz" || path == "/readyz" || path == "/metrics";
    if (!known || !is_get) return not_found(ex, known, "GET");
    if (path == "/v1/policy") {
      json j = policy_json();
      ex.headers.emplace_back(kHashHeader, j["policy_hash"].get<std::string>());
      return send_json(ex, 200, j);
    }
    const std::string hash = holder.get()->hash;
    ex.headers.emplace_back(kHashHeader, hash);
    if (path == "/.well-known/authzen-configuration") {
      std::string host(ex.host);
      if (host.empty()) host = fmt::format("{}:{}", opts.host, port);
      send_json(ex, 200, configuration("http://" + host));
    } else if (path == "/healthz") {
      send_json(ex, 200, {{"status", "ok"}});
    } else if (path == "/readyz") {
      if (draining)
        send_json(ex, 503, {{"status", "draining"}});
      else
        send_json(ex, 200, {{"status", "ready"}, {"policy_hash", hash}});
    } else {
      ex.content_type = "text/plain; version=0.0.4";
      ex.response = metrics.render(hash);
    }
  }

  // What the files of the world look like now (modification time and size
  // of each): a change means a reload is due (--watch).
  static std::string files_signature(const World& w) {
    std::string sig;
    auto add = [&sig](const std::string& path) {
      struct stat st {};
      if (::stat(path.c_str(), &st) == 0)
        sig += fmt::format("{}:{}.{}:{};", path, st.st_mtim.tv_sec, st.st_mtim.tv_nsec, st.st_size);
      else
        sig += path + ":missing;";
    };
    for (const auto& f : w.policy_files) add(f.path);
    for (const auto& f : w.data_files) add(f.path);
    add(w.mapping_file.path);
    return sig;
  }

  void watch() {
    std::string seen = files_signature(*holder.get());
    while (!draining) {
      for (int slept = 0; slept < opts.watch_ms && !draining; slept += 10)
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
      if (draining) break;
      const std::string now = files_signature(*holder.get());
      if (now == seen) continue;
      std::string error;
      reload(error); // logged and counted either way; a broken world is refused
      // Seen, even when refused: the next change is tried again, not this one.
      seen = now;
    }
  }

  bool reload(std::string& error) {
    std::lock_guard<std::mutex> lock(reload_mutex);
    std::shared_ptr<const World> fresh = load_world(opts.spec, error);
    metrics.reload(fresh != nullptr);
    std::lock_guard<std::mutex> elock(error_mutex);
    if (!fresh) {
      last_reload_error = error;
      std::cerr << "keyplan serve: reload refused, the old world keeps serving: " << error << "\n";
      return false;
    }
    holder.set(std::move(fresh));
    last_reload_error.clear();
    std::cerr << "keyplan serve: reloaded, policy hash " << holder.get()->hash << "\n";
    return true;
  }
};

size_t default_threads() {
  return std::max(1u, std::thread::hardware_concurrency());
}

Server::Server(ServeOptions options) : impl_(std::make_unique<Impl>()) {
  impl_->opts = std::move(options);
}

Server::~Server() = default;

bool Server::start(std::string& error) {
  Impl& m = *impl_;
  std::shared_ptr<const World> w = load_world(m.opts.spec, error);
  if (!w) return false;
  m.holder.set(std::move(w));
  if (!m.opts.token_file.empty() && !m.auth.load(m.opts.token_file, error)) return false;
  if (!m.opts.decision_log.empty() &&
      !m.log.open(m.opts.decision_log, m.opts.decision_log_max_bytes, error))
    return false;
  HttpLimits limits;
  limits.threads = std::max<size_t>(1, m.opts.threads);
  limits.max_body = m.opts.max_body;
  limits.read_timeout_ms = m.opts.read_timeout_ms;
  limits.keep_alive_seconds = m.opts.keep_alive_seconds;
  HttpServer::Callbacks cb;
  cb.handle = [&m](HttpExchange& ex) { m.handle(ex); };
  cb.slow = &Impl::slow;
  cb.error = [&m](HttpExchange& ex) { m.unreadable(ex); };
  m.http = std::make_unique<HttpServer>(limits, std::move(cb));
  if (!m.http->listen(m.opts.host, m.opts.port, error)) return false;
  m.port = m.http->port();
  return true;
}

int Server::port() const {
  return impl_->port;
}

void Server::run() {
  Impl& m = *impl_;
  if (!m.http) return; // start() failed
  std::thread watcher;
  if (m.opts.watch_ms > 0 && !m.draining) watcher = std::thread([&m] { m.watch(); });
  m.http->run();     // until stop() and the drain
  m.draining = true; // the watcher ends
  if (watcher.joinable()) watcher.join();
}

void Server::stop() {
  Impl& m = *impl_;
  m.draining = true;
  if (m.http) m.http->stop();
}

bool Server::running() const {
  return impl_->http && impl_->http->running();
}

bool Server::reload(std::string& error) {
  return impl_->reload(error);
}

std::shared_ptr<const World> Server::world() const {
  return impl_->holder.get();
}

} // namespace keyplan::serve
