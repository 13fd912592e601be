// Small text helpers shared by the simulator's renderers (terminal tables,
// JUnit XML, CSV, Markdown, JSON, XLSX). Data (ids, names, notes) may hold any
// bytes: every writer passes it through valid_utf8() (directly or through one
// of the escapers below), so that each output stays valid for its format.
#pragma once

#include <string>
#include <string_view>

namespace keyplan::sim {

// The one sanitiser: `s` with every invalid UTF-8 sequence (stray
// continuation bytes, truncated or overlong sequences, surrogates, code
// points above U+10FFFF) replaced by U+FFFD, one per maximal invalid subpart
// (as Unicode recommends). Valid text is returned unchanged.
std::string valid_utf8(std::string_view s);

// Display width in code points, so that "Müller" does not skew a table.
size_t display_width(const std::string& s);
// `s` padded with spaces to `w` code points.
std::string pad_right(const std::string& s, size_t w);
// Every line of `text` prefixed with `by`.
std::string indent_lines(const std::string& text, const std::string& by);
// Valid UTF-8, escaped for XML 1.0 attributes and text: & < > " as entities,
// tab, newline and CR as character references (attribute values keep them),
// the code points XML 1.0 forbids (other C0 controls, U+FFFE, U+FFFF) shown
// as \xHH / \uHHHH text.
std::string xml_escape(std::string_view s);
// Valid UTF-8 that is safe to print on a terminal: C0 and C1 control
// characters, DEL and the bidirectional overrides (U+202A-U+202E,
// U+2066-U+2069) are shown escaped (\e, \t, \x01, \u009b, \u202e), never
// raw, so that an id cannot move the cursor, recolour or hide text.
// `keep_newlines` keeps '\n' (multi-line explanations); else it is shown as \n.
std::string terminal_safe(std::string_view s, bool keep_newlines = false);

} // namespace keyplan::sim
