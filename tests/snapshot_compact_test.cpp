// The snapshot's compact storage for large tenants (issue 14, 1,000,000
// users under 600 MB): the id index hashing into the ids vector, string
// columns of handles into a pool, room reserved before a load, bitsets
// widened in place, and the count of items the fast loader reserves for.
// Memory itself is `keyplan bench load`'s (docs/performance.md).
#include "compiler/compile.hpp"
#include "runtime/data_chunks.hpp"
#include "runtime/data_loader.hpp"
#include "runtime/id_index.hpp"
#include "runtime/snapshot.hpp"
#include "runtime/snapshot_compare.hpp"
#include "runtime/string_column.hpp"
#include "test_support.hpp"

#include <filesystem>
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

using namespace keyplan;

namespace {

const char* kPolicy = R"(
entity Group { members: set<User> = [] }
entity User {
  name: string = ""
  note: string?
  groups: set<Group> = []
}
Group staff {}
)";

} // namespace

TEST(IdIndex, FindsEveryIdAcrossGrowthAndRefusesDuplicates) {
  std::vector<std::string> ids;
  rt::IdIndex index;
  for (int i = 0; i < 5000; ++i) {
    ids.push_back("u" + std::to_string(i));
    EXPECT_TRUE(index.insert(ids, static_cast<int32_t>(ids.size() - 1)));
  }
  ids.push_back("u17"); // the same id again: the first row keeps it
  EXPECT_FALSE(index.insert(ids, static_cast<int32_t>(ids.size() - 1)));
  EXPECT_EQ(index.size(), 5000u);
  for (int i = 0; i < 5000; ++i) ASSERT_EQ(index.find(ids, "u" + std::to_string(i)), i);
  EXPECT_EQ(index.find(ids, "u5000"), -1);
  EXPECT_EQ(index.find(ids, ""), -1);
  rt::IdIndex empty;
  EXPECT_EQ(empty.find(ids, "u1"), -1);
}

TEST(StringColumn, EmptyCellsNeedNoStringAndEditsKeepOtherCellsReferences) {
  rt::StringColumn c;
  c.assign(3);
  EXPECT_EQ(c[0], "");
  c.set(1, "Herr Müller");
  const std::string& kept = c[1];
  for (size_t i = 0; i < 1000; ++i) { // other cells set: the reference stays valid
    c.resize(c.size() + 1);
    c.set(c.size() - 1, "x" + std::to_string(i));
  }
  EXPECT_EQ(kept, "Herr Müller");
  c.set(1, "");
  EXPECT_EQ(c[1], "");
  c.set(1, "again");
  EXPECT_EQ(c[1], "again");
  EXPECT_EQ(c[0], "");
  EXPECT_EQ(c[1002], "x999");
  rt::StringColumn copy = c;
  copy.set(1, "changed");
  EXPECT_EQ(c[1], "again");
}

// Reserved room: appending instances moves no column (the peak memory of a
// large load is not raised by vectors being copied), and a bitset over the
// growing type widens in place keeping its rows' bits.
TEST(Snapshot, ReserveKeepsColumnsInPlaceWhileInstancesAreAppended) {
  CompileResult res = compile_source("t.kp", kPolicy);
  ASSERT_TRUE(res.policy) << res.diags.render_text(*res.sources);
  const ir::Policy& p = *res.policy;
  rt::Snapshot snap(p);
  const int32_t user = p.find_entity("User"), group = p.find_entity("Group");
  const int32_t members = p.entities[static_cast<size_t>(group)].find_attribute("members");
  std::vector<std::vector<std::string>> first(p.entities.size());
  first[static_cast<size_t>(user)].push_back("u0");
  snap.append(first);
  snap.set(group, 0, members, ir::Value::set({ir::Value::entity(user, 0)}));
  snap.reserve(user, 3000);
  const uint64_t* words = snap.table(group).columns[static_cast<size_t>(members)].words.data();
  const std::string* ids = snap.table(user).ids.data();
  for (int batch = 0; batch < 3; ++batch) {
    std::vector<std::vector<std::string>> more(p.entities.size());
    for (int i = 0; i < 1000; ++i)
      more[static_cast<size_t>(user)].push_back(fmt::format("u{}_{}", batch, i));
    snap.append(more);
  }
  EXPECT_EQ(snap.count(user), 3001);
  EXPECT_EQ(snap.table(group).columns[static_cast<size_t>(members)].words.data(), words);
  EXPECT_EQ(snap.table(user).ids.data(), ids);
  EXPECT_EQ(snap.table(group).columns[static_cast<size_t>(members)].stride, 47u);
  EXPECT_EQ(snap.format(snap.get(group, 0, members)), "[u0]");
  snap.set(group, 0, members, ir::Value::set({ir::Value::entity(user, 3000)}));
  EXPECT_EQ(snap.format(snap.get(group, 0, members)), "[u2_999]");
  EXPECT_EQ(snap.find(user, "u1_500"), 1501);
}

