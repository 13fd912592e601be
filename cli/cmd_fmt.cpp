// keyplan fmt FILE...: prints the files in the canonical style, rewrites them
// in place (-w), or lists the ones that are not formatted (--check).
#include "cli/commands.hpp"
#include "compiler/format.hpp"
#include "compiler/parse.hpp"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iostream>
#include <memory>
#include <sstream>
#include <sys/stat.h>
#include <unistd.h>

namespace keyplan::cli {
namespace {

struct FmtOptions {
  std::vector<std::string> files;
  bool write = false;
  bool check = false;
};

bool read_file(const std::string& path, std::string& text, std::string& error) {
  struct stat st {};
  if (::stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode)) {
    error = "is a directory";
    return false;
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    error = std::strerror(errno);
    return false;
  }
  std::ostringstream s;
  s << in.rdbuf();
  if (in.bad()) {
    error = "read error";
    return false;
  }
  text = s.str();
  return true;
}

// Writes `text` to a temporary file next to `path`, then renames it over
// `path`: readers see the old or the new file, never a partial one.
bool replace_file(const std::string& path, const std::string& text, std::string& error) {
  std::string tmp = path + ".fmt-XXXXXX";
  int fd = ::mkstemp(tmp.data());
  if (fd < 0) {
    error = std::string("cannot create a temporary file: ") + std::strerror(errno);
    return false;
  }
  struct stat st {};
  if (::stat(path.c_str(), &st) == 0) ::fchmod(fd, st.st_mode & 07777);
  const char* p = text.data();
  size_t left = text.size();
  bool ok = true;
  while (ok && left > 0) {
    ssize_t n = ::write(fd, p, left);
    if (n < 0 && errno == EINTR) continue;
    ok = n > 0;
    if (ok) p += n, left -= static_cast<size_t>(n);
  }
  if (!ok) error = std::string("cannot write: ") + std::strerror(errno);
  if (ok && ::fsync(fd) != 0)
    ok = false, error = std::string("cannot sync: ") + std::strerror(errno);
  if (::close(fd) != 0 && ok)
    ok = false, error = std::string("cannot write: ") + std::strerror(errno);
  if (ok && std::rename(tmp.c_str(), path.c_str()) != 0) {
    ok = false;
    error = std::string("cannot replace the file: ") + std::strerror(errno);
  }
  if (!ok) ::unlink(tmp.c_str());
  return ok;
}

int run_fmt(const FmtOptions& opt) {
  int status = 0;
  SourceManager sm;
  for (const auto& path : opt.files) {
    std::string text, error;
    if (!read_file(path, text, error)) {
      std::cerr << "keyplan fmt: cannot read " << path << ": " << error << "\n";
      status = 2;
      continue;
    }
    int id = sm.add(path, text);
    Diagnostics diags;
    auto file = parse_file(sm, id, diags);
    if (!file) {
      std::cerr << diags.render_text(sm);
      status = 2;
      continue;
    }
    std::string formatted = format_file(*file, sm);
    bool changed = formatted != text;
    if (opt.check) {
      if (changed) {
        std::cerr << path << "\n";
        status = std::max(status, 1);
      }
    } else if (opt.write) {
      if (changed && !replace_file(path, formatted, error)) {
        std::cerr << "keyplan fmt: " << path << ": " << error << "\n";
        status = 2;
      }
    } else {
      std::cout << formatted;
    }
  }
  std::cout.flush();
  return status;
}

} // namespace

void add_fmt_command(CLI::App& app, int& status) {
  auto opt = std::make_shared<FmtOptions>();
  CLI::App* cmd = app.add_subcommand("fmt", "Format .kp files in the canonical style");
  cmd->add_option("files", opt->files, "The .kp files to format")->required();
  auto* write =
      cmd->add_flag("-w,--write", opt->write,
                    "Rewrite the files in place (files already formatted are not touched)");
  cmd->add_flag("--check", opt->check,
                "Print the files that are not formatted to stderr; exit 1 if there are any")
      ->excludes(write);
  cmd->callback([opt, &status] { status = run_fmt(*opt); });
}

} // namespace keyplan::cli
