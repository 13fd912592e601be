// Exports of a tenant's directory (DOMAIN F-G5, F-I1): the users in the user
// import's own columns (so `keyplan export users` then `keyplan import users`
// changes nothing), and the members of one group as a table or in Azure AD's
// bulk-import shape for group members.
#pragma once

#include "runtime/snapshot.hpp"
#include "simulator/table.hpp"

#include <ostream>
#include <string>
#include <vector>

namespace keyplan::sim {

// Every attribute of the directory's user type (@import_key's entity) that
// names an import column (@column), under its
// first column name; one row per user. Cells as the import reads them: sets
// comma-separated (", "), booleans yes/no, entities by id, none as "".
Table users_export_table(const rt::Snapshot& snap);

// The users in group `group_row`: those whose @effective_membership rule
// (std.desk_booking: groups_of, ALL for everyone) or, without one, whose
// @membership attribute lists it. Columns: the user type's name (keyplan
// id), the @display_name's and the @import_key's first @column (User, Name,
// Email). Sorted by id.
Table group_members_table(const rt::Snapshot& snap, int32_t group_row);

// Azure AD's "bulk import group members" CSV: a `version:v1.0` line, the
// header `Member object ID or user principal name [memberObjectIdOrUpn]
// Required`, then one user principal name (the email) per line.
std::string azure_members_csv(const Table& members);

struct ExportOptions {
  std::string what;  // "users" or "group-members"
  std::string group; // group-members: the group id
  std::string policy = "std.desk_booking";
  std::string data; // the tenant data file (optional)
  std::vector<std::string> path;
  std::string format = "csv"; // csv, xlsx; group-members also azure-csv
  std::string output = "-";
};

int run_export(const ExportOptions& o, std::ostream& out, std::ostream& err);

} // namespace keyplan::sim
