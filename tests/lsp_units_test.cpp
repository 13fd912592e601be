// The language server's parts in-process: LSP positions (UTF-16), the
// Content-Length framing, and name resolution of the symbol index.
#include "compiler/format.hpp"
#include "compiler/parse.hpp"
#include "lsp/parse_cache.hpp"
#include "lsp/position.hpp"
#include "lsp/server.hpp"
#include "lsp/symbol_index.hpp"
#include "lsp/transport.hpp"
#include "lsp/uri.hpp"

#include <gtest/gtest.h>
#include <poll.h>
#include <thread>
#include <unistd.h>

namespace keyplan::lsp {
namespace {

TEST(LspPosition, CharactersCountUtf16UnitsOfUmlautsAndEmoji) {
  std::string text = "Group Süd\n// 😀 x\n";
  LineIndex li(text);
  uint32_t x = static_cast<uint32_t>(text.find('x'));
  EXPECT_EQ(li.position(x), (nlohmann::json{{"line", 1}, {"character", 6}})); // 😀 is two units
  EXPECT_EQ(li.offset(1, 6), x);
  uint32_t d = static_cast<uint32_t>(text.find('d'));
  EXPECT_EQ(li.position(d), (nlohmann::json{{"line", 0}, {"character", 8}})); // ü is one unit
  EXPECT_EQ(li.offset(0, 8), d);
  EXPECT_EQ(li.offset(0, 999), static_cast<uint32_t>(text.find('\n'))); // clamped to the line
  EXPECT_EQ(li.offset(99, 0), text.size());
}

TEST(LspUri, PathsWithSpacesAndUmlautsRoundTrip) {
  std::string path = "/tmp/Büro Süd/policy.kp";
  std::string uri = path_to_uri(path);
  EXPECT_EQ(uri, "file:///tmp/B%C3%BCro%20S%C3%BCd/policy.kp");
  EXPECT_EQ(uri_to_path(uri), path);
  EXPECT_EQ(uri_to_path("untitled:Untitled-1"), "");
}

TEST(LspTransport, ReadsFramedMessagesSplitAcrossWritesAndRefusesABadHeader) {
  int in[2], out[2];
  ASSERT_EQ(::pipe(in), 0);
  ASSERT_EQ(::pipe(out), 0);
  Transport t(in[0], out[1]);
  std::string body;
  std::string msg = "Content-Length: 7\r\nContent-Type: x\r\n\r\n{\"a\":1}";
  ASSERT_EQ(::write(in[1], msg.data(), 10), 10); // half a header
  EXPECT_EQ(t.read(body, 0), Transport::Status::Timeout);
  ASSERT_EQ(::write(in[1], msg.data() + 10, msg.size() - 10),
            static_cast<ssize_t>(msg.size() - 10));
  ASSERT_EQ(t.read(body, 1000), Transport::Status::Message);
  EXPECT_EQ(body, "{\"a\":1}");
  ASSERT_TRUE(t.write({{"b", 2}}));
  char buf[64] = {};
  ssize_t n = ::read(out[0], buf, sizeof buf - 1);
  EXPECT_EQ(std::string(buf, static_cast<size_t>(n)), "Content-Length: 7\r\n\r\n{\"b\":2}");
  std::string bad = "Content-Length: lots\r\n\r\n";
  ASSERT_EQ(::write(in[1], bad.data(), bad.size()), static_cast<ssize_t>(bad.size()));
  EXPECT_EQ(t.read(body, 1000), Transport::Status::Bad);
  ::close(in[1]);
  Transport t2(in[0], out[1]);
  EXPECT_EQ(t2.read(body, 1000), Transport::Status::Closed);
  for (int fd : {in[0], out[0], out[1]}) ::close(fd);
}

TEST(LspSymbolIndex, ParametersShadowGlobalsAndQuantifierVariablesAreScoped) {
  SourceManager sm;
  int id = sm.add("t.kp", "setting u: int = 1\n"
                          "rule r(u: int) = u > 0 and any x in [1, 2]: x > u\n"
                          "rule s() = u > 0\n");
  Diagnostics diags;
  auto file = parse_file(sm, id, diags);
  ASSERT_TRUE(file) << diags.render_text(sm);
  std::vector<ast::File> files;
  files.push_back(std::move(*file));
  SymbolIndex index;
  index.build(files);
  const std::string& text = sm.file(id).text;
  // `u` in r's body is r's parameter; in s's body it is the setting.
  const Occurrence* in_r = index.at(id, static_cast<uint32_t>(text.find("u > 0")));
  ASSERT_TRUE(in_r);
  EXPECT_EQ(in_r->kind, SymKind::Local);
  auto defs = index.definitions(*in_r);
  ASSERT_EQ(defs.size(), 1u);
  EXPECT_EQ(defs[0]->span.begin, text.find("(u: int") + 1);
  EXPECT_EQ(index.references(*in_r).size(), 3u); // the parameter, u > 0, x > u
  const Occurrence* in_s = index.at(id, static_cast<uint32_t>(text.rfind("u > 0")));
  ASSERT_TRUE(in_s);
  EXPECT_EQ(in_s->kind, SymKind::Setting);
  EXPECT_EQ(index.references(*in_s).size(), 2u); // the declaration and its use in s
  const Occurrence* x = index.at(id, static_cast<uint32_t>(text.find("x > u")));
  ASSERT_TRUE(x);
  EXPECT_EQ(x->kind, SymKind::Local);
  EXPECT_EQ(index.definitions(*x).size(), 1u);
}

TEST(LspServer, HostileParamsGetAnErrorReplyAndNeverStopTheServer) {
  int out[2];
  ASSERT_EQ(::pipe(out), 0);
  Transport t(-1, out[1]);
  Server server(t, ServerOptions{});
  std::vector<std::string> bodies = {
      R"({"jsonrpc":"2.0","id":1,"method":"initialize","params":{"initializationOptions":{"path":[1,"x"]}}})",
      R"({"jsonrpc":"2.0","method":"textDocument/didOpen","params":{"textDocument":{"uri":"untitled:1","text":"rule r() = 1 +"}}})",
      R"({"jsonrpc":"2.0","method":"textDocument/didChange","params":{"textDocument":{"uri":"untitled:1"},"contentChanges":[{"range":{"start":{"line":-9,"character":99},"end":{"line":999,"character":-1}},"text":"rule r() = true"}]}})",
      R"({"jsonrpc":"2.0","method":"textDocument/didChange","params":{"textDocument":{"uri":"untitled:1"},"contentChanges":"nope"}})",
      R"({"jsonrpc":"2.0","id":2,"method":"textDocument/hover","params":{"textDocument":{"uri":"untitled:1"},"position":{"line":"x","character":0}}})",
      R"({"jsonrpc":"2.0","id":3,"method":"textDocument/hover","params":{"textDocument":{"uri":"untitled:1"},"position":"here"}})",
      R"({"jsonrpc":"2.0","id":{"odd":true},"method":"textDocument/rename","params":{"textDocument":{"uri":"untitled:1"},"position":{"line":0,"character":5}}})",
      R"({"jsonrpc":"2.0","id":5,"method":"textDocument/completion","params":{"textDocument":{"uri":"untitled:1"},"position":{"line":0,"character":1000000}}})",
      R"({"jsonrpc":"2.0","id":6,"method":"textDocument/codeAction","params":{"textDocument":{"uri":"untitled:1"},"context":{"diagnostics":[{"data":"x"},{"message":7}]}}})",
      R"("just a string")",
  };
  for (const auto& b : bodies) EXPECT_NO_THROW(server.handle(b)) << b;
  ::close(out[1]);
  std::string all;
  char buf[4096];
  for (ssize_t n; (n = ::read(out[0], buf, sizeof buf)) > 0;)
    all.append(buf, static_cast<size_t>(n));
  ::close(out[0]);
  // Every request was answered: ids 1..6 (4 is the odd object id) and the string.
  for (const char* id : {"\"id\":1", "\"id\":2", "\"id\":3", "\"id\":{\"odd\":true}", "\"id\":5",
                         "\"id\":6", "\"id\":null"})
    EXPECT_NE(all.find(id), std::string::npos) << id << "\n" << all;
  // The edit clamped into the text: the document is `rule r() = true`, checked
  // without errors (the half expression of the first version is gone).
  EXPECT_NE(all.find("publishDiagnostics"), std::string::npos) << all;
  EXPECT_EQ(all.find(R"("severity":1)"), std::string::npos) << all;
}

TEST(LspParseCache, AModuleUnchangedIsNotParsedAgainAndItsCopyEqualsAFreshParse) {
  std::string std_text =
      "module m\n/// doc\nentity E { a: int = 1 + 2 * 3 }\nrule r(e: E) = e.a > 0\n";
  ParseCache cache;
  SourceManager first;
  first.add("doc.kp", "import m");
  int id1 = first.add("/x/m.kp", std_text);
  Diagnostics d1;
  auto t1 = cache.parse(first, id1, d1);
  ASSERT_TRUE(t1);
  EXPECT_EQ(cache.size(), 1u);
  // A later check: the same module under another file id comes from the
  // cache, equal to a fresh parse, its spans in the new file.
  SourceManager second;
  second.add("doc.kp", "import m");
  second.add("/y/other.kp", "");
  int id2 = second.add("/x/m.kp", std_text);
  Diagnostics d2, fresh_diags;
  auto t2 = cache.parse(second, id2, d2);
  auto fresh = parse_file(second, id2, fresh_diags);
  ASSERT_TRUE(t2 && fresh);
  EXPECT_TRUE(same_ast(*t2, *fresh));
  EXPECT_EQ(t2->file_id, id2);
  EXPECT_EQ(t2->decls[0].name.span.file, id2);
  EXPECT_EQ(t2->decls[1].value->kids[0]->span.file, id2);
  EXPECT_EQ(t2->comments.size(), fresh->comments.size());
  EXPECT_EQ(format_file(*t2, second), format_file(*fresh, second));
  // The document (file 0) is never cached; a changed module is parsed again.
  Diagnostics d3;
  EXPECT_TRUE(cache.parse(second, 0, d3));
  EXPECT_EQ(cache.size(), 1u);
  SourceManager third;
  int id3 = third.add("/x/m.kp", std_text + "rule s(e: E) = true\n");
  auto t3 = cache.parse(third, id3, d3, -1);
  ASSERT_TRUE(t3);
  EXPECT_EQ(t3->decls.size(), 3u);
}

std::string framed(const std::string& body) {
  return "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
}

TEST(LspServer, ChangesInQuickSuccessionAreCheckedOnceWhenTypingPauses) {
  int in[2], out[2];
  ASSERT_EQ(::pipe(in), 0);
  ASSERT_EQ(::pipe(out), 0);
  Transport t(in[0], out[1]);
  ServerOptions o;
  o.debounce_ms = 100;
  Server server(t, o);
  int code = -1;
  std::thread serving([&] { code = server.run(); });
  std::string batch =
      framed(R"({"jsonrpc":"2.0","id":1,"method":"initialize","params":{}})") +
      framed(
          R"({"jsonrpc":"2.0","method":"textDocument/didOpen","params":{"textDocument":{"uri":"untitled:1","version":1,"text":"action a() = tru"}}})");
  for (int v = 2; v <= 4; ++v) // three keystrokes, faster than the debounce
    batch += framed(
        R"({"jsonrpc":"2.0","method":"textDocument/didChange","params":{"textDocument":{"uri":"untitled:1","version":)" +
        std::to_string(v) + R"(},"contentChanges":[{"text":"action a() = true"}]}})");
  ASSERT_EQ(::write(in[1], batch.data(), batch.size()), static_cast<ssize_t>(batch.size()));
  // Read until the diagnostics arrive (bounded: 20 s).
  std::string got;
  for (int i = 0; i < 200 && got.find("publishDiagnostics") == std::string::npos; ++i) {
    pollfd p{out[0], POLLIN, 0};
    if (::poll(&p, 1, 100) > 0) {
      char buf[4096];
      ssize_t n = ::read(out[0], buf, sizeof buf);
      if (n > 0) got.append(buf, static_cast<size_t>(n));
    }
  }
  std::string bye = framed(R"({"jsonrpc":"2.0","id":2,"method":"shutdown"})") +
                    framed(R"({"jsonrpc":"2.0","method":"exit"})");
  ASSERT_EQ(::write(in[1], bye.data(), bye.size()), static_cast<ssize_t>(bye.size()));
  serving.join();
  char buf[4096];
  for (pollfd p{out[0], POLLIN, 0}; ::poll(&p, 1, 0) > 0;) {
    ssize_t n = ::read(out[0], buf, sizeof buf);
    if (n <= 0) break;
    got.append(buf, static_cast<size_t>(n));
  }
  for (int fd : {in[0], in[1], out[0], out[1]}) ::close(fd);
  EXPECT_EQ(code, 0);
  // One check, of the last version: not one per keystroke, not the first text.
  size_t first = got.find("publishDiagnostics");
  ASSERT_NE(first, std::string::npos) << got;
  EXPECT_EQ(got.find("publishDiagnostics", first + 1), std::string::npos) << got;
  EXPECT_NE(got.find(R"("version":4)"), std::string::npos) << got;
  EXPECT_NE(got.find(R"("diagnostics":[])"), std::string::npos) << got;
}

} // namespace
} // namespace keyplan::lsp
