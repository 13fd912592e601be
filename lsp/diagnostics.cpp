#include "lsp/diagnostics.hpp"

#include "lsp/position.hpp"
#include "lsp/uri.hpp"

#include <memory>

namespace keyplan::lsp {

std::string suggested_name(const std::string& hint) {
  constexpr std::string_view kPrefix = "did you mean '";
  size_t at = hint.find(kPrefix);
  if (at == std::string::npos) return {};
  size_t from = at + kPrefix.size(), to = hint.find('\'', from);
  return to == std::string::npos ? std::string{} : hint.substr(from, to - from);
}

std::map<std::string, nlohmann::json> lsp_diagnostics(const Analysis& a,
                                                      const std::string& root_path) {
  const SourceManager& sm = a.sources();
  std::map<int, std::unique_ptr<LineIndex>> lines; // built once per file
  auto range = [&](const Span& s) {
    if (!s.valid()) return LineIndex("").range(0, 0);
    auto& li = lines[s.file];
    if (!li) li = std::make_unique<LineIndex>(sm.file(s.file).text);
    return li->range(s.begin, s.end);
  };
  std::map<std::string, nlohmann::json> out;
  out[root_path] = nlohmann::json::array();
  for (const Diagnostics* ds : {&a.result.diags, &a.findings}) {
    for (const auto& d : ds->sorted()) {
      nlohmann::json j;
      j["range"] = range(d.span);
      j["severity"] = d.severity == Severity::Error ? 1 : d.severity == Severity::Warning ? 2 : 3;
      j["source"] = "keyplan";
      j["message"] = d.hint.empty() ? d.message : d.message + "\n= " + d.hint;
      if (!d.hint.empty()) {
        j["data"]["hint"] = d.hint;
        if (auto name = suggested_name(d.hint); !name.empty()) j["data"]["replacement"] = name;
      }
      for (const auto& [span, text] : d.notes) {
        if (!span.valid()) continue;
        j["relatedInformation"].push_back(
            {{"location", {{"uri", path_to_uri(sm.file(span.file).path)}, {"range", range(span)}}},
             {"message", text}});
      }
      std::string path = d.span.valid() ? sm.file(d.span.file).path : root_path;
      auto& arr = out[path];
      if (arr.is_null()) arr = nlohmann::json::array();
      arr.push_back(std::move(j));
    }
  }
  return out;
}

} // namespace keyplan::lsp
