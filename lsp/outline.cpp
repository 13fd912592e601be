// Document symbols: the outline of the document's declarations, entities
// with their attributes, enums with their members, instances with the
// instances nested in them.
#include "lsp/features.hpp"
#include "lsp/position.hpp"

namespace keyplan::lsp {
namespace {

// LSP SymbolKind
enum : int {
  kClass = 5,
  kProperty = 7,
  kField = 8,
  kInterface = 11,
  kFunction = 12,
  kVariable = 13,
  kConstant = 14,
  kBoolean = 17,
  kKey = 20,
  kObject = 19,
  kEnumMember = 22,
  kEvent = 24,
  kEnum = 10,
  kMethod = 6
};

nlohmann::json symbol(const LineIndex& li, const std::string& name, int kind, const Span& range,
                      const Span& selection, const std::string& detail = {}) {
  uint32_t b = std::min(range.begin, selection.begin), e = std::max(range.end, selection.end);
  nlohmann::json s = {{"name", name.empty() ? std::string("?") : name},
                      {"kind", kind},
                      {"range", li.range(b, e)},
                      {"selectionRange", li.range(selection.begin, selection.end)}};
  if (!detail.empty()) s["detail"] = detail;
  return s;
}

nlohmann::json instance(const LineIndex& li, const ast::InstanceDecl& i, const Span& range) {
  nlohmann::json s = symbol(li, i.id.text, kObject, range, i.id.span, i.type.text);
  nlohmann::json kids = nlohmann::json::array();
  for (const auto& item : i.items)
    if (item.child) kids.push_back(instance(li, *item.child, item.child->span));
  if (!kids.empty()) s["children"] = kids;
  return s;
}

} // namespace

nlohmann::json document_symbols(const Analysis& a) {
  nlohmann::json out = nlohmann::json::array();
  const ast::File* f = a.ast_of(a.root_file);
  if (!f) return out;
  LineIndex li(a.sources().file(a.root_file).text);
  using K = ast::DeclKind;
  for (const auto& d : f->decls) {
    switch (d.kind) {
    case K::Enum: {
      auto s = symbol(li, d.name.text, kEnum, d.span, d.name.span);
      for (const auto& m : d.members)
        s["children"].push_back(symbol(li, m.text, kEnumMember, m.span, m.span));
      out.push_back(s);
      break;
    }
    case K::Entity:
    case K::Extend: {
      auto s =
          symbol(li, d.name.text, kClass, d.span, d.name.span, d.kind == K::Extend ? "extend" : "");
      for (const auto& at : d.attributes)
        s["children"].push_back(
            symbol(li, at.name.text, kField, at.span, at.name.span, type_text(at.type)));
      out.push_back(s);
      break;
    }
    case K::Setting:
      out.push_back(symbol(li, d.name.text, kConstant, d.span, d.name.span,
                           d.type ? type_text(*d.type) : ""));
      break;
    case K::SetOverride:
      out.push_back(symbol(li, d.name.text, kVariable, d.span, d.name.span, "set"));
      break;
    case K::Alias:
      out.push_back(symbol(li, d.name.text, kInterface, d.span, d.name.span, d.target.text));
      break;
    case K::Rule:
      out.push_back(symbol(li, d.name.text, d.is_action ? kEvent : kFunction, d.span, d.name.span,
                           d.is_action ? "action" : "rule"));
      break;
    case K::Invariant:
      out.push_back(symbol(li, d.name.text, kBoolean, d.span, d.span, "invariant"));
      break;
    case K::Check:
      out.push_back(symbol(li, d.name.text, kKey, d.span, d.name.span, "check"));
      break;
    case K::Report: {
      auto s = symbol(li, d.name.text, kObject, d.span, d.name.span, "report");
      for (const auto& t : d.tables)
        if (!t.name.text.empty())
          s["children"].push_back(symbol(li, t.name.text, kObject, t.span, t.name.span, "table"));
      out.push_back(s);
      break;
    }
    case K::Instance:
      if (d.instance) out.push_back(instance(li, *d.instance, d.span));
      break;
    }
  }
  (void)kProperty;
  (void)kMethod;
  return out;
}

} // namespace keyplan::lsp
