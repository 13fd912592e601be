// keyplan diff: every decision of the chosen actions compared between two
// worlds (docs/cli.md "keyplan diff", docs/what-if.md "diff"). Exits like
// diff(1): 0 nothing changed, 1 something changed, 2 bad input.
#include "cli/commands.hpp"
#include "cli/int_option.hpp"
#include "cli/output.hpp"
#include "compiler/value.hpp"
#include "simulator/diff.hpp"
#include "simulator/diff_html.hpp"
#include "simulator/diff_report.hpp"
#include "simulator/progress.hpp"
#include "simulator/table.hpp"
#include "simulator/text.hpp"
#include "simulator/world.hpp"

#include <fmt/format.h>
#include <iostream>
#include <map>
#include <optional>
#include <unistd.h>

namespace keyplan::cli {

namespace {

// The cells table of the text formats shows this many flipped cells.
constexpr size_t kTextCellRows = 1000;

struct DiffOpts {
  std::string before, after;
  std::vector<std::string> actions;
  std::vector<std::string> whatifs;
  std::vector<std::string> data;
  std::vector<std::string> sets;
  std::string today;
  std::vector<std::string> path;
  std::string engine = "jit";
  std::string format = "table";
  std::string output;
  std::vector<std::string> group;
  uint64_t explain = 0;
  bool summary = false;
  uint64_t max_cells = sim::kDefaultMaxCells;
};

// The recipe of BEFORE or AFTER as named on the command line.
bool world_spec(const std::string& arg, const DiffOpts& o, sim::WorldSpec& spec, SourceManager& sm,
                Diagnostics& diags) {
  if (sim::is_world_file(arg)) return sim::read_world_file(arg, false, spec, sm, diags);
  spec.label = arg;
  spec.policy = arg;
  for (const auto& f : o.data) spec.data.push_back(sim::DataEdit{f, std::nullopt, -1});
  std::map<std::string, std::string> seen;
  for (const auto& s : o.sets) {
    size_t eq = s.find('=');
    if (eq == std::string::npos || eq == 0) {
      diags.error(Span{}, fmt::format("--set {}: expected NAME=VALUE", s));
      continue;
    }
    sim::SettingEdit e;
    e.name = s.substr(0, eq);
    e.text = s.substr(eq + 1);
    if (auto [it, fresh] = seen.emplace(e.name, s); !fresh) {
      diags.error(Span{}, fmt::format("--set {} sets '{}' again; the first was --set {}", s, e.name,
                                      it->second));
      continue;
    }
    spec.settings.push_back(std::move(e));
  }
  if (!o.today.empty()) {
    int64_t days = 0;
    if (!ir::parse_date(o.today, days))
      diags.error(Span{}, fmt::format("--today {}: expected a date YYYY-MM-DD", o.today));
    else
      spec.today = days;
  }
  return true;
}

int run(const DiffOpts& o) {
  SourceManager sm;
  Diagnostics diags;
  auto fail = [&](const std::string& message) {
    if (diags.has_errors()) std::cerr << diags.render_text(sm, isatty(2));
    if (!message.empty())
      std::cerr << "keyplan diff: error: " << sim::terminal_safe(message) << "\n";
    return 2;
  };
  if (o.after.empty() && o.whatifs.empty())
    return fail("give AFTER (a policy or a world file) or --what-if CHANGE.yaml");
  const bool plain_before = !sim::is_world_file(o.before);
  const bool plain_after = !o.after.empty() && !sim::is_world_file(o.after);
  if (!plain_before && (o.after.empty() || !plain_after) &&
      (!o.data.empty() || !o.sets.empty() || !o.today.empty()))
    return fail("--data, --set and --today apply to a world given as a policy file; here both "
                "worlds are world files (give data, settings and today in them)");
  if (o.format == "xlsx" && o.output.empty()) return fail("--format xlsx needs --output FILE");

  sim::WorldSpec before, after;
  world_spec(o.before, o, before, sm, diags);
  if (!o.after.empty())
    world_spec(o.after, o, after, sm, diags);
  else
    after = before;
  // --what-if files apply, in order, on top of AFTER (BEFORE when AFTER is not given).
  for (const auto& w : o.whatifs) {
    sim::WorldSpec edit;
    if (sim::read_world_file(w, true, edit, sm, diags)) after = sim::apply_whatif(after, edit);
  }
  if (diags.has_errors()) return fail("");

  sim::WorldOptions wo;
  wo.search_path = o.path;
  wo.jit = o.engine == "jit";
  sim::World worlds[2];
  bool policy_errors = false;
  for (int s = 0; s < 2; ++s) {
    if (!sim::load_world(worlds[s], s ? after : before, wo, sm, diags, s ? &worlds[0] : nullptr) &&
        worlds[s].compiled && worlds[s].compiled->diags.has_errors()) {
      std::cerr << worlds[s].compiled->diags.render_text(*worlds[s].compiled->sources, isatty(2));
      policy_errors = true;
    }
  }
  if (policy_errors || diags.has_errors()) return fail("");
  if (!diags.items().empty()) std::cerr << diags.render_text(sm, isatty(2)); // warnings

  sim::DiffOptions dopt;
  dopt.actions = o.actions;
  dopt.group = o.group;
  dopt.max_cells = o.max_cells;
  dopt.explain = static_cast<size_t>(o.explain);
  dopt.interpreter_only = o.engine == "interp";
  // Progress on a terminal only, once the run has taken a second
  // (simulator/progress.hpp), in thousandths of the cells.
  // Erased (reset) before anything is written to a terminal.
  std::optional<sim::Progress> progress;
  progress.emplace("keyplan diff: cells decided (thousandths)", 1000);
  dopt.progress = [&progress](double f) { progress->update(static_cast<size_t>(f * 1000.0)); };
  sim::DiffResult result;
  std::string error;
  const bool computed = sim::compute_diff(worlds[0], worlds[1], dopt, result, error);
  progress.reset();
  if (!computed) return fail(error);
  if (!result.disagreement.empty()) {
    // The interpreter is the judge: a column that disagrees with it is a bug
    // in keyplan, never a result (docs/cli.md "exit codes").
    std::cerr << "keyplan diff: internal error: " << sim::terminal_safe(result.disagreement)
              << "; a bug in keyplan, please report it. `--engine interp` decides with the "
                 "reference interpreter only\n";
    return 3;
  }

  sim::DiffReportOptions ro;
  ro.summary = o.summary;
  if (o.format == "table" || o.format == "markdown" || o.format == "html")
    ro.max_cell_rows = kTextCellRows;
  std::string text;
  if (o.format == "xlsx") {
    if (!sim::write_xlsx(o.output, sim::diff_tables(result, ro), &error)) return fail(error);
  } else {
    if (o.format == "json") {
      // Streamed: a diff of millions of cells is never all in memory.
      const std::string to = o.output.empty() ? "-" : o.output;
      if (!sim::write_output_file(
              to, [&](const sim::WritePiece& write) { sim::diff_json_write(result, ro, write); },
              &error))
        return fail(error);
      return result.changed() ? 1 : 0;
    } else if (o.format == "html") {
      text = sim::diff_html(result, ro);
    } else {
      std::vector<sim::Table> tables = sim::diff_tables(result, ro);
      const bool text_explanations = o.format == "table" || o.format == "markdown";
      if (text_explanations && !tables.empty() && tables.back().name == "explanations")
        tables.pop_back();
      if (o.format == "csv") {
        text = sim::render_csv(tables);
      } else if (o.format == "markdown") {
        text = sim::render_markdown(tables);
        if (!result.explained.empty())
          text += "\n## explained cells\n\n```\n" +
                  sim::terminal_safe(sim::diff_explanations_text(result), true) + "```\n";
      } else {
        text = sim::render_terminal(tables);
        text += sim::terminal_safe(sim::diff_explanations_text(result), true);
      }
    }
    if (o.output.empty() || o.output == "-")
      std::cout << text;
    else if (!write_file_atomically(o.output, text, &error))
      return fail(error);
  }
  return result.changed() ? 1 : 0;
}

} // namespace

void add_diff_command(CLI::App& app, int& status) {
  auto opts = std::make_shared<DiffOpts>();
  auto* cmd = app.add_subcommand(
      "diff", "Compare every decision of the chosen actions between two worlds (exit 1 if any "
              "changed)");
  cmd->add_option("before", opts->before,
                  "BEFORE: a policy (.kp or module) or a world file (scenario format, .yaml)")
      ->required();
  cmd->add_option("after", opts->after,
                  "AFTER: a policy or a world file; default: BEFORE (with --what-if)");
  cmd->add_option("--action", opts->actions,
                  "Compare this action (repeatable); default: every action that can be "
                  "enumerated")
      ->allow_extra_args(false);
  cmd->add_option("--what-if", opts->whatifs,
                  "Apply CHANGE.yaml (settings, data, policy) on top of AFTER (repeatable)")
      ->allow_extra_args(false);
  cmd->add_option("--data", opts->data, "Tenant data files (YAML) for a policy world")
      ->allow_extra_args(false);
  cmd->add_option("--set", opts->sets, "Override a setting of a policy world: NAME=VALUE")
      ->allow_extra_args(false);
  cmd->add_option("--today", opts->today, "The evaluation date of a policy world (YYYY-MM-DD)");
  cmd->add_option("--path", opts->path, "Extra directories to search for imported modules")
      ->allow_extra_args(false);
  cmd->add_option("--engine", opts->engine, "jit (default) or interp (the reference)")
      ->check(CLI::IsMember({"jit", "interp"}));
  cmd->add_option("--format", opts->format, "Output format")
      ->check(CLI::IsMember({"table", "csv", "markdown", "json", "xlsx", "html"}));
  cmd->add_option("--output,-o", opts->output,
                  "Write to FILE (required for xlsx; - is standard output)");
  cmd->add_option("--group", opts->group,
                  "Group by ATTR, PARAM=ATTR, PARAM= (not grouped) or none (repeatable)")
      ->allow_extra_args(false);
  cmd->add_option("--explain", opts->explain, "Explain the first N flipped cells on both sides")
      ->check(unsigned_decimal(1000));
  cmd->add_flag("--summary", opts->summary, "Only the counts per action");
  cmd->add_option("--max-cells", opts->max_cells,
                  "Refuse to compare more cells than this (default 10^10)")
      ->check(unsigned_decimal());
  cmd->callback([opts, &status]() { status = run(*opts); });
}

} // namespace keyplan::cli
