// Large data files are parsed in chunks (runtime/data_loader.cpp): the
// result must be the same snapshot as parsing the file whole, and errors
// must point at the same line.
#include "compiler/compile.hpp"
#include "runtime/data_loader.hpp"
#include "simulator/desk_tenant_gen.hpp"

#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

using namespace keyplan;

namespace {

struct Desk {
  CompileResult res = compile_policy("std.desk_booking");
};

std::string big_tenant() {
  sim::DeskTenantShape shape;
  shape.users = 20000; // about 1 MB of YAML: over the chunking threshold
  return sim::generate_desk_tenant(shape);
}

} // namespace

TEST(DataChunks, ChunkedLoadEqualsWholeLoad) {
  Desk d;
  ASSERT_TRUE(d.res.policy);
  std::string text = big_tenant();
  ASSERT_GE(text.size(), size_t{1} << 20);
  rt::Snapshot chunked(*d.res.policy), whole(*d.res.policy);
  Diagnostics diags;
  ASSERT_TRUE(rt::load_data(chunked, text, "tenant.yaml", diags, *d.res.sources))
      << diags.render_text(*d.res.sources);
  int file = d.res.sources->add("tenant-whole.yaml", text);
  ASSERT_TRUE(rt::load_data(whole, YAML::Load(text), file, diags));
  for (int32_t t = 0; t < whole.entity_count(); ++t) {
    ASSERT_EQ(chunked.count(t), whole.count(t));
    const auto& et = d.res.policy->entities[static_cast<size_t>(t)];
    for (int32_t r = 0; r < whole.count(t); ++r) {
      ASSERT_EQ(chunked.id(t, r), whole.id(t, r));
      for (size_t a = 0; a < et.attributes.size(); ++a)
        ASSERT_TRUE(chunked.get(t, r, static_cast<int32_t>(a)) ==
                    whole.get(t, r, static_cast<int32_t>(a)))
            << et.name << " " << whole.id(t, r) << "." << et.attributes[a].name;
    }
  }
}

TEST(DataChunks, ErrorsPointAtTheRightLineAndNothingIsLoaded) {
  Desk d;
  ASSERT_TRUE(d.res.policy);
  std::string text = big_tenant();
  // A typo'd attribute on a user far down the file.
  size_t at = text.find("- {id: u19000,");
  ASSERT_NE(at, std::string::npos);
  text.insert(at + 3, "grups: [ALL], ");
  uint32_t line = 1;
  for (size_t i = 0; i < at; ++i) line += text[i] == '\n';
  uint32_t col = static_cast<uint32_t>(at + 3 - text.rfind('\n', at)); // 1-based
  rt::Snapshot snap(*d.res.policy);
  int32_t users_before = snap.count(d.res.policy->find_entity("User"));
  Diagnostics diags;
  EXPECT_FALSE(rt::load_data(snap, text, "tenant.yaml", diags, *d.res.sources));
  ASSERT_EQ(diags.error_count(), 1) << diags.render_text(*d.res.sources);
  EXPECT_EQ(diags.items()[0].span.line, line);
  EXPECT_EQ(diags.items()[0].span.col, col);
  EXPECT_NE(diags.items()[0].hint.find("groups"), std::string::npos);
  EXPECT_EQ(snap.count(d.res.policy->find_entity("User")), users_before);
}
