// The fast path of tenant data loading: one streaming pass of libfyaml
// events (no node tree) that builds the snapshot directly, for the plain
// shape of data files and only when the file is loaded without a single
// error. Anything else (anchors, aliases, tags, several documents, block or
// multi-line scalars, nested maps, and every error the loader reports)
// leaves the snapshot untouched and answers Fallback: the reference loader
// (runtime/data_loader.cpp, yaml-cpp) then loads the file or reports every
// problem with file:line:col and did-you-mean, exactly as before. So the
// fast path never has to produce a diagnostic, and a differential test
// (tests/data_fast_test.cpp) holds it to the reference loader's snapshot.
//
// Memory: the instances of one entity type are buffered in batches of a few
// thousand (ids appended, values converted, buffers cleared); only
// references to ids not yet seen (forward references) are kept to the end.
#pragma once

#include "runtime/snapshot.hpp"

#include <string_view>

namespace keyplan::rt {

enum class FastLoad { Loaded, Fallback };

// Loads `text` (one YAML document of tenant data, docs at data_loader.hpp)
// into `snapshot` when it has the plain shape and no error; otherwise
// Fallback with `snapshot` unchanged.
FastLoad load_data_fast(Snapshot& snapshot, std::string_view text);

} // namespace keyplan::rt
