#include "lsp/bench.hpp"

#include "lsp/server.hpp"
#include "lsp/uri.hpp"

#include <algorithm>
#include <chrono>
#include <ctime>
#include <fcntl.h>
#include <fmt/format.h>
#include <fstream>
#include <sstream>
#include <unistd.h>

namespace keyplan::lsp {

std::string generate_bench_policy(int lines) {
  std::string out = "/// A generated client of std.desk_booking (keyplan bench lsp).\n"
                    "import std.desk_booking\n\n";
  auto count = [&] { return static_cast<int>(std::count(out.begin(), out.end(), '\n')); };
  int groups = std::max(2, lines / 20);
  for (int g = 0; g < groups; ++g) out += fmt::format("Group G{}\n", g);
  out += "\n";
  // Locations take about half, rules the rest.
  int b = 0;
  while (count() < lines / 2) {
    out += fmt::format("Building b{} {{\n", b);
    for (int f = 0; f < 3; ++f) {
      out += fmt::format("  Floor f{}_{} {{\n", b, f);
      for (int d = 0; d < 8; ++d)
        out += fmt::format("    Object d{}_{}_{} {{ groups: [G{}] }}\n", b, f, d,
                           (b + f + d) % groups);
      out += "  }\n";
    }
    out += "}\n\n";
    ++b;
  }
  int r = 0;
  while (count() < lines - 2) {
    out += fmt::format("/// Rule {}: a desk of group G{} on one of its floors.\n", r, r % groups);
    out += fmt::format("action may_book_{}(u: User, o: Object) =\n  G{} in u.groups and book(u, o) "
                       "and o.floor.building == b{}\n",
                       r, r % groups, r % std::max(1, b));
    ++r;
  }
  return out;
}

namespace {

std::string read_text(const std::string& path, bool& ok) {
  std::ifstream in(path, std::ios::binary);
  ok = static_cast<bool>(in);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

nlohmann::json request(const std::string& method, nlohmann::json params) {
  return {{"jsonrpc", "2.0"}, {"method", method}, {"params", std::move(params)}};
}

} // namespace

bool run_lsp_bench(const LspBenchOptions& o, nlohmann::json& result, std::string& error) {
  std::string path = o.policy.empty() ? "bench_lsp.kp" : o.policy, text;
  if (o.policy.empty()) {
    text = generate_bench_policy(o.lines);
  } else {
    bool ok = false;
    text = read_text(o.policy, ok);
    if (!ok) {
      error = "cannot read " + o.policy;
      return false;
    }
  }
  // The typo: the last identifier of the text gets an `x` (an unknown name),
  // then loses it again.
  size_t end = text.find_last_not_of(" \t\r\n");
  while (end != std::string::npos && end > 0 &&
         !(std::isalnum(static_cast<unsigned char>(text[end])) || text[end] == '_'))
    --end;
  if (end == std::string::npos) {
    error = "the policy is empty";
    return false;
  }
  int null_fd = ::open("/dev/null", O_WRONLY | O_CLOEXEC);
  if (null_fd < 0) {
    error = "cannot open /dev/null";
    return false;
  }
  Transport transport(-1, null_fd);
  ServerOptions so;
  so.debounce_ms = 0;
  Server server(transport, so);
  std::string uri = path_to_uri(path);
  server.handle(
      nlohmann::json{{"jsonrpc", "2.0"}, {"id", 1}, {"method", "initialize"}, {"params", {}}}
          .dump());
  server.handle(
      request("textDocument/didOpen",
              {{"textDocument",
                {{"uri", uri}, {"languageId", "keyplan"}, {"version", 1}, {"text", text}}}})
          .dump());
  server.flush();
  // Positions of the typo: after the last identifier character.
  int line =
      static_cast<int>(std::count(text.begin(), text.begin() + static_cast<long>(end) + 1, '\n'));
  size_t line_start = text.rfind('\n', end);
  int character =
      static_cast<int>(end + 1 - (line_start == std::string::npos ? 0 : line_start + 1));
  std::vector<double> ms,
      cpu_ms; // wall clock, and this thread's CPU time (robust to a busy machine)
  auto cpu_now = [] {
    timespec ts{};
    ::clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return static_cast<double>(ts.tv_sec) * 1e3 + static_cast<double>(ts.tv_nsec) / 1e6;
  };
  for (int i = 0; i < o.edits; ++i) {
    bool add = i % 2 == 0;
    nlohmann::json start = {{"line", line}, {"character", character}};
    nlohmann::json stop = {{"line", line}, {"character", character + (add ? 0 : 1)}};
    auto t0 = std::chrono::steady_clock::now();
    double c0 = cpu_now();
    server.handle(
        request("textDocument/didChange",
                {{"textDocument", {{"uri", uri}, {"version", i + 2}}},
                 {"contentChanges",
                  {{{"range", {{"start", start}, {"end", stop}}}, {"text", add ? "x" : ""}}}}})
            .dump());
    server.flush();
    auto t1 = std::chrono::steady_clock::now();
    cpu_ms.push_back(cpu_now() - c0);
    ms.push_back(std::chrono::duration<double, std::milli>(t1 - t0).count());
  }
  ::close(null_fd);
  std::sort(ms.begin(), ms.end());
  std::sort(cpu_ms.begin(), cpu_ms.end());
  auto quantiles = [](const std::vector<double>& v) {
    auto at = [&](double q) {
      return v.empty() ? 0.0
                       : v[std::min(v.size() - 1,
                                    static_cast<size_t>(q * static_cast<double>(v.size())))];
    };
    return nlohmann::json{
        {"median", at(0.5)}, {"p95", at(0.95)}, {"max", v.empty() ? 0.0 : v.back()}};
  };
  result = {{"policy", o.policy.empty() ? "generated" : o.policy},
            {"lines", std::count(text.begin(), text.end(), '\n')},
            {"edits", o.edits},
            {"recheck_ms", quantiles(ms)},
            {"recheck_cpu_ms", quantiles(cpu_ms)},
            {"budget_ms", 50}};
  return true;
}

} // namespace keyplan::lsp
