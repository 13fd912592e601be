// Large data files are parsed in chunks (runtime/data_loader.cpp): the
// result must be the same snapshot as parsing the file whole, and errors
// must point at the same line.
#include "compiler/compile.hpp"
#include "runtime/data_loader.hpp"
#include "bench/desk_tenant_gen.hpp"

#include <functional>
#include <gtest/gtest.h>
#include <random>
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

// Cell by cell; empty when equal, else the first difference.
std::string difference(const ir::Policy& p, const rt::Snapshot& a, const rt::Snapshot& b) {
  for (int32_t t = 0; t < b.entity_count(); ++t) {
    const auto& et = p.entities[static_cast<size_t>(t)];
    if (a.count(t) != b.count(t))
      return et.name + " count " + std::to_string(a.count(t)) + " vs " + std::to_string(b.count(t));
    for (int32_t r = 0; r < b.count(t); ++r) {
      if (a.id(t, r) != b.id(t, r)) return et.name + " id " + a.id(t, r) + " vs " + b.id(t, r);
      for (size_t at = 0; at < et.attributes.size(); ++at)
        if (!(a.get(t, r, static_cast<int32_t>(at)) == b.get(t, r, static_cast<int32_t>(at))))
          return et.name + " " + b.id(t, r) + "." + et.attributes[at].name;
    }
  }
  return {};
}

struct Outcome {
  bool loaded = false;
  std::vector<std::string> errors; // "line:col: message"
};

std::vector<std::string> lines_of(const Diagnostics& diags) {
  std::vector<std::string> out;
  for (const auto& d : diags.sorted())
    out.push_back(std::to_string(d.span.line) + ":" + std::to_string(d.span.col) + ": " +
                  d.message);
  return out;
}

// The reference: every document parsed whole by yaml-cpp, loaded in order.
Outcome whole_parse(rt::Snapshot& snap, const std::string& text, SourceManager& sources) {
  Outcome o;
  Diagnostics diags;
  int file = sources.add("tenant.yaml", text);
  std::vector<YAML::Node> docs;
  try {
    docs = YAML::LoadAll(text);
  } catch (const YAML::Exception& e) {
    o.errors.push_back(std::to_string(e.mark.line + 1) + ":" + std::to_string(e.mark.column + 1) +
                       ": invalid YAML: " + e.msg);
    return o;
  }
  rt::Snapshot stage = snap;
  o.loaded = true;
  for (const auto& d : docs)
    if (!d.IsNull() && !rt::load_data(stage, d, file, diags)) {
      o.loaded = false;
      break;
    }
  if (o.loaded) snap = std::move(stage);
  o.errors = lines_of(diags);
  return o;
}

// What load_data makes of `text` (chunked when it can) equals the whole parse.
void expect_same_as_whole_parse(const std::string& text, const std::string& what) {
  SCOPED_TRACE(what);
  Desk d;
  ASSERT_TRUE(d.res.policy);
  ASSERT_GE(text.size(), size_t{1} << 20);
  rt::Snapshot chunked(*d.res.policy), whole(*d.res.policy);
  Diagnostics diags;
  Outcome c;
  c.loaded = rt::load_data(chunked, text, "tenant.yaml", diags, *d.res.sources);
  c.errors = lines_of(diags);
  Outcome w = whole_parse(whole, text, *d.res.sources);
  EXPECT_EQ(c.loaded, w.loaded);
  EXPECT_EQ(c.errors, w.errors);
  EXPECT_EQ(difference(*d.res.policy, chunked, whole), "");
}

// The line of user `u`, e.g. "  - {id: u7, groups: [ALL, g1]}\n".
size_t user_line(const std::string& text, int u) {
  size_t at = text.find("  - {id: u" + std::to_string(u) + ",");
  EXPECT_NE(at, std::string::npos);
  return at;
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
  EXPECT_EQ(difference(*d.res.policy, chunked, whole), "");
}

