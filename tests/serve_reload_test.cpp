// keyplan serve: hot reload without a wrong answer, and graceful shutdown.
// Under load, every response names the world that decided it, and that
// world was live at some moment between the request's send and its answer;
// a broken world is refused while the old one keeps serving; SIGTERM lets
// a request in flight finish, then exits 0 (docs/serve.md).
#include "tests/serve_support.hpp"

#include <arpa/inet.h>
#include <atomic>
#include <csignal>
#include <fcntl.h>
#include <map>
#include <mutex>
#include <netinet/in.h>
#include <poll.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>

extern char** environ;

using namespace keyplan::serve_test;
using Clock = std::chrono::steady_clock;

namespace {

// TABLE_4 admits IT (Müller may book it) or Legal (he may not).
std::string table4(const char* group) {
  return std::string("Object:\n  - {id: TABLE_4, floor: first_floor, groups: [") + group + "]}\n";
}

struct Answer {
  Clock::time_point sent, received;
  int status = -1;
  std::string hash;
  bool decision = false;
};

// `threads` clients, each sending evaluations (Müller books TABLE_4) on its
// own keep-alive connection until `stop` (at least `min_each`, at most
// 100,000); every answer is kept.
std::vector<Answer> load(const Running& s, int threads, int min_each, std::atomic<bool>& stop) {
  std::vector<Answer> all;
  std::mutex m;
  std::vector<std::thread> ts;
  const std::string body = request("mueller", "book", "desk", "TABLE_4").dump();
  for (int t = 0; t < threads; ++t)
    ts.emplace_back([&] {
      auto c = s.client();
      c.set_keep_alive(true);
      std::vector<Answer> mine;
      for (int i = 0; i < 100000 && (i < min_each || !stop); ++i) {
        Answer a;
        a.sent = Clock::now();
        auto r = c.Post("/access/v1/evaluation", body, "application/json");
        a.received = Clock::now();
        if (r) {
          a.status = r->status;
          a.hash = r->get_header_value("X-Keyplan-Policy-Hash");
          json j = json::parse(r->body, nullptr, false);
          a.decision = j.is_object() && j.value("decision", false);
          EXPECT_EQ(j["context"]["policy_hash"], a.hash);
        }
        mine.push_back(a);
      }
      std::lock_guard<std::mutex> lock(m);
      all.insert(all.end(), mine.begin(), mine.end());
    });
  for (auto& t : ts) t.join();
  return all;
}

struct Live {
  Clock::time_point from, until = Clock::time_point::max();
};

} // namespace

TEST(ServeReload, ReloadUnderLoadEveryAnswerComesFromALiveWorld) {
  Scratch dir;
  auto o = worked_example();
  const std::string data_file = dir.write("tenant.yaml", table4("IT"));
  o.spec.data = {data_file};
  Running s(o);
  std::map<std::string, std::vector<Live>> live; // hash -> when it was live
  std::map<std::string, bool> allows;            // hash -> Müller may book TABLE_4
  live[s.server.world()->hash].push_back({Clock::time_point::min()});
  allows[s.server.world()->hash] = true;
  std::atomic<bool> stop{false};
  std::vector<Answer> answers;
  std::thread clients([&] { answers = load(s, 4, 50, stop); });
  std::string current = s.server.world()->hash;
  for (int i = 1; i <= 8; ++i) { // 8 reloads while the clients run
    std::ofstream(data_file) << table4(i % 2 ? "Legal" : "IT");
    const auto t0 = Clock::now();
    std::string error;
    if (!s.server.reload(error)) {
      ADD_FAILURE() << error;
      break;
    }
    const auto t1 = Clock::now();
    const std::string next = s.server.world()->hash;
    live[current].back().until = t1;
    live[next].push_back({t0});
    allows[next] = i % 2 == 0;
    current = next;
  }
  stop = true;
  clients.join();
  ASSERT_GE(answers.size(), 200u);
  EXPECT_EQ(allows.size(), 2u); // two worlds, alternating
  for (const Answer& a : answers) {
    ASSERT_EQ(a.status, 200);
    ASSERT_TRUE(live.count(a.hash)) << a.hash;
    bool overlaps = false;
    for (const Live& l : live[a.hash])
      overlaps = overlaps || (l.from <= a.received && a.sent <= l.until);
    EXPECT_TRUE(overlaps) << "answered by world " << a.hash
                          << " that was not live during the request";
    EXPECT_EQ(a.decision, allows[a.hash]) << "a decision from a mixed world";
  }
}

