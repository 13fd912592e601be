// The language features, one file each, as pure functions of an analysis
// (and the document's current text where the request is about typing):
// each takes the request's params and returns the LSP result.
#pragma once

#include "lsp/analysis.hpp"

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace keyplan::lsp {

// The occurrence under an LSP position of the analysed document `path`.
const Occurrence* occurrence_at(const Analysis& a, const std::string& path,
                                const nlohmann::json& position);

nlohmann::json hover(const Analysis& a, const std::string& path, const nlohmann::json& position);
nlohmann::json definition(const Analysis& a, const std::string& path,
                          const nlohmann::json& position);
nlohmann::json references(const Analysis& a, const std::string& path,
                          const nlohmann::json& position, bool include_declaration);
// Rename of a rule or an instance over every given analysis (one per open
// document); `error` is set when the name cannot be renamed.
nlohmann::json rename(const std::vector<const Analysis*>& workspace, const Analysis& a,
                      const std::string& path, const nlohmann::json& position,
                      const std::string& new_name, std::string& error);
nlohmann::json completion(const Analysis& a, const std::string& text,
                          const nlohmann::json& position);
nlohmann::json document_symbols(const Analysis& a);
// `keyplan fmt` of `text`: one edit replacing the document, [] when already
// formatted, null when it does not parse.
nlohmann::json formatting(const std::string& path, const std::string& text);
nlohmann::json code_actions(const std::string& uri, const nlohmann::json& params);

} // namespace keyplan::lsp
