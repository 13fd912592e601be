#include "lsp/analysis.hpp"

#include "compiler/parse_hook.hpp"
#include "runtime/interpreter.hpp"
#include "simulator/checks.hpp"

#include <filesystem>

namespace keyplan::lsp {

int Analysis::file_of(const std::string& path) const {
  std::error_code ec;
  auto want = std::filesystem::weakly_canonical(path, ec);
  for (int i = 0; i < sources().count(); ++i) {
    std::error_code ec2;
    if (std::filesystem::weakly_canonical(sources().file(i).path, ec2) == want) return i;
  }
  return -1;
}

const ast::File* Analysis::ast_of(int file) const {
  for (const auto& f : result.files)
    if (f.file_id == file) return &f;
  return nullptr;
}

std::shared_ptr<const Analysis> analyze_document(const std::string& path, const std::string& text,
                                                 const std::vector<std::string>& search_path,
                                                 ParseCache* cache) {
  auto a = std::make_shared<Analysis>();
  CompileOptions co;
  co.search_path = search_path;
  {
    std::optional<ScopedParseHook> hook; // the document itself is file 0: never cached
    if (cache)
      hook.emplace([cache](const SourceManager& sm, int id, Diagnostics& d) {
        return cache->parse(sm, id, d, 0);
      });
    a->result = compile_source(path, text, co);
  }
  a->root_file = 0; // the loader adds the root first
  a->root_parsed = a->ast_of(0) != nullptr;
  a->index.build(a->result.files);
  if (a->result.policy && !a->result.diags.has_errors()) {
    // As `keyplan check` without --data: the checks on the policy's instances.
    const ir::Policy& p = *a->result.policy;
    rt::Snapshot snapshot(p);
    sim::InstanceLocator locator;
    sim::CheckRun run = sim::run_checks(p, snapshot, locator, rt::current_date());
    a->findings = sim::check_diagnostics(run);
  }
  return a;
}

std::string doc_above(std::string_view text, uint32_t line) {
  std::vector<std::string_view> lines;
  size_t start = 0;
  while (start <= text.size()) {
    size_t nl = text.find('\n', start);
    if (nl == std::string_view::npos) nl = text.size();
    lines.push_back(text.substr(start, nl - start));
    start = nl + 1;
  }
  std::vector<std::string> doc;
  for (uint32_t l = line; l >= 2 && l - 2 < lines.size(); --l) {
    std::string_view s = lines[l - 2];
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    if (s.starts_with("///")) {
      s.remove_prefix(3);
      if (!s.empty() && s.front() == ' ') s.remove_prefix(1);
      if (!s.empty() && s.back() == '\r') s.remove_suffix(1);
      doc.insert(doc.begin(), std::string(s));
    } else if (!s.starts_with("@")) {
      break;
    }
  }
  std::string out;
  for (const auto& d : doc) out += (out.empty() ? "" : "\n") + d;
  return out;
}

bool in_standard_library(const std::string& path) {
  std::error_code ec;
  auto p = std::filesystem::weakly_canonical(path, ec).string();
  for (const auto& dir : standard_search_path()) {
    auto d = std::filesystem::weakly_canonical(dir, ec).string();
    if (!d.empty() && p.compare(0, d.size() + 5, d + "/std/") == 0) return true;
  }
  return false;
}

} // namespace keyplan::lsp
