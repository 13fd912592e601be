#include "bench/matrix_bench.hpp"

#include "bench/bench_timing.hpp"

#include "compiler/codegen/jit.hpp"
#include "compiler/compile.hpp"
#include "engine/engine.hpp"
#include "runtime/bitset.hpp"
#include "runtime/data_loader.hpp"
#include "runtime/interpreter.hpp"

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <fmt/format.h>
#include <fmt/ranges.h>

namespace keyplan::sim {

namespace {

using bench_timing::Clock;
using bench_timing::median;
using bench_timing::ms_since;

bool entity(const ir::Policy& p, const ir::Param& prm) {
  return p.types.kind(p.types.strip_optional(prm.type)) == ir::TypeKind::Entity;
}

int32_t entity_type(const ir::Policy& p, const ir::Param& prm) {
  return p.types[p.types.strip_optional(prm.type)].ref;
}

} // namespace

bool run_matrix_bench(const MatrixBenchOptions& o, MatrixBenchResult& result, std::string& error) {
  nlohmann::json& j = result.json;
  auto compiled_owner = std::make_shared<CompileResult>(compile_policy("std.desk_booking"));
  CompileResult& compiled = *compiled_owner;
  if (!compiled.policy) {
    error = "std.desk_booking does not compile:\n" + compiled.diags.render_text(*compiled.sources);
    return false;
  }
  const ir::Policy& p = *compiled.policy;
  std::vector<int32_t> rules = p.find_rules(o.action);
  if (rules.empty() || !p.rules[static_cast<size_t>(rules[0])].is_action) {
    error = fmt::format("std.desk_booking has no action '{}'", o.action);
    return false;
  }
  int32_t rule = rules[0];
  const ir::Rule& r = p.rules[static_cast<size_t>(rule)];
  int32_t open = -1, rows_param = -1;
  for (size_t i = 0; i < r.params.size(); ++i)
    if (o.open.empty() ? (entity(p, r.params[i]) && open < 0) : r.params[i].name == o.open)
      open = static_cast<int32_t>(i);
  if (open < 0 || !entity(p, r.params[static_cast<size_t>(open)])) {
    error = o.open.empty() ? fmt::format("{} has no entity parameter", r.signature)
                           : fmt::format("{} has no entity parameter '{}'", r.signature, o.open);
    return false;
  }
  for (size_t i = 0; i < r.params.size(); ++i)
    if (static_cast<int32_t>(i) != open && entity(p, r.params[i]) && rows_param < 0)
      rows_param = static_cast<int32_t>(i);
  if (rows_param < 0) {
    error = fmt::format("{} has no second entity parameter for the rows", r.signature);
    return false;
  }
  int64_t today = 0;
  if (!ir::parse_date(o.today.empty() ? "2026-11-23" : o.today, today)) {
    error = "--today: expected YYYY-MM-DD";
    return false;
  }

  if (o.diff) { // the what-if is checked before the (long) measurements
    auto eq = o.diff_set.find('=');
    if (eq == std::string::npos || eq == 0) {
      error = fmt::format("--diff-set '{}': expected NAME=VALUE", o.diff_set);
      return false;
    }
    if (p.find_setting(o.diff_set.substr(0, eq)) < 0) {
      std::vector<std::string> names;
      for (const auto& st : p.settings) names.push_back(st.name);
      std::string hint = did_you_mean(o.diff_set.substr(0, eq), names);
      error = fmt::format("--diff-set: std.desk_booking has no setting '{}'{}",
                          o.diff_set.substr(0, eq), hint.empty() ? "" : " (" + hint + ")");
      return false;
    }
  }

  auto t = Clock::now();
  std::string yaml;
  std::string path = o.data_file.empty() ? "<generated tenant>" : o.data_file;
  if (o.data_file.empty()) {
    yaml = generate_desk_tenant(o.shape);
  } else {
    Diagnostics read_diags;
    if (!rt::read_data_file(o.data_file, yaml, read_diags)) {
      error = read_diags.render_text(*compiled.sources);
      return false;
    }
  }
  auto snap_owner = std::make_unique<rt::Snapshot>(p);
  rt::Snapshot& snap = *snap_owner;
  Diagnostics diags;
  if (!rt::load_data(snap, yaml, path, diags, *compiled.sources)) {
    error = diags.render_text(*compiled.sources);
    return false;
  }
  double load_ms = ms_since(t);
  yaml.clear();
  yaml.shrink_to_fit();

  // The other parameters: their defaults (book's `on` = today).
  engine::ColumnQuery q;
  q.rule = rule;
  q.open = open;
  q.today = today;
  rt::Interpreter interp(p, snap);
  for (size_t i = 0; i < r.params.size(); ++i) {
    const ir::Param& prm = r.params[i];
    if (static_cast<int32_t>(i) == open || static_cast<int32_t>(i) == rows_param) {
      q.args.push_back(ir::Value::none());
    } else if (prm.default_value) {
      std::vector<rt::RtValue> frame;
      q.args.push_back(rt::to_ir(interp.eval(*prm.default_value, frame, today)));
    } else {
      error = fmt::format("parameter '{}' of {} has no default: bench matrix decides actions of "
                          "two entity parameters",
                          prm.name, r.signature);
      return false;
    }
  }
  int32_t col_type = entity_type(p, r.params[static_cast<size_t>(open)]);
  int32_t row_type = entity_type(p, r.params[static_cast<size_t>(rows_param)]);
  int64_t cols = snap.count(col_type), rows = snap.count(row_type);
  auto set_row = [&](int64_t row) {
    q.args[static_cast<size_t>(rows_param)] = ir::Value::entity(row_type, row);
  };

  std::string jit_error;
  std::shared_ptr<jit::CompiledPolicy> cp = jit::CompiledPolicy::compile(p, &jit_error);
  if (!cp) {
    error = "the JIT does not start: " + jit_error;
    return false;
  }
  cp->compile_all();

  // One column from cold (a fresh decider: plan, inverse indexes, the
  // first calls), as `keyplan search` decides it after load.
  double first_column_ms = 0, prepare_ms = 0;
  if (rows > 0) {
    engine::Engine cold(p, snap, engine::Kind::Jit, cp.get());
    cold.set_crosscheck(0);
    t = Clock::now();
    cold.prepare(rule, open);
    prepare_ms = ms_since(t);
    set_row(0);
    t = Clock::now();
    cold.decide_column(q);
    first_column_ms = ms_since(t);
  }

  // Set-at-a-time: the whole matrix, `runs` times (the first also builds
  // the plan, the inverse indexes and the memo of repeated calls).
  engine::Engine columns(p, snap, engine::Kind::Jit, cp.get());
  columns.set_crosscheck(0);
  engine::ColumnPlan plan = columns.plan(rule, open);
  std::vector<double> times;
  int64_t allowed = 0;
  double first_ms = 0;
  for (int run = 0; run < std::max(1, o.runs) + 1; ++run) {
    int64_t count = 0;
    t = Clock::now();
    for (int64_t row = 0; row < rows; ++row) {
      set_row(row);
      std::vector<uint64_t> col = columns.decide_column(q);
      count += static_cast<int64_t>(engine::count_rows(col));
    }
    double ms = ms_since(t);
    if (run == 0) {
      first_ms = ms;
      allowed = count;
    } else {
      times.push_back(ms);
      if (count != allowed) {
        result.disagreement = "two runs of the same matrix differ";
        break;
      }
    }
  }
  double matrix_ms = median(times);

  // Cell by cell with the JIT (one thread, as the matrix above): every row,
  // or rows spread evenly when the matrix is larger than per_decision_cells.
  int64_t sample_rows = rows;
  if (cols > 0 && rows * cols > o.per_decision_cells)
    sample_rows = std::max<int64_t>(1, o.per_decision_cells / cols);
  bool extrapolated = sample_rows < rows;
  jit::Binding binding(*cp, snap);
  engine::Engine reference(p, snap, engine::Kind::Jit, cp.get());
  reference.set_crosscheck(0);
  std::vector<int64_t> native(r.params.size(), 0);
  for (size_t i = 0; i < q.args.size(); ++i) native[i] = jit::to_native(q.args[i]);
  // Testing aid (as engine/decider.hpp): KEYPLAN_TESTING_FLIP_JIT=1 negates
  // every JIT answer, so that the tests see a disagreement exit 3.
  const char* flip_env = std::getenv("KEYPLAN_TESTING_FLIP_JIT");
  bool flip = flip_env && std::string(flip_env) == "1";
  double jit_ms = 0;
  int64_t jit_allowed = 0, compared = 0;
  std::vector<uint64_t> jit_col(rt::bits::words_for(static_cast<size_t>(cols)));
  for (int64_t k = 0; k < sample_rows && result.disagreement.empty(); ++k) {
    int64_t row = extrapolated ? k * rows / sample_rows : k;
    native[static_cast<size_t>(rows_param)] = row;
    std::fill(jit_col.begin(), jit_col.end(), 0);
    t = Clock::now();
    for (int64_t c = 0; c < cols; ++c) {
      native[static_cast<size_t>(open)] = c;
      if (binding.decide(rule, native.data(), today) != flip)
        rt::bits::set(jit_col.data(), static_cast<size_t>(c));
    }
    jit_ms += ms_since(t);
    jit_allowed += static_cast<int64_t>(engine::count_rows(jit_col));
    set_row(row);
    compared += cols;
    if (reference.decide_column(q) != jit_col)
      result.disagreement = fmt::format("the column engine and the JIT disagree on the {} column "
                                        "of {} = {}",
                                        o.action, r.params[static_cast<size_t>(rows_param)].name,
                                        snap.id(row_type, static_cast<int32_t>(row)));
  }
  double per_decision_ms =
      extrapolated ? jit_ms * static_cast<double>(rows) / static_cast<double>(sample_rows) : jit_ms;

  // The interpreter, the judge, on a random sample of cells of spread rows.
  engine::Engine checked(p, snap, engine::Kind::Jit, cp.get());
  checked.set_crosscheck(o.crosscheck);
  int64_t check_rows = std::min<int64_t>(rows, std::max(0, o.crosscheck_rows));
  try {
    for (int64_t k = 0; k < check_rows && result.disagreement.empty(); ++k) {
      set_row(k * rows / check_rows);
      checked.decide_column(q);
    }
  } catch (const engine::ColumnDisagreement& d) {
    result.disagreement = d.what();
  }

  double cells = static_cast<double>(rows) * static_cast<double>(cols);
  j["action"] = o.action;
  j["signature"] = r.signature;
  j["rows_param"] = r.params[static_cast<size_t>(rows_param)].name;
  j["open"] = r.params[static_cast<size_t>(open)].name;
  j["rows"] = rows;
  j["cols"] = cols;
  j["cells"] = rows * cols;
  j["allowed"] = allowed;
  j["today"] = ir::format_date(today);
  j["load_ms"] = load_ms;
  j["threads"] = 1;
  j["runs"] = times.size();
  j["matrix_ms"] = matrix_ms;
  j["matrix_ms_first"] = first_ms;
  j["prepare_ms"] = prepare_ms;
  j["first_column_ms"] = first_column_ms;
  j["ns_per_cell"] = cells > 0 ? matrix_ms * 1e6 / cells : 0;
  j["per_decision_ms"] = per_decision_ms;
  j["per_decision_extrapolated"] = extrapolated;
  j["per_decision_cells"] = sample_rows * cols;
  j["per_decision_allowed"] = jit_allowed;
  j["speedup"] = matrix_ms > 0 ? per_decision_ms / matrix_ms : 0;
  j["jit_compared_cells"] = compared;
  j["crosschecked_cells"] = checked.crosschecked_cells();
  j["crosschecked_fraction"] =
      cells > 0 ? static_cast<double>(checked.crosschecked_cells()) / cells : 0;
  j["plan"] = {{"vectorised", plan.vectorised}, {"how", plan.how}, {"detail", plan.detail}};
  if (o.diff) {
    DiffBenchInput in{compiled_owner, cp, std::move(snap_owner), today};
    std::string diff_disagreement;
    if (!run_diff_bench(o, std::move(in), j, diff_disagreement, error)) return false;
    if (result.disagreement.empty()) result.disagreement = diff_disagreement;
  }
  j["ok"] = result.disagreement.empty();
  if (!result.disagreement.empty()) j["disagreement"] = result.disagreement;
  return true;
}

std::string matrix_bench_text(const nlohmann::json& j) {
  std::string out = fmt::format(
      "{}: {} {} x {} {} = {} cells, {} allowed\n", j["signature"].get<std::string>(),
      j["rows"].get<int64_t>(), j["rows_param"].get<std::string>(), j["cols"].get<int64_t>(),
      j["open"].get<std::string>(), j["cells"].get<int64_t>(), j["allowed"].get<int64_t>());
  out += fmt::format("plan: {} ({})\n", j["plan"]["how"].get<std::string>(),
                     j["plan"]["detail"].get<std::string>());
  out += fmt::format("set-at-a-time: {:.3f} ms per matrix (median of {}; first {:.3f} ms), {:.3f} "
                     "ns per cell\n",
                     j["matrix_ms"].get<double>(), j["runs"].get<int64_t>(),
                     j["matrix_ms_first"].get<double>(), j["ns_per_cell"].get<double>());
  out += fmt::format("one column after prepare ({:.3f} ms: plan, inverse indexes): {:.3f} ms\n",
                     j["prepare_ms"].get<double>(), j["first_column_ms"].get<double>());
  out +=
      fmt::format("per decision (JIT): {:.1f} ms{}; {:.0f}x faster set-at-a-time\n",
                  j["per_decision_ms"].get<double>(),
                  j["per_decision_extrapolated"].get<bool>() ? " (extrapolated from a sample)" : "",
                  j["speedup"].get<double>());
  out +=
      fmt::format("cross-checked: {} cells by the interpreter ({:.6f} of all), {} by the JIT\n",
                  j["crosschecked_cells"].get<int64_t>(), j["crosschecked_fraction"].get<double>(),
                  j["jit_compared_cells"].get<int64_t>());
  if (j.contains("diff_ms"))
    out += fmt::format("diff of the what-if {} ({}): {:.3f} ms, {} cells changed; the same "
                       "actions' matrices {:.3f} ms: {:.2f}x\n",
                       j["diff_what_if"].get<std::string>(),
                       fmt::join(j["diff_actions"].get<std::vector<std::string>>(), ", "),
                       j["diff_ms"].get<double>(), j["diff_changed"].get<uint64_t>(),
                       j["diff_matrix_ms"].get<double>(), j["diff_ratio"].get<double>());
  return out;
}

} // namespace keyplan::sim
