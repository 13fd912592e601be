// Module loading: find each imported module, parse every file once, order
// them imports-first (an import cycle is an error), then analyze.
#include "compiler/compile.hpp"

#include "compiler/diagnostics.hpp"
#include "compiler/parse.hpp"
#include "compiler/parse_hook.hpp"
#include "compiler/sema.hpp"

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fmt/format.h>
#include <fstream>
#include <map>
#include <sstream>

namespace fs = std::filesystem;

namespace keyplan {

std::vector<std::string> standard_search_path() {
  std::vector<std::string> out;
  if (const char* env = std::getenv("KEYPLAN_PATH")) {
    std::stringstream ss(env);
    std::string dir;
    while (std::getline(ss, dir, ':'))
      if (!dir.empty()) out.push_back(dir);
  }
  // An installed keyplan (`cmake --install`): PREFIX/bin/keyplan reads
  // PREFIX/share/keyplan/policies.
  std::error_code ec;
  const fs::path installed =
      fs::read_symlink("/proc/self/exe", ec).parent_path().parent_path() / "share/keyplan/policies";
  if (!ec && fs::is_directory(installed, ec)) out.push_back(installed.string());
  out.push_back(KEYPLAN_SOURCE_DIR "/policies");
  return out;
}

namespace {

constexpr size_t kMaxFileBytes = 16u << 20;

bool read_file(const std::string& path, std::string& text) {
  std::error_code ec;
  if (!fs::is_regular_file(path, ec)) return false;
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  std::stringstream ss;
  ss << in.rdbuf();
  text = ss.str();
  return true;
}

class Loader {
public:
  Loader(CompileResult& r, const CompileOptions& o) : res_(r), opts_(o) {}

  // Loads `path` (already read into `text`) and, first, everything it imports.
  void load(const std::string& path, std::string text, const std::string& module_name) {
    if (text.size() > kMaxFileBytes) {
      Span s;
      res_.diags.error(s, fmt::format("{}: file is larger than {} MiB", path, kMaxFileBytes >> 20));
      return;
    }
    int id = res_.sources->add(path, std::move(text));
    const ParseHook* hook = ScopedParseHook::current();
    auto file =
        hook ? (*hook)(*res_.sources, id, res_.diags) : parse_file(*res_.sources, id, res_.diags);
    if (!file) return;
    in_progress_[module_name] = true;
    chain_.push_back(module_name);
    fs::path dir = fs::path(path).parent_path();
    for (const auto& imp : file->imports) {
      if (auto it = in_progress_.find(imp.text); it != in_progress_.end()) {
        if (it->second)
          res_.diags.error(
              imp.span,
              fmt::format("module '{}' imports itself (an import cycle: {})", imp.text,
                          cycle_text(imp.text)),
              "modules must form a tree: move the shared declarations to a third module");
        continue; // already loaded
      }
      std::string found = find_module(imp.text, dir);
      if (found.empty()) {
        std::string near = closest_match(imp.text, available_modules(dir));
        res_.diags.error(
            imp.span,
            fmt::format("cannot find module '{}'{}", imp.text,
                        near.empty() ? "" : fmt::format(" (did you mean '{}'?)", near)),
            search_hint(imp.text, dir));
        continue;
      }
      std::string t;
      if (!read_file(found, t)) {
        res_.diags.error(imp.span, fmt::format("cannot read '{}'", found));
        continue;
      }
      load(found, std::move(t), imp.text);
    }
    in_progress_[module_name] = false;
    chain_.pop_back();
    std::string name = file->module ? file->module->text : module_name;
    res_.files.push_back(std::move(*file));
    inputs_.push_back({module_name == path ? name : module_name, path});
  }

  std::string find_module(const std::string& name, const fs::path& dir) const {
    std::string rel = name;
    for (char& c : rel)
      if (c == '.') c = '/';
    rel += ".kp";
    std::vector<fs::path> dirs = search_dirs(dir);
    for (const auto& d : dirs) {
      std::error_code ec;
      fs::path p = d / rel;
      if (fs::is_regular_file(p, ec)) return p.lexically_normal().string();
    }
    return {};
  }

  // "a → b → c → a": the imports from `name`'s first load back to it.
  std::string cycle_text(const std::string& name) const {
    std::string out;
    bool in = false;
    for (const auto& m : chain_) {
      in = in || m == name;
      if (in) out += display(m) + " → ";
    }
    return out + display(name);
  }
  // The root file is loaded under its path; its `module` line names it too.
  static std::string display(const std::string& m) {
    return m.ends_with(".kp") ? fs::path(m).filename().string() : m;
  }

