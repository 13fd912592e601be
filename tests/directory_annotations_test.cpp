// The directory annotations (docs/language.md "Directory annotations"):
// @import_key, @display_name, @membership, @identity_provider and
// @effective_membership tell the imports, exports and what-ifs which of a
// model's types and attributes are the user directory (issue 13: no C++
// names a std model's User, email or Group). Checked by sema, found by
// sim::directory_model.
#include "compiler/compile.hpp"
#include "simulator/directory_model.hpp"

#include <gtest/gtest.h>

using namespace keyplan;

namespace {

CompileResult compile(const std::string& src) {
  return compile_source("test.kp", src);
}

std::string errors(const CompileResult& r) {
  return r.diags.render_text(*r.sources);
}

const std::string kDirectory = R"(
enum Origin { builtin, local, federated }
entity Team {
  @identity_provider(federated, local) origin: Origin = local
}
entity Person {
  @display_name fullname: string = ""
  @import_key mail: string = ""
  @membership teams: set<Team> = []
}
@effective_membership
rule teams_of(p: Person): set<Team> = p.teams
)";

} // namespace

TEST(DirectoryAnnotations, StdDeskBookingDeclaresItsDirectory) {
  CompileResult r = compile_policy("std.desk_booking");
  ASSERT_TRUE(r.policy) << errors(r);
  const ir::Policy& p = *r.policy;
  sim::DirectoryModel d = sim::directory_model(p);
  ASSERT_GE(d.user, 0);
  EXPECT_EQ(p.entities[static_cast<size_t>(d.user)].name, "User");
  EXPECT_EQ(d.attr(p, d.user, d.key).name, "email");
  EXPECT_EQ(d.attr(p, d.user, d.name).name, "name");
  EXPECT_EQ(d.attr(p, d.user, d.groups).name, "groups");
  EXPECT_EQ(p.entities[static_cast<size_t>(d.group)].name, "Group");
  EXPECT_EQ(d.attr(p, d.group, d.kind).name, "kind");
  const auto& kinds = p.enums[static_cast<size_t>(p.types[d.attr(p, d.group, d.kind).type].ref)];
  EXPECT_EQ(kinds.members[static_cast<size_t>(d.external)], "external");
  EXPECT_EQ(kinds.members[static_cast<size_t>(d.internal)], "internal");
  ASSERT_GE(d.effective, 0);
  EXPECT_EQ(p.rules[static_cast<size_t>(d.effective)].name, "groups_of");
  EXPECT_EQ(sim::directory_missing(p, d, sim::kNeedKey | sim::kNeedName | sim::kNeedExternal), "");
}

TEST(DirectoryAnnotations, RenamedModelIsFoundByAnnotation) {
  CompileResult r = compile(kDirectory);
  ASSERT_TRUE(r.policy) << errors(r);
  const ir::Policy& p = *r.policy;
  sim::DirectoryModel d = sim::directory_model(p);
  ASSERT_GE(d.user, 0);
  EXPECT_EQ(p.entities[static_cast<size_t>(d.user)].name, "Person");
  EXPECT_EQ(d.attr(p, d.user, d.key).name, "mail");
  EXPECT_EQ(d.attr(p, d.user, d.name).name, "fullname");
  EXPECT_EQ(d.attr(p, d.user, d.groups).name, "teams");
  EXPECT_EQ(p.entities[static_cast<size_t>(d.group)].name, "Team");
  EXPECT_EQ(d.external, 2); // federated
  EXPECT_EQ(d.internal, 1); // local
  ASSERT_GE(d.effective, 0);
  EXPECT_EQ(p.rules[static_cast<size_t>(d.effective)].name, "teams_of");
  // No warning "unknown annotation" for any of them.
  EXPECT_EQ(errors(r).find("unknown annotation"), std::string::npos) << errors(r);
}

TEST(DirectoryAnnotations, AModelWithoutThemSaysWhatIsMissing) {
  CompileResult r = compile("entity Member { email: string = \"\" }\n");
  ASSERT_TRUE(r.policy) << errors(r);
  sim::DirectoryModel d = sim::directory_model(*r.policy);
  EXPECT_EQ(d.user, -1);
  EXPECT_NE(sim::directory_missing(*r.policy, d, sim::kNeedKey)
                .find("the policy declares no @import_key attribute"),
            std::string::npos);
  CompileResult no_groups = compile("entity P { @import_key m: string = \"\" }\n");
  ASSERT_TRUE(no_groups.policy) << errors(no_groups);
  sim::DirectoryModel g = sim::directory_model(*no_groups.policy);
  EXPECT_EQ(sim::directory_missing(*no_groups.policy, g, sim::kNeedKey), "");
  EXPECT_NE(sim::directory_missing(*no_groups.policy, g, sim::kNeedExternal)
                .find("user type 'P' declares no @membership attribute"),
            std::string::npos);
}

TEST(DirectoryAnnotations, ImportKeyNeedsAString) {
  CompileResult r = compile("entity P { @import_key m: int = 0 }\n");
  EXPECT_FALSE(r.policy);
  EXPECT_NE(errors(r).find("@import_key needs a string attribute"), std::string::npos) << errors(r);
}

TEST(DirectoryAnnotations, ASecondImportKeyIsAnError) {
  CompileResult r = compile("entity P { @import_key a: string = \"\" }\n"
                            "entity Q { @import_key b: string = \"\" }\n");
  EXPECT_FALSE(r.policy);
  EXPECT_NE(errors(r).find("a second @import_key attribute"), std::string::npos) << errors(r);
}

TEST(DirectoryAnnotations, MembershipNeedsASetOfAnEntity) {
  CompileResult r = compile("entity P { @membership g: set<string> = [] }\n");
  EXPECT_FALSE(r.policy);
  EXPECT_NE(errors(r).find("@membership needs a set of an entity type"), std::string::npos)
      << errors(r);
}

TEST(DirectoryAnnotations, IdentityProviderNamesTwoMembersOfTheEnum) {
  CompileResult typo =
      compile("enum K { internal, external }\n"
              "entity G { @identity_provider(externel, internal) k: K = internal }\n");
  EXPECT_FALSE(typo.policy);
  EXPECT_NE(errors(typo).find("'externel' is not a member of 'K'"), std::string::npos)
      << errors(typo);
  EXPECT_NE(errors(typo).find("external"), std::string::npos) << errors(typo);
  CompileResult one = compile("enum K { internal, external }\n"
                              "entity G { @identity_provider(external) k: K = internal }\n");
  EXPECT_FALSE(one.policy);
  EXPECT_NE(errors(one).find("@identity_provider needs two members"), std::string::npos)
      << errors(one);
  CompileResult not_enum = compile("entity G { @identity_provider(a, b) k: string = \"\" }\n");
  EXPECT_FALSE(not_enum.policy);
  EXPECT_NE(errors(not_enum).find("@identity_provider needs an enum attribute"), std::string::npos)
      << errors(not_enum);
}

TEST(DirectoryAnnotations, EffectiveMembershipNeedsAUsersGroups) {
  CompileResult r = compile("entity P { n: int = 0 }\n"
                            "@effective_membership\nrule r(p: P): int = p.n\n");
  EXPECT_FALSE(r.policy);
  EXPECT_NE(errors(r).find("@effective_membership needs a rule of one user: set<group>"),
            std::string::npos)
      << errors(r);
  CompileResult on_attr = compile("entity P { @effective_membership n: int = 0 }\n");
  EXPECT_FALSE(on_attr.policy);
  EXPECT_NE(errors(on_attr).find("@effective_membership belongs on a rule"), std::string::npos)
      << errors(on_attr);
}
