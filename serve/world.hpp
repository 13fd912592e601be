// The world a decision service decides on: the compiled policy, the tenant
// data, the settings and the AuthZEN mapping, loaded together and never
// changed afterwards. A reload builds a whole new World aside and swaps the
// pointer (WorldHolder): a request holds the shared_ptr it started with, so
// it finishes on the world it began on and never sees half of a change.
#pragma once

#include "engine/decider.hpp"
#include "serve/mapping.hpp"
#include "simulator/runner.hpp"

#include <atomic>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace keyplan::serve {

// What to load: the command line of `keyplan serve`, kept for reloads.
struct WorldSpec {
  std::string policy;            // a .kp file or a module name
  std::vector<std::string> data; // YAML data files, in order
  std::vector<std::string> sets; // NAME=VALUE setting overrides
  std::string mapping;           // the AuthZEN mapping; "" = next to the policy
  std::vector<std::string> path; // extra module directories
  std::string today;             // YYYY-MM-DD; "" = the current date per request
};

struct HashedFile {
  std::string path;
  std::string hash; // hex FNV-1a 64 of the contents
};

class World {
public:
  sim::Tenant tenant;
  std::unique_ptr<jit::CompiledPolicy> native;
  Mapping mapping;
  std::string hash; // over policy sources, data, settings, mapping and today
  std::vector<HashedFile> policy_files, data_files;
  HashedFile mapping_file;
  std::vector<std::pair<std::string, std::string>> settings; // name, value as given
  int64_t fixed_today = -1;                                  // -1: the current date
  std::string loaded_at;                                     // ISO 8601 UTC
  // Unique per load in this process: what per-thread caches of a world's
  // bindings are keyed by (an address may be reused after a reload).
  uint64_t serial = 0;

  const ir::Policy& policy() const { return *tenant.compiled->policy; }
  const rt::Snapshot& snapshot() const { return *tenant.snapshot; }
  int64_t today() const;
  // One decision. Native actions go to the JIT (lock-free: the shared JIT
  // decider only reads); the rest and explanations to an interpreter taken
  // from a pool (an interpreter is not thread-safe).
  rt::Decision decide(int32_t rule, const std::vector<ir::Value>& args, int64_t today,
                      bool explain) const;

  ~World();

private:
  friend std::shared_ptr<const World> load_world(const WorldSpec&, std::string&);
  std::unique_ptr<engine::Decider> jit_;
  mutable std::mutex pool_mutex_;
  mutable std::vector<std::unique_ptr<engine::Decider>> pool_;
};

// Compiles and loads everything `spec` names; null with `error` (the
// diagnostics as text) when anything fails.
std::shared_ptr<const World> load_world(const WorldSpec& spec, std::string& error);

std::string fnv1a_hex(const std::string& bytes);

// The live world. get() is an atomic copy of the pointer (no mutex on the
// request path); set() replaces it, and the old world is freed when its last
// request ends.
class WorldHolder {
public:
  std::shared_ptr<const World> get() const { return world_.load(std::memory_order_acquire); }
  void set(std::shared_ptr<const World> w) {
    // The old world is freed here, after the swap, not while readers wait.
    std::shared_ptr<const World> old = world_.exchange(std::move(w), std::memory_order_acq_rel);
  }

private:
  std::atomic<std::shared_ptr<const World>> world_;
};

} // namespace keyplan::serve