TEST(ServeReload, BrokenPolicyPushedUnderLoadIsRefusedAndTheOldWorldServes) {
  Scratch dir;
  const std::string good = R"(import std.desk_booking
Group IT
User mueller { groups: [IT] }
Building b { Floor f { Object TABLE_4 { groups: [IT] } } }
)";
  auto o = worked_example();
  o.spec.policy = dir.write("policy.kp", good);
  o.spec.data = {};
  Running s(o);
  const std::string old_hash = s.server.world()->hash;
  std::atomic<bool> stop{false};
  std::vector<Answer> answers;
  std::thread clients([&] { answers = load(s, 4, 50, stop); });
  dir.write("policy.kp", good + "action broken(u: User) = u.no_such_attribute\n");
  std::pair<int, json> refused;
  for (int i = 0; i < 3; ++i) refused = s.post("/v1/reload", json::object());
  stop = true;
  clients.join();
  EXPECT_EQ(refused.first, 422);
  EXPECT_EQ(refused.second["error"]["code"], "reload_failed");
  EXPECT_NE(refused.second["error"]["message"].get<std::string>().find("no_such_attribute"),
            std::string::npos)
      << refused.second.dump();
  EXPECT_EQ(refused.second["policy_hash"], old_hash);
  for (const Answer& a : answers) {
    ASSERT_EQ(a.status, 200);
    EXPECT_EQ(a.hash, old_hash);
    EXPECT_TRUE(a.decision);
  }
  json policy = json::parse(s.get("/v1/policy").second);
  EXPECT_TRUE(policy["last_reload_error"].is_string());
  EXPECT_EQ(policy["reloads"]["error"], 3);
  EXPECT_NE(s.get("/metrics").second.find("keyplan_reloads_total{result=\"error\"} 3"),
            std::string::npos);
  // Fixed, it loads; the error is cleared.
  dir.write("policy.kp", good + "// fixed\n");
  auto [status, ok] = s.post("/v1/reload", json::object());
  EXPECT_EQ(status, 200) << ok.dump();
  EXPECT_NE(ok["policy_hash"], old_hash);
  EXPECT_TRUE(json::parse(s.get("/v1/policy").second)["last_reload_error"].is_null());
}

