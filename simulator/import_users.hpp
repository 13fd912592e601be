// The product's user import (DOMAIN F-I1..F-I5) applied to a tenant data
// file: a table (simulator/import_table.hpp) against the directory's user
// type of a compiled model (the entity with the @import_key attribute,
// simulator/directory_model.hpp), whose attributes name their columns with
// @column.
//
// - F-I1: headers match an attribute's @column names after trimming and case
//   folding (ASCII and the German umlauts), in any order; an unknown or
//   doubled header is a problem with a did-you-mean. Multi-valued cells (a
//   set attribute: Groups, Roles) list their values separated by commas.
// - F-I2: the @import_key attribute (the email) is the key, compared trimmed and
//   case-insensitively. A new email creates a user whose id is derived from
//   the email (see new_user_id); an existing one is updated.
// - F-I3: a row without an email or a name (@display_name) is a problem.
// - F-I4: an absent column leaves its attribute untouched; an empty cell sets
//   the empty value ("" / false / 0 / [] / none).
// - F-I5: every problem is collected ("users.csv:17:Gruppen: unknown group
//   'Finanse' (did you mean 'Finance'?)"); with one, nothing is produced.
//   Otherwise the new data text: only the `User:` section changes, and in it
//   only the entries of created or updated users (rewritten as one flow map
//   each); comments and layout of everything else stay byte for byte.
#pragma once

#include "runtime/snapshot.hpp"
#include "simulator/import_table.hpp"

#include <map>
#include <string>
#include <vector>

namespace keyplan::sim {

struct UserImportResult {
  std::vector<std::string> problems; // F-I5: all of them; empty = success
  int rows = 0, created = 0, updated = 0, unchanged = 0;
  std::map<std::string, int> changed_per_attribute; // updated users only
  std::vector<std::string> created_ids;
  std::string new_text; // the whole data file after the import
};

// `snapshot` holds the model and the data file already loaded (its text is
// `data_text`); `table_name` prefixes problems.
UserImportResult import_users(const rt::Snapshot& snapshot, const std::string& data_text,
                              const std::string& table_name, const ImportTable& table);

// F-I2: the id of a user created from `email`: the part before '@', lower
// case, every run of characters other than a-z 0-9 as one '_', trimmed of
// '_'; "user" when nothing is left, prefixed "u_" when it starts with a
// digit; "_2", "_3", ... appended while `taken` holds it.
std::string new_user_id(const std::string& email, const std::vector<std::string>& taken);

// The summary printed after a successful import (F-I5).
std::string import_summary(const UserImportResult& r, const std::string& table_name);

} // namespace keyplan::sim
