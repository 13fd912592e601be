// Running the decision service in-process for the serve tests: on a port
// the OS picks, loopback only, stopped (and drained) at the end of the test.
#pragma once

#include "serve/server.hpp"

#include <chrono>
#include <filesystem>
#include <fstream>
#include <gtest/gtest.h>
#include <httplib.h>
#include <nlohmann/json.hpp>
#include <thread>
#include <unistd.h>

namespace keyplan::serve_test {

namespace fs = std::filesystem;
using nlohmann::json;

inline std::string data(const std::string& rel) {
  return KEYPLAN_TEST_DATA "/" + rel;
}
inline std::string mapping_file() {
  return KEYPLAN_SOURCE_DIR "/policies/std/desk_booking.authzen.yaml";
}

// The seed 002 worked example plus tests/data/runtime/tenant.yaml: Müller
// (ALL, IT), Schmidt (Legal), Weber (Legal); TABLE_1 (IT), TABLE_2 (Legal),
// TABLE_3 (IT, Legal) on first_floor; decided as on 2026-01-15.
inline serve::ServeOptions worked_example() {
  serve::ServeOptions o;
  o.spec.policy = data("runtime/worked_example.kp");
  o.spec.data = {data("runtime/tenant.yaml")};
  o.spec.mapping = mapping_file();
  o.spec.today = "2026-01-15";
  o.port = 0;
  o.threads = 16;
  return o;
}

// A scratch directory, removed at the end of the test.
struct Scratch {
  Scratch() {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    dir = fs::temp_directory_path() / (std::string("keyplan_serve_") + info->test_suite_name() +
                                       "_" + info->name() + "_" + std::to_string(::getpid()));
    fs::remove_all(dir);
    fs::create_directories(dir);
  }
  ~Scratch() { fs::remove_all(dir); }
  std::string write(const std::string& name, const std::string& text) const {
    std::ofstream(dir / name, std::ios::binary) << text;
    return (dir / name).string();
  }
  fs::path dir;
};

struct Running {
  explicit Running(serve::ServeOptions o) : server(std::move(o)) {
    std::string error;
    started = server.start(error);
    EXPECT_TRUE(started) << error;
    if (!started) return;
    thread = std::thread([this] { server.run(); });
    for (int i = 0; i < 5000 && !server.running(); ++i)
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  ~Running() {
    if (!started) return;
    server.stop();
    thread.join();
  }
  httplib::Client client() const {
    httplib::Client c("127.0.0.1", server.port());
    c.set_connection_timeout(5);
    c.set_read_timeout(20);
    c.set_write_timeout(20);
    return c;
  }
  // POSTs `body` (JSON) to `path`; the status, and the body parsed
  // (null when it is not JSON).
  std::pair<int, json> post(const std::string& path, const json& body,
                            const httplib::Headers& headers = {}) const {
    auto c = client();
    auto r = c.Post(path.c_str(), headers, body.dump(), "application/json");
    if (!r) return {-1, json()};
    return {r->status, json::parse(r->body, nullptr, false)};
  }
  std::pair<int, std::string> get(const std::string& path,
                                  const httplib::Headers& headers = {}) const {
    auto c = client();
    auto r = c.Get(path.c_str(), headers);
    if (!r) return {-1, ""};
    return {r->status, r->body};
  }
  serve::Server server;
  std::thread thread;
  bool started = false;
};

inline json request(const std::string& user, const std::string& action, const std::string& type,
                    const std::string& id, json context = json::object()) {
  return {{"subject", {{"type", "user"}, {"id", user}}},
          {"action", {{"name", action}}},
          {"resource", {{"type", type}, {"id", id}}},
          {"context", std::move(context)}};
}

} // namespace keyplan::serve_test
