// `keyplan diff`: every decision of the chosen actions compared between two
// worlds (simulator/world.hpp), decided a column at a time through
// engine::Engine (its column engine). Worlds may run different policy versions: cells are
// matched by the action's signature (name, parameter names and types) and the
// instance ids (enum members by name); an action, instance or member that
// exists on one side only has no allowed cells on the other side.
//
// Parameters: an entity, enum or bool parameter without a default is
// enumerated (every instance / member of either world); a parameter with a
// default takes it, evaluated in each world (`on = today`). An action with
// any other parameter without a default cannot be enumerated.
#pragma once

#include "simulator/world.hpp"

#include <algorithm>
#include <cstdint>
#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace keyplan::sim {

constexpr uint64_t kDefaultMaxCells = 10'000'000'000ull;

struct DiffOptions {
  std::vector<std::string> actions; // empty: every action that can be enumerated
  // Grouping (docs/what-if.md "diff"): "ATTR" (every parameter whose type has
  // it), "PARAM=ATTR", "PARAM=" (that parameter not grouped), or "none".
  std::vector<std::string> group;
  uint64_t max_cells = kDefaultMaxCells;
  size_t explain = 0; // explain the first N flipped cells on both sides
  // The interpreter re-decides this many cells spread over every action
  // (pseudo-random, the same every run) in each world and must agree with
  // the columns (else DiffResult::disagreement: a bug in keyplan, exit 3).
  size_t cross_check = 256;
  // `--engine interp`: the reference interpreter decides every cell (no
  // set-at-a-time columns, no JIT).
  bool interpreter_only = false;
  // Work avoidance (simulator/diff_skip.cpp): an action equal in both worlds
  // by construction is decided once, and both engines share the inverse
  // indexes when the worlds share their tables. false: everything decided
  // in both worlds (the differential test compares both ways).
  bool skip_unaffected = true;
  // Called now and then with the fraction of columns decided (progress).
  std::function<void(double)> progress;
};

// One enumerated parameter: its values in both worlds on one common axis.
struct DiffAxis {
  std::string param, type; // parameter name, type name ("User", "Role", "bool")
  bool entity = false;
  std::vector<std::string> labels;    // ids / members / false,true; the common order
  std::vector<int64_t> side_value[2]; // per side, per label: row / ordinal, -1 when absent
  std::vector<int32_t> to_common[2];  // per side, per row / ordinal: its label
  int32_t type_ref[2] = {-1, -1};     // entity or enum index per side (-1 absent)
  // Grouping: per side, per label, the group values (indexes into groups).
  std::string group_attr; // "" = not grouped
  std::vector<std::string> groups;
  std::vector<std::vector<uint32_t>> group_of[2];
};

// The changed cells of one tuple of the iterated axes: bitsets over the open
// axis. A side without a change is left empty (a one-way what-if, e.g. a
// setting that only widens access, stores half the words): read the words
// through gained_word / lost_word.
struct FlipRow {
  std::vector<uint32_t> tuple; // one label per axis; the open axis' entry is unused
  std::vector<uint64_t> gained, lost;
  size_t words() const { return std::max(gained.size(), lost.size()); }
  uint64_t gained_word(size_t i) const { return i < gained.size() ? gained[i] : 0; }
  uint64_t lost_word(size_t i) const { return i < lost.size() ? lost[i] : 0; }
};

struct ActionDiff {
  std::string name, signature;
  int32_t rule[2] = {-1, -1}; // the overload in each world, -1 when absent
  std::vector<DiffAxis> axes; // the enumerated parameters, in declaration order
  std::vector<std::pair<std::string, std::string>> defaults[2]; // param, value per side
  std::vector<ir::Value> fixed[2]; // per side, per parameter: its default (others unused)
  std::vector<int> axis_of;        // per parameter: its axis, -1 for a default
  int open = -1;                   // the axis decided as a column; -1: cell by cell
  std::string plan[2];             // how the columns were decided (ColumnPlan::how)
  bool same = false; // equal in both worlds by construction: decided once (same_columns)
  uint64_t cells = 0, allowed[2] = {0, 0}, gained = 0, lost = 0;
  std::vector<FlipRow> flips;
};

struct GroupRow {
  size_t action = 0; // index into DiffResult::actions
  bool gained = true;
  std::vector<int64_t> group;    // per axis: the group value index, -1 not grouped
  std::vector<uint64_t> members; // per axis: distinct instances
  uint64_t cells = 0;
};

struct ChangedClause {
  std::string text, rule;
  bool deciding = false;     // a deciding clause (a reason); else a deepest change (a cause)
  std::string before, after; // the clause's value on each side
  std::vector<std::string> before_details, after_details;
};

struct ExplainedCell {
  size_t action = 0;
  bool gained = true;
  std::vector<std::pair<std::string, std::string>> args; // param, label
  std::string before_text, after_text; // rendered explanations (or why there is none)
  nlohmann::json before_json, after_json;
  std::vector<ChangedClause> changed;
};

struct OnlyInstance {
  std::string type, id;
  int side = 0; // 0: only in BEFORE, 1: only in AFTER
};

struct DiffResult {
  std::string labels[2];
  std::vector<ActionDiff> actions;
  std::vector<std::string> skipped;    // actions left out, and why
  std::vector<OnlyInstance> only;      // instances in one world only
  std::vector<std::string> only_types; // entity types in one world only
  std::vector<GroupRow> groups;
  std::vector<ExplainedCell> explained;
  uint64_t gained = 0, lost = 0;
  size_t cross_checked = 0; // cells re-decided by the interpreter
  std::string disagreement; // the first cell where the columns and the interpreter differ
  bool changed() const { return gained + lost > 0; }
};

// Compares the worlds. False with `error` on bad input (an unknown action or
// grouping attribute, an action that cannot be enumerated, more cells than
// options.max_cells).
bool compute_diff(World& before, World& after, const DiffOptions& options, DiffResult& out,
                  std::string& error);

// The flipped cell `index` of `row` (`open` axis) as parameter = label pairs.
std::vector<std::pair<std::string, std::string>> cell_args(const ActionDiff& a, const FlipRow& row,
                                                           uint32_t open_label);

// The arguments of one cell (a label per axis) in world `side`; false with
// `why` when the action or one of the instances does not exist there.
bool side_args(const ActionDiff& a, const World& w, int side, const std::vector<uint32_t>& labels,
               std::vector<ir::Value>& args, std::string& why);

// Internal steps of compute_diff (simulator/diff_group.cpp, diff_explain.cpp).
bool assign_groups(DiffResult& r, const World* worlds[2], const std::vector<std::string>& specs,
                   std::string& error);
void compute_groups(DiffResult& r);
void explain_cells(DiffResult& r, const World* worlds[2], size_t n);
// Whether `a`'s cells are equal in both worlds by construction: one policy
// (the same overload), the same tables (Snapshot::data_version), the same
// date and defaults, and equal values of every setting the action reads
// through the rules it calls.
bool same_columns(const ActionDiff& a, const World* worlds[2]);

// "Legal: 2 users gain `book` on 1 object of floor first_floor".
std::string group_sentence(const DiffResult& r, const GroupRow& g);

} // namespace keyplan::sim
