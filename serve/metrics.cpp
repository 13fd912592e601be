#include "serve/metrics.hpp"

#include <fmt/format.h>

namespace keyplan::serve {

std::string prometheus_label(const std::string& v) {
  std::string out;
  for (char c : v) {
    if (c == '\\' || c == '"')
      out += std::string("\\") + c;
    else if (c == '\n')
      out += "\\n";
    else
      out += c;
  }
  return out;
}

Metrics::Shard& Metrics::shard() {
  static std::atomic<size_t> next{0};
  thread_local const size_t mine = next.fetch_add(1, std::memory_order_relaxed);
  return shards_[mine % kShards];
}

void Metrics::request(std::string_view endpoint, int status, double seconds) {
  {
    Shard& s = shard();
    std::lock_guard<std::mutex> lock(s.mutex);
    auto it = s.requests.find(endpoint);
    if (it == s.requests.end())
      it = s.requests.emplace(std::string(endpoint), std::map<int, uint64_t>()).first;
    ++it->second[status];
  }
  size_t b = 0;
  while (b < kBuckets.size() && seconds > kBuckets[b]) ++b;
  latency_[b].fetch_add(1, std::memory_order_relaxed);
  latency_count_.fetch_add(1, std::memory_order_relaxed);
  latency_sum_us_.fetch_add(static_cast<uint64_t>(seconds * 1e6), std::memory_order_relaxed);
}

void Metrics::decisions(const std::string& action, const std::string& outcome, uint64_t n) {
  Shard& s = shard();
  std::lock_guard<std::mutex> lock(s.mutex);
  s.decisions[{action, outcome}] += n;
}

void Metrics::reload(bool ok) {
  (ok ? reload_ok_ : reload_error_).fetch_add(1);
}

std::string Metrics::render(const std::string& policy_hash) const {
  std::string out;
  out += "# HELP keyplan_requests_total HTTP requests by endpoint and status.\n"
         "# TYPE keyplan_requests_total counter\n";
  std::map<std::pair<std::string, int>, uint64_t> requests;
  std::map<std::pair<std::string, std::string>, uint64_t> decisions;
  for (Shard& s : shards_) {
    std::lock_guard<std::mutex> lock(s.mutex);
    for (const auto& [endpoint, by_status] : s.requests)
      for (const auto& [status, n] : by_status) requests[{endpoint, status}] += n;
    for (const auto& [k, n] : s.decisions) decisions[k] += n;
  }
  for (const auto& [k, n] : requests)
    out += fmt::format("keyplan_requests_total{{endpoint=\"{}\",status=\"{}\"}} {}\n",
                       prometheus_label(k.first), k.second, n);
  out += "# HELP keyplan_decisions_total Decisions by AuthZEN action and outcome.\n"
         "# TYPE keyplan_decisions_total counter\n";
  for (const auto& [k, n] : decisions)
    out += fmt::format("keyplan_decisions_total{{action=\"{}\",outcome=\"{}\"}} {}\n",
                       prometheus_label(k.first), k.second, n);
  out += "# HELP keyplan_request_duration_seconds Request handling time.\n"
         "# TYPE keyplan_request_duration_seconds histogram\n";
  uint64_t cumulative = 0;
  for (size_t b = 0; b < kBuckets.size(); ++b) {
    cumulative += latency_[b].load();
    out += fmt::format("keyplan_request_duration_seconds_bucket{{le=\"{}\"}} {}\n", kBuckets[b],
                       cumulative);
  }
  cumulative += latency_[kBuckets.size()].load();
  out += fmt::format("keyplan_request_duration_seconds_bucket{{le=\"+Inf\"}} {}\n", cumulative);
  out += fmt::format("keyplan_request_duration_seconds_sum {}\n",
                     static_cast<double>(latency_sum_us_.load()) / 1e6);
  out += fmt::format("keyplan_request_duration_seconds_count {}\n", latency_count_.load());
  out += "# HELP keyplan_reloads_total Reloads by result (a refused world keeps the old one).\n"
         "# TYPE keyplan_reloads_total counter\n";
  out += fmt::format("keyplan_reloads_total{{result=\"ok\"}} {}\n", reload_ok_.load());
  out += fmt::format("keyplan_reloads_total{{result=\"error\"}} {}\n", reload_error_.load());
  out += "# HELP keyplan_policy_info The world being served (policy, data, settings, mapping).\n"
         "# TYPE keyplan_policy_info gauge\n";
  out += fmt::format("keyplan_policy_info{{hash=\"{}\"}} 1\n", prometheus_label(policy_hash));
  return out;
}

} // namespace keyplan::serve
