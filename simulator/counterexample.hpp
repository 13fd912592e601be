// Counterexamples of invariants: the decisions an invariant's body makes at a
// failing witness (which action calls, with which arguments, and which of
// them went the wrong way), their explanations, and a scenario YAML that
// `keyplan simulate` replays: the policy, its settings, today, the tenant
// (inline data or data files) and one case per decision, the offending ones
// expecting the value the invariant needed (so the replay fails on them and
// explains them).
#pragma once

#include "compiler/ir.hpp"
#include "runtime/snapshot.hpp"

#include <optional>
#include <set>
#include <string>
#include <vector>

namespace keyplan::sim {

struct DecisionPoint {
  int32_t rule = -1;           // an action
  std::vector<ir::Value> args; // evaluated at the witness
  bool actual = false;
  std::optional<bool> wanted; // set on an offending decision: what the invariant needed
};

// The action calls at the top of the invariant's body (through not, and, or,
// implies, if, ==, !=; not inside quantifiers), evaluated at `witness`.
std::vector<DecisionPoint> decisions_at(const ir::Policy& policy, const rt::Snapshot& snapshot,
                                        const ir::Invariant& inv,
                                        const std::vector<ir::Value>& witness, int64_t today);

// "book(user = mueller, object = TABLE_2, on = 2026-11-23)".
std::string format_decision(const ir::Policy& policy, const rt::Snapshot& snapshot,
                            const DecisionPoint& d);

// The explanations of the offending decisions (all decisions when none is
// marked), rendered as text.
std::string explain_decisions(const ir::Policy& policy, const rt::Snapshot& snapshot,
                              const std::vector<DecisionPoint>& ds, int64_t today);

struct ScenarioSource {
  std::string name;
  std::string policy; // as the scenario writes it: a path relative to the file, or a module
  int64_t today = 0;
  std::vector<std::string> data_files; // written as `data:` file names
  // Inline data: rows at or after first_row[type] of every entity type.
  std::vector<int32_t> first_row;
};

// The file name of an invariant's counterexample: "<slug>.<mode>.yaml", the
// slug being the name in lower-case letters and digits joined by '-' (at
// most 60 characters). Names that map to a file name in `taken` get a
// suffix (-2, -3, ...), so that two invariants never overwrite each
// other's counterexample; the name returned is added to `taken`.
std::string counterexample_file_name(const std::string& invariant, const std::string& mode,
                                     std::set<std::string>& taken);

std::string counterexample_yaml(const ir::Policy& policy, const rt::Snapshot& snapshot,
                                const ir::Invariant& inv, const std::vector<ir::Value>& witness,
                                const std::vector<DecisionPoint>& ds, const ScenarioSource& src);

} // namespace keyplan::sim
