// Language lints, about any model: a setting overridden to its default, an
// instance attribute given its default, an import that nothing uses. Only
// the root file (the policy being checked) is linted: the standard
// library's choices are not the client's to fix. docs/checks.md lists them.
#include "compiler/sema_context.hpp"

#include <algorithm>
#include <cctype>
#include <fmt/format.h>
#include <functional>
#include <set>

namespace keyplan::sema {

const char* const kLintSettingDefault = "setting_default";
const char* const kLintAttributeDefault = "attribute_default";

bool is_lint_name(const std::string& name) {
  return name == kLintSettingDefault || name == kLintAttributeDefault;
}

bool same_value(const ir::Value& a, const ir::Value& b) {
  if (a.tag != ir::Value::Tag::Set || b.tag != ir::Value::Tag::Set) return a == b;
  // A set literal is written in any order, with repeats.
  auto norm = [](std::vector<ir::Value> v) {
    std::sort(v.begin(), v.end());
    v.erase(std::unique(v.begin(), v.end()), v.end());
    return v;
  };
  return norm(a.elems) == norm(b.elems);
}

namespace {

bool allows(const std::vector<ast::Annotation>& annotations, const char* lint) {
  for (const auto& a : annotations)
    if (a.name.text == "allow" && std::find(a.args.begin(), a.args.end(), lint) != a.args.end())
      return true;
  return false;
}

// Every name a module declares that another file can use: types, enum
// members, attributes, settings, aliases, rules, checks and instance ids.
void declared_names(const ast::File& f, std::set<std::string>& out) {
  std::function<void(const ast::InstanceDecl&)> instance = [&](const ast::InstanceDecl& d) {
    out.insert(d.id.text);
    for (const auto& item : d.items)
      if (item.child) instance(*item.child);
  };
  for (const auto& d : f.decls) {
    switch (d.kind) {
    case ast::DeclKind::Extend:
    case ast::DeclKind::SetOverride:
    case ast::DeclKind::Invariant:
      break;
    case ast::DeclKind::Instance:
      if (d.instance) instance(*d.instance);
      break;
    default:
      out.insert(d.name.text);
    }
    for (const auto& m : d.members) out.insert(m.text);
    for (const auto& a : d.attributes) out.insert(a.name.text);
  }
}

// The identifiers of a file's text outside comments, strings and its
// `module` / `import` lines.
std::set<std::string> used_words(const std::string& t) {
  std::set<std::string> out;
  bool skip_name = false; // the dotted name after `import` or `module`
  for (size_t i = 0; i < t.size();) {
    char c = t[i];
    if (c == '/' && i + 1 < t.size() && t[i + 1] == '/') {
      i = t.find('\n', i);
      if (i == std::string::npos) break;
    } else if (c == '/' && i + 1 < t.size() && t[i + 1] == '*') {
      i = t.find("*/", i + 2);
      if (i == std::string::npos) break;
      i += 2;
    } else if (c == '"') {
      for (++i; i < t.size() && t[i] != '"' && t[i] != '\n'; ++i)
        if (t[i] == '\\') ++i;
      ++i;
    } else if (std::isalpha(static_cast<unsigned char>(c)) || c == '_') {
      size_t b = i;
      while (i < t.size() && (std::isalnum(static_cast<unsigned char>(t[i])) || t[i] == '_' ||
                              (skip_name && t[i] == '.')))
        ++i;
      std::string w = t.substr(b, i - b);
      if (skip_name)
        skip_name = false;
      else if (w == "import" || w == "module")
        skip_name = true;
      else
        out.insert(std::move(w));
    } else {
      ++i;
    }
  }
  return out;
}

} // namespace

bool Context::in_root_file(const Span& s) const {
  return !policy.modules.empty() && s.file == policy.modules.back().file;
}

void Context::lint_setting_default(const ast::Decl& d, const ir::Setting& s, const ir::Value& v) {
  if (!in_root_file(d.name.span) || !same_value(v, s.default_value) ||
      allows(d.annotations, kLintSettingDefault))
    return;
  diags.warning(
      d.value ? d.value->span : d.name.span,
      fmt::format("setting '{}' is set to its default value {}", s.name, policy.format_value(v)),
      fmt::format("remove the line, or keep it on purpose with @allow({})", kLintSettingDefault));
}

void Context::lint_attribute_default(const ast::AttrValue& av, int32_t entity, int32_t index,
                                     const ir::Value& v) {
  if (!in_root_file(av.name.span)) return;
  const auto& ent = policy.entities[static_cast<size_t>(entity)];
  default_lints.push_back(
      {av.value ? av.value->span : av.name.span,
       fmt::format("'{}' of {} '{}' is set to its default value {}", av.name.text, ent.name,
                   ent.instances[static_cast<size_t>(index)].id, policy.format_value(v)),
       entity, index});
}

void Context::warn_default_lints() {
  for (const auto& l : default_lints) {
    const auto& allow = policy.entities[static_cast<size_t>(l.entity)]
                            .instances[static_cast<size_t>(l.index)]
                            .allow;
    if (std::find(allow.begin(), allow.end(), kLintAttributeDefault) != allow.end()) continue;
    diags.warning(l.span, l.message,
                  fmt::format("remove it, or keep it on purpose with @allow({}) on the instance",
                              kLintAttributeDefault));
  }
}

void Context::warn_unused_imports(const std::vector<SemaInput>& files) {
  // With errors, a misspelt name may be the very use of the import.
  if (files.empty() || policy.modules.empty() || diags.has_errors()) return;
  const ast::File* root = nullptr;
  std::map<std::string, const ast::File*> by_module;
  for (const auto& in : files) {
    if (in.file->file_id == policy.modules.back().file) root = in.file;
    by_module[in.module_name] = in.file;
    if (in.file->module) by_module[in.file->module->text] = in.file;
  }
  if (!root) return;
  std::set<std::string> used = used_words(sources->file(root->file_id).text);
  for (const auto& imp : root->imports) {
    // The module's names and those of what it imports in turn: all are
    // visible through the import.
    std::set<std::string> names, seen;
    std::vector<std::string> todo = {imp.text};
    while (!todo.empty()) {
      std::string m = todo.back();
      todo.pop_back();
      auto it = by_module.find(m);
      if (!seen.insert(m).second || it == by_module.end()) continue;
      declared_names(*it->second, names);
      for (const auto& sub : it->second->imports) todo.push_back(sub.text);
    }
    if (names.empty()) continue; // not loaded: already an error
    bool any = std::any_of(names.begin(), names.end(),
                           [&](const std::string& n) { return used.count(n) > 0; });
    if (!any)
      diags.warning(imp.span, fmt::format("import '{}' is never used", imp.text),
                    "nothing declared by the module is named in this file; remove the import");
  }
}

} // namespace keyplan::sema
