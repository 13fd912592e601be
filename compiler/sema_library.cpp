// A policy that uses the library's names (Group, User, Building, ...) without
// importing the module that declares them: one error suggesting the import.
#include "compiler/compile.hpp"
#include "compiler/parse.hpp"
#include "compiler/sema_context.hpp"

#include <algorithm>
#include <filesystem>
#include <fmt/format.h>
#include <fstream>
#include <mutex>
#include <sstream>

namespace keyplan::sema {

namespace {

namespace fs = std::filesystem;

using Names = std::map<std::string, std::vector<std::string>>; // name -> std modules

void add(Names& out, const std::string& name, const std::string& module) {
  auto& v = out[name];
  if (std::find(v.begin(), v.end(), module) == v.end()) v.push_back(module);
}

void collect(const ast::InstanceDecl& d, const std::string& module, Names& out) {
  add(out, d.id.text, module);
  for (const auto& item : d.items)
    if (item.child) collect(*item.child, module, out);
}

// Every name a std module declares → those modules, read once from the
// standard search path.
const Names& library_names() {
  static Names names;
  static std::once_flag once;
  std::call_once(once, [] {
    for (const auto& dir : standard_search_path()) {
      std::error_code ec;
      std::vector<fs::path> files; // sorted: the same suggestion on every machine
      for (fs::directory_iterator it(fs::path(dir) / "std", ec), end; !ec && it != end;
           it.increment(ec))
        if (it->path().extension() == ".kp") files.push_back(it->path());
      std::sort(files.begin(), files.end());
      for (const auto& path : files) {
        std::ifstream in(path, std::ios::binary);
        std::stringstream ss;
        ss << in.rdbuf();
        SourceManager sm;
        Diagnostics diags;
        int id = sm.add(path.string(), ss.str());
        auto file = parse_file(sm, id, diags);
        if (!file) continue;
        std::string module = "std." + path.stem().string();
        for (const auto& d : file->decls) {
          if (d.kind == ast::DeclKind::Instance && d.instance)
            collect(*d.instance, module, names);
          else if (!d.name.text.empty())
            add(names, d.name.text, module);
        }
      }
    }
  });
  return names;
}

} // namespace

bool Context::missing_library(const Span& at, const std::string& name) {
  const auto& names = library_names();
  auto it = names.find(name);
  if (it == names.end()) return false;
  for (const auto& m : policy.modules)
    for (const auto& lib : it->second)
      if (m.name == lib) return false; // imported: a different mistake
  // One error per missing module; a name several modules declare (User)
  // belongs to the one already suggested.
  for (const auto& lib : it->second)
    if (missing_reported_.count(lib)) return true;
  const std::string& lib = it->second.front();
  missing_reported_.insert(lib);
  std::string also;
  for (size_t i = 1; i < it->second.size(); ++i) also += " or " + it->second[i];
  diags.error(
      at,
      fmt::format("'{}' is declared in {}{}, which this policy does not import", name, lib, also),
      fmt::format("add `import {}` at the top of the file", lib));
  return true;
}

} // namespace keyplan::sema
