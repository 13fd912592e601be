// The fast path of data loading (runtime/data_fast.hpp) against the
// reference loader: random tenants with random mutations load to the same
// snapshot cell for cell, or are refused with the same diagnostics; the
// plain shape (a generated tenant) takes the fast path. No timing here:
// speed is `keyplan bench load`'s (docs/performance.md).
#include "compiler/compile.hpp"
#include "runtime/data_loader.hpp"
#include "runtime/snapshot_compare.hpp"
#include "bench/desk_tenant_gen.hpp"
#include "test_support.hpp"

#include <filesystem>
#include <fstream>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <rapidcheck.h>
#include <sstream>

using namespace keyplan;

namespace {

// Optional types, dates, an enum with a member named `none`, sets of every
// storage kind, a parent chain and a required attribute.
const char* kPolicy = R"(
enum Color { red, green, none }
entity Site { n: int = 0 }
entity Area {
  parent up: Area?
  site: Site?
  label: string?
  on: date?
  size: int?
  color: Color?
  colors: set<Color> = []
  tags: set<string> = []
  days: set<date> = []
  sites: set<Site> = []
  ok: bool = false
  must: int
}
Site home { n: 1 }
)";

struct Outcome {
  bool loaded = false, fast = false;
  std::vector<std::string> diags; // "line:col: message [hint]"
  std::unique_ptr<rt::Snapshot> snap;
};

Outcome load(const ir::Policy& p, const rt::Snapshot& base, const std::string& text,
             bool reference) {
  Outcome o;
  o.snap = std::make_unique<rt::Snapshot>(base);
  Diagnostics diags;
  SourceManager sources;
  rt::LoadInfo info;
  o.loaded = reference ? rt::load_data_reference(*o.snap, text, "t.yaml", diags, sources)
                       : rt::load_data(*o.snap, text, "t.yaml", diags, sources, &info);
  o.fast = info.fast_path;
  for (const auto& d : diags.sorted())
    o.diags.push_back(std::to_string(d.span.line) + ":" + std::to_string(d.span.col) + ": " +
                      d.message + " [" + d.hint + "]");
  (void)p;
  return o;
}

// A scalar written in one of YAML's styles, or a value that may be wrong.
std::string styled(const std::string& s) {
  switch (*rc::gen::inRange(0, 4)) {
  case 0:
    return "'" + s + "'";
  case 1:
    return "\"" + s + "\"";
  default:
    return s;
  }
}

std::string pick(const std::vector<std::string>& v) {
  return v[static_cast<size_t>(*rc::gen::inRange<size_t>(0, v.size()))];
}

std::string list(const std::vector<std::string>& pool) {
  int n = *rc::gen::inRange(0, 4);
  std::string out = "[";
  for (int i = 0; i < n; ++i) out += (i ? ", " : "") + styled(pick(pool));
  return out + "]";
}

// A random tenant for kPolicy, mostly valid: sites s0.., areas a0.. with
// backward and forward references.
std::string random_tenant() {
  int sites = *rc::gen::inRange(0, 5), areas = *rc::gen::inRange(0, 7);
  std::vector<std::string> site_ids{"home"}, area_ids;
  for (int i = 0; i < sites; ++i) site_ids.push_back("s" + std::to_string(i));
  for (int i = 0; i < areas; ++i) area_ids.push_back("a" + std::to_string(i));
  std::vector<std::string> nones{"~", "null", "none", "'none'", "\"\"", ""};
  std::string out = "# a tenant\n";
  auto instance = [&](std::vector<std::pair<std::string, std::string>> kv) {
    bool flow = *rc::gen::arbitrary<bool>();
    std::string s = flow ? "  - {" : "  -";
    for (size_t i = 0; i < kv.size(); ++i) {
      if (flow)
        s += (i ? ", " : "") + kv[i].first + ": " + kv[i].second;
      else
        s += (i ? "    " : " ") + kv[i].first + ": " + kv[i].second + "\n";
    }
    return flow ? s + "}\n" : s;
  };
  std::string site_part = "Site:\n", area_part = "Area:\n";
  for (int i = 0; i < sites; ++i)
    site_part += instance(
        {{"id", "s" + std::to_string(i)}, {"n", pick({"0", "7", "-3", "12345678901", "0", "x"})}});
  for (int i = 0; i < areas; ++i) {
    std::vector<std::pair<std::string, std::string>> kv{{"id", styled(area_ids[size_t(i)])}};
    if (*rc::gen::inRange(0, 10) > 0) kv.emplace_back("must", pick({"1", "0", "-9", "1", "1.5"}));
    if (i > 0 && *rc::gen::inRange(0, 3) == 0)
      kv.emplace_back("up",
                      area_ids[size_t(*rc::gen::inRange(0, i + (i % 3 == 0)))]); // a cycle at times
    std::vector<std::pair<std::string, std::vector<std::string>>> opts{
        {"site", site_ids},
        {"label", {"Müller", "a b", "none", "x#y", "42", "-", "null"}},
        {"on", {"2026-11-23", "2024-02-29", "2026-01-05", "2026-02-30"}},
        {"size", {"3", "-1", "0", "+4", "x"}},
        {"color", {"red", "green", "none", "red", "blue"}},
        {"ok", {"true", "False", "TRUE", "false", "yes"}}};
    for (auto& [k, pool] : opts) {
      int r = *rc::gen::inRange(0, 10);
      // Mostly a valid value; the pools' last entries and some styles are not.
      if (r <= 1) kv.emplace_back(k, styled(pick(pool)));
      if (r >= 2 && r <= 4) kv.emplace_back(k, pool.front());
      if (r == 5) kv.emplace_back(k, pick(nones));
    }
    if (*rc::gen::arbitrary<bool>()) kv.emplace_back("colors", list({"red", "green", "none"}));
    if (*rc::gen::arbitrary<bool>()) kv.emplace_back("tags", list({"x", "y", "none", "a b"}));
    if (*rc::gen::arbitrary<bool>()) kv.emplace_back("days", list({"2026-01-01", "2025-12-31"}));
    if (*rc::gen::arbitrary<bool>()) kv.emplace_back("sites", list(site_ids));
    area_part += instance(kv);
  }
  // Areas first sometimes: site references then point forward.
  return out + (*rc::gen::arbitrary<bool>() ? site_part + area_part : area_part + site_part);
}

