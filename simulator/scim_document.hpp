// Reading a SCIM 2.0 ListResponse (RFC 7644 section 3.4.2) of User and Group
// resources (RFC 7643 sections 4.1 and 4.2) with nlohmann_json, for
// `keyplan import scim`. Only what the desk-booking model needs is kept:
//
// - User: `id`; the email (the `emails` entry marked `primary`, else the
//   first, else `userName` when it holds an '@'); the name (`name.formatted`,
//   else `name.givenName` + `name.familyName`, else `displayName`).
//   `active: false` is kept (ScimUser::active); `externalId` is not read.
// - Group: `id`, `displayName`, `members[].value` (the `id`s of User
//   resources of the same document; a member of `type` Group is refused,
//   F-G4 groups are flat).
//
// Limits: at most 64 MiB (checked by the caller), nesting at most 64 deep,
// at most 1,000,000 resources. Every problem is listed, each with where it
// is: "scim.json:3:14: ..." for a syntax error, else a path such as
// "scim.json:Resources[2].emails: ...".
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace keyplan::sim {

struct ScimUser {
  std::string where; // "Resources[2]"
  std::string id, email, name;
  // `active` (RFC 7643 4.1.1; absent: true). DOMAIN and PRODUCT name no
  // inactive user: import_scim imports one like the others and lists it.
  bool active = true;
};

struct ScimGroup {
  std::string where;
  std::string id, display_name;
  std::vector<std::string> members; // User ids of this document
  std::vector<std::string> member_where;
};

struct ScimDocument {
  std::vector<ScimUser> users;
  std::vector<ScimGroup> groups;
};

// False with `problems` filled when the document is not a complete
// ListResponse of valid User and Group resources.
bool read_scim_document(const std::string& name, std::string_view bytes, ScimDocument& doc,
                        std::vector<std::string>& problems);

} // namespace keyplan::sim
