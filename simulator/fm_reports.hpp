// The FM suite's reports (DOMAIN.md W-14, W-17, W-18), built from the rules
// of policies/std/fm_suite.kp:
// (the authorization matrix and the user profile matrix are `report`
// declarations of fm_suite.kp now);
// - the profile dashboard: the customer's profiles, required and optional
//   groups in no profile, all active groups;
// - effective access (fm_access.cpp): per user, subject × level with the
//   source of each key and the license caps.
#pragma once

#include "simulator/fm_model.hpp"
#include "simulator/table.hpp"

#include <string>
#include <vector>

namespace keyplan::sim {

// `required_missing` (optional): set when W-17's list is not empty.
std::vector<Table> fm_dashboard(FmModel& model, bool* required_missing = nullptr);
// Every user, or only `users` (ids); unknown ids are reported in `error`.
std::vector<Table> fm_effective_access(FmModel& model, const std::vector<std::string>& users,
                                       std::string* error);

} // namespace keyplan::sim
