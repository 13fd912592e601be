// simulator/fm_locate: checks point at the place in a data file where an
// instance was last written, in every YAML document of the file (documents
// apply in order, as the data loader applies them).
#include "compiler/compile.hpp"
#include "simulator/fm_locate.hpp"

#include <gtest/gtest.h>

using namespace keyplan;

namespace {

TEST(InstanceLocator, EveryDocumentOfADataFileCountsAndLaterDocumentsWin) {
  CompileResult r = compile_source("t.kp", "entity User {}\n");
  ASSERT_TRUE(r.policy) << r.diags.render_text(*r.sources);
  SourceManager sources;
  const int file = sources.add("d.yaml", "User:\n  - {id: a}\n---\nUser:\n  - {id: b}\n"
                                         "  - {id: a}\n");
  sim::InstanceLocator loc;
  loc.add_data_file(sources, file);
  const int32_t user = r.policy->find_entity("User");
  ASSERT_GE(user, 0);
  const Span b = loc.find(*r.policy, user, -1, "b");
  ASSERT_TRUE(b.valid()) << "an instance of the second document is found";
  EXPECT_EQ(b.line, 5u);
  const Span a = loc.find(*r.policy, user, -1, "a");
  ASSERT_TRUE(a.valid());
  EXPECT_EQ(a.line, 6u) << "the second document's edit is where 'a' was last written";
}

} // namespace
