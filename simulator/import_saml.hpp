// `keyplan import saml-groups`: external groups from the SAML2 `memberOf`
// attribute (DOMAIN F-G2). Two inputs (docs/import.md "SAML memberOf"):
//
// - a mapping file (YAML): a map from an IdP attribute value (e.g. an LDAP
//   DN) to the keyplan id of an external group;
// - a user list (CSV or XLSX, read like the user import's tables): the
//   columns `Email` (or `E-Mail`) and `memberOf`; a memberOf cell lists
//   values separated by `|` (DNs hold commas); a user may also have several
//   rows, whose values add up.
//
// Each listed user (matched by email, F-I2; an unknown email is a problem)
// ends up in exactly the mapped groups of its values, among the mapping's
// groups; other groups and unlisted users are untouched. A mapped group that
// does not exist is created external; one that exists and is not external is
// a problem. Values without a mapping are counted, not errors.
#pragma once

#include "runtime/snapshot.hpp"
#include "simulator/import_table.hpp"

#include <map>
#include <ostream>
#include <string>
#include <vector>

namespace keyplan::sim {

struct SamlImportResult {
  std::vector<std::string> problems;
  int users = 0, updated = 0, unchanged = 0, groups_created = 0, unmapped_values = 0;
  int memberships_added = 0, memberships_removed = 0;
  std::string new_text;
};

// `mapping`: attribute value -> group id, each with the line it is on.
struct SamlMapping {
  std::map<std::string, std::pair<std::string, int64_t>> groups;
};

// Reads the mapping file's text; false with problems ("map.yaml:LINE:COL: ...").
bool read_saml_mapping(const std::string& name, const std::string& text, SamlMapping& mapping,
                       std::vector<std::string>& problems);

SamlImportResult import_saml_groups(const rt::Snapshot& snap, const std::string& data_text,
                                    const std::string& mapping_name, const SamlMapping& mapping,
                                    const std::string& table_name, const ImportTable& table);

struct SamlImportOptions {
  std::string mapping, users, into;
  std::string policy = "std.desk_booking";
  std::vector<std::string> path;
  bool dry_run = false;
  char separator = 0;
};

int run_saml_import(const SamlImportOptions& o, std::ostream& out, std::ostream& err);

} // namespace keyplan::sim
