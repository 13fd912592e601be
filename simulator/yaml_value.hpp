// A value as a scenario writes it (a setting override, a case argument),
// copied out of the YAML tree with its marks, and its conversion to the typed
// value of a policy's setting or parameter. The conversion goes from the YAML
// structure to the value directly: a list is a set, each element converted on
// its own, so an element "Berlin, Mitte" stays one string (never text joined
// and split again).
#pragma once

#include "compiler/source.hpp"
#include "runtime/snapshot.hpp"

#include <optional>
#include <string>
#include <vector>

namespace YAML {
class Node;
}

namespace keyplan::sim {

struct YamlValue {
  enum class Kind : uint8_t { Null, Scalar, List, Map };
  Kind kind = Kind::Null;
  std::string text;             // Scalar: the scalar as YAML read it (quotes removed)
  bool plain = true;            // Scalar: written without quotes (so `none` means none)
  std::vector<YamlValue> items; // List
  Span span;

  // A copy of `node` (file `file` of the source manager). Aliases are copied
  // where they are used: bound their expansion before (scenario.cpp does).
  static YamlValue from(const YAML::Node& node, int file);
};

// The value of type `type`, or nothing with `error` set and `where` at the
// offending node (the element of a list, not only the list). Scalars are
// read as value_text.hpp describes for one value (strings verbatim); a
// set<T> needs a YAML list; `~` (or a plain `none`) is the none of a T?.
std::optional<ir::Value> typed_value(const rt::Snapshot& snapshot, ir::TypeId type,
                                     const YamlValue& v, std::string& error, Span& where);

// The value for reports: a scalar as is, a list as [a, b] with elements that
// contain separators or quotes in double quotes.
std::string display(const YamlValue& v);

} // namespace keyplan::sim
