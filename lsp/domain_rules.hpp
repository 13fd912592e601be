// The DOMAIN rule catalogue (docs/domain.md): rule id -> rule text, so that a
// hover can show what an `@implements` id means.
#pragma once

#include <map>
#include <string>
#include <string_view>

namespace keyplan::lsp {

using DomainRules = std::map<std::string, std::string>;

// Reads bullet lines `- **ID** text` (ID like F-A4 or W-12) and the indented
// continuation lines that follow; the text is joined into one line.
DomainRules parse_domain_rules(std::string_view markdown);

// The catalogue found next to the module search path (PATH/../docs/domain.md,
// or an installed PREFIX/share/doc/keyplan/domain.md); loaded once. Empty when
// no catalogue is found: hovers then show the ids only.
const DomainRules& domain_rules();

} // namespace keyplan::lsp
