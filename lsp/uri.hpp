// file:// URIs (RFC 8089) to paths and back, percent-encoding as VS Code
// and Neovim do.
#pragma once

#include <string>

namespace keyplan::lsp {

std::string uri_to_path(const std::string& uri); // "" when not a file URI
std::string path_to_uri(const std::string& path);

} // namespace keyplan::lsp
