// The service's counters, rendered in the Prometheus text exposition format
// (GET /metrics): requests by endpoint and status, decisions by action and
// outcome, a request latency histogram, reloads by result, and the current
// policy hash as an info metric.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>

namespace keyplan::serve {

class Metrics {
public:
  // Upper bounds of the latency buckets, in seconds (+Inf is implied).
  static constexpr std::array<double, 12> kBuckets = {0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005,
                                                      0.01,   0.025,   0.05,   0.1,   0.5,    1.0};

  void request(std::string_view endpoint, int status, double seconds);
  // `outcome` is "allow" or "deny"; `n` decisions at once (a batch).
  void decisions(const std::string& action, const std::string& outcome, uint64_t n = 1);
  void reload(bool ok);
  uint64_t reloads(bool ok) const { return ok ? reload_ok_.load() : reload_error_.load(); }

  std::string render(const std::string& policy_hash) const;

private:
  // Counters are split over shards picked by the calling thread, each with
  // its own lock: workers rarely meet on one, and render() sums them.
  struct Shard {
    std::mutex mutex;
    // By endpoint, then status: found by a string_view, no string per request.
    std::map<std::string, std::map<int, uint64_t>, std::less<>> requests;
    std::map<std::pair<std::string, std::string>, uint64_t> decisions;
  };
  static constexpr size_t kShards = 16;
  Shard& shard();
  mutable std::array<Shard, kShards> shards_;
  std::array<std::atomic<uint64_t>, kBuckets.size() + 1> latency_{};
  std::atomic<uint64_t> latency_count_{0};
  std::atomic<uint64_t> latency_sum_us_{0};
  std::atomic<uint64_t> reload_ok_{0}, reload_error_{0};
};

// A Prometheus label value: backslash, quote and newline escaped.
std::string prometheus_label(const std::string& v);

} // namespace keyplan::serve
