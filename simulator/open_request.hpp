// Requests with open parameters (`search`, `matrix`, and the service later):
// an action and some name=value arguments, with one or two entity parameters
// left open. Resolution goes through rt::resolve_request (the same overload
// choice, defaults and error messages as `decide`); each open parameter is
// bound to a placeholder instance that the column engine replaces.
#pragma once

#include "runtime/request.hpp"

#include <map>
#include <string>
#include <vector>

namespace keyplan::sim {

struct OpenRequest {
  rt::ResolvedRequest req;    // req.args[open[i]] is a placeholder
  std::vector<int32_t> open;  // parameter indexes, in the order asked for
  std::vector<int32_t> types; // the open parameters' entity types
  std::string error;          // set when it did not resolve (bad input)
  bool ok() const { return error.empty(); }
};

// The open parameter of `action` given the argument names alone (policy only,
// no data): the parameter that every overload accepting these names leaves
// open (a plain entity parameter without default). Empty with `error` set
// when there is none, several, or the action or a name is unknown.
struct OpenParam {
  std::string name;
  int32_t type = -1; // entity type
};

// An open parameter as the command line names it: NAME, NAME:TYPE or TYPE
// (an entity type that exactly one parameter name of the action's overloads
// has). The type chooses among overloads that differ only in the open
// parameter's type: see(user: User, target: Building) and see(user: User,
// target: Floor) are `target:Building` and `target:Floor`.
struct OpenSpec {
  std::string name;
  int32_t type = -1; // entity type, -1: any
};
bool parse_open_spec(const ir::Policy& policy, const std::string& action, const std::string& text,
                     OpenSpec& out, std::string& error);

// `spec`, when given, names the open parameter (search --open).
OpenParam find_open_param(const ir::Policy& policy, const std::string& action,
                          const std::map<std::string, std::string>& args, std::string& error,
                          const OpenSpec* spec = nullptr);

// Resolves `action` with `args` given and `open` left open: `open` empty means
// "the one entity parameter left open" (search); else the named parameters
// (search --open; matrix: rows, cols; each an OpenSpec), which must be entity
// parameters not given.
OpenRequest resolve_open(const ir::Policy& policy, const rt::Snapshot& snapshot,
                         const std::string& action, const std::map<std::string, std::string>& args,
                         std::vector<std::string> open, int64_t today);

} // namespace keyplan::sim
