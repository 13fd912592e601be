// `keyplan report roles` (F-R1 – F-R6): for each user with a role, what they
// may administer, as actions × scope, decided by the policy's admin actions.
#pragma once

#include "runtime/snapshot.hpp"
#include "simulator/table.hpp"

#include <cstdint>

namespace keyplan::sim {

std::vector<Table> roles_report(const ir::Policy& policy, const rt::Snapshot& snapshot,
                                int64_t today);

} // namespace keyplan::sim
