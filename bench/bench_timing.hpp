// Small timing helpers shared by the benchmarks: wall-clock milliseconds
// since a point, and the median of repeated runs.
#pragma once

#include <algorithm>
#include <chrono>
#include <vector>

namespace keyplan::sim::bench_timing {

using Clock = std::chrono::steady_clock;

inline double ms_since(Clock::time_point t) {
  return std::chrono::duration<double, std::milli>(Clock::now() - t).count();
}

inline double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v.empty() ? 0 : v[v.size() / 2];
}

} // namespace keyplan::sim::bench_timing
