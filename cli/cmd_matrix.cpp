// keyplan matrix: an action decided for every pair of two open entity
// parameters, as a table, CSV, Markdown, JSON, XLSX or HTML heatmap,
// optionally aggregated per attribute value (simulator/matrix.hpp).
#include "cli/commands.hpp"
#include "cli/output.hpp"
#include "cli/world.hpp"
#include "simulator/matrix.hpp"
#include "simulator/matrix_html.hpp"
#include "simulator/matrix_render.hpp"
#include "simulator/open_request.hpp"
#include "simulator/text.hpp"

#include <fmt/format.h>
#include <iostream>

namespace keyplan::cli {

namespace {

struct MatrixOpts {
  WorldOpts world;
  std::string action;
  std::string rows, cols;
  std::string format = "table";
  std::string output;
  bool summary = false;
  std::string group_rows, group_cols;
  bool explain_plan = false;
  size_t explain_sample = 200;
};

// Cells re-decided by the interpreter after every matrix (about a
// millisecond); a disagreement is an internal error, exit 3.
constexpr size_t kCrossCheckCells = 256;

int fail(const std::string& message) {
  std::cerr << "keyplan matrix: error: " << sim::terminal_safe(message) << "\n";
  return 2;
}

int run(const MatrixOpts& o) {
  if (o.format == "xlsx" && (o.output.empty() || o.output == "-"))
    return fail("--format xlsx needs --output FILE");
  World w;
  if (int rc = load_world(o.world, "matrix", w); rc != 0) return rc;
  const ir::Policy& policy = w.policy();
  if (o.rows == o.cols) return fail(fmt::format("--rows and --cols both name '{}'", o.rows));
  sim::OpenRequest req =
      sim::resolve_open(policy, w.snapshot(), o.action, w.args, {o.rows, o.cols}, w.today);
  if (!req.ok()) return fail(req.error);
  // Group axes are checked before the (possibly long) computation.
  sim::Axis row_axis, col_axis;
  std::string error;
  if (!o.group_rows.empty() &&
      !sim::attribute_axis(policy, w.snapshot(), req.types[0], o.group_rows, row_axis, error))
    return fail("--group-rows: " + error);
  if (!o.group_cols.empty() &&
      !sim::attribute_axis(policy, w.snapshot(), req.types[1], o.group_cols, col_axis, error))
    return fail("--group-cols: " + error);

  std::unique_ptr<jit::CompiledPolicy> native;
  std::string jit_error;
  if (w.engine == engine::Kind::Jit) native = jit::CompiledPolicy::compile(policy, &jit_error);
  // `--engine interp`: the reference interpreter decides every cell.
  engine::Engine eng(policy, w.snapshot(), w.engine, native.get());
  sim::MatrixQuery q;
  q.rule = req.req.rule;
  q.row_param = req.open[0];
  q.col_param = req.open[1];
  q.args = req.req.args;
  q.today = w.today;
  sim::Matrix m;
  {
    sim::Progress progress("matrix " + o.action,
                           static_cast<size_t>(w.snapshot().count(req.types[0])));
    m = sim::compute_matrix(eng, policy, w.snapshot(), q, &progress);
  }
  {
    // The interpreter, the reference, re-decides a sample of the cells.
    auto [r, c] = sim::cross_check(m, q, eng, kCrossCheckCells);
    if (r >= 0) {
      std::cerr << "keyplan matrix: internal error: the column engine and the interpreter "
                   "disagree on "
                << sim::terminal_safe(w.snapshot().id(m.row_type, static_cast<int32_t>(r))) << " x "
                << sim::terminal_safe(w.snapshot().id(m.col_type, static_cast<int32_t>(c)))
                << "; a bug in keyplan, please report it. `--engine interp` decides with the "
                   "reference interpreter only\n";
      return 3;
    }
  }
  if (o.explain_plan)
    std::cerr << "plan: " << policy.rules[static_cast<size_t>(q.rule)].signature << ", " << m.plan
              << "\n";

  const bool grouped = !o.group_rows.empty() || !o.group_cols.empty();
  std::unique_ptr<sim::CountGrid> grid;
  if (grouped && !o.summary)
    grid = std::make_unique<sim::CountGrid>(sim::aggregate(
        m, o.group_rows.empty() ? sim::instances_axis(w.snapshot(), m.row_type) : row_axis,
        o.group_cols.empty() ? sim::instances_axis(w.snapshot(), m.col_type) : col_axis));
  sim::MatrixView view{policy, w.snapshot(), m, grid.get(), o.action};

  std::string text;
  if (o.summary) {
    text = o.format == "json" ? summary_json(view).dump(2) + "\n" : summary_text(view);
  } else if (o.format == "json") {
    text =
        sim::matrix_json(view).dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
  } else if (o.format == "html") {
    sim::HtmlMatrixOptions ho;
    ho.explain_sample = o.explain_sample;
    ho.sources = w.tenant.compiled->sources.get();
    text = sim::matrix_html(view, q, eng, ho);
  } else {
    const size_t cells = view.row_count() * view.col_count();
    if (cells > sim::kMaxTableCells)
      return fail(fmt::format("the matrix has {} x {} = {} cells, more than the {} a {} output "
                              "holds: aggregate it (--group-rows ATTR, --group-cols ATTR), "
                              "count it (--summary), or use --format json or html",
                              view.row_count(), view.col_count(), cells, sim::kMaxTableCells,
                              o.format));
    std::vector<sim::Table> tables{sim::matrix_table(view)};
    if (o.format == "xlsx") {
      if (view.col_count() + 1 > 16384)
        return fail(fmt::format("{} columns do not fit an XLSX sheet (16,384 at most): swap "
                                "--rows and --cols or group the columns",
                                view.col_count() + 1));
      if (!sim::write_xlsx(o.output, tables, &error)) return fail(error);
      return 0;
    }
    text = o.format == "csv"        ? sim::render_csv(tables)
           : o.format == "markdown" ? sim::render_markdown(tables)
                                    : sim::render_terminal(tables);
  }
  if (o.output.empty() || o.output == "-") {
    std::cout << text;
    return 0;
  }
  if (!write_file_atomically(o.output, text, &error)) return fail(error);
  return 0;
}

} // namespace

void add_matrix_command(CLI::App& app, int& status) {
  auto opts = std::make_shared<MatrixOpts>();
  auto* cmd = app.add_subcommand(
      "matrix", "An action for every pair of two open entity parameters (rows x cols)");
  cmd->add_option("policy", opts->world.policy, "Policy file (.kp) or module name")->required();
  cmd->add_option("action", opts->action, "The action, e.g. book")->required();
  cmd->add_option("args", opts->world.args,
                  "The other arguments as name=value, e.g. on=2026-11-23");
  cmd->add_option(
         "--rows", opts->rows,
         "The open parameter of the rows, e.g. user (NAME:TYPE or TYPE chooses an overload)")
      ->required();
  cmd->add_option("--cols", opts->cols,
                  "The open parameter of the columns, e.g. object or target:Floor")
      ->required();
  add_world_options(cmd, opts->world);
  cmd->add_option("--format", opts->format, "Output format")
      ->check(CLI::IsMember({"table", "csv", "markdown", "json", "xlsx", "html"}));
  cmd->add_option("--output,-o", opts->output,
                  "Write to FILE (required for xlsx; - is standard output)");
  cmd->add_flag("--summary", opts->summary, "Print only the counts");
  cmd->add_option("--group-rows", opts->group_rows,
                  "Aggregate the rows per value of this attribute (e.g. groups)");
  cmd->add_option("--group-cols", opts->group_cols,
                  "Aggregate the columns per value of this attribute (e.g. floor, "
                  "floor.building)");
  cmd->add_flag("--explain-plan", opts->explain_plan,
                "Say on stderr how the columns are decided (vectorised or cell by cell, and why)");
  cmd->add_option("--explain-sample", opts->explain_sample,
                  "html: how many cells get a precomputed explanation (default 200)")
      ->check(CLI::Range(0, 2000));
  cmd->callback([opts, &status]() { status = run(*opts); });
}

} // namespace keyplan::cli
