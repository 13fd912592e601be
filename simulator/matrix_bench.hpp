// keyplan bench matrix: a whole authorisation matrix of one std.desk_booking
// action (default `book`: every object x every user) decided set-at-a-time
// by the column engine (engine/column.hpp), against the same matrix decided
// cell by cell by the JIT (or a sample of it, extrapolated, and said so).
// Every cell the JIT decides is compared with the column engine, and a
// sample of cells with the interpreter (docs/performance.md).
#pragma once

#include "simulator/desk_tenant_gen.hpp"

#include <nlohmann/json.hpp>
#include <string>

namespace keyplan::sim {

struct MatrixBenchOptions {
  DeskTenantShape shape;
  std::string data_file;       // a tenant YAML instead of a generated one
  std::string action = "book"; // an action of std.desk_booking (its first overload)
  std::string open;            // the open (column) parameter; default: the first entity one
  std::string today;           // YYYY-MM-DD; default 2026-11-23
  int runs = 5;                // full matrices timed (the median is reported)
  int64_t per_decision_cells = 100'000'000; // above, the JIT decides a sample of rows
  int crosscheck = 64;                      // cells per column re-decided by the interpreter
  int crosscheck_rows = 1000;               // rows (columns decided) that are cross-checked
};

struct MatrixBenchResult {
  nlohmann::json json;
  // Set when a compared cell disagrees (a bug: exit 3).
  std::string disagreement;
};

// False with `error` on bad input (exit 2).
bool run_matrix_bench(const MatrixBenchOptions& options, MatrixBenchResult& result,
                      std::string& error);
std::string matrix_bench_text(const nlohmann::json& j);

} // namespace keyplan::sim
