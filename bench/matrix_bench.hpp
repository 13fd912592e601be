// keyplan bench matrix: a whole authorisation matrix of one std.desk_booking
// action (default `book`: every object x every user) decided set-at-a-time
// by the column engine (engine/column.hpp), against the same matrix decided
// cell by cell by the JIT (or a sample of it, extrapolated, and said so).
// Every cell the JIT decides is compared with the column engine, and a
// sample of cells with the interpreter (docs/performance.md).
#pragma once

#include "bench/desk_tenant_gen.hpp"
#include "compiler/codegen/jit.hpp"
#include "compiler/compile.hpp"
#include "runtime/snapshot.hpp"

#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

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
  // The diff figures: this one-setting what-if, compared for these actions
  // (every overload) as `keyplan diff` does; diff = false leaves them out.
  bool diff = true;
  std::string diff_set = "floor_needs_building=false";
  std::vector<std::string> diff_actions = {"book", "see"};
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

// The diff part (bench/matrix_bench_diff.cpp): the benchmark's world,
// handed over once the matrix figures are taken.
struct DiffBenchInput {
  std::shared_ptr<CompileResult> compiled;
  std::shared_ptr<jit::CompiledPolicy> native;
  std::unique_ptr<rt::Snapshot> snapshot;
  int64_t today = 0;
};
// Adds diff_ms, diff_matrix_ms (the same actions' full matrices),
// diff_ratio, diff_changed, ... to `j`. False with `error` on bad input.
bool run_diff_bench(const MatrixBenchOptions& options, DiffBenchInput input, nlohmann::json& j,
                    std::string& disagreement, std::string& error);

} // namespace keyplan::sim
