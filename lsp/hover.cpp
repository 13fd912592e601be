// Hover: what a name is (its declaration, with types), its doc comment, the
// DOMAIN rule ids it implements, and a setting's current value.
#include "lsp/domain_rules.hpp"
#include "lsp/features.hpp"
#include "lsp/position.hpp"

#include <fmt/format.h>

namespace keyplan::lsp {
namespace {

std::vector<std::string> implements_of(const std::vector<ast::Annotation>& anns) {
  std::vector<std::string> out;
  for (const auto& an : anns)
    if (an.name.text == "implements")
      for (const auto& arg : an.args) {
        std::string s = arg;
        if (s.size() >= 2 && s.front() == '"') s = s.substr(1, s.size() - 2);
        out.push_back(s);
      }
  return out;
}

std::string join(const std::vector<std::string>& v, const char* sep) {
  std::string out;
  for (const auto& s : v) out += (out.empty() ? "" : sep) + s;
  return out;
}

// The declaration text shown in the code block, from the IR when the policy
// checked, else from the syntax tree.
std::string signature(const Analysis& a, const Occurrence& def) {
  const ir::Policy* p = a.result.policy ? &*a.result.policy : nullptr;
  const ast::Decl* d = def.decl;
  switch (def.kind) {
  case SymKind::Rule: {
    if (p)
      for (const auto& r : p->rules)
        if (r.name == def.name && r.span.file == def.span.file && r.span.begin <= def.span.begin &&
            def.span.end <= r.span.end)
          return fmt::format("{} {}: {}", r.is_action ? "action" : "rule", r.signature,
                             p->type_name(r.result));
    std::string params;
    if (d)
      for (const auto& pa : d->params)
        params += (params.empty() ? "" : ", ") + pa.name.text + ": " + type_text(pa.type);
    return fmt::format("{} {}({}){}", d && d->is_action ? "action" : "rule", def.name, params,
                       d && d->type ? ": " + type_text(*d->type) : std::string());
  }
  case SymKind::Setting: {
    std::string out = fmt::format("setting {}: {}", def.name, def.type ? type_text(*def.type) : "");
    if (p)
      if (int32_t i = p->find_setting(def.name); i >= 0) {
        const auto& s = p->settings[static_cast<size_t>(i)];
        out += " = " + p->format_value(s.value);
        if (!(s.value == s.default_value))
          out += "  // default " + p->format_value(s.default_value);
      }
    return out;
  }
  case SymKind::Type:
    if (d && d->kind == ast::DeclKind::Enum) {
      std::vector<std::string> m;
      for (const auto& x : d->members) m.push_back(x.text);
      return fmt::format("enum {} {{ {} }}", def.name, join(m, ", "));
    }
    if (d && d->kind == ast::DeclKind::Alias)
      return fmt::format("alias {} = {}", def.name, def.container);
    if (d && (d->kind == ast::DeclKind::Entity)) {
      std::string out = fmt::format("entity {} {{\n", def.name);
      for (const auto& at : d->attributes)
        out += fmt::format("  {}{}: {}\n", at.is_parent ? "parent " : "", at.name.text,
                           type_text(at.type));
      return out + "}";
    }
    return "type " + def.name;
  case SymKind::EnumMember:
    return fmt::format("{}.{}  // member of enum {}", def.container, def.name, def.container);
  case SymKind::Attribute:
    return fmt::format("{}.{}: {}", def.container, def.name, def.type ? type_text(*def.type) : "");
  case SymKind::Instance:
    return fmt::format("{} {}", def.container, def.name);
  case SymKind::Check:
    return fmt::format("check {}", def.name);
  case SymKind::Local:
    return fmt::format("{}: {}", def.name, def.type ? type_text(*def.type) : "(bound variable)");
  }
  return def.name;
}

// Each id with its DOMAIN rule text when the catalogue is found (shortened:
// a hover is a glance), else the ids only.
std::string implements_text(const std::vector<std::string>& ids) {
  const DomainRules& rules = domain_rules();
  if (rules.empty()) return "\nImplements: " + join(ids, ", ") + "\n";
  constexpr size_t kMaxRuleText = 300;
  std::string out = "\nImplements:\n";
  for (const auto& id : ids) {
    out += "- **" + id + "**";
    if (auto it = rules.find(id); it != rules.end()) {
      std::string text = it->second;
      if (text.size() > kMaxRuleText) {
        size_t cut = kMaxRuleText;
        while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;
        text = text.substr(0, cut) + "…";
      }
      out += " " + text;
    }
    out += "\n";
  }
  return out;
}

} // namespace

const Occurrence* occurrence_at(const Analysis& a, const std::string& path,
                                const nlohmann::json& position) {
  int file = a.file_of(path);
  if (file < 0) return nullptr;
  LineIndex li(a.sources().file(file).text);
  return a.index.at(file, li.offset(position));
}

nlohmann::json hover(const Analysis& a, const std::string& path, const nlohmann::json& position) {
  const Occurrence* o = occurrence_at(a, path, position);
  if (!o) return nullptr;
  auto defs = a.index.definitions(*o);
  if (defs.empty()) return nullptr;
  std::string md;
  for (const Occurrence* def : defs) {
    if (!md.empty()) md += "\n---\n";
    md += "```keyplan\n" + signature(a, *def) + "\n```\n";
    const SourceFile& f = a.sources().file(def->span.file);
    std::string doc = def->kind == SymKind::Local ? "" : doc_above(f.text, def->span.line);
    if (!doc.empty()) md += "\n" + doc + "\n";
    std::vector<std::string> ids;
    if (def->attribute)
      ids = implements_of(def->attribute->annotations);
    else if (def->decl && def->kind != SymKind::Local && def->kind != SymKind::EnumMember)
      ids = implements_of(def->decl->annotations);
    if (!ids.empty()) md += implements_text(ids);
    const char* kind = def->kind == SymKind::Rule && def->decl && def->decl->is_action
                           ? "action"
                           : kind_name(def->kind);
    md += fmt::format("\n*{}*, declared in `{}`:{}\n", kind, f.path, def->span.line);
  }
  int file = a.file_of(path);
  LineIndex li(a.sources().file(file).text);
  return {{"contents", {{"kind", "markdown"}, {"value", md}}},
          {"range", li.range(o->span.begin, o->span.end)}};
}

} // namespace keyplan::lsp
