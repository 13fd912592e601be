// keyplan report KIND POLICY: tables built from a policy and tenant data:
// any `report` the policy declares (simulator/declared_report.*: the FM
// suite's matrices, dashboard and effective access, the desk model's roles
// report among them), or the built-in checks kind, rendered as a terminal table, CSV,
// Markdown, JSON or an XLSX workbook. `report --list POLICY` lists them.
#include "cli/commands.hpp"
#include "cli/output.hpp"
#include "compiler/value.hpp"
#include "runtime/data_loader.hpp"
#include "runtime/value_text.hpp"
#include "simulator/checks.hpp"
#include "simulator/declared_report.hpp"
#include "simulator/runner.hpp"
#include "simulator/table.hpp"
#include "simulator/table_html.hpp"
#include "simulator/text.hpp"

#include <algorithm>
#include <fmt/format.h>
#include <functional>
#include <iostream>
#include <unistd.h>

namespace keyplan::cli {

namespace {

struct ReportOpts {
  std::string kind;
  std::string policy;
  std::vector<std::string> data;
  std::vector<std::string> sets;
  std::string today;
  std::string format = "table";
  std::string output;
  bool strict = false;
  std::vector<std::string> users;
  std::vector<std::string> add_to_all;
  std::vector<std::string> path;
  bool list = false;
};

// What a report kind gets to build its tables from.
struct ReportInput {
  const ir::Policy& policy;
  const rt::Snapshot& snapshot;
  int64_t today;
  const ReportOpts& opts;
  const sim::CheckRun& findings;
  const SourceManager& sources;
  std::string error; // a bad request (exit 2)
};

struct ReportKind {
  const char* name;
  const char* help;
  bool fm; // runs the policy's checks too (stderr, exit status)
  std::function<std::vector<sim::Table>(ReportInput&)> build;
};

const std::vector<ReportKind>& report_kinds() {
  static const std::vector<ReportKind> kinds = {
      // ---------------- report kinds: one line per kind; add new kinds here ----------------
      {"checks", "the policy's `check` declarations (W-2 ... W-17 in std.fm_suite) as a table",
       false,
       [](ReportInput& in) {
         return std::vector<sim::Table>{sim::checks_table(in.findings, in.sources)};
       }},
      // ---------------------------------------------------------------------------------------
  };
  return kinds;
}

// W-14: "a system group can be added to all profiles at once". The model
// states the what-if as its setting add_to_all_profiles (which a scenario's
// settings: and --set state too); the flag adds the groups to it.
bool add_to_all_profiles(rt::Snapshot& snap, const ir::Policy& policy,
                         const std::vector<std::string>& groups, Diagnostics& diags) {
  const char* const kSetting = "add_to_all_profiles";
  // The groups' type is the setting's element type: no model name here.
  int32_t s = policy.find_setting(kSetting), gtype = -1;
  if (s >= 0) {
    const auto& t = policy.types[policy.settings[static_cast<size_t>(s)].type];
    if (t.kind == ir::TypeKind::Set && policy.types[t.elem].kind == ir::TypeKind::Entity)
      gtype = policy.types[t.elem].ref;
  }
  if (s < 0 || gtype < 0) {
    diags.error(Span{}, fmt::format("--add-to-all-profiles: the policy has no setting '{}': it "
                                    "needs a policy that imports std.fm_suite",
                                    kSetting));
    return false;
  }
  std::vector<ir::Value> elems = snap.setting(s).elems;
  for (const auto& group : groups) {
    int32_t g = snap.find(gtype, group);
    if (g < 0) {
      diags.error(Span{},
                  "--add-to-all-profiles: " + rt::unknown_instance_message(snap, gtype, group));
      return false;
    }
    elems.push_back(ir::Value::entity(gtype, g));
  }
  std::string error;
  if (!snap.set_setting(kSetting, ir::Value::set(std::move(elems)), &error)) {
    diags.error(Span{}, "--add-to-all-profiles: " + error);
    return false;
  }
  return true;
}

// The tables in the requested format, to --output or standard output.
int write_tables(const ReportOpts& o, const std::vector<sim::Table>& tables) {
  std::string text, error;
  if (o.format == "xlsx") {
    if (!sim::write_xlsx(o.output, tables, &error)) {
      std::cerr << "error: " << error << "\n";
      return 2;
    }
    return 0;
  }
  if (o.format == "csv")
    text = sim::render_csv(tables);
  else if (o.format == "markdown")
    text = sim::render_markdown(tables);
  else if (o.format == "json")
    text = sim::render_json(tables);
  else if (o.format == "html")
    text = sim::render_html(tables, o.list ? "keyplan reports" : "keyplan report " + o.kind);
  else
    text = sim::render_terminal(tables);
  if (o.output.empty())
    std::cout << text;
  else if (!write_file_atomically(o.output, text, &error)) {
    std::cerr << "error: " << error << "\n";
    return 2;
  }
  return 0;
}

std::string builtin_kinds() {
  std::string out;
  for (const auto& k : report_kinds()) out += (out.empty() ? "" : ", ") + std::string(k.name);
  return out;
}

std::string declared_kinds(const ir::Policy& policy) {
  std::string out;
  for (const auto& r : policy.reports) {
    std::string kind = r.name;
    std::replace(kind.begin(), kind.end(), '_', '-');
    out += (out.empty() ? "" : ", ") + kind;
  }
  return out.empty() ? "none" : out;
}

// A report the policy declares: its tables, and the policy's own checks on
// the tenant (printed to standard error; errors fail, warnings with --strict).
int run_declared(const ReportOpts& o, const ir::Policy& policy, const rt::Snapshot& snapshot,
                 const ir::Report& report, int64_t today, const sim::InstanceLocator& locator,
                 const SourceManager& sources) {
  std::string error;
  std::vector<sim::Table> tables =
      sim::render_declared_report(policy, snapshot, report, today, o.users, &error);
  if (!error.empty()) {
    std::cerr << "error: report " << sim::terminal_safe(o.kind) << ": " << error << "\n";
    return 2;
  }
  sim::CheckRun checks = sim::run_checks(policy, snapshot, locator, today);
  std::cerr << sim::check_diagnostics(checks).render_text(sources, isatty(2));
  if (int st = write_tables(o, tables)) return st;
  return checks.fails(o.strict) ? 1 : 0;
}

int run(const ReportOpts& o) {
  sim::Tenant t;
  sim::RunOptions ro;
  ro.search_path = o.path;
  if (!sim::load_tenant(t, o.policy, ro)) {
    std::cerr << t.compiled->diags.render_text(*t.compiled->sources, isatty(2));
    return 2;
  }
  SourceManager& sources = *t.compiled->sources;
  Diagnostics diags;
  sim::InstanceLocator locator;
  for (const auto& f : o.data) {
    int before = sources.count();
    rt::load_data_file(*t.snapshot, f, diags, sources);
    for (int id = before; id < sources.count(); ++id) locator.add_data_file(sources, id);
  }
  for (const auto& s : o.sets) {
    auto eq = s.find('=');
    std::string err;
    if (eq == std::string::npos)
      diags.error(Span{}, fmt::format("--set {}: expected NAME=VALUE", s));
    else if (!t.snapshot->set_setting(s.substr(0, eq), s.substr(eq + 1), &err))
      diags.error(Span{}, "--set " + s + ": " + err);
  }
  int64_t today = rt::current_date();
  if (!o.today.empty() && !ir::parse_date(o.today, today))
    diags.error(Span{}, fmt::format("--today {}: expected a date YYYY-MM-DD", o.today));
  if (o.format == "xlsx" && o.output.empty())
    diags.error(Span{}, "--format xlsx needs --output FILE");
  if (!diags.has_errors() && !o.add_to_all.empty())
    add_to_all_profiles(*t.snapshot, *t.compiled->policy, o.add_to_all, diags);
  if (diags.has_errors()) {
    std::cerr << diags.render_text(sources, isatty(2));
    return 2;
  }

  const ir::Policy& policy = *t.compiled->policy;
  if (o.list) {
    sim::Table list = sim::report_list(policy);
    list.notes.push_back("built in: " + builtin_kinds());
    return write_tables(o, {list});
  }
  if (int32_t r = policy.find_report(o.kind); r >= 0)
    return run_declared(o, policy, *t.snapshot, policy.reports[static_cast<size_t>(r)], today,
                        locator, sources);
  const ReportKind* kind = nullptr;
  for (const auto& k : report_kinds())
    if (o.kind == k.name) kind = &k;
  if (!kind) {
    std::cerr << fmt::format("error: report {}: no such report kind; the policy declares: {}; "
                             "built in: {} (keyplan report --list POLICY)\n",
                             sim::terminal_safe(o.kind), declared_kinds(policy), builtin_kinds());
    return 2;
  }
  sim::CheckRun findings;
  Diagnostics checks;
  // The policy's declared checks (docs/checks.md), for the checks table and
  // stderr.
  if (kind->fm || std::string(kind->name) == "checks") {
    findings = sim::run_checks(policy, *t.snapshot, locator, today);
    checks = sim::check_diagnostics(findings);
  }
  ReportInput in{policy, *t.snapshot, today, o, findings, sources, {}};
  std::vector<sim::Table> tables = kind->build(in);
  if (!in.error.empty()) {
    std::cerr << "error: report " << o.kind << ": " << in.error << "\n";
    return 2;
  }
  std::cerr << checks.render_text(sources, isatty(2));
  if (int st = write_tables(o, tables)) return st;
  if (checks.has_errors()) return 1;
  if (o.strict && checks.warning_count() > 0) return 1;
  return 0;
}

} // namespace

void add_report_command(CLI::App& app, int& status) {
  auto opts = std::make_shared<ReportOpts>();
  std::string help = "Report kind: one the policy declares (see --list), or built in:";
  for (const auto& k : report_kinds()) help += fmt::format("\n  {:<22} {}", k.name, k.help);
  auto* cmd =
      app.add_subcommand("report", "Build a report (matrices, dashboard, access) as tables");
  cmd->add_option("kind", opts->kind, help);
  cmd->add_option("policy", opts->policy, "Policy file (.kp) or module name");
  cmd->add_flag("--list", opts->list,
                "List the report kinds the policy declares, with their doc comments");
  cmd->add_option("--data", opts->data, "Tenant data files (YAML)")->allow_extra_args(false);
  cmd->add_option("--set", opts->sets, "Override a setting: NAME=VALUE")->allow_extra_args(false);
  cmd->add_option("--today", opts->today, "The evaluation date (YYYY-MM-DD); default: today");
  cmd->add_option("--format", opts->format, "Output format")
      ->check(CLI::IsMember({"table", "csv", "markdown", "json", "xlsx", "html"}));
  cmd->add_option("--output,-o", opts->output,
                  "Write to FILE (required for xlsx; - is standard output)");
  cmd->add_flag("--strict", opts->strict,
                "Exit 1 on check warnings and on required groups in no profile (W-17)");
  cmd->add_option("--user", opts->users,
                  "A report with a table per instance (effective-access: per user): only these "
                  "instances (ids), in this order");
  cmd->add_option("--add-to-all-profiles", opts->add_to_all,
                  "What-if (W-14): add a system group to every customer profile first (the model's "
                  "setting add_to_all_profiles)");
  cmd->add_option("--path", opts->path, "Extra directories to search for imported modules")
      ->allow_extra_args(false);
  cmd->callback([opts, &status]() {
    // `report --list POLICY`: the one positional is the policy.
    if (opts->list && opts->policy.empty()) std::swap(opts->kind, opts->policy);
    if (opts->policy.empty()) {
      std::cerr << (opts->list ? "error: report --list: expected POLICY\n"
                               : "error: report: expected KIND POLICY (or --list POLICY)\n");
      status = 2;
      return;
    }
    status = run(*opts);
  });
}

} // namespace keyplan::cli