namespace {

// `keyplan serve ARGS` as a child process (stderr to `err_file`); its pid.
pid_t spawn_serve(const std::vector<std::string>& args, const std::string& err_file) {
  std::vector<std::string> argv_s = {KEYPLAN_BINARY, "serve"};
  argv_s.insert(argv_s.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (auto& a : argv_s) argv.push_back(a.data());
  argv.push_back(nullptr);
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, 2, err_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  pid_t pid = -1;
  if (posix_spawn(&pid, KEYPLAN_BINARY, &fa, nullptr, argv.data(), environ) != 0) pid = -1;
  posix_spawn_file_actions_destroy(&fa);
  return pid;
}

// The port the child says it listens on (bounded wait), or -1.
int wait_for_port(const std::string& err_file, pid_t pid) {
  for (int i = 0; i < 600; ++i) {
    std::ifstream in(err_file);
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    const size_t at = text.find("listening on 127.0.0.1:");
    if (at != std::string::npos) return std::atoi(text.c_str() + at + 23);
    int st = 0;
    if (::waitpid(pid, &st, WNOHANG) == pid) return -1;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return -1;
}

// Waits (bounded) for the child to exit; its exit status, or -1.
int wait_exit(pid_t pid, int seconds) {
  for (int i = 0; i < seconds * 100; ++i) {
    int st = 0;
    if (::waitpid(pid, &st, WNOHANG) == pid) return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  ::kill(pid, SIGKILL);
  ::waitpid(pid, nullptr, 0);
  return -1;
}

} // namespace

TEST(ServeCli, SigtermUnderLoadFinishesRequestsInFlightAndExitsZero) {
  Scratch dir;
  const std::string err = (dir.dir / "stderr").string();
  pid_t pid = spawn_serve({data("runtime/worked_example.kp"), "--data", data("runtime/tenant.yaml"),
                           "--mapping", mapping_file(), "--listen", "127.0.0.1:0"},
                          err);
  ASSERT_GT(pid, 0);
  const int port = wait_for_port(err, pid);
  if (port <= 0) {
    wait_exit(pid, 1);
    FAIL() << "no port; stderr:\n" << std::ifstream(err).rdbuf();
  }
  // A request in flight: the headers and half the body sent.
  const std::string body = request("mueller", "book", "desk", "TABLE_1").dump();
  const std::string head = "POST /access/v1/evaluation HTTP/1.1\r\nHost: x\r\nContent-Type: "
                           "application/json\r\nConnection: close\r\nContent-Length: " +
                           std::to_string(body.size()) + "\r\n\r\n";
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(static_cast<uint16_t>(port));
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
  const std::string first = head + body.substr(0, body.size() / 2);
  ASSERT_EQ(::send(fd, first.data(), first.size(), MSG_NOSIGNAL),
            static_cast<ssize_t>(first.size()));
  // Load beside it: clients until the service stops answering.
  std::atomic<int> ok{0}, bad{0};
  std::vector<std::thread> clients;
  for (int t = 0; t < 4; ++t)
    clients.emplace_back([&] {
      httplib::Client c("127.0.0.1", port);
      c.set_read_timeout(10);
      for (int i = 0; i < 100000; ++i) {
        auto r = c.Post("/access/v1/evaluation", body, "application/json");
        if (!r) break; // refused: the service has stopped listening
        (r->status == 200 ? ok : bad)++;
      }
    });
  for (int i = 0; i < 4000 && ok < 50; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  ASSERT_EQ(::kill(pid, SIGTERM), 0);
  for (auto& t : clients) t.join();
  // The rest of the request in flight: it is answered in full.
  const std::string rest = body.substr(body.size() / 2);
  ASSERT_EQ(::send(fd, rest.data(), rest.size(), MSG_NOSIGNAL), static_cast<ssize_t>(rest.size()));
  std::string response;
  char buf[4096];
  for (;;) {
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, 10000) != 1) break;
    ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    if (n <= 0) break;
    response.append(buf, static_cast<size_t>(n));
  }
  ::close(fd);
  EXPECT_EQ(response.rfind("HTTP/1.1 200", 0), 0u) << response;
  EXPECT_NE(response.find("\"decision\":true"), std::string::npos) << response;
  EXPECT_EQ(wait_exit(pid, 30), 0) << std::ifstream(err).rdbuf();
  EXPECT_EQ(bad, 0);
  EXPECT_GE(ok, 50);
}

TEST(ServeCli, SighupReloadsTheWorld) {
  Scratch dir;
  const std::string err = (dir.dir / "stderr").string();
  const std::string data_file = dir.write("tenant.yaml", table4("IT"));
  pid_t pid = spawn_serve({data("runtime/worked_example.kp"), "--data", data_file, "--mapping",
                           mapping_file(), "--listen", "127.0.0.1:0"},
                          err);
  ASSERT_GT(pid, 0);
  const int port = wait_for_port(err, pid);
  if (port <= 0) {
    wait_exit(pid, 1);
    FAIL() << "no port; stderr:\n" << std::ifstream(err).rdbuf();
  }
  httplib::Client c("127.0.0.1", port);
  c.set_read_timeout(10);
  auto decide = [&] {
    auto r = c.Post("/access/v1/evaluation", request("mueller", "book", "desk", "TABLE_4").dump(),
                    "application/json");
    return r ? json::parse(r->body)["decision"].get<bool>() : false;
  };
  EXPECT_TRUE(decide());
  const std::string before = json::parse(c.Get("/v1/policy")->body)["policy_hash"];
  dir.write("tenant.yaml", table4("Legal"));
  ASSERT_EQ(::kill(pid, SIGHUP), 0);
  std::string after = before;
  for (int i = 0; i < 300 && after == before; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    after = json::parse(c.Get("/v1/policy")->body)["policy_hash"];
  }
  EXPECT_NE(after, before);
  EXPECT_FALSE(decide());
  ::kill(pid, SIGTERM);
  EXPECT_EQ(wait_exit(pid, 30), 0);
}

TEST(ServeReload, WatchReloadsWhenADataFileChanges) {
  Scratch dir;
  auto o = worked_example();
  const std::string data_file = dir.write("tenant.yaml", table4("IT"));
  o.spec.data = {data_file};
  o.watch_ms = 20;
  Running s(o);
  const std::string before = s.server.world()->hash;
  EXPECT_EQ(s.post("/access/v1/evaluation", request("mueller", "book", "desk", "TABLE_4"))
                .second["decision"],
            true);
  dir.write("tenant.yaml", table4("Legal") + "# changed\n");
  std::string after = before;
  for (int i = 0; i < 1000 && after == before; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
    after = s.server.world()->hash;
  }
  EXPECT_NE(after, before);
  EXPECT_EQ(s.post("/access/v1/evaluation", request("mueller", "book", "desk", "TABLE_4"))
                .second["decision"],
            false);
}
