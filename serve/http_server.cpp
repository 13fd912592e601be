#include "serve/http_server.hpp"

#include <atomic>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <list>
#include <optional>
#include <thread>

namespace keyplan::serve {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = net::ip::tcp;

namespace {

class Session;

// One event loop and the connections it serves (the list is touched only
// on the loop's own thread). Members are destroyed bottom-up: the guard
// before its context, the context (and the sessions its pending handlers
// hold) before the list they unregister from.
struct Loop {
  std::list<Session*> sessions;
  net::io_context ioc{1};
  std::optional<net::executor_work_guard<net::io_context::executor_type>> guard;
};

std::string_view view(beast::string_view s) {
  return {s.data(), s.size()};
}

} // namespace

struct HttpServer::Impl {
  HttpLimits limits;
  Callbacks cb;
  std::vector<std::unique_ptr<Loop>> loops;
  std::optional<tcp::acceptor> acceptor;  // on loops[0]
  std::optional<net::steady_timer> retry; // after a failed accept (out of descriptors)
  std::optional<net::thread_pool> slow;   // for Callbacks::slow requests
  std::atomic<bool> draining{false}, stopped{false}, is_running{false};
  size_t next_loop = 0;
  int bound_port = -1;

  void accept();
};

namespace {

// One connection: read a request (the keep-alive timeout while idle, then
// the read timeout from its first byte to its last), answer, repeat.
class Session : public std::enable_shared_from_this<Session> {
public:
  Session(HttpServer::Impl& server, Loop& loop, tcp::socket&& socket)
      : srv_(server), loop_(loop), stream_(std::move(socket)) {}
  ~Session() {
    if (registered_) loop_.sessions.erase(it_);
  }
  void start() {
    it_ = loop_.sessions.insert(loop_.sessions.end(), this);
    registered_ = true;
    next();
  }
  // Draining: an idle connection is closed now; one mid-request finishes.
  void drain() {
    if (idle_) stream_.cancel();
  }

private:
  using ms = std::chrono::milliseconds;

  void next() {
    if (srv_.draining) return close();
    if (buffer_.size() > 0) return read_request(); // pipelined
    idle_ = true;
    stream_.expires_after(std::chrono::seconds(srv_.limits.keep_alive_seconds));
    stream_.async_read_some(buffer_.prepare(4096),
                            [self = shared_from_this()](beast::error_code ec, size_t n) {
                              self->idle_ = false;
                              if (ec) return self->close();
                              self->buffer_.commit(n);
                              self->read_request();
                            });
  }

  void read_request() {
    parser_.emplace();
    parser_->body_limit(srv_.limits.max_body);
    parser_->header_limit(static_cast<uint32_t>(srv_.limits.max_header));
    stream_.expires_after(ms(srv_.limits.read_timeout_ms));
    http::async_read_header(stream_, buffer_, *parser_,
                            [self = shared_from_this()](beast::error_code ec, size_t) {
                              if (ec) return self->read_failed(ec);
                              self->on_header();
                            });
  }

  void on_header() {
    // curl sends larger bodies only after "100 Continue" (or a second).
    if (beast::iequals(parser_->get()[http::field::expect], "100-continue")) {
      static constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";
      net::async_write(stream_, net::buffer(kContinue.data(), kContinue.size()),
                       [self = shared_from_this()](beast::error_code ec, size_t) {
                         if (ec) return self->close();
                         self->read_body();
                       });
      return;
    }
    read_body();
  }

  void read_body() {
    http::async_read(stream_, buffer_, *parser_,
                     [self = shared_from_this()](beast::error_code ec, size_t) {
                       if (ec) return self->read_failed(ec);
                       self->on_request();
                     });
  }

  void read_failed(beast::error_code ec) {
    if (ec == http::error::body_limit) return refuse(413);
    if (ec == http::error::header_limit) return refuse(431);
    if (ec == http::error::end_of_stream || ec == http::error::partial_message) return close();
    if (&ec.category() == &http::make_error_code(http::error::bad_target).category())
      return refuse(400);
    close(); // timeout, reset, cancelled by draining
  }

  // An unreadable request: the error answer, then the connection ends.
  void refuse(int status) {
    ex_ = HttpExchange{};
    ex_.status = status;
    srv_.cb.error(ex_);
    keep_alive_ = false;
    linger_ = true;
    write();
  }

  void on_request() {
    req_ = parser_->release();
    ex_ = HttpExchange{};
    ex_.method = view(req_.method_string());
    const std::string_view target = view(req_.target());
    ex_.path = target.substr(0, target.find('?'));
    ex_.authorization = view(req_[http::field::authorization]);
    ex_.host = view(req_[http::field::host]);
    ex_.body = std::move(req_.body());
    keep_alive_ = req_.keep_alive();
    if (srv_.cb.slow && srv_.cb.slow(ex_)) {
      stream_.expires_never();
      // The work guard keeps this loop running while the pool works.
      net::post(*srv_.slow, [self = shared_from_this(),
                             guard = net::make_work_guard(stream_.get_executor())]() mutable {
        self->srv_.cb.handle(self->ex_);
        net::post(guard.get_executor(), [self] { self->write(); });
      });
      return;
    }
    srv_.cb.handle(ex_);
    write();
  }

