// keyplan fmt FILE...: prints the files in the canonical style, rewrites them
// in place (-w), or lists the ones that are not formatted (--check, with a
// unified diff on stdout; --diff prints only the diff).
#include "cli/commands.hpp"
#include "cli/unified_diff.hpp"
#include "compiler/format.hpp"
#include "compiler/parse.hpp"
#include "simulator/output_file.hpp"

#include <cerrno>
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
  bool diff = false;
  bool force = false;
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
    if (opt.check || opt.diff) {
      if (changed) {
        if (opt.check) std::cerr << path << "\n";
        // git's a/ b/ prefixes for a relative path; an absolute one as is.
        bool abs = !path.empty() && path[0] == '/';
        std::cout << unified_diff(text, formatted, abs ? path : "a/" + path,
                                  abs ? path : "b/" + path);
        status = std::max(status, 1);
      }
    } else if (opt.write) {
      // sim::write_output_file keeps what `fmt -w` must not change: a symbolic
      // link (its target is formatted), the mode, the owner and hard links
      // (rewritten in place); a read-only file is refused unless --force.
      sim::OutputOptions wo;
      wo.force = opt.force;
      if (changed && !sim::write_output_file(path, formatted, &error, wo)) {
        std::cerr << "keyplan fmt: " << error
                  << (error.ends_with("is read-only") ? " (--force rewrites it)" : "") << "\n";
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
                "Print the files that are not formatted to stderr and a unified diff to stdout; "
                "exit 1 if there are any")
      ->excludes(write);
  cmd->add_flag("--diff", opt->diff,
                "Print a unified diff of what formatting would change; exit 1 if anything would")
      ->excludes(write);
  cmd->add_flag("--force", opt->force, "With -w: rewrite read-only files too (their mode stays)")
      ->needs(write);
  cmd->callback([opt, &status] { status = run_fmt(*opt); });
}

} // namespace keyplan::cli