// An anchor on user 0 and its alias on user 19000, 1.5 MB later: in separate
// chunks, the alias used to fail with "the referenced anchor is not defined".
TEST(DataChunks, AnAnchorAndItsAliasInDifferentChunksLoadAsAWholeParse) {
  std::string text = big_tenant();
  size_t u0 = user_line(text, 0);
  text.replace(text.find("groups: [", u0), 9, "groups: &std [");
  size_t u = user_line(text, 19000);
  size_t open = text.find("groups: [", u), close = text.find(']', open);
  text.replace(open, close + 1 - open, "groups: *std");
  Desk d;
  ASSERT_TRUE(d.res.policy);
  rt::Snapshot snap(*d.res.policy);
  Diagnostics diags;
  ASSERT_TRUE(rt::load_data(snap, text, "tenant.yaml", diags, *d.res.sources))
      << diags.render_text(*d.res.sources);
  int32_t user = d.res.policy->find_entity("User");
  int32_t groups = d.res.policy->entities[static_cast<size_t>(user)].find_attribute("groups");
  EXPECT_TRUE(snap.get(user, snap.find(user, "u19000"), groups) ==
              snap.get(user, snap.find(user, "u0"), groups));
  expect_same_as_whole_parse(text, "anchor in chunk 1, alias in chunk 10");
}

// Differential: files over the chunking threshold with what a splitter
// could get wrong, at random places; the loader must give the whole parse's
// snapshot and errors for each.
TEST(DataChunks, ChunkedEqualsWholeParseOnGeneratedFiles) {
  const std::string base = big_tenant();
  std::mt19937 rng(20261130);
  auto some_user = [&] { return static_cast<int>(rng() % 20000); };
  struct Edit {
    const char* what;
    std::function<void(std::string&)> apply;
  };
  std::vector<Edit> edits = {
      {"anchor and alias far apart",
       [&](std::string& t) {
         int a = some_user() % 1000, b = 15000 + some_user() % 5000;
         size_t at = user_line(t, a);
         t.replace(t.find("groups: [", at), 9, "groups: &g [");
         at = user_line(t, b);
         size_t open = t.find("groups: [", at), close = t.find(']', open);
         t.replace(open, close + 1 - open, "groups: *g");
       }},
      {"alias to an anchor that is not defined",
       [&](std::string& t) {
         size_t at = user_line(t, some_user());
         size_t open = t.find("groups: [", at), close = t.find(']', open);
         t.replace(open, close + 1 - open, "groups: *nowhere");
       }},
      {"a second document revoking a group",
       [&](std::string& t) {
         t += "---\nUser:\n  - {id: u" + std::to_string(some_user()) + ", groups: []}\n";
       }},
      {"comments everywhere",
       [&](std::string& t) {
         for (int k = 0; k < 50; ++k) {
           size_t at = user_line(t, some_user());
           t.insert(at,
                    k % 2 ? "# a comment at column 0\n" : "  # an indented comment - {id: x}\n");
         }
       }},
      {"block-style items",
       [&](std::string& t) {
         for (int k = 0; k < 30; ++k) {
           int u = some_user();
           size_t at = user_line(t, u), end = t.find('\n', at);
           t.replace(at, end - at,
                     "  - id: u" + std::to_string(u) + "\n    name: \"block " + std::to_string(k) +
                         "\"\n    groups:\n      - ALL\n      - g" + std::to_string(k));
         }
       }},
      {"a quoted string over lines that look like items",
       [&](std::string& t) {
         size_t at = user_line(t, some_user());
         t.insert(at, "  - {id: multi, name: \"first line\n  - {id: not_an_item}\n  end\"}\n");
       }},
      {"a flow-style top level",
       [&](std::string& t) { t += "Building: [{id: flowb, groups: [ALL]}]\n"; }},
      {"a type given twice", [&](std::string& t) { t += "User:\n  - {id: again}\n"; }},
      {"an unknown type without items", [&](std::string& t) { t += "Usr:\nFloor:\n"; }},
      {"a duplicate key in an item",
       [&](std::string& t) {
         size_t at = user_line(t, some_user());
         t.insert(t.find("groups:", at), "name: a, name: b, ");
       }},
      {"an error far down",
       [&](std::string& t) {
         size_t at = user_line(t, 10000 + some_user() % 10000);
         t.insert(t.find("groups:", at), "grups: [ALL], ");
       }},
  };
  for (const Edit& e : edits) {
    std::string text = base;
    e.apply(text);
    expect_same_as_whole_parse(text, e.what);
  }
  // All of them in one file (where they do not exclude each other).
  std::string text = base;
  for (size_t i : {0u, 2u, 3u, 4u, 5u}) edits[i].apply(text);
  expect_same_as_whole_parse(text, "together");
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