  // The module names importable from `dir` (for a did-you-mean): every .kp
  // file under the search directories, up to three levels deep.
  std::vector<std::string> available_modules(const fs::path& dir) const {
    std::vector<std::string> out;
    for (const auto& d : search_dirs(dir)) {
      std::error_code ec;
      fs::recursive_directory_iterator it(d, fs::directory_options::skip_permission_denied, ec),
          end;
      for (size_t seen = 0; !ec && it != end && seen < 2000; it.increment(ec), ++seen) {
        if (it.depth() > 2) {
          it.disable_recursion_pending();
          continue;
        }
        if (!it->is_regular_file(ec) || it->path().extension() != ".kp") continue;
        std::string name = fs::relative(it->path(), d, ec).replace_extension().string();
        for (char& c : name)
          if (c == '/') c = '.';
        if (std::find(out.begin(), out.end(), name) == out.end()) out.push_back(name);
      }
    }
    return out;
  }

  std::string search_hint(const std::string& name, const fs::path& dir) const {
    std::string rel = name;
    for (char& c : rel)
      if (c == '.') c = '/';
    std::string where;
    for (const auto& d : search_dirs(dir)) where += (where.empty() ? "" : ", ") + d.string();
    return fmt::format("looked for {}.kp in {}", rel, where);
  }

  // The importing file's directory, the root file's directory (so that
  // modules of one project import each other by full name), --path, then the
  // standard library; each once.
  std::vector<fs::path> search_dirs(const fs::path& dir) const {
    std::vector<fs::path> raw{dir.empty() ? fs::path(".") : dir, root_dir_};
    for (const auto& d : opts_.search_path) raw.emplace_back(d);
    for (const auto& d : standard_search_path()) raw.emplace_back(d);
    std::vector<fs::path> out;
    for (auto& d : raw) {
      fs::path n = (d.empty() ? fs::path(".") : d).lexically_normal();
      std::error_code ec;
      fs::path canon = fs::weakly_canonical(n, ec);
      bool dup = false;
      for (const auto& o : out) {
        std::error_code ec2;
        dup = dup || fs::weakly_canonical(o, ec2) == canon;
      }
      if (!dup) out.push_back(n);
    }
    return out;
  }
  void set_root(const std::string& path) {
    root_dir_ = fs::path(path).parent_path();
    if (root_dir_.empty()) root_dir_ = ".";
  }

  std::vector<std::pair<std::string, std::string>> inputs_; // module name, path

private:
  CompileResult& res_;
  const CompileOptions& opts_;
  std::map<std::string, bool> in_progress_;
  std::vector<std::string> chain_; // modules being loaded, outermost first
  fs::path root_dir_ = ".";
};

void finish(CompileResult& res, Loader& loader) {
  if (res.diags.has_errors()) return;
  std::vector<SemaInput> inputs;
  for (size_t i = 0; i < res.files.size(); ++i)
    inputs.push_back({&res.files[i], loader.inputs_[i].first, loader.inputs_[i].second});
  res.policy = analyze(inputs, res.sources, res.diags);
}

} // namespace

static thread_local const ParseHook* tls_parse_hook = nullptr;

ScopedParseHook::ScopedParseHook(ParseHook hook)
    : hook_(std::move(hook)), previous_(tls_parse_hook) {
  tls_parse_hook = &hook_;
}
ScopedParseHook::~ScopedParseHook() {
  tls_parse_hook = previous_;
}
const ParseHook* ScopedParseHook::current() {
  return tls_parse_hook;
}

CompileResult compile_source(const std::string& path, const std::string& text,
                             const CompileOptions& options) {
  CompileResult res;
  Loader loader(res, options);
  loader.set_root(path);
  loader.load(path, text, path);
  finish(res, loader);
  return res;
}

CompileResult compile_policy(const std::string& target, const CompileOptions& options) {
  CompileResult res;
  Loader loader(res, options);
  std::string text;
  if (read_file(target, text)) {
    loader.set_root(target);
    loader.load(target, std::move(text), target);
  } else if (target.find('/') == std::string::npos && target.find(".kp") == std::string::npos &&
             !loader.find_module(target, fs::path(".")).empty()) {
    std::string path = loader.find_module(target, fs::path("."));
    read_file(path, text);
    loader.load(path, std::move(text), target);
  } else {
    res.diags.error(Span{}, fmt::format("cannot read policy '{}'", target),
                    "expected a .kp file or a module name such as std.desk_booking");
    return res;
  }
  for (const auto& [name, text] : options.extra_files) loader.load(name, text, name);
  finish(res, loader);
  return res;
}

} // namespace keyplan
