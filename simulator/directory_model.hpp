// The user directory of a compiled model, found by its directory annotations
// (docs/language.md "Directory annotations"), never by name: the imports
// (users, SCIM, SAML memberOf), the exports and the read-only external
// groups of a what-if read a model's users and groups through this, so a
// model that calls them Person and Team works as std.desk_booking does.
#pragma once

#include "compiler/ir.hpp"

#include <string>

namespace keyplan::sim {

struct DirectoryModel {
  int32_t user = -1;   // the entity type with the @import_key attribute
  int32_t key = -1;    // its @import_key attribute: the email (F-I2)
  int32_t name = -1;   // its @display_name attribute (F-I3), or -1
  int32_t groups = -1; // its @membership attribute: set<group> (F-G1), or -1
  int32_t group = -1;  // the element type of `groups`
  int32_t kind = -1;   // the group type's @identity_provider attribute (F-G2), or -1
  int64_t external = -1, internal = -1; // its two enum members
  int32_t effective = -1;               // the @effective_membership rule, or -1

  const ir::Attribute& attr(const ir::Policy& p, int32_t entity, int32_t a) const {
    return p.entities[static_cast<size_t>(entity)].attributes[static_cast<size_t>(a)];
  }
};

DirectoryModel directory_model(const ir::Policy& p);

// What a command needs of the model (bits).
enum DirectoryNeed : unsigned {
  kNeedKey = 1,        // @import_key
  kNeedName = 2,       // @display_name
  kNeedMembership = 4, // @membership
  kNeedExternal = 8,   // @identity_provider on the group type
};

// "" when the model declares every role `need` asks for; else what is missing,
// e.g. "the policy declares no @import_key attribute (...)".
std::string directory_missing(const ir::Policy& p, const DirectoryModel& d, unsigned need);

} // namespace keyplan::sim
