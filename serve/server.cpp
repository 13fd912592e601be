#include "serve/server.hpp"

#include "serve/auth.hpp"
#include "serve/authzen.hpp"
#include "serve/decision_log.hpp"
#include "serve/json_limits.hpp"
#include "serve/metrics.hpp"

#include <atomic>
#include <chrono>
#include <fmt/chrono.h>
#include <fmt/format.h>
#include <httplib.h>
#include <iostream>
#include <sys/socket.h>
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
std::string endpoint_label(const std::string& path) {
  for (const char* e : kEndpoints)
    if (path == e) return e;
  return "other";
}

// When the request now being handled on this worker started.
thread_local Clock::time_point t_request_start;
thread_local bool t_started = false;

std::string now_iso() {
  auto now = std::chrono::system_clock::now();
  auto ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count() % 1000;
  return fmt::format("{:%Y-%m-%dT%H:%M:%S}.{:03d}Z",
                     fmt::gmtime(std::chrono::system_clock::to_time_t(now)), ms);
}

void send_json(httplib::Response& res, int status, const json& body) {
  res.status = status;
  res.set_content(body.dump(-1, ' ', false, json::error_handler_t::replace), "application/json");
}

} // namespace

struct Server::Impl {
  ServeOptions opts;
  WorldHolder holder;
  Metrics metrics;
  TokenAuth auth;
  DecisionLog log;
  httplib::Server http;
  int port = -1;
  int listen_fd = -1; // the listening socket, to widen its accept backlog
  std::atomic<bool> draining{false};
  std::atomic<bool> run_called{false}, run_done{false};
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

