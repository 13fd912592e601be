// Tenant data files: reading them safely, and telling a file that is data
// from one named as data by mistake.
//
// A file named as data by mistake (a scenario naming /etc/shadow, a binary)
// must not be echoed into error messages. A file is taken for keyplan data
// once a top-level key names an entity type of the policy exactly; until
// then, errors say only that it is not a data file, with no line and no
// content. Files with a NUL byte are never data.
#pragma once

#include "compiler/diagnostics.hpp"
#include "compiler/ir.hpp"

#include <string>
#include <utility>
#include <vector>

namespace YAML {
class Node;
}

namespace keyplan::rt {

// "'PATH' is not a keyplan data file: WHY", with no position and no content.
void not_data(Diagnostics& diags, const std::string& path, const std::string& why);

// Not a map of entity types: `keys` are the top-level keys with their
// (1-based) lines. A key close to a type name gets its line and the name,
// never the key itself.
void not_data_shape(Diagnostics& diags, const std::string& path, const ir::Policy& p,
                    const std::vector<std::pair<std::string, int64_t>>& keys);

// Whether a top-level key of `root` names an entity type; if not, the error.
bool recognised(const YAML::Node& root, const ir::Policy& p, const std::string& path,
                Diagnostics& diags);

// For a file that is not valid YAML: whether a line before byte `end` starts
// with a known type as a key (`User:`, `{User:`, `--- User:`, `"User":`).
bool text_names_a_type_before(const std::string& text, size_t end, const ir::Policy& p);

// The text diagnostics show: invalid UTF-8 and control characters become
// '?', byte for byte, so positions stay right and nothing raw reaches a
// terminal.
std::string displayable(const std::string& text);
// Whether displayable(text) == text (then no copy is needed).
bool displayable_as_is(const std::string& text);

} // namespace keyplan::rt