TEST(DataChunks, CountBlockItemsCountsTheItemsOfEachTopLevelKey) {
  std::string text = "# tenant\nGroup:\n  - {id: g1}\n  - id: g2\n    members:\n    - u1\n"
                     "User:\n- {id: u1}\n\n- {id: u2, groups: [g1]}\nEmpty:\n";
  auto counts = rt::count_block_items(text);
  ASSERT_EQ(counts.size(), 3u);
  EXPECT_EQ(counts[0].first, "Group");
  EXPECT_EQ(counts[0].second, 2u); // the nested `- u1` is not an item
  EXPECT_EQ(counts[1].first, "User");
  EXPECT_EQ(counts[1].second, 2u);
  EXPECT_EQ(counts[2].second, 0u);
  // Lines of `-` alone are no instances: the count is capped by the bytes.
  std::string hostile = "User:\n";
  for (int i = 0; i < 800; ++i) hostile += "-\n";
  auto capped = rt::count_block_items(hostile);
  ASSERT_EQ(capped.size(), 1u);
  EXPECT_EQ(capped[0].second, hostile.size() / 8);
}

// The compact storage loads what the reference loader loads: the fast path
// (with its reservation) against the reference, cell for cell.
TEST(Snapshot, CompactStorageLoadsTheSameCellsAsTheReferenceLoader) {
  CompileResult res = compile_source("t.kp", kPolicy);
  ASSERT_TRUE(res.policy);
  std::string text = "Group:\n  - {id: g1, members: [u1, u3]}\nUser:\n";
  for (int i = 0; i < 40; ++i)
    text += fmt::format("  - {{id: u{}, name: {}, note: {}, groups: [{}]}}\n", i,
                        i % 3 ? "\"\"" : "N" + std::to_string(i), i % 2 ? "~" : "\"n\"",
                        i % 4 ? "g1" : "staff, g1");
  rt::Snapshot fast(*res.policy), ref(*res.policy);
  Diagnostics d1, d2;
  rt::LoadInfo info;
  ASSERT_TRUE(rt::load_data(fast, text, "t.yaml", d1, *res.sources, &info))
      << d1.render_text(*res.sources);
  EXPECT_TRUE(info.fast_path);
  ASSERT_TRUE(rt::load_data_reference(ref, text, "t.yaml", d2, *res.sources));
  EXPECT_EQ(rt::snapshot_difference(fast, ref), "");
  const int32_t user = res.policy->find_entity("User");
  EXPECT_EQ(fast.format(fast.get(user, 3, 0)), "\"N3\"");
  EXPECT_EQ(fast.get(user, 1, 1).tag, ir::Value::Tag::None);
}

// keyplan bench load: the peak is the process's (getrusage), in MiB and bytes.
TEST(BenchLoad, ReportsThePeakOfTheWholeProcessInBytes) {
  namespace fs = std::filesystem;
  fs::path root = fs::path(KEYPLAN_TEST_DATA).parent_path().parent_path();
  auto r = testing_support::run_command(
      "cd '" + root.string() + "' && '" + KEYPLAN_BINARY +
      "' bench load --format json --no-check --users 50 --groups 5 --buildings 1 --floors 1 "
      "--desks 2 2>/dev/null");
  ASSERT_EQ(r.code, 0) << r.out;
  nlohmann::json j = nlohmann::json::parse(r.out);
  ASSERT_TRUE(j["peak_rss_bytes"].is_number_integer());
  const double bytes = j["peak_rss_bytes"].get<double>();
  EXPECT_GT(bytes, 1e6);
  EXPECT_NEAR(j["peak_rss_mb"].get<double>(), bytes / 1048576.0, 0.06);
  // The peak is taken right after the load and the current size a moment
  // later: a sanitizer's allocator may grow in between (CI's ASan job saw
  // 0.01 MiB), so allow a few MiB of slack, not an exact bound.
  EXPECT_GE(bytes / 1048576.0 + 4.0, j["rss_after_mb"].get<double>());
}
