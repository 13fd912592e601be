// `keyplan import scim`: a SCIM ListResponse (simulator/scim_document.hpp)
// applied to a tenant data file (DOMAIN F-G2, F-I2, F-I5), on the model's
// user directory as its annotations declare it (simulator/directory_model.hpp;
// std.desk_booking's names below).
//
// - Users are matched by email (F-I2: trimmed, case-insensitive); a new one
//   is created with new_user_id's rule; an existing one gets the SCIM name.
// - Each SCIM Group is an **external** group (Group.kind = external) whose
//   keyplan id comes from its displayName (group_id_for); a new one is added
//   to the data file's Group section. A group of that id that exists and is
//   not external (internal, detached, or system) is a problem: the identity
//   provider cannot take it over.
// - Membership (stored on User.groups): for every user, the groups of the
//   document are exactly the ones listing them; other groups are untouched.
// - An external group of the data or the policy that the document no longer
//   holds is reported and kept with its members (never silently dropped).
// - Every problem at once; with one, nothing is produced (F-I5).
#pragma once

#include "runtime/snapshot.hpp"
#include "simulator/scim_document.hpp"

#include <string>
#include <vector>

namespace keyplan::sim {

struct ScimImportResult {
  std::vector<std::string> problems;
  int users_created = 0, users_updated = 0, users_unchanged = 0;
  int groups_created = 0, groups_kept = 0;
  int memberships_added = 0, memberships_removed = 0;
  std::vector<std::string> created_users, created_groups;
  // External groups no longer in the document: "Sales_Munich (3 members)".
  std::vector<std::string> vanished_groups;
  int users_not_in_document = 0;
  // Users the document marks `active: false` (keyplan ids): imported like
  // the others and listed in the summary (the spec names no inactive user).
  std::vector<std::string> inactive_users;
  std::string new_text;
};

ScimImportResult import_scim(const rt::Snapshot& snapshot, const std::string& data_text,
                             const std::string& name, const ScimDocument& doc);

std::string scim_summary(const ScimImportResult& r, const std::string& name);

// The keyplan id of an external group from its SCIM displayName: every run of
// characters other than A-Z a-z 0-9 as one '_', trimmed of '_', case kept;
// "g_" in front when it starts with a digit, "group" when nothing is left.
std::string group_id_for(const std::string& display_name);

struct ScimImportOptions {
  std::string file;
  std::string into; // empty: the data goes to stdout, starting from no data
  std::string policy = "std.desk_booking";
  std::vector<std::string> path;
  bool dry_run = false;
};

int run_scim_import(const ScimImportOptions& o, std::ostream& out, std::ostream& err);

} // namespace keyplan::sim
