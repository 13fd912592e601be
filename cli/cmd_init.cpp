// keyplan init [--model desk_booking|fm_suite] DIR: a starter client
// repository that passes out of the box: a policy, tenant data, a scenario
// and the CI job (docs/ci/keyplan.yml) pointing at them.
#include "cli/commands.hpp"
#include "cli/init_templates.hpp"
#include "simulator/output_file.hpp"
#include "simulator/text.hpp"

#include <filesystem>
#include <iostream>
#include <memory>

namespace keyplan::cli {

namespace {

namespace fs = std::filesystem;

struct InitOptions {
  std::string model = "desk_booking";
  std::string dir;
};

std::string ci_job() {
  std::string ci = kCiTemplate;
  const std::string from = "policies/acme/main.kp", to = "policies/client/main.kp";
  for (size_t at = ci.find(from); at != std::string::npos; at = ci.find(from, at + to.size()))
    ci.replace(at, from.size(), to);
  return ci;
}

int run_init(const InitOptions& o) {
  std::vector<StarterFile> files = starter_files(o.model);
  files.push_back({".github/workflows/keyplan.yml", ci_job()});
  // Never overwrite: a starter goes into a new or empty place.
  for (const auto& f : files) {
    std::error_code ec;
    if (fs::exists(fs::path(o.dir) / f.path, ec)) {
      std::cerr << "keyplan init: error: "
                << sim::terminal_safe((fs::path(o.dir) / f.path).string())
                << " exists; init writes only new files\n";
      return 2;
    }
  }
  for (const auto& f : files) {
    fs::path p = fs::path(o.dir) / f.path;
    std::error_code ec;
    fs::create_directories(p.parent_path(), ec);
    std::string error;
    if (ec || !sim::write_output_file(p.string(), f.text, &error)) {
      std::cerr << "keyplan init: error: cannot write " << sim::terminal_safe(p.string()) << ": "
                << sim::terminal_safe(ec ? ec.message() : error) << "\n";
      return 2;
    }
  }
  const std::string scenario = files[2].path;
  std::cout << "created a " << o.model << " starter in " << sim::terminal_safe(o.dir) << ":\n";
  for (const auto& f : files) std::cout << "  " << f.path << "\n";
  std::cout << "next, in " << sim::terminal_safe(o.dir) << ":\n"
            << "  keyplan check --strict policies/client/main.kp\n"
            << "  keyplan simulate " << scenario << "\n"
            << "  keyplan test policies/client/main.kp --data data/tenant.yaml --scenario "
            << scenario << " --today 2026-11-23\n";
  return 0;
}

} // namespace

void add_init_command(CLI::App& app, int& status) {
  auto o = std::make_shared<InitOptions>();
  auto* cmd = app.add_subcommand(
      "init", "Create a starter client repository: policy, tenant data, scenario and CI job");
  cmd->add_option("--model", o->model, "The standard model to start from (default desk_booking)")
      ->check(CLI::IsMember({"desk_booking", "fm_suite"}));
  cmd->add_option("dir", o->dir, "The directory to create (or an empty one)")->required();
  cmd->callback([o, &status] { status = run_init(*o); });
}

} // namespace keyplan::cli
