// DOMAIN F-G2 in what-if worlds: the members of an external group are
// read-only (synchronised from the identity provider), so a what-if data
// edit that changes them is refused with where and why; a what-if may
// instead `detach` the group first (it becomes internal), after which its
// members may be edited. docs/what-if.md "External groups".
#pragma once

#include "compiler/diagnostics.hpp"
#include "runtime/snapshot.hpp"

#include <set>
#include <string>
#include <vector>

namespace keyplan::sim {

struct DataEdit;

struct Detach {
  std::string group;
  Span span; // where the what-if names it
};

// Which external groups each user is in (empty when the model declares no
// @membership and @identity_provider, simulator/directory_model.hpp).
struct ExternalMembership {
  std::set<int32_t> external;              // Group rows
  std::vector<std::set<int32_t>> per_user; // User row -> external Group rows
};
ExternalMembership external_membership(const rt::Snapshot& snap);

// After `edit` was loaded: an error at the edited user's entry for every
// user whose external groups differ from `before`, and for every external
// group whose kind the edit changed.
void check_external_unchanged(const rt::Snapshot& snap, const ExternalMembership& before,
                              const DataEdit& edit, const SourceManager& sm, Diagnostics& diags);

// Turns each named external group into an internal one (F-G2). Errors for an
// unknown group (with a did-you-mean) or one that is not external.
void detach_groups(rt::Snapshot& snap, const std::vector<Detach>& detach, Diagnostics& diags);

} // namespace keyplan::sim
