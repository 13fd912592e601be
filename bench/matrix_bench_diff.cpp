// keyplan bench matrix, the diff part: a one-setting what-if (default
// `floor_needs_building=false`) on the benchmark tenant, compared by `keyplan
// diff`'s engine (simulator/diff.hpp) for `book` and `see`, timed against
// the full matrices of the same actions (the target: diff <= 3x).
#include "bench/matrix_bench.hpp"

#include "bench/bench_timing.hpp"

#include "engine/engine.hpp"
#include "runtime/bitset.hpp"
#include "simulator/diff.hpp"

#include <algorithm>
#include <chrono>
#include <fmt/format.h>

namespace keyplan::sim {

namespace {

using bench_timing::Clock;
using bench_timing::median;
using bench_timing::ms_since;

// The full matrix of one overload of the diff (its two enumerated entity
// parameters, the rest at their defaults) in the BEFORE world, timed.
// `cold_ms`: the first matrix of a fresh engine, with its preparation
// (engine, plans, inverse indexes), as each diff run pays for its worlds.
double matrix_time(World& w, const ActionDiff& a, int runs, uint64_t& allowed, double& cold_ms) {
  // Columns over the parameter the diff opens, as the diff decides them.
  std::vector<int32_t> params;
  for (size_t i = 0; i < a.axis_of.size(); ++i)
    if (a.axis_of[i] >= 0 && a.axes[static_cast<size_t>(a.axis_of[i])].entity)
      params.push_back(static_cast<int32_t>(i));
  if (params.size() != 2 || a.rule[0] < 0 || a.open < 0) return 0;
  if (a.axis_of[static_cast<size_t>(params[0])] == a.open) std::swap(params[0], params[1]);
  const auto cold = Clock::now();
  engine::Engine eng(w.policy(), *w.snapshot, engine::Kind::Jit, w.native.get());
  eng.set_crosscheck(0);
  engine::MatrixQuery q;
  q.rule = a.rule[0];
  q.row_param = params[0];
  q.col_param = params[1];
  q.args = a.fixed[0];
  q.args.resize(a.axis_of.size(), ir::Value::none());
  q.today = w.today;
  std::vector<double> times;
  for (int run = 0; run < runs + 1; ++run) { // the first builds plans and indexes
    auto t = Clock::now();
    engine::MatrixBits m = eng.decide_matrix(q);
    double ms = ms_since(t);
    if (run == 0) {
      cold_ms = ms_since(cold);
      allowed = rt::bits::count(m.bits.data(), static_cast<uint32_t>(m.bits.size()));
    } else {
      times.push_back(ms);
    }
  }
  return median(times);
}

} // namespace

bool run_diff_bench(const MatrixBenchOptions& o, DiffBenchInput in, nlohmann::json& j,
                    std::string& disagreement, std::string& error) {
  auto eq = o.diff_set.find('=');
  if (eq == std::string::npos || eq == 0) {
    error = fmt::format("--diff-set '{}': expected NAME=VALUE", o.diff_set);
    return false;
  }
  World before, after;
  before.spec.label = "tenant";
  before.spec.policy = after.spec.policy = "std.desk_booking";
  after.spec.label = "tenant + " + o.diff_set;
  before.compiled = after.compiled = in.compiled;
  before.native = after.native = in.native;
  before.today = after.today = in.today;
  after.snapshot = std::make_unique<rt::Snapshot>(*in.snapshot);
  before.snapshot = std::move(in.snapshot);
  std::string err;
  if (!after.snapshot->set_setting(o.diff_set.substr(0, eq), o.diff_set.substr(eq + 1), &err)) {
    error = fmt::format("--diff-set {}: {}", o.diff_set, err);
    return false;
  }
  // diff_ms: deciding and comparing every cell (no grouping of the flipped
  // cells); diff_grouped_ms: the same with `keyplan diff`'s default grouping.
  DiffOptions d;
  d.actions = o.diff_actions;
  d.group = {"none"};
  std::vector<double> times;
  DiffResult r;
  for (int run = 0; run < std::max(1, o.runs); ++run) {
    DiffResult one;
    auto t = Clock::now();
    if (!compute_diff(before, after, d, one, error)) return false;
    times.push_back(ms_since(t));
    if (run == 0) r = std::move(one);
  }
  if (!r.disagreement.empty()) disagreement = r.disagreement;
  double grouped_ms = 0;
  {
    DiffOptions g;
    g.actions = o.diff_actions;
    DiffResult one;
    auto t = Clock::now();
    if (!compute_diff(before, after, g, one, error)) return false;
    grouped_ms = ms_since(t);
    j["diff_groups"] = one.groups.size();
  }
  double matrix_ms = 0, matrix_cold_ms = 0;
  nlohmann::json per_action = nlohmann::json::array();
  for (const auto& a : r.actions) {
    uint64_t allowed = 0;
    double cold = 0;
    double ms = matrix_time(before, a, std::max(1, o.runs), allowed, cold);
    matrix_ms += ms;
    matrix_cold_ms += cold;
    per_action.push_back({{"signature", a.signature},
                          {"cells", a.cells},
                          {"allowed_before", a.allowed[0]},
                          {"allowed_after", a.allowed[1]},
                          {"gained", a.gained},
                          {"lost", a.lost},
                          {"matrix_ms", ms},
                          {"matrix_cold_ms", cold},
                          {"matrix_allowed", allowed},
                          {"same", a.same},
                          {"plan", a.plan[0]}});
  }
  const double diff_ms = median(times);
  j["diff_what_if"] = o.diff_set;
  j["diff_actions"] = o.diff_actions;
  j["diff_ms"] = diff_ms;
  j["diff_ms_first"] = times.front();
  j["diff_grouped_ms"] = grouped_ms;
  j["diff_runs"] = times.size();
  j["diff_changed"] = r.gained + r.lost;
  j["diff_gained"] = r.gained;
  j["diff_lost"] = r.lost;
  uint64_t cells = 0;
  for (const auto& a : r.actions) cells += a.cells;
  j["diff_cells"] = cells;
  j["diff_crosschecked_cells"] = r.cross_checked;
  j["diff_matrix_ms"] = matrix_ms;
  // The target's ratio: the diff with its preparation (two engines, plans,
  // inverse indexes) against matrices without theirs (the stricter way);
  // diff_ratio_cold: against matrices with their preparation.
  j["diff_ratio"] = matrix_ms > 0 ? diff_ms / matrix_ms : 0;
  j["diff_matrix_cold_ms"] = matrix_cold_ms;
  j["diff_ratio_cold"] = matrix_cold_ms > 0 ? diff_ms / matrix_cold_ms : 0;
  j["diff_same_actions"] =
      std::count_if(r.actions.begin(), r.actions.end(), [](const ActionDiff& a) { return a.same; });
  j["diff_per_action"] = per_action;
  return true;
}

} // namespace keyplan::sim