// Small edits at random places, mostly ones YAML still parses.
std::string mutate(std::string text) {
  const std::vector<std::string> snippets{" ",
                                          "\n",
                                          "#",
                                          ":",
                                          ",",
                                          "[",
                                          "]",
                                          "{",
                                          "}",
                                          "'",
                                          "\"",
                                          "&a ",
                                          "*a",
                                          "!!str ",
                                          "-",
                                          "~",
                                          "\n---\n",
                                          "\\",
                                          "\t",
                                          "x",
                                          "  ",
                                          "id: a0, ",
                                          "\n  - {id: s0}\n"};
  int n = std::max(0, *rc::gen::inRange(-2, 3)); // none in about half the cases
  for (int i = 0; i < n && !text.empty(); ++i) {
    size_t at = *rc::gen::inRange<size_t>(0, text.size());
    switch (*rc::gen::inRange(0, 4)) {
    case 0:
      text.insert(at, pick(snippets));
      break;
    case 1:
      text.erase(at, 1);
      break;
    case 2: { // a whole line repeated (a duplicate id or key)
      size_t b = text.rfind('\n', at), e = text.find('\n', at);
      b = b == std::string::npos ? 0 : b + 1;
      if (e != std::string::npos) text.insert(b, text.substr(b, e + 1 - b));
      break;
    }
    default:
      text[at] = pick(snippets)[0];
    }
  }
  return text;
}

} // namespace

TEST(DataFastPath, RandomTenantsLoadAsTheReferenceLoaderDoes) {
  CompileResult res = compile_source("t.kp", kPolicy);
  ASSERT_TRUE(res.policy) << res.diags.render_text(*res.sources);
  rt::Snapshot base(*res.policy);
  int fast = 0, runs = 0;
  bool ok = rc::check([&] {
    std::string text = mutate(random_tenant());
    Outcome a = load(*res.policy, base, text, false), b = load(*res.policy, base, text, true);
    ++runs;
    fast += a.fast;
    RC_ASSERT(a.loaded == b.loaded);
    RC_ASSERT(a.diags == b.diags);
    std::string diff = rt::snapshot_difference(*a.snap, *b.snap);
    if (!diff.empty()) RC_FAIL(diff + "\n--- text:\n" + text);
  });
  EXPECT_TRUE(ok);
  // The property is only worth something if the fast path loads many of them.
  // (About one in five is loaded by it; the bound leaves room for chance.)
  EXPECT_GT(fast, runs / 20) << fast << " of " << runs;
}

// An edit file applied to a loaded tenant (ids given before are what-if
// edits): the same snapshot as the reference loader's.
TEST(DataFastPath, EditsOfLoadedInstancesMatchTheReferenceLoader) {
  CompileResult res = compile_source("t.kp", kPolicy);
  ASSERT_TRUE(res.policy);
  rt::Snapshot base(*res.policy);
  Diagnostics d;
  SourceManager sm;
  ASSERT_TRUE(rt::load_data(base, "Site: [{id: s1}]\nArea:\n  - {id: a1, must: 1, site: s1}\n",
                            "t.yaml", d, sm));
  const std::string edit =
      "Area:\n  - {id: a1, label: x, sites: [s1, home]}\n  - {id: a2, must: 2, up: a1}\n"
      "Site:\n  - {id: home, n: 5}\n";
  Outcome a = load(*res.policy, base, edit, false), b = load(*res.policy, base, edit, true);
  ASSERT_TRUE(a.loaded && b.loaded);
  EXPECT_TRUE(a.fast);
  EXPECT_EQ(rt::snapshot_difference(*a.snap, *b.snap), "");
  // Editing one instance twice in a file is an error, reported as before.
  Outcome twice = load(*res.policy, base, "Area:\n  - {id: a1}\n  - {id: a1}\n", false);
  EXPECT_FALSE(twice.loaded);
  EXPECT_FALSE(twice.fast);
  ASSERT_FALSE(twice.diags.empty());
  EXPECT_EQ(twice.diags[0], "3:10: duplicate Area id 'a1' []");
}

