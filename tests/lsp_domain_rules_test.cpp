// The DOMAIN rule catalogue that hovers show beside `@implements` ids.
#include "lsp/domain_rules.hpp"

#include <gtest/gtest.h>

using namespace keyplan::lsp;

TEST(LspDomainRules, ParsesIdsWithContinuationLines) {
  const char* md = "# Title\n"
                   "Intro that mentions **F-X1** but is no rule.\n"
                   "- **F-A3** A user may book a desk\n"
                   "  of their group, today.\n"
                   "- **W-12** Profiles grant licenses.\n"
                   "\n"
                   "  Not a continuation: a blank line ended the rule.\n"
                   "- **not an id** ignored\n"
                   "  nor is this.\n"
                   "- plain bullet\n";
  DomainRules r = parse_domain_rules(md);
  ASSERT_EQ(r.size(), 2u);
  EXPECT_EQ(r.at("F-A3"), "A user may book a desk of their group, today.");
  EXPECT_EQ(r.at("W-12"), "Profiles grant licenses.");
  EXPECT_FALSE(r.contains("F-X1"));
}

TEST(LspDomainRules, RepositoryCatalogueIsFoundAndHasTheCitedIds) {
  const DomainRules& r = domain_rules();
  ASSERT_TRUE(r.contains("F-A4"));
  ASSERT_TRUE(r.contains("W-17"));
  EXPECT_EQ(r.at("F-G4").rfind("Groups are flat", 0), 0u);
}
