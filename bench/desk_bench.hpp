// keyplan bench: ns per std.desk_booking `book` decision for the reference
// interpreter, the JIT and a hand-written C++ function of the same rule over
// the same snapshot tables (the practical limit), plus policy compile time,
// tenant load time and peak memory. Shared by `keyplan bench` and the
// keyplan_bench binary (bench/).
#pragma once

#include "bench/desk_tenant_gen.hpp"
#include "runtime/snapshot.hpp"

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace keyplan::sim {

// `book(user, object, on)` of std.desk_booking written by hand: reads the
// snapshot's columns directly and honours the settings all_is_everyone,
// floor_needs_building, home_office_enabled, home_office_groups and today.
class HandBook {
public:
  explicit HandBook(const rt::Snapshot& snapshot); // throws std::runtime_error on a foreign policy
  bool book(int64_t user, int64_t object, int64_t on, int64_t today) const;

private:
  bool admitted(int64_t user, const uint64_t* whitelist) const;
  const uint64_t *user_groups_, *building_groups_, *floor_groups_, *object_groups_;
  const int64_t *building_published_, *floor_published_, *floor_building_, *object_floor_,
      *object_kind_, *object_status_, *object_window_;
  int64_t user_stride_, building_stride_, floor_stride_, object_stride_;
  int64_t all_row_, flexible_, home_office_kind_;
  bool all_is_everyone_, floor_needs_building_, home_office_enabled_;
  std::vector<uint64_t> home_office_groups_;
  uint32_t group_words_;
};

struct BenchOptions {
  DeskTenantShape shape;
  std::string data_file; // a tenant YAML instead of a generated one
  int64_t requests = 1000000;
  std::string requests_file; // CSV user,object: replay and count allows
  uint64_t seed = 1;         // of the random requests
  std::string today;         // YYYY-MM-DD; default 2026-11-23 (fixed, so runs compare)
  int64_t batch = 1000;      // requests per timed batch (for the median)
};

struct EngineResult {
  std::string name;
  double mean_ns = 0, median_ns = 0, p99_ns = 0;
  int64_t allowed = 0;
};

struct BenchResult {
  int64_t users = 0, objects = 0, requests = 0;
  double front_ms = 0, jit_ms = 0; // compile_policy, CompiledPolicy::compile
  double gen_ms = 0, load_ms = 0;  // generating the YAML (when generated), loading it
  double peak_rss_mb = 0;
  std::vector<EngineResult> engines; // interp, jit, hand
};

// Runs the benchmark; false with `error` on bad input or when the engines
// disagree on any request (a bug).
bool run_desk_bench(const BenchOptions& options, BenchResult& result, std::string& error);
std::string bench_text(const BenchResult& r);
nlohmann::json bench_json(const BenchResult& r);
double peak_rss_mb();

} // namespace keyplan::sim
