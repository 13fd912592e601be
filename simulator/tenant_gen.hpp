// Random tenants for the generative mode of `keyplan test`: inside a
// RapidCheck property, draws instances of every entity type of the policy,
// conforming to its attribute types, and appends them to a snapshot that
// holds the policy's declared instances:
// - per type, 0 .. max_instances new instances (ids `Type_1`, `Type_2`, ...),
//   at least one of every type that another instance must reference;
// - every attribute gets a random value of its type, whatever its default:
//   memberships and whitelists (sets of up to 3 elements), flags, enum members
//   (roles, licenses, statuses, ...), dates (today .. today+30), ints
//   (0 .. 9), strings (empty, "a", or the id of any instance, so that
//   attributes holding ids match), optionals (none one time in three);
// - parents form valid trees: a parent of another type is any instance of
//   it; a parent of the same type is an earlier instance (or none).
// Every draw is a RapidCheck integer, so a failing tenant shrinks: fewer
// instances, smaller sets, none, false, the first member, the first instance.
#pragma once

#include "runtime/snapshot.hpp"

#include <cstdint>
#include <vector>

namespace keyplan::sim {

struct GenOptions {
  int max_instances = 4;
  int64_t today = 0;
};

// Must run inside a RapidCheck property. Returns, per entity type, the row of
// its first generated instance.
std::vector<int32_t> generate_tenant(rt::Snapshot& snapshot, const GenOptions& o);

} // namespace keyplan::sim
