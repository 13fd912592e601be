// Writing an output file (report -o, --junit, gen -o, counterexamples,
// fmt -w): the one place that decides how keyplan replaces a file.
//
// - "-" is standard output.
// - A target that is not a regular file (a terminal, a pipe, /dev/null) and
//   every path under /dev/ or /proc/ (so /dev/stdout redirected to a file) is
//   written through: opened for appending, never replaced.
// - A regular file (or a new one) is replaced atomically: a temporary file
//   from mkstemp (unpredictable name, O_EXCL) in the target's directory, the
//   target's mode (new files: 0666 & ~umask) and owner, fsync, rename. Readers
//   see the old or the new content, never a partial file.
// - A symbolic link is followed: its target is replaced, the link stays. A
//   link to nothing is an error.
// - A target with other hard links, or whose owner cannot be kept (another
//   user's file in a shared directory), is rewritten in place (truncated and
//   written, same inode) after the content is complete: the links and the
//   owner stay, at the price of atomicity.
// - A read-only target is refused unless `force` is set.
#pragma once

#include <functional>
#include <string>
#include <string_view>

namespace keyplan::sim {

struct OutputOptions {
  bool force = false; // rewrite a file the user may not write to (its mode stays read-only)
};

// Writes `content` to `path` as above; false with `error` set
// ("cannot write PATH: reason").
bool write_output_file(const std::string& path, std::string_view content, std::string* error,
                       const OutputOptions& options = {});

// Content produced in pieces (a diff's millions of cells): `produce` calls
// `write` with each piece in order, and the pieces go to the file as they
// come (buffered), never all in memory, except for an in-place rewrite,
// which needs the whole content before it truncates the target.
using WritePiece = std::function<void(std::string_view)>;
using Producer = std::function<void(const WritePiece& write)>;
bool write_output_file(const std::string& path, const Producer& produce, std::string* error,
                       const OutputOptions& options = {});

} // namespace keyplan::sim
