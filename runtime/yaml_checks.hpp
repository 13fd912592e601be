// Checks every YAML input needs before anything reads it: yaml-cpp keeps one
// of two equal keys without a word, and expands nothing itself but lets a
// reader follow an alias as often as it is used (1 KB of "billion laughs"
// becomes 10^9 nodes to whoever walks it, and `&x [*x]` is a cycle).
//
//   YamlChecker check(file, diags, YamlLimits::for_size(text.size()));
//   YAML::Node root = YAML::Load(text);
//   if (!check.check(root)) return false; // errors are in diags
//
// After a successful check the document has no duplicate key in any map, at
// most `max_nodes` nodes counted with every alias expanded where it is used,
// and no nesting deeper than `max_depth` (so no cycle): a reader that walks
// it, expanding aliases, does bounded work.
#pragma once

#include "compiler/diagnostics.hpp"

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace YAML {
class Node;
}

namespace keyplan::rt {

struct YamlLimits {
  uint64_t max_nodes = 0; // node visits, an alias counting its whole subtree at every use
  uint32_t max_depth = 0; // maps and lists inside each other
  // The limits for an input of `bytes` bytes: far above what any keyplan
  // file needs without aliases (a node takes at least a byte or two), linear
  // in the input so that time and memory stay linear too.
  static YamlLimits for_size(size_t bytes);
};

// Where a chunk of a file starts, when the YAML parsed is a piece of it:
// marks are shifted by this to point into the whole file.
struct YamlMarkShift {
  int64_t line = 0, pos = 0;
};

// The span of a node's mark in `file`, as wide as its scalar; `fallback`
// (or the file's start) for a node without a mark.
Span yaml_span(const YAML::Node& n, int file, const YamlMarkShift& shift = {},
               const Span& fallback = {});

class YamlChecker {
public:
  YamlChecker(int file, Diagnostics& diags, YamlLimits limits)
      : file_(file), diags_(diags), limits_(limits) {}

  // Checks one document (or chunk); the node budget is shared by every call
  // on this checker, so a file's documents or chunks are bounded together.
  // Duplicate keys are errors at the second key with a note at the first;
  // too many nodes or too deep is one error and stops the walk. True when
  // this call found no error.
  bool check(const YAML::Node& root, const YamlMarkShift& shift = {});

  // Whether a check hit the node or depth limit: then the document must not
  // be walked at all. After duplicate keys only, a reader may go on to
  // report its own errors too (the input is still refused).
  bool exhausted() const { return exhausted_; }
  int errors() const { return errors_; }
  uint64_t nodes_seen() const { return seen_; }

private:
  int file_;
  Diagnostics& diags_;
  YamlLimits limits_;
  uint64_t seen_ = 0;
  bool exhausted_ = false;
  int errors_ = 0;
};

// Every document of `text`, as YAML::LoadAll, but never hanging: yaml-cpp
// 0.7's LoadAll loops for ever, one empty document after another, on a token
// no document can start with (a `,` `]` or `}` at the top level: `, b`,
// `[a], b`). Throws YAML::ParserException at that token instead; other
// errors are thrown as LoadAll throws them.
std::vector<YAML::Node> load_all_yaml(const std::string& text);

// load_all_yaml for a file registered as `file`: on a syntax error, a
// diagnostic at its position ("invalid YAML: ...") and false.
bool load_all_yaml(int file, const std::string& text, Diagnostics& diags,
                   std::vector<YAML::Node>& docs);

} // namespace keyplan::rt
