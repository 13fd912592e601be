// The FM-suite model against seed 004 (the FM-suite manual), section by
// section: the readings of issue 11 (items 1-6), each named after the seed
// section and the DOMAIN rule it rests on. The readings are documented in
// docs/fm-suite.md; every test would fail on the model before the reading.
#include "tests/fm_fixture.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>

using namespace keyplan;
using fm_test::Acme;

namespace {

// A customer group that edits buildings but may not be given in a context,
// and a full user who holds nothing about buildings in general.
const char* const kNonContextual =
    "SystemGroup:\n"
    "  - {id: building_admin, description: x, module: buildings_and_areas, min_license: full, "
    "edits: [buildings]}\n"
    "User:\n"
    "  - {id: bert, license: full, default_profile: end_user}\n"
    "ContextAssignment:\n"
    "  - {id: bert_admin_hq, user: bert, group: building_admin, context: hq}\n";

bool has_finding(const std::vector<sim::FmFinding>& findings, const std::string& check,
                 const std::string& subject) {
  return std::any_of(findings.begin(), findings.end(), [&](const sim::FmFinding& f) {
    return f.check == check && f.subject == subject;
  });
}

} // namespace

// s.3.1 / W-9: "a user can be given some of the view and edit system groups
// related to buildings, areas and assets" in a context: any other group
// given there grants nothing, and the check keeps reporting it.
TEST(FmSeed004, S3_1_ContextualAssignmentOfNonContextualGroupGrantsNothing) {
  Acme a(kNonContextual);
  EXPECT_FALSE(a.allows("edit", {{"user", "bert"}, {"subject", "buildings"}, {"at", "hq"}}));
  EXPECT_FALSE(a.allows("view", {{"user", "bert"}, {"subject", "buildings"}, {"at", "hq"}}));
  EXPECT_TRUE(a.allows("context_not_allowed", {{"assignment", "bert_admin_hq"}}));
  EXPECT_TRUE(has_finding(a.findings(), "context_not_allowed", "bert_admin_hq"));
  // A contextual group given in the same place still holds there.
  EXPECT_TRUE(a.allows("edit", {{"user", "fiona"}, {"subject", "buildings"}, {"at", "hq"}}));
}
