// A large data file is parsed in chunks of whole instances, so that
// yaml-cpp's node tree (about 90 bytes of memory per byte of YAML) never
// holds the whole file: the 100,000-user tenant would otherwise peak at
// about 0.5 GB. Only the plain block shape is split: `Type:` at column 0
// (each type once) and `- ...` items under it, without anchors or aliases
// (an alias may name an anchor in another chunk); anything else, and any
// chunk that does not parse, is parsed whole, so the result is always the
// whole parse's.
#pragma once

#include "runtime/yaml_checks.hpp"

#include <cstddef>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace keyplan::rt {

// Files from this size on are split.
constexpr size_t kChunkThreshold = 1u << 20;
// Instances per chunk.
constexpr size_t kItemsPerChunk = 2000;

// A piece of the file: the type's header line and a run of its items, with
// where it starts in the file (to shift yaml-cpp's marks).
struct Chunk {
  std::string text;
  YamlMarkShift shift;
};

// Whether the text may hold an anchor (&a) or alias (*a): a conservative
// look (inside quoted strings too), which only costs a whole parse.
bool may_use_anchors(const std::string& text);

// Splits the plain block shape into chunks; `headers` gets the types
// (top-level keys). False when the text is not of that shape.
bool split_chunks(const std::string& text, std::vector<Chunk>& out,
                  std::vector<std::string>& headers);

// The items under each top-level key of the plain block shape, counted by
// lines (`- ` at the first item's indentation), as (key, count) pairs: what
// the fast loader reserves room for. Only a hint: any other shape may be
// miscounted, which costs memory or a move, never a wrong load.
std::vector<std::pair<std::string_view, size_t>> count_block_items(std::string_view text);

} // namespace keyplan::rt
