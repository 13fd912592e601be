// Small text helpers shared by the simulator's renderers (terminal tables,
// JUnit XML).
#pragma once

#include <string>

namespace keyplan::sim {

// Display width in code points, so that "Müller" does not skew a table.
size_t display_width(const std::string& s);
// `s` padded with spaces to `w` code points.
std::string pad_right(const std::string& s, size_t w);
// Every line of `text` prefixed with `by`.
std::string indent_lines(const std::string& text, const std::string& by);
// Escaped for XML attributes and text.
std::string xml_escape(const std::string& s);

} // namespace keyplan::sim
