#include "simulator/directory_model.hpp"

#include <fmt/format.h>

namespace keyplan::sim {

DirectoryModel directory_model(const ir::Policy& p) {
  DirectoryModel d;
  for (size_t e = 0; e < p.entities.size() && d.user < 0; ++e)
    for (size_t a = 0; a < p.entities[e].attributes.size(); ++a)
      if (p.entities[e].attributes[a].import_key) {
        d.user = static_cast<int32_t>(e);
        d.key = static_cast<int32_t>(a);
      }
  if (d.user < 0) return d;
  const auto& ue = p.entities[static_cast<size_t>(d.user)];
  for (size_t a = 0; a < ue.attributes.size(); ++a) {
    if (ue.attributes[a].display_name && d.name < 0) d.name = static_cast<int32_t>(a);
    if (ue.attributes[a].membership && d.groups < 0) {
      d.groups = static_cast<int32_t>(a);
      d.group = p.types[p.types[ue.attributes[a].type].elem].ref;
    }
  }
  if (d.group >= 0) {
    const auto& ge = p.entities[static_cast<size_t>(d.group)];
    for (size_t a = 0; a < ge.attributes.size() && d.kind < 0; ++a)
      if (ge.attributes[a].idp_external >= 0) {
        d.kind = static_cast<int32_t>(a);
        d.external = ge.attributes[a].idp_external;
        d.internal = ge.attributes[a].idp_internal;
      }
  }
  // The rule of the user's effective groups, when it takes this user type
  // and yields this group type.
  for (size_t r = 0; r < p.rules.size(); ++r) {
    const auto& rule = p.rules[r];
    if (!rule.effective_membership || rule.params.size() != 1) continue;
    const auto& pt = p.types[rule.params[0].type];
    const auto& rt = p.types[rule.result];
    if (pt.kind == ir::TypeKind::Entity && pt.ref == d.user && rt.kind == ir::TypeKind::Set &&
        p.types[rt.elem].kind == ir::TypeKind::Entity && p.types[rt.elem].ref == d.group) {
      d.effective = static_cast<int32_t>(r);
      break;
    }
  }
  return d;
}

std::string directory_missing(const ir::Policy& p, const DirectoryModel& d, unsigned need) {
  const char* see = "docs/language.md, \"Directory annotations\"";
  if (d.user < 0)
    return fmt::format("the policy declares no @import_key attribute (the users' email, the key "
                       "of the user import, F-I2; {})",
                       see);
  const std::string& user = p.entities[static_cast<size_t>(d.user)].name;
  if ((need & kNeedName) && d.name < 0)
    return fmt::format("the policy's user type '{}' declares no @display_name attribute (the "
                       "user's name, F-I3; {})",
                       user, see);
  if ((need & (kNeedMembership | kNeedExternal)) && d.groups < 0)
    return fmt::format("the policy's user type '{}' declares no @membership attribute (the "
                       "user's groups, F-G1; {})",
                       user, see);
  if ((need & kNeedExternal) && d.kind < 0)
    return fmt::format("the policy's group type '{}' declares no @identity_provider attribute "
                       "(which groups the identity provider manages, F-G2; {})",
                       p.entities[static_cast<size_t>(d.group)].name, see);
  return "";
}

} // namespace keyplan::sim
