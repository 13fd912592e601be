// keyplan serve: the policy as a decision service speaking the OpenID
// AuthZEN Authorization API 1.0 (serve/, docs/serve.md). SIGHUP reloads
// (a broken world is refused, the old one keeps serving); SIGTERM and
// SIGINT drain the requests in flight and exit 0.
#include "cli/commands.hpp"
#include "serve/server.hpp"

#include <csignal>
#include <iostream>
#include <pthread.h>
#include <thread>

namespace keyplan::cli {

namespace {

struct ServeCliOpts {
  serve::ServeOptions serve;
  std::string listen = "127.0.0.1:8181";
};

int run(ServeCliOpts& o) {
  const size_t colon = o.listen.rfind(':');
  if (colon == std::string::npos || colon + 1 == o.listen.size() ||
      o.listen.find_first_not_of("0123456789", colon + 1) != std::string::npos ||
      o.listen.size() - colon - 1 > 5 || std::stoi(o.listen.substr(colon + 1)) > 65535) {
    std::cerr << "keyplan serve: error: --listen " << o.listen << ": expected HOST:PORT\n";
    return 2;
  }
  o.serve.host = o.listen.substr(0, colon);
  if (o.serve.host.size() > 2 && o.serve.host.front() == '[' && o.serve.host.back() == ']')
    o.serve.host = o.serve.host.substr(1, o.serve.host.size() - 2);
  o.serve.port = std::stoi(o.listen.substr(colon + 1));
  // Signals are taken by sigwait below, on this thread: block them before
  // any other thread exists, so that every thread inherits the mask.
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGHUP);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  serve::Server server(o.serve);
  std::string error;
  if (!server.start(error)) {
    std::cerr << "keyplan serve: error: " << error << "\n";
    return 2;
  }
  std::cerr << "keyplan serve: listening on " << o.serve.host << ":" << server.port()
            << ", policy hash " << server.world()->hash << "\n";
  std::thread listener([&server] { server.run(); });
  for (;;) {
    int sig = 0;
    if (sigwait(&set, &sig) != 0) continue;
    if (sig == SIGHUP) {
      std::string why;
      server.reload(why); // logs either way; a refused world keeps the old one
      continue;
    }
    std::cerr << "keyplan serve: draining\n";
    server.stop();
    break;
  }
  listener.join();
  std::cerr << "keyplan serve: stopped\n";
  return 0;
}

} // namespace

void add_serve_command(CLI::App& app, int& status) {
  auto o = std::make_shared<ServeCliOpts>();
  auto* cmd = app.add_subcommand(
      "serve", "Serve decisions over HTTP: the OpenID AuthZEN Authorization API 1.0");
  cmd->add_option("policy", o->serve.spec.policy, "Policy file (.kp) or module name")->required();
  cmd->add_option("--data", o->serve.spec.data, "Tenant data files (YAML)")
      ->allow_extra_args(false);
  cmd->add_option("--set", o->serve.spec.sets, "Override a setting: NAME=VALUE")
      ->allow_extra_args(false);
  cmd->add_option("--listen", o->listen, "HOST:PORT to listen on (default 127.0.0.1:8181)");
  cmd->add_option("--token-file", o->serve.token_file,
                  "Bearer tokens, one a line: every request but /healthz and /readyz needs one");
  cmd->add_option("--decision-log", o->serve.decision_log,
                  "Append every decision to FILE as JSON lines (rotated to FILE.1 by size)");
  cmd->add_option("--decision-log-max-bytes", o->serve.decision_log_max_bytes,
                  "Rotate the decision log past this size (default 64 MiB)");
  cmd->add_option("--mapping", o->serve.spec.mapping,
                  "The AuthZEN mapping (YAML); default: the policy's X.authzen.yaml");
  cmd->add_option("--today", o->serve.spec.today,
                  "Decide as on this date (YYYY-MM-DD); default: the current date");
  cmd->add_option("--path", o->serve.spec.path, "Extra directories to search for imported modules")
      ->allow_extra_args(false);
  cmd->add_option("--watch", o->serve.watch_ms,
                  "Reload when the policy, data or mapping files change, checking every MS "
                  "milliseconds (default 0: off; SIGHUP and /v1/reload always work)")
      ->check(CLI::Range(0, 3600000));
  cmd->add_option("--threads", o->serve.threads,
                  "Event loops, one thread each (default: one per core)")
      ->check(CLI::Range(1, 4096));
  cmd->add_option("--max-body", o->serve.max_body, "Largest request body in bytes (default 1 MiB)")
      ->check(CLI::Range(1024, 256 << 20));
  cmd->add_option("--read-timeout-ms", o->serve.read_timeout_ms,
                  "Drop a client whose request is not whole this long after its first byte "
                  "(default 5000)")
      ->check(CLI::Range(100, 600000));
  cmd->callback([o, &status]() { status = run(*o); });
}

} // namespace keyplan::cli
