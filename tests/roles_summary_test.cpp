// Issue 16's paper cut in `keyplan report roles`: on a large tenant a scope
// listed every object on one line of thousands of characters. Many chosen
// locations are summarised by the largest location they fill ("all 30
// objects of building b0"), and a scope lists at most a dozen items.
#include "compiler/compile.hpp"
#include "runtime/snapshot.hpp"
#include "simulator/declared_report.hpp"

#include <gtest/gtest.h>

using namespace keyplan;

namespace {

// Buildings b0, b1 (3 floors of 10 objects each) and b2 (one floor of 20).
std::string big_office() {
  std::string src = "import std.desk_booking\n";
  auto building = [&](const std::string& b, int floors, int objects) {
    src += "Building " + b + " {\n";
    for (int f = 0; f < floors; ++f) {
      src += "  Floor " + b + "_f" + std::to_string(f) + " {\n";
      for (int o = 0; o < objects; ++o)
        src += "    Object " + b + "_f" + std::to_string(f) + "_d" + std::to_string(o) + "\n";
      src += "  }\n";
    }
    src += "}\n";
  };
  building("b0", 3, 10);
  building("b1", 3, 10);
  building("b2", 1, 20);
  src += "User one { roles: [location_manager], managed_locations: [\"b0\"] }\n";
  src += "User two { roles: [location_manager], managed_locations: [\"b0\", \"b1\"] }\n";
  return src;
}

std::string scope(const std::vector<sim::Table>& tables, const std::string& user,
                  const std::string& action) {
  for (const auto& r : tables.at(0).rows)
    if (r[0] == user && r[2] == action) return r[3];
  return "<none>";
}

} // namespace

TEST(RolesReport, ManyObjectsAreSummarisedByLocation) {
  CompileResult r = compile_source("big.kp", big_office());
  ASSERT_TRUE(r.policy) << r.diags.render_text(*r.sources);
  rt::Snapshot snap(*r.policy);
  auto tables = sim::render_declared_report(
      *r.policy, snap, r.policy->reports.at(static_cast<size_t>(r.policy->find_report("roles"))),
      0);
  EXPECT_EQ(scope(tables, "one", "edit_object"), "all 30 objects of building b0");
  EXPECT_EQ(scope(tables, "two", "edit_object"),
            "all except all 20 objects of building b2 (60 of 80)");
  // A few stay listed by name, and every scope stays short.
  EXPECT_EQ(scope(tables, "one", "edit_plan"), "b0_f0, b0_f1, b0_f2");
  for (const auto& row : tables[0].rows) EXPECT_LT(row[3].size(), 1000u) << row[2];
}