  void write() {
    res_ = {};
    res_.version(11);
    res_.result(static_cast<unsigned>(ex_.status));
    res_.set(http::field::content_type, ex_.content_type);
    for (const auto& [name, value] : ex_.headers) res_.set(name, value);
    res_.body() = std::move(ex_.response);
    res_.keep_alive(keep_alive_ && !srv_.draining);
    res_.prepare_payload();
    stream_.expires_after(ms(srv_.limits.read_timeout_ms));
    http::async_write(stream_, res_, [self = shared_from_this()](beast::error_code ec, size_t) {
      if (ec) return self->close();
      if (self->linger_) return self->linger();
      if (!self->res_.keep_alive()) return self->close();
      self->next();
    });
  }

  // After an error answer the client may still be sending (a body over the
  // limit): read and drop it for a moment, so that closing does not reset
  // the connection before the client has read the answer.
  void linger() {
    beast::error_code ec;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
    stream_.expires_after(std::chrono::seconds(1));
    discard();
  }
  void discard() {
    buffer_.clear();
    stream_.async_read_some(buffer_.prepare(16384),
                            [self = shared_from_this()](beast::error_code ec, size_t) {
                              if (ec) return self->close();
                              self->discard();
                            });
  }

  void close() {
    beast::error_code ec;
    stream_.socket().shutdown(tcp::socket::shutdown_both, ec);
    stream_.close();
  }

  HttpServer::Impl& srv_;
  Loop& loop_;
  std::list<Session*>::iterator it_;
  bool registered_ = false;
  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  http::request<http::string_body> req_;
  http::response<http::string_body> res_;
  HttpExchange ex_;
  bool idle_ = false, keep_alive_ = false, linger_ = false;
};

} // namespace

void HttpServer::Impl::accept() {
  Loop& loop = *loops[next_loop++ % loops.size()];
  acceptor->async_accept(loop.ioc, [this, &loop](beast::error_code ec, tcp::socket socket) {
    if (draining || ec == net::error::operation_aborted) return;
    if (ec) { // out of file descriptors, say: try again shortly
      retry->expires_after(std::chrono::milliseconds(10));
      retry->async_wait([this](beast::error_code e) {
        if (!e && !draining) accept();
      });
      return;
    }
    // Answers are small: without TCP_NODELAY, Nagle's algorithm and delayed
    // ACKs hold each one for ~40 ms.
    socket.set_option(tcp::no_delay(true), ec);
    net::post(loop.ioc, [this, &loop, s = std::move(socket)]() mutable {
      std::make_shared<Session>(*this, loop, std::move(s))->start();
    });
    accept();
  });
}

HttpServer::HttpServer(HttpLimits limits, Callbacks callbacks) : impl_(std::make_unique<Impl>()) {
  Impl& m = *impl_;
  m.limits = limits;
  m.cb = std::move(callbacks);
  for (size_t i = 0; i < std::max<size_t>(1, limits.threads); ++i) {
    m.loops.push_back(std::make_unique<Loop>());
    m.loops.back()->guard.emplace(m.loops.back()->ioc.get_executor());
  }
  m.slow.emplace(2);
  m.retry.emplace(m.loops[0]->ioc);
}

HttpServer::~HttpServer() {
  Impl& m = *impl_;
  m.slow->join();
  m.retry.reset();
  m.acceptor.reset();
}

bool HttpServer::listen(const std::string& host, int port, std::string& error) {
  Impl& m = *impl_;
  beast::error_code ec;
  tcp::resolver resolver(m.loops[0]->ioc);
  auto found = resolver.resolve(host, std::to_string(port), tcp::resolver::passive, ec);
  if (!ec && found.empty()) ec = net::error::host_not_found;
  if (!ec) {
    const tcp::endpoint ep = found.begin()->endpoint();
    m.acceptor.emplace(m.loops[0]->ioc);
    m.acceptor->open(ep.protocol(), ec);
    if (!ec) m.acceptor->set_option(net::socket_base::reuse_address(true), ec);
    if (!ec) m.acceptor->bind(ep, ec);
    // A wide queue: 64 clients connecting at once must not wait for SYN retries.
    if (!ec) m.acceptor->listen(net::socket_base::max_listen_connections, ec);
    if (!ec) m.bound_port = m.acceptor->local_endpoint(ec).port();
  }
  if (ec) {
    error = "cannot listen on " + host + ":" + std::to_string(port) + ": " + ec.message();
    m.acceptor.reset();
    return false;
  }
  m.accept(); // runs once run() turns the loops
  return true;
}

int HttpServer::port() const {
  return impl_->bound_port;
}

void HttpServer::run() {
  Impl& m = *impl_;
  m.is_running = true;
  std::vector<std::thread> threads;
  for (size_t i = 1; i < m.loops.size(); ++i)
    threads.emplace_back([&m, i] { m.loops[i]->ioc.run(); });
  m.loops[0]->ioc.run();
  for (auto& t : threads) t.join();
  m.is_running = false;
}

void HttpServer::stop() {
  Impl& m = *impl_;
  if (m.stopped.exchange(true)) return;
  m.draining = true;
  net::post(m.loops[0]->ioc, [&m] {
    beast::error_code ec;
    if (m.acceptor) m.acceptor->close(ec);
    m.retry->cancel();
  });
  for (auto& loop : m.loops) {
    Loop* l = loop.get();
    net::post(l->ioc, [l] {
      for (Session* s : l->sessions) s->drain();
    });
  }
  // Without the guards each loop ends once its last connection has closed.
  for (auto& loop : m.loops) loop->guard.reset();
}

bool HttpServer::running() const {
  return impl_->is_running && !impl_->draining;
}

} // namespace keyplan::serve
