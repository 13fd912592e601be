// Directory annotations (docs/language.md "Directory annotations"): the
// roles the user import, the identity-provider imports, the exports and the
// what-ifs of a tenant's user directory look attributes up by, so that C++
// never names a model's User, email or Group (issue 13) and another model
// can give them its own names:
//   @import_key                   the user's email, the key of every import (F-I2)
//   @display_name                 the user's name (F-I3: required by the import)
//   @membership                   the user's stored groups, set<G> (F-G1)
//   @identity_provider(ext, int)  on G's enum attribute: the member marking a
//                                 group of the identity provider, and the one a
//                                 detached group gets (F-G2)
//   @effective_membership         on a rule (u: U): set<G>: the groups a user is
//                                 in, derived ones included (exports list them)
// The entity with the @import_key attribute is the directory's user type; the
// element type of its @membership attribute is the group type.
#include "compiler/sema_context.hpp"

#include <fmt/format.h>

namespace keyplan::sema {
namespace {

const char* const kKey = "import_key";
const char* const kName = "display_name";
const char* const kMembership = "membership";
const char* const kProvider = "identity_provider";
const char* const kEffective = "effective_membership";

} // namespace

bool Context::attribute_annotation(const ast::Annotation& an, ir::Attribute& attr) {
  const std::string& n = an.name.text;
  const auto& types = policy.types;
  if (n == "column") {
    // @column("Email", "E-Mail"): the headers `keyplan import` maps to this
    // attribute (F-I1).
    if (an.args.empty())
      diags.error(an.span, "@column needs at least one column header",
                  "e.g. @column(\"Email\", \"E-Mail\")");
    for (const auto& c : an.args) attr.columns.push_back(c);
    return true;
  }
  if (n == kEffective) {
    diags.error(an.span, "@effective_membership belongs on a rule",
                "e.g. @effective_membership rule groups_of(u: User): set<Group> = ...");
    return true;
  }
  if (n != kKey && n != kName && n != kMembership && n != kProvider) return false;
  if (n != kProvider && !an.args.empty())
    diags.error(an.span, fmt::format("@{} takes no arguments", n));
  if (attr.type == ir::TypeTable::kError) return true;
  if (n == kKey || n == kName) {
    if (attr.type != ir::TypeTable::kString) {
      diags.error(an.span, fmt::format("@{} needs a string attribute", n),
                  fmt::format("'{}' is '{}'", attr.name, type_name(attr.type)));
      return true;
    }
    (n == kKey ? attr.import_key : attr.display_name) = true;
    return true;
  }
  if (n == kMembership) {
    if (!types.is_set(attr.type) || entity_of(types[attr.type].elem) < 0) {
      diags.error(an.span, "@membership needs a set of an entity type (the user's groups)",
                  fmt::format("'{}' is '{}'", attr.name, type_name(attr.type)));
      return true;
    }
    attr.membership = true;
    return true;
  }
  // @identity_provider(external, internal)
  const auto& ty = types[attr.type];
  if (ty.kind != ir::TypeKind::Enum) {
    diags.error(an.span, "@identity_provider needs an enum attribute (the kind of a group)",
                fmt::format("'{}' is '{}'", attr.name, type_name(attr.type)));
    return true;
  }
  if (an.args.size() != 2) {
    diags.error(an.span, "@identity_provider needs two members of the enum",
                "the one marking a group of the identity provider, then the one a detached "
                "group gets, e.g. @identity_provider(external, internal)");
    return true;
  }
  const auto& members = policy.enums[static_cast<size_t>(ty.ref)].members;
  int64_t ord[2] = {-1, -1};
  for (size_t i = 0; i < 2; ++i) {
    for (size_t m = 0; m < members.size(); ++m)
      if (members[m] == an.args[i]) ord[i] = static_cast<int64_t>(m);
    if (ord[i] < 0)
      diags.error(an.span,
                  fmt::format("@identity_provider: '{}' is not a member of '{}'", an.args[i],
                              type_name(attr.type)),
                  did_you_mean(an.args[i], members));
  }
  if (ord[0] >= 0 && ord[0] == ord[1])
    diags.error(an.span, "@identity_provider needs two different members");
  if (ord[0] >= 0 && ord[1] >= 0 && ord[0] != ord[1]) {
    attr.idp_external = ord[0];
    attr.idp_internal = ord[1];
  }
  return true;
}

void Context::check_directory() {
  // At most one attribute per role and entity; one @import_key in the policy.
  const ir::Attribute* key = nullptr;
  for (size_t e = 0; e < policy.entities.size(); ++e) {
    const auto& ent = policy.entities[e];
    const ir::Attribute *name = nullptr, *groups = nullptr, *provider = nullptr;
    auto once = [&](const ir::Attribute*& seen, const ir::Attribute& a, const char* role) {
      if (seen) {
        diags.error(a.span, fmt::format("entity '{}' has a second @{} attribute", ent.name, role));
        diags.note(seen->span, "the first one");
      } else {
        seen = &a;
      }
    };
    for (const auto& a : ent.attributes) {
      if (a.import_key) {
        if (key) {
          diags.error(a.span, "the policy has a second @import_key attribute",
                      "the directory has one user type and one key");
          diags.note(key->span, "the first one");
        } else {
          key = &a;
        }
      }
      if (a.display_name) once(name, a, kName);
      if (a.membership) once(groups, a, kMembership);
      if (a.idp_external >= 0) once(provider, a, kProvider);
    }
  }
  for (size_t i = 0; i < policy.rules.size(); ++i) {
    bool marked = false;
    for (const auto& an : rules[i].decl->annotations)
      if (an.name.text == kEffective) {
        marked = true;
        if (!an.args.empty()) diags.error(an.span, "@effective_membership takes no arguments");
      }
    if (!marked) continue;
    ir::Rule& r = policy.rules[i];
    const auto& types = policy.types;
    bool ok = r.params.size() == 1 && entity_of(r.params[0].type) >= 0 && types.is_set(r.result) &&
              entity_of(types[r.result].elem) >= 0;
    if (!ok && r.result != ir::TypeTable::kError) {
      diags.error(r.span, "@effective_membership needs a rule of one user: set<group>",
                  fmt::format("'{}' returns '{}'", r.signature, type_name(r.result)));
      continue;
    }
    if (ok) r.effective_membership = true;
  }
}

} // namespace keyplan::sema
