// Edits the server proposes: `keyplan fmt` of the document, and the quick
// fixes of did-you-mean hints.
#include "compiler/format.hpp"
#include "compiler/parse.hpp"
#include "lsp/diagnostics.hpp"
#include "lsp/features.hpp"
#include "lsp/position.hpp"

namespace keyplan::lsp {

nlohmann::json formatting(const std::string& path, const std::string& text) {
  SourceManager sm;
  int id = sm.add(path, text);
  Diagnostics diags;
  auto file = parse_file(sm, id, diags);
  if (!file) return nullptr;
  std::string formatted = format_file(*file, sm);
  if (formatted == text) return nlohmann::json::array();
  LineIndex li(text);
  return nlohmann::json::array(
      {{{"range", li.range(0, static_cast<uint32_t>(text.size()))}, {"newText", formatted}}});
}

nlohmann::json code_actions(const std::string& uri, const nlohmann::json& params) {
  nlohmann::json out = nlohmann::json::array();
  const auto& ctx = params.value("context", nlohmann::json::object());
  if (!ctx.contains("diagnostics") || !ctx["diagnostics"].is_array()) return out;
  for (const auto& d : ctx["diagnostics"]) {
    std::string name;
    if (d.contains("data") && d["data"].is_object())
      name = d["data"].value("replacement", std::string());
    if (name.empty() && d.contains("message") && d["message"].is_string())
      name = suggested_name(d["message"].get<std::string>());
    if (name.empty() || !d.contains("range")) continue;
    out.push_back({{"title", "Change to '" + name + "'"},
                   {"kind", "quickfix"},
                   {"diagnostics", nlohmann::json::array({d})},
                   {"isPreferred", true},
                   {"edit", {{"changes", {{uri, {{{"range", d["range"]}, {"newText", name}}}}}}}}});
  }
  return out;
}

} // namespace keyplan::lsp
