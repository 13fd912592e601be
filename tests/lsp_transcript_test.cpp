// `keyplan lsp` driven by a scripted JSON-RPC client: each transcript
// tests/data/lsp/NAME.in.jsonl (one message a line; `#` lines are comments;
// "${ROOT}" is the source root; a string "${FILE:path}" is that file's
// text; a line `!BODY` is sent as it is) is framed, piped into the server, and every message it
// writes is compared with NAME.golden.jsonl (absolute paths shown as ${ROOT}).
// KEYPLAN_UPDATE_GOLDEN=1 rewrites the golden files instead.
#include "tests/what_if_support.hpp"

#include <gtest/gtest.h>
#include <map>
#include <nlohmann/json.hpp>
#include <set>

namespace keyplan {
namespace {

using namespace what_if_test;
using nlohmann::json;

std::string replace_all(std::string s, const std::string& from, const std::string& to) {
  for (size_t at = s.find(from); at != std::string::npos; at = s.find(from, at + to.size()))
    s.replace(at, from.size(), to);
  return s;
}

void expand_files(json& j) {
  if (j.is_string()) {
    std::string s = j;
    if (s.starts_with("${FILE:") && s.ends_with("}"))
      j = read(source_root() / s.substr(7, s.size() - 8));
  } else if (j.is_structured()) {
    for (auto& x : j) expand_files(x);
  }
}

// The framed input of a transcript.
std::string frame_input(const std::string& name) {
  std::string in = read(source_root() / "tests/data/lsp" / (name + ".in.jsonl"));
  EXPECT_FALSE(in.empty()) << name;
  std::string out, line;
  std::istringstream lines(in);
  while (std::getline(lines, line)) {
    if (line.empty() || line[0] == '#') continue;
    if (line[0] == '!') { // a raw body, sent as it is (malformed JSON)
      out += "Content-Length: " + std::to_string(line.size() - 1) + "\r\n\r\n" + line.substr(1);
      continue;
    }
    json m = json::parse(replace_all(line, "${ROOT}", source_root().string()));
    expand_files(m);
    if (m.is_object() && !m.contains("jsonrpc")) m["jsonrpc"] = "2.0";
    std::string body = m.dump();
    out += "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
  }
  return out;
}

// The server's messages, one a line, paths made relative to ${ROOT}.
std::string unframe_output(const std::string& raw) {
  std::string out;
  size_t pos = 0;
  while (pos < raw.size()) {
    size_t end = raw.find("\r\n\r\n", pos);
    if (end == std::string::npos) {
      ADD_FAILURE() << "trailing bytes after the last message: " << raw.substr(pos);
      break;
    }
    std::string header = raw.substr(pos, end - pos);
    EXPECT_TRUE(header.starts_with("Content-Length: ")) << header;
    size_t length = std::stoul(header.substr(16));
    std::string body = raw.substr(end + 4, length);
    EXPECT_EQ(body.size(), length);
    out += replace_all(json::parse(body).dump(), source_root().string(), "${ROOT}") + "\n";
    pos = end + 4 + length;
  }
  return out;
}

struct Transcript {
  int code;
  std::string got, golden;
};

Transcript run_transcript(const std::string& name) {
  Scratch scratch;
  fs::path in = scratch.write("in.lsp", frame_input(name));
  Run r = run_keyplan("lsp --debounce 0 < " + quote(in.string()), 60);
  EXPECT_TRUE(r.err.empty()) << r.err;
  std::string got = unframe_output(r.out);
  fs::path golden = source_root() / "tests/data/lsp" / (name + ".golden.jsonl");
  if (std::getenv("KEYPLAN_UPDATE_GOLDEN")) std::ofstream(golden, std::ios::binary) << got;
  return {r.code, got, read(golden)};
}

// Messages of a transcript's output with `method` (notifications) or `id`.
std::vector<json> messages(const std::string& lines) {
  std::vector<json> out;
  std::istringstream in(lines);
  std::string line;
  while (std::getline(in, line)) out.push_back(json::parse(line));
  return out;
}

TEST(LspTranscript, DiagnosticsCarryTheCheckersHintAndAQuickFix) {
  auto t = run_transcript("diagnostics");
  EXPECT_EQ(t.code, 0);
  EXPECT_EQ(t.got, t.golden);
  // Beyond the golden text: the misspelt attribute is reported with the
  // checker's did-you-mean, and the code action replaces it.
  bool diag = false, fix = false;
  for (const auto& m : messages(t.got)) {
    if (m.value("method", "") == "textDocument/publishDiagnostics" &&
        !m["params"]["diagnostics"].empty())
      diag = diag || m["params"]["diagnostics"][0]["data"]["replacement"] == "groups";
    if (m.contains("result") && m["result"].is_array() && !m["result"].empty() &&
        m["result"][0].contains("edit"))
      fix = m["result"][0]["kind"] == "quickfix";
  }
  EXPECT_TRUE(diag);
  EXPECT_TRUE(fix);
}

TEST(LspTranscript, ImportedFilesGetTheirOwnDiagnostics) {
  auto t = run_transcript("imports");
  EXPECT_EQ(t.code, 0);
  EXPECT_EQ(t.got, t.golden);
  // The error lies in the imported module: published for its own URI.
  bool in_shared = false;
  for (const auto& m : messages(t.got))
    if (m.value("method", "") == "textDocument/publishDiagnostics" &&
        m["params"]["uri"].get<std::string>().ends_with("project/shared.kp"))
      for (const auto& d : m["params"]["diagnostics"])
        in_shared = in_shared ||
                    d["message"].get<std::string>().find("unknown_setting") != std::string::npos;
  EXPECT_TRUE(in_shared);
}

TEST(LspTranscript, HoverDefinitionReferencesCompletionAcrossStd) {
  auto t = run_transcript("navigation");
  EXPECT_EQ(t.code, 0);
  EXPECT_EQ(t.got, t.golden);
  std::map<int, json> by_id;
  for (const auto& m : messages(t.got))
    if (m.contains("id") && m["id"].is_number()) by_id[m["id"].get<int>()] = m;
  // The hover of a setting shows its value after the policy's `set`.
  EXPECT_NE(by_id[3]["result"]["contents"]["value"].get<std::string>().find(
                "set<Group> = [Mobile]  // default [ALL]"),
            std::string::npos);
  // The definition of std's `book` is in policies/std/desk_booking.kp.
  EXPECT_TRUE(
      by_id[7]["result"][0]["uri"].get<std::string>().ends_with("/policies/std/desk_booking.kp"));
  // Completion in a rule body: its parameters, instances, enum members,
  // rules and keywords.
  std::set<std::pair<std::string, int>> items;
  for (const auto& i : by_id[13]["result"]["items"])
    items.insert({i["label"].get<std::string>(), i["kind"].get<int>()});
  for (auto want : std::vector<std::pair<std::string, int>>{
           {"u", 6}, {"Mobile", 12}, {"desk_1", 12}, {"desk", 20}, {"it_desk", 3}, {"forall", 14}})
    EXPECT_TRUE(items.count(want)) << want.first;
  // After `o.` only Object's attributes.
  for (const auto& i : by_id[11]["result"]["items"])
    if (i["label"] != "id") {
      EXPECT_TRUE(i["detail"].get<std::string>().starts_with("Object.")) << i;
    }
}

TEST(LspTranscript, FormattingOutlineAndRename) {
  auto t = run_transcript("editing");
  EXPECT_EQ(t.code, 0);
  EXPECT_EQ(t.got, t.golden);
  std::map<int, json> by_id;
  for (const auto& m : messages(t.got))
    if (m.contains("id") && m["id"].is_number()) by_id[m["id"].get<int>()] = m;
  // Renaming office.kp's Group IT edits its three places there, not the
  // other open policy's own Group IT.
  const json& changes = by_id[4]["result"]["changes"];
  ASSERT_EQ(changes.size(), 1u) << changes;
  EXPECT_TRUE(changes.begin().key().ends_with("/office.kp"));
  EXPECT_EQ(changes.begin().value().size(), 3u);
  EXPECT_TRUE(by_id[5].contains("error")); // std's book
  EXPECT_TRUE(by_id[6].contains("error")); // a keyword
  EXPECT_EQ(by_id[2]["result"][0]["newText"],
            "import std.desk_booking\n\nGroup IT\n\nrule r(u: User) = IT in u.groups\n");
}

TEST(LspTranscript, ProtocolErrorsAreAnsweredAndExitFollowsShutdown) {
  auto t = run_transcript("protocol");
  EXPECT_EQ(t.code, 0);
  EXPECT_EQ(t.got, t.golden);
}

TEST(LspTranscript, EndOfInputWithoutShutdownExitsOne) {
  Scratch scratch;
  fs::path in = scratch.write("in.lsp", "Content-Length: 2\r\n\r\n{}");
  what_if_test::Run r = run_keyplan("lsp < " + quote(in.string()), 30);
  EXPECT_EQ(r.code, 1) << show(r);
}

} // namespace
} // namespace keyplan
