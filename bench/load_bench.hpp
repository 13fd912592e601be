// keyplan bench load: how long loading a tenant takes and how much memory it
// needs, for the data loader (the fast path of runtime/data_fast.hpp, or the
// reference loader alone), checked cell for cell against the other loader's
// snapshot (docs/performance.md, "Loading tenants").
#pragma once

#include "bench/desk_tenant_gen.hpp"

#include <nlohmann/json.hpp>
#include <string>

namespace keyplan::sim {

struct LoadBenchOptions {
  DeskTenantShape shape;       // generated when no data file is given
  std::string data_file;       // tenant data (YAML) for std.desk_booking
  std::string loader = "fast"; // measured: fast (load_data) or reference
  bool check = true;           // also load with the other loader and compare
};

struct LoadBenchResult {
  nlohmann::json json; // one object: figures, counts and the check
  bool equal = true;   // the check found the same snapshot (or did not run)
};

// False with `error` when the data cannot be read or does not load.
bool run_load_bench(const LoadBenchOptions& o, LoadBenchResult& r, std::string& error);
std::string load_bench_text(const nlohmann::json& j);

} // namespace keyplan::sim
