// A world for `keyplan diff`: a policy with its tenant data, settings and
// evaluation date, loaded into a snapshot (and compiled for the JIT). A world
// is described by a recipe (WorldSpec) so that a what-if file can be applied
// on top of another world: its data edits after the world's data, its
// settings after the world's settings, its `policy:` (a new policy version)
// instead of the world's policy, with the world's data and settings re-applied
// to it.
//
// World files (docs/what-if.md "diff"): a scenario file (policy, settings,
// today, data; `cases` are ignored) or a what-if file in the same override
// format where `policy` is optional. `FILE.yaml#N` picks the N-th document
// of a file with several (without #N: the first, with a warning).
#pragma once

#include "compiler/codegen/jit.hpp"
#include "compiler/compile.hpp"
#include "compiler/diagnostics.hpp"
#include "runtime/snapshot.hpp"
#include "simulator/world_external.hpp"
#include "simulator/yaml_value.hpp"

#include <memory>
#include <optional>
#include <string>
#include <vector>
#include <yaml-cpp/yaml.h>

namespace keyplan::sim {

// One setting override of a recipe: from a world file (a YAML value with
// its place) or from the command line (`--set NAME=VALUE`, text).
struct SettingEdit {
  std::string name;
  std::optional<YamlValue> yaml; // from a file
  Span key;                      // the setting's name in the file
  std::string text;              // from --set
};

// One data step: a data file, or inline data of a world file.
struct DataEdit {
  std::string file; // a data file (resolved path)
  std::optional<YAML::Node> inline_data;
  int file_id = -1;    // inline: the world file's id in the SourceManager
  bool whatif = false; // from a what-if: may not change external groups' members (F-G2)
};

struct WorldSpec {
  std::string label;  // for reports: "example_building.kp", "before.yaml + off.yaml"
  std::string policy; // a .kp path or a module name
  Span policy_span;   // where a world file names it (invalid for the command line)
  std::vector<DataEdit> data;
  std::vector<SettingEdit> settings;
  std::optional<int64_t> today;
  std::vector<Detach> detach; // external groups made internal (F-G2), before what-if data
};

// Whether a BEFORE/AFTER argument names a world file (YAML) rather than a
// policy: it ends in .yaml or .yml, optionally followed by #N.
bool is_world_file(const std::string& arg);

// Reads a world file into `spec`. `whatif`: `policy` may be left out (the
// world it is applied to keeps its own). Errors (file:line:col) go to
// `diags`; false when there were any.
bool read_world_file(const std::string& arg, bool whatif, WorldSpec& spec, SourceManager& sm,
                     Diagnostics& diags);

// `base` with the what-if recipe `edit` applied on top (see above).
WorldSpec apply_whatif(const WorldSpec& base, const WorldSpec& edit);

struct World {
  WorldSpec spec;
  // Shared with the other world when both run the same policy (a what-if
  // without `policy:`): compiled and JIT-compiled once.
  std::shared_ptr<CompileResult> compiled;
  std::unique_ptr<rt::Snapshot> snapshot;
  std::shared_ptr<jit::CompiledPolicy> native; // null: the interpreter decides
  int64_t today = 0;
  // The tables are a copy of the other world's (load_world's `same`), not
  // loaded again: equal Snapshot::data_version.
  bool tables_shared = false;
  const ir::Policy& policy() const { return *compiled->policy; }
};

struct WorldOptions {
  std::vector<std::string> search_path;
  bool jit = true;
};

// Compiles the policy, loads the data and applies the settings. False on any
// error: policy errors are in world.compiled->diags (with its own sources),
// data and settings errors in `diags`.
// `same`, when given and loaded from the same policy, lends its compiled policy,
// and its tables when `spec` names the very same data steps (same files,
// same inline data, same detached groups): they are copied, not loaded again.
bool load_world(World& world, const WorldSpec& spec, const WorldOptions& options, SourceManager& sm,
                Diagnostics& diags, const World* same = nullptr);

} // namespace keyplan::sim
