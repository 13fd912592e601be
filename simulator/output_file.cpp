#include "simulator/output_file.hpp"

#include <cerrno>
#include <climits>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <iostream>
#include <sys/stat.h>
#include <unistd.h>

namespace keyplan::sim {

namespace {

bool fail(std::string* error, const std::string& path, const std::string& why) {
  if (error) *error = "cannot write " + path + ": " + why;
  return false;
}

// `what` names the step that failed ("" for the write itself).
bool fail_errno(std::string* error, const std::string& path, const char* what) {
  std::string why = std::strerror(errno);
  return fail(error, path, *what ? std::string(what) + ": " + why : why);
}

bool write_all(int fd, std::string_view s) {
  while (!s.empty()) {
    ssize_t n = ::write(fd, s.data(), s.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    s.remove_prefix(static_cast<size_t>(n));
  }
  return true;
}

// Writes what `produce` produces to `fd` through a buffer; false (errno
// set) once a write failed: the rest is produced but dropped.
bool write_all(int fd, const Producer& produce) {
  constexpr size_t kBuffer = 1 << 20;
  std::string buffer;
  buffer.reserve(kBuffer);
  bool ok = true;
  int saved = 0;
  produce([&](std::string_view piece) {
    if (!ok) return;
    if (buffer.size() + piece.size() > kBuffer) {
      ok = write_all(fd, buffer) && write_all(fd, piece);
      if (!ok) saved = errno;
      buffer.clear();
      return;
    }
    buffer += piece;
  });
  if (ok && !(ok = write_all(fd, buffer))) saved = errno;
  errno = saved;
  return ok;
}

// Opens `path` with `flags`, writes everything, closes: for devices, pipes
// and in-place rewrites.
bool write_to(const std::string& path, int flags, const Producer& content, bool sync,
              std::string* error) {
  int fd = ::open(path.c_str(), flags | O_WRONLY | O_NOCTTY | O_CLOEXEC);
  if (fd < 0) return fail_errno(error, path, "");
  bool ok = write_all(fd, content);
  if (!ok) fail_errno(error, path, "");
  if (ok && sync && ::fsync(fd) != 0) ok = fail_errno(error, path, "fsync");
  if (::close(fd) != 0 && ok) ok = fail_errno(error, path, "");
  return ok;
}

// Truncates and writes the same inode, once the whole content is there (the
// target is never left half-written because producing it took long).
bool rewrite_in_place(const std::string& target, const Producer& content, std::string* error) {
  std::string whole;
  content([&whole](std::string_view piece) { whole += piece; });
  return write_to(
      target, O_TRUNC, [&whole](const WritePiece& write) { write(whole); }, true, error);
}

mode_t new_file_mode() {
  // umask can only be read by setting it; keyplan writes its files from one thread.
  mode_t mask = ::umask(0);
  ::umask(mask);
  return 0666 & ~mask;
}

std::string dir_of(const std::string& path) {
  size_t slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  return slash == 0 ? "/" : path.substr(0, slash);
}

} // namespace

bool write_output_file(const std::string& path, std::string_view content, std::string* error,
                       const OutputOptions& options) {
  return write_output_file(
      path, [content](const WritePiece& write) { write(content); }, error, options);
}

bool write_output_file(const std::string& path, const Producer& content, std::string* error,
                       const OutputOptions& options) {
  if (path.empty()) return fail(error, "''", "an empty file name");
  if (path == "-") {
    std::cout.flush();
    std::fflush(stdout);
    if (!write_all(1, content)) return fail_errno(error, "standard output", "");
    return true;
  }
  struct stat st {};
  bool exists = ::stat(path.c_str(), &st) == 0;
  if (!exists && errno != ENOENT) return fail_errno(error, path, "");
  if (exists && S_ISDIR(st.st_mode)) return fail(error, path, "is a directory");
  if ((exists && !S_ISREG(st.st_mode)) || path.starts_with("/dev/") || path.starts_with("/proc/"))
    return write_to(path, O_APPEND, content, false, error);

  // The file to replace: a symbolic link's final target.
  std::string target = path;
  struct stat lst {};
  if (::lstat(path.c_str(), &lst) == 0 && S_ISLNK(lst.st_mode)) {
    if (!exists) return fail(error, path, "is a symbolic link to a file that does not exist");
    char buf[PATH_MAX];
    if (!::realpath(path.c_str(), buf)) return fail_errno(error, path, "resolving the link");
    target = buf;
  }
  // Read-only: not writable by us, or by nobody (root may write anything, but
  // a file without any write bit was meant to stay as it is).
  if (exists && !options.force &&
      (::faccessat(AT_FDCWD, target.c_str(), W_OK, AT_EACCESS) != 0 || (st.st_mode & 0222) == 0))
    return fail(error, path, "is read-only");

  bool in_place = exists && st.st_nlink > 1;
  if (!in_place) {
    std::string name = target.substr(target.rfind('/') + 1); // npos + 1 == 0
    std::string tmp = dir_of(target) + "/." + name + ".XXXXXX";
    int fd = ::mkostemp(tmp.data(), O_CLOEXEC);
    if (fd < 0 && exists && errno == EACCES) // a writable file in a directory we cannot add to
      return rewrite_in_place(target, content, error);
    if (fd < 0) return fail_errno(error, path, "creating a temporary file");
    bool ok = ::fchmod(fd, exists ? st.st_mode & 07777 : new_file_mode()) == 0;
    if (!ok) fail_errno(error, path, "setting the mode");
    if (ok && exists && (st.st_uid != ::geteuid() || st.st_gid != ::getegid()) &&
        ::fchown(fd, st.st_uid, st.st_gid) != 0)
      in_place = true; // the owner cannot be kept by a new file: keep the inode
    if (ok && !in_place) {
      ok = write_all(fd, content);
      if (!ok) fail_errno(error, path, "");
      if (ok && ::fsync(fd) != 0) ok = fail_errno(error, path, "fsync");
    }
    if (::close(fd) != 0 && ok && !in_place) ok = fail_errno(error, path, "");
    if (ok && !in_place && ::rename(tmp.c_str(), target.c_str()) != 0)
      ok = fail_errno(error, path, "renaming the temporary file");
    if (!ok || in_place) ::unlink(tmp.c_str());
    if (!ok) return false;
    if (!in_place) {
      // The rename itself durable too (best effort).
      int dfd = ::open(dir_of(target).c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
      if (dfd >= 0) ::fsync(dfd), ::close(dfd);
      return true;
    }
  }
  return rewrite_in_place(target, content, error);
}

} // namespace keyplan::sim
