// What `decide`, `explain`, `search` and `matrix` share: the options that
// name a world (policy, --data, --set, --today, --path, --engine) and the
// name=value items of a request, registered and loaded one way, with the
// same diagnostics for the same mistakes.
#pragma once

#include "engine/decider.hpp"
#include "simulator/runner.hpp"

#include <CLI/CLI.hpp>
#include <functional>
#include <map>
#include <string>
#include <vector>

namespace keyplan::cli {

struct WorldOpts {
  std::string policy;
  std::vector<std::string> data;
  std::vector<std::string> sets;
  std::string today;
  std::vector<std::string> path;
  std::string engine = "jit";
  std::vector<std::string> args; // name=value items
};

// Registers --data, --set, --today, --path and --engine (one value per
// occurrence) on `cmd`.
void add_world_options(CLI::App* cmd, WorldOpts& o);

struct World {
  sim::Tenant tenant;
  int64_t today = 0;
  std::map<std::string, std::string> args;
  engine::Kind engine = engine::Kind::Jit;
  const ir::Policy& policy() const { return *tenant.compiled->policy; }
  rt::Snapshot& snapshot() const { return *tenant.snapshot; }
};

// Given the compiled policy and the request's names, extra sources to
// compile with it (CompileOptions::extra_files), or `error` set (exit 2).
using ExtraSources = std::function<std::vector<std::pair<std::string, std::string>>(
    const ir::Policy&, const std::map<std::string, std::string>& args, std::string& error)>;

// Compiles the policy (again with `extra` sources when it gives any), loads
// data and settings, parses --today and the name=value items. 0, or 2 with
// the diagnostics printed on stderr (`command` prefixes plain errors).
int load_world(const WorldOpts& o, const std::string& command, World& w,
               const ExtraSources& extra = {});

} // namespace keyplan::cli
