// Tenant data in YAML, merged into a snapshot. The format: a map from entity
// type names to lists of instances; each instance a map with `id` and
// attributes by their declared names (a parent by its attribute name):
//
//   User:
//     - {id: mueller, name: "Herr Müller", groups: [ALL, IT]}
//   Floor:
//     - {id: first_floor, building: example_building, groups: [Legal]}
//
// Values: bool true/false, ints, strings, dates YYYY-MM-DD, enum members by
// name, instances by id (declared in the policy, loaded before, or anywhere
// in this document: references may point forward), sets as YAML lists, a
// YAML null (`~`) or `none` for the none of an optional.
//
// `_allow: [check, ...]` on an instance silences those checks of the policy
// for it (docs/checks.md); the names must be declared checks.
//
// An instance whose id already exists in the snapshot (declared by the
// policy or loaded before) is a what-if edit: only the attributes it gives
// change. A new instance gets the declared defaults and must give every
// attribute without one. Ids must be unique within one document.
//
// A file may hold several YAML documents (`---`): they apply in order, each
// a what-if edit of the ones before (so a later document may change or
// revoke what an earlier one gave), all or nothing.
//
// Errors (every one reported, with the YAML position): unknown entity type,
// attribute, enum member or referenced id (with "did you mean"), wrong value
// types, duplicate ids, duplicate keys in any map (both positions),
// missing required attributes, parent cycles, aliases expanding beyond the
// input's node budget (runtime/yaml_checks.hpp). On any error the snapshot
// is left unchanged: data is built into a copy and committed at the end.
//
// A text that is not keyplan data (no top-level key names an entity type
// exactly, not YAML before such a key, or a NUL byte) is refused with one
// error that shows none of its content: it may be a file named by mistake.
#pragma once

#include "compiler/diagnostics.hpp"
#include "runtime/snapshot.hpp"

#include <optional>
#include <string>

namespace YAML {
class Node;
}

namespace keyplan::rt {

// How a text was loaded (for `keyplan bench load`).
struct LoadInfo {
  bool fast_path = false; // by runtime/data_fast.hpp, not the reference loader
};

// Registers `text` as `path` in `sources` (so diagnostics show the line),
// parses it and merges it. True when it was loaded.
bool load_data(Snapshot& snapshot, const std::string& text, const std::string& path,
               Diagnostics& diags, SourceManager& sources, LoadInfo* info = nullptr);
// load_data of a text the caller gives up: it moves into `sources` when it
// can be shown as it is, instead of being copied (a 1,000,000-user tenant
// is 47 MB of YAML).
bool load_data(Snapshot& snapshot, std::string&& text, const std::string& path, Diagnostics& diags,
               SourceManager& sources, LoadInfo* info = nullptr);
// load_data with the reference loader only (yaml-cpp, no fast path): what
// the fast path is measured and tested against (`keyplan bench load`).
bool load_data_reference(Snapshot& snapshot, const std::string& text, const std::string& path,
                         Diagnostics& diags, SourceManager& sources);
// Reads a data file for load_data: an error (and false) when it cannot be
// read, is a directory, socket or block device (pipes and character devices
// are read), is larger than 256 MiB or holds a NUL byte.
bool read_data_file(const std::string& path, std::string& text, Diagnostics& diags);
// read_data_file, then load_data.
bool load_data_file(Snapshot& snapshot, const std::string& path, Diagnostics& diags,
                    SourceManager& sources);
// Data embedded in another YAML document (a scenario's `data:` map): `file`
// is that document's id in the source manager; marks are relative to it.
bool load_data(Snapshot& snapshot, const YAML::Node& data, int file, Diagnostics& diags);

// One YAML value of type `type` (also for scenarios: settings, parameters);
// errors name `what` (e.g. "Floor.published") and point into file `file`.
std::optional<ir::Value> yaml_value(const Snapshot& snapshot, ir::TypeId type,
                                    const YAML::Node& node, int file, Diagnostics& diags,
                                    const std::string& what);

} // namespace keyplan::rt