  void post(const char* path, Endpoint fn) {
    http.Post(path, [this, path, fn](const httplib::Request& req, httplib::Response& res) {
      std::shared_ptr<const World> w = holder.get(); // this request's world, to the end
      res.set_header(kHashHeader, w->hash);
      json body;
      std::string error;
      if (!parse_json_body(req.body, body, error)) {
        Reply r = error_reply(400, "invalid_request", error);
        send_json(res, r.status, r.body);
        return;
      }
      Reply r = fn(*w, body);
      count(r);
      log_decisions(path, body, r, *w);
      if (!r.text.empty()) {
        res.status = r.status;
        res.set_content(std::move(r.text), "application/json");
        return;
      }
      send_json(res, r.status, r.body);
    });
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

  void routes() {
    http.set_pre_routing_handler([this](const httplib::Request& req, httplib::Response& res) {
      t_request_start = Clock::now();
      t_started = true;
      if (!auth.enabled() || req.path == "/healthz" || req.path == "/readyz")
        return httplib::Server::HandlerResponse::Unhandled;
      if (auth.check(req.get_header_value("Authorization")))
        return httplib::Server::HandlerResponse::Unhandled;
      res.set_header("WWW-Authenticate", "Bearer");
      send_json(res, 401,
                error_reply(401, "unauthorized", "a valid bearer token is required").body);
      return httplib::Server::HandlerResponse::Handled;
    });
    http.set_logger([this](const httplib::Request& req, const httplib::Response& res) {
      double secs =
          t_started ? std::chrono::duration<double>(Clock::now() - t_request_start).count() : 0.0;
      t_started = false;
      metrics.request(endpoint_label(req.path), res.status, secs);
    });
    http.set_error_handler([](const httplib::Request&, httplib::Response& res) {
      if (!res.body.empty()) return;
      const std::string code = res.status == 404   ? "not_found"
                               : res.status == 413 ? "payload_too_large"
                               : res.status == 405 ? "method_not_allowed"
                                                   : "bad_request";
      const std::string message = res.status == 404   ? "no such endpoint"
                                  : res.status == 413 ? "the request body is too large"
                                  : res.status == 405 ? "method not allowed here"
                                                      : "bad request";
      send_json(res, res.status, error_reply(res.status, code, message).body);
    });
    http.set_exception_handler(
        [](const httplib::Request&, httplib::Response& res, std::exception_ptr ep) {
          std::string what = "internal error";
          try {
            if (ep) std::rethrow_exception(ep);
          } catch (const std::exception& e) {
            what = std::string("internal error: ") + e.what();
          } catch (...) {
          }
          send_json(res, 500, error_reply(500, "internal_error", what).body);
        });
    post("/access/v1/evaluation", &evaluation);
    post("/access/v1/evaluations", &evaluations);
    post("/v1/explain", &explain);
    post("/access/v1/search/subject",
         [](const World& w, const json& b) { return search(w, SearchKind::Subject, b); });
    post("/access/v1/search/resource",
         [](const World& w, const json& b) { return search(w, SearchKind::Resource, b); });
    post("/access/v1/search/action",
         [](const World& w, const json& b) { return search(w, SearchKind::Action, b); });
    http.Get("/.well-known/authzen-configuration",
             [this](const httplib::Request& req, httplib::Response& res) {
               res.set_header(kHashHeader, holder.get()->hash);
               std::string host = req.get_header_value("Host");
               if (host.empty()) host = fmt::format("{}:{}", opts.host, port);
               send_json(res, 200, configuration("http://" + host));
             });
    http.Get("/v1/policy", [this](const httplib::Request&, httplib::Response& res) {
      json j = policy_json();
      res.set_header(kHashHeader, j["policy_hash"].get<std::string>());
      send_json(res, 200, j);
    });
    http.Post("/v1/reload", [this](const httplib::Request&, httplib::Response& res) {
      const std::string before = holder.get()->hash;
      std::string error;
      const bool ok = reload(error);
      const std::string after = holder.get()->hash;
      res.set_header(kHashHeader, after);
      if (ok)
        send_json(res, 200,
                  {{"reloaded", true}, {"policy_hash", after}, {"previous_hash", before}});
      else
        send_json(res, 422,
                  {{"error", {{"status", 422}, {"code", "reload_failed"}, {"message", error}}},
                   {"reloaded", false},
                   {"policy_hash", after}});
    });
    http.Get("/healthz", [this](const httplib::Request&, httplib::Response& res) {
      res.set_header(kHashHeader, holder.get()->hash);
      send_json(res, 200, {{"status", "ok"}});
    });
    http.Get("/readyz", [this](const httplib::Request&, httplib::Response& res) {
      res.set_header(kHashHeader, holder.get()->hash);
      if (draining)
        send_json(res, 503, {{"status", "draining"}});
      else
        send_json(res, 200, {{"status", "ready"}, {"policy_hash", holder.get()->hash}});
    });
    http.Get("/metrics", [this](const httplib::Request&, httplib::Response& res) {
      const std::string hash = holder.get()->hash;
      res.set_header(kHashHeader, hash);
      res.set_content(metrics.render(hash), "text/plain; version=0.0.4");
    });
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
  const size_t threads = std::max<size_t>(2, m.opts.threads);
  m.http.new_task_queue = [threads] { return new httplib::ThreadPool(threads); };
  m.http.set_payload_max_length(m.opts.max_body);
  m.http.set_read_timeout(m.opts.read_timeout_ms / 1000, (m.opts.read_timeout_ms % 1000) * 1000);
  m.http.set_write_timeout(m.opts.read_timeout_ms / 1000, (m.opts.read_timeout_ms % 1000) * 1000);
  m.http.set_keep_alive_timeout(m.opts.keep_alive_seconds);
  m.http.set_keep_alive_max_count(1000000);
  // Answers are small: without TCP_NODELAY, Nagle's algorithm and delayed
  // ACKs hold each one for ~40 ms.
  m.http.set_tcp_nodelay(true);
  m.http.set_socket_options([&m](int fd) {
    httplib::default_socket_options(fd);
    m.listen_fd = fd; // the last socket tried is the one bound
  });
  m.routes();
  if (m.opts.port == 0) {
    m.port = m.http.bind_to_any_port(m.opts.host);
  } else {
    m.port = m.http.bind_to_port(m.opts.host, m.opts.port) ? m.opts.port : -1;
  }
  if (m.port <= 0) {
    error = fmt::format("cannot listen on {}:{}", m.opts.host, m.opts.port);
    return false;
  }
  // The library listens with a backlog of 5: 64 clients connecting at once
  // overflow it and wait a full second for their SYN to be retried. Listening
  // again on a bound socket only widens the queue (Linux).
  if (m.listen_fd >= 0) ::listen(m.listen_fd, SOMAXCONN);
  return true;
}

int Server::port() const {
  return impl_->port;
}

void Server::run() {
  Impl& m = *impl_;
  m.run_called = true;
  std::thread watcher;
  if (m.opts.watch_ms > 0 && !m.draining) watcher = std::thread([&m] { m.watch(); });
  if (!m.draining) m.http.listen_after_bind();
  m.draining = true; // also when listening failed: the watcher ends
  if (watcher.joinable()) watcher.join();
  m.run_done = true;
}

void Server::stop() {
  Impl& m = *impl_;
  m.draining = true;
  // httplib's stop() is lost when it comes before listening started: wait
  // for that (or for run() to have seen `draining` and returned).
  if (m.run_called)
    while (!m.http.is_running() && !m.run_done)
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
  m.http.stop();
}

bool Server::running() const {
  return impl_->http.is_running();
}

bool Server::reload(std::string& error) {
  return impl_->reload(error);
}

std::shared_ptr<const World> Server::world() const {
  return impl_->holder.get();
}

} // namespace keyplan::serve
