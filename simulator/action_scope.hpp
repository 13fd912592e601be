// What an action allows one actor, over every combination of its other
// parameters: the cells of a report's `rows a in actions(actor: T)` and
// `columns a in actions(actor: T)` (docs/language.md "Reports"). The actions
// are chosen by the shape of their first parameter (its name and type), so
// this file knows no model: the policy's report declaration names them.
#pragma once

#include "runtime/interpreter.hpp"
#include "runtime/snapshot.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace keyplan::sim {

// One parameter's values to try, with their labels.
struct ActionDomain {
  std::vector<rt::RtValue> values;
  std::vector<std::string> labels;
  int32_t entity = -1; // the entity type of an entity parameter
};

struct ScopedAction {
  int32_t rule = -1;
  std::string label;                 // the name, with the parameter types when overloaded
  std::vector<ActionDomain> domains; // one per parameter after the actor
  std::vector<size_t> varying;       // the parameters with more than one value
  std::vector<std::string> fixed;    // "on = 2026-11-23" for single-valued ones
};

// The actions whose first parameter is named `param` and is of entity type
// `actor_type`, in declaration order. An action whose parameters cannot be
// enumerated is left out with a note in `notes`, as are fixed parameters.
std::vector<ScopedAction> scoped_actions(const ir::Policy& policy, const rt::Snapshot& snapshot,
                                         rt::Interpreter& interp, const std::string& param,
                                         int32_t actor_type, int64_t today,
                                         std::vector<std::string>& notes,
                                         std::vector<std::string>& fixed_notes);

// The allowed combinations of an action for one actor.
struct ActionScope {
  size_t allowed = 0, total = 0;
  bool varying = false;
  std::string text; // the allowed combinations, rendered ("nina, adam → it_desk")
  // `allowed(a)`: "yes", or "k/n" when the action has varying parameters.
  std::string count() const;
  // `summary(a)`: "yes", "all", "k/n", or "-" for none.
  std::string summary() const;
};

ActionScope scope_of(rt::Interpreter& interp, const ScopedAction& a, const rt::RtValue& actor,
                     int64_t today);

} // namespace keyplan::sim
