#include "cli/world.hpp"

#include "compiler/value.hpp"
#include "runtime/data_loader.hpp"
#include "simulator/text.hpp"

#include <fmt/format.h>
#include <iostream>
#include <unistd.h>

namespace keyplan::cli {

namespace {

// "1st", "2nd", "3rd", "4th", ...
std::string ordinal(size_t n) {
  const char* suffix = n % 100 >= 11 && n % 100 <= 13 ? "th"
                       : n % 10 == 1                  ? "st"
                       : n % 10 == 2                  ? "nd"
                       : n % 10 == 3                  ? "rd"
                                                      : "th";
  return std::to_string(n) + suffix;
}

// One NAME=VALUE item of the command line, and where it was given.
struct NameValue {
  std::string name, value;
  size_t index = 0;
};

// The NAME=VALUE `items` in order. An item without '=' is an error
// (`malformed` words it); a name given twice is an error naming both
// (`repeated` words it): the last one silently winning would decide on
// another request than the one meant.
std::vector<NameValue>
name_values(const std::vector<std::string>& items, Diagnostics& diags,
            const std::function<std::string(size_t)>& malformed,
            const std::function<std::string(size_t, size_t, const std::string&)>& repeated) {
  std::vector<NameValue> out;
  std::map<std::string, size_t> first_at;
  for (size_t i = 0; i < items.size(); ++i) {
    const size_t eq = items[i].find('=');
    if (eq == std::string::npos) {
      diags.error(Span{}, malformed(i));
      continue;
    }
    std::string name = items[i].substr(0, eq);
    auto [it, fresh] = first_at.emplace(name, i);
    if (!fresh)
      diags.error(Span{}, repeated(i, it->second, name));
    else
      out.push_back({std::move(name), items[i].substr(eq + 1), i});
  }
  return out;
}

} // namespace

void add_world_options(CLI::App* cmd, WorldOpts& o) {
  cmd->add_option("--data", o.data, "Tenant data files (YAML)")->allow_extra_args(false);
  cmd->add_option("--set", o.sets, "Override a setting: NAME=VALUE")->allow_extra_args(false);
  cmd->add_option("--today", o.today,
                  "The evaluation date (YYYY-MM-DD); default: the current date");
  cmd->add_option("--path", o.path, "Extra directories to search for imported modules")
      ->allow_extra_args(false);
  cmd->add_option("--engine", o.engine,
                  "Decision engine: jit (native, default) or interp (the reference)")
      ->check(CLI::IsMember({"jit", "interp"}));
}

int load_world(const WorldOpts& o, const std::string& command, World& w,
               const ExtraSources& extra) {
  Diagnostics arg_diags;
  for (const NameValue& nv : name_values(
           o.args, arg_diags,
           [&](size_t i) { return "argument '" + o.args[i] + "': expected name=value"; },
           [&](size_t i, size_t first, const std::string&name) {
             return fmt::format("argument '{}' (the {} name=value) gives '{}' again; the {} "
                                "was '{}'",
                                o.args[i], ordinal(i + 1), name, ordinal(first + 1), o.args[first]);
           }))
    w.args[nv.name] = nv.value;
  sim::RunOptions ro;
  ro.search_path = o.path;
  if (!sim::load_tenant(w.tenant, o.policy, ro)) {
    std::cerr << w.tenant.compiled->diags.render_text(*w.tenant.compiled->sources, isatty(2));
    return 2;
  }
  if (extra && !arg_diags.has_errors()) {
    std::string error;
    ro.extra_files = extra(w.policy(), w.args, error);
    if (!error.empty()) {
      std::cerr << "keyplan " << command << ": error: " << sim::terminal_safe(error) << "\n";
      return 2;
    }
    if (!ro.extra_files.empty() && !sim::load_tenant(w.tenant, o.policy, ro)) {
      // The policy compiled alone: only the errors the extra source brought
      // matter (its warnings, e.g. a synthetic rule "never used", are noise).
      Diagnostics errors;
      for (const Diagnostic& d : w.tenant.compiled->diags.items())
        if (d.severity == Severity::Error) errors.add(d);
      std::cerr << errors.render_text(*w.tenant.compiled->sources, isatty(2));
      return 2;
    }
  }
  Diagnostics diags;
  for (const auto& f : o.data)
    rt::load_data_file(*w.tenant.snapshot, f, diags, *w.tenant.compiled->sources);
  for (const NameValue& nv : name_values(
           o.sets, diags, [&](size_t i) { return "--set " + o.sets[i] + ": expected NAME=VALUE"; },
           [&](size_t i, size_t first, const std::string&name) {
             return fmt::format("--set {} (the {} --set) sets '{}' again; the {} "
                                "--set was {}",
                                o.sets[i], ordinal(i + 1), name, ordinal(first + 1), o.sets[first]);
           })) {
    std::string err;
    if (!w.tenant.snapshot->set_setting(nv.name, nv.value, &err))
      diags.error(Span{}, "--set " + o.sets[nv.index] + ": " + err);
  }
  w.today = rt::current_date();
  if (!o.today.empty() && !ir::parse_date(o.today, w.today))
    diags.error(Span{}, fmt::format("--today {}: expected a date YYYY-MM-DD", o.today));
  if (diags.has_errors() || arg_diags.has_errors()) {
    std::cerr << diags.render_text(*w.tenant.compiled->sources, isatty(2))
              << arg_diags.render_text(*w.tenant.compiled->sources, isatty(2));
    return 2;
  }
  engine::parse_kind(o.engine, w.engine);
  return 0;
}

} // namespace keyplan::cli
