// Requests by name: an action and its arguments as text (from the CLI, an
// API call or a scenario), resolved to one action overload and typed
// arguments. Resolution never throws: an unknown action, parameter or id, a
// missing parameter or an ambiguity is a structured error, and a decision on
// a request that does not resolve is a deny with that reason (fail closed).
#pragma once

#include "runtime/interpreter.hpp"
#include "runtime/snapshot.hpp"

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace keyplan::rt {

enum class RequestStatus : uint8_t {
  Ok,
  UnknownAction,    // no action of that name
  NotAnAction,      // a rule, not exposed as an action
  UnknownParameter, // a key that no overload has as a parameter
  MissingParameter, // a parameter without default not given
  BadValue,         // text that is not a value of the parameter's type
  UnknownInstance,  // an id that is not an instance of the parameter's entity type
  NoMatch,          // overloads failed for different reasons (all listed)
  Ambiguous,        // more than one overload matches
};
const char* status_name(RequestStatus s);

struct ResolvedRequest {
  RequestStatus status = RequestStatus::UnknownAction;
  int32_t rule = -1;           // the chosen overload
  std::vector<ir::Value> args; // one per parameter, defaults evaluated
  std::string error;           // why it did not resolve
  std::string param;           // the parameter whose value did not parse, if that was why
  bool ok() const { return status == RequestStatus::Ok; }
};

// Chooses the overload of `action` whose parameter names cover the given
// keys and whose parameters all parse (entity ids must be instances of the
// parameter's type: see(target = first_floor) picks see(user: User, target:
// Floor)). Missing parameters take their defaults, evaluated in an empty
// frame on `today`. Values are parsed as value_text.hpp describes.
ResolvedRequest resolve_request(const ir::Policy& policy, const Snapshot& snapshot,
                                const std::string& action,
                                const std::map<std::string, std::string>& args,
                                int64_t today = current_date());

// One argument as given, converting itself to a parameter's type: text from
// the command line, or a YAML value from a scenario (converted from its
// structure, never through text). Nothing, with `error` set, when it is not a
// value of that type.
using ArgValue = std::function<std::optional<ir::Value>(ir::TypeId type, std::string& error)>;
ResolvedRequest resolve_request(const ir::Policy& policy, const Snapshot& snapshot,
                                const std::string& action,
                                const std::map<std::string, ArgValue>& args,
                                int64_t today = current_date());

// Resolves and evaluates; any resolution error is a deny with the reason in
// Decision::error.
Decision decide(const ir::Policy& policy, const Snapshot& snapshot, const std::string& action,
                const std::map<std::string, std::string>& args, const EvalOptions& options = {});

} // namespace keyplan::rt