// `keyplan gen`'s tenants take the fast path and give the reference
// loader's snapshot; a typo falls back to its did-you-mean at line:col.
TEST(DataFastPath, GeneratedTenantTakesTheFastPathAndErrorsKeepTheirPosition) {
  CompileResult res = compile_policy("std.desk_booking");
  ASSERT_TRUE(res.policy) << res.diags.render_text(*res.sources);
  rt::Snapshot base(*res.policy);
  sim::DeskTenantShape shape;
  shape.users = 300;
  shape.groups = 20;
  shape.buildings = 2;
  shape.floors = 3;
  shape.desks = 10;
  std::string text = sim::generate_desk_tenant(shape);
  Outcome a = load(*res.policy, base, text, false), b = load(*res.policy, base, text, true);
  ASSERT_TRUE(a.loaded && b.loaded);
  EXPECT_TRUE(a.fast);
  EXPECT_EQ(rt::snapshot_difference(*a.snap, *b.snap), "");
  EXPECT_EQ(a.snap->count(res.policy->find_entity("User")), 300);

  size_t at = text.find("groups: [g1");
  ASSERT_NE(at, std::string::npos);
  text.replace(at + 9, 2, "gl");
  Outcome bad = load(*res.policy, base, text, false);
  EXPECT_FALSE(bad.loaded);
  EXPECT_FALSE(bad.fast);
  ASSERT_EQ(bad.diags.size(), 1u);
  EXPECT_NE(bad.diags[0].find("unknown Group 'gl"), std::string::npos) << bad.diags[0];
  EXPECT_NE(bad.diags[0].find("did you mean"), std::string::npos) << bad.diags[0];
}

// Every data file of the fuzz corpus: loaded or refused as by the reference.
TEST(DataFastPath, FuzzCorpusLoadsAsTheReferenceLoaderDoes) {
  CompileResult res = compile_policy("std.desk_booking");
  ASSERT_TRUE(res.policy);
  rt::Snapshot base(*res.policy);
  int files = 0;
  for (const auto& e : std::filesystem::directory_iterator(
           std::filesystem::path(KEYPLAN_TEST_DATA) / "fuzz" / "data")) {
    std::ifstream in(e.path(), std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    Outcome a = load(*res.policy, base, ss.str(), false);
    Outcome b = load(*res.policy, base, ss.str(), true);
    EXPECT_EQ(a.loaded, b.loaded) << e.path();
    EXPECT_EQ(a.diags, b.diags) << e.path();
    EXPECT_EQ(rt::snapshot_difference(*a.snap, *b.snap), "") << e.path();
    ++files;
  }
  EXPECT_GT(files, 5);
}

TEST(SnapshotCompare, NamesTheFirstDifferentCell) {
  CompileResult res = compile_source("t.kp", kPolicy);
  ASSERT_TRUE(res.policy);
  rt::Snapshot a(*res.policy), b(*res.policy);
  EXPECT_EQ(rt::snapshot_difference(a, b), "");
  b.set(res.policy->find_entity("Site"), 0, 0, ir::Value::integer(2));
  EXPECT_EQ(rt::snapshot_difference(a, b), "Site row 0 (home): n differs");
}

// keyplan bench load --format json: counts, figures and the check.
TEST(BenchLoad, JsonReportsCountsFiguresAndTheSameSnapshot) {
  namespace fs = std::filesystem;
  fs::path root = fs::path(KEYPLAN_TEST_DATA).parent_path().parent_path();
  auto r = testing_support::run_command(
      "cd '" + root.string() + "' && '" + KEYPLAN_BINARY +
      "' bench load --format json --users 150 --groups 10 --buildings 2 --floors 2 --desks 5 "
      "2>/dev/null");
  ASSERT_EQ(r.code, 0) << r.out;
  nlohmann::json j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["users"], 150);
  EXPECT_EQ(j["objects"], 20);
  EXPECT_EQ(j["instances"].get<int64_t>(), 10 + 150 + 2 + 4 + 20); // groups besides ALL
  EXPECT_EQ(j["loader"], "fast");
  EXPECT_TRUE(j["fast_path"].get<bool>());
  for (const char* f : {"load_ms", "load_cpu_ms", "peak_rss_mb", "bytes"})
    EXPECT_TRUE(j[f].is_number()) << f;
  EXPECT_EQ(j["check"]["loader"], "reference");
  EXPECT_TRUE(j["check"]["snapshot_equal"].get<bool>());
}
