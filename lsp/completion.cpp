// Completion: after `x.` the attributes (with their entity and type), else
// the names in scope: the enclosing rule's parameters and bound variables,
// rules, settings, types, enum members, instance ids, and the keywords.
#include "lsp/features.hpp"
#include "lsp/position.hpp"

#include <fmt/format.h>
#include <set>

namespace keyplan::lsp {
namespace {

// LSP CompletionItemKind
int item_kind(SymKind k) {
  switch (k) {
  case SymKind::Type:
    return 7; // Class
  case SymKind::EnumMember:
    return 20;
  case SymKind::Attribute:
    return 5; // Field
  case SymKind::Setting:
    return 21; // Constant
  case SymKind::Rule:
    return 3; // Function
  case SymKind::Instance:
    return 12; // Value
  case SymKind::Check:
    return 23; // Event
  case SymKind::Local:
    return 6; // Variable
  }
  return 1;
}

const char* const kKeywords[] = {
    "module", "import",    "enum",   "entity", "extend", "setting", "set",       "alias", "rule",
    "action", "invariant", "forall", "check",  "parent", "not",     "and",       "or",    "implies",
    "any",    "all",       "in",     "if",     "then",   "else",    "for",       "where", "true",
    "false",  "none",      "today",  "within", "meets",  "union",   "intersect", "except"};

bool ident_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '_';
}

} // namespace

nlohmann::json completion(const Analysis& a, const std::string& text,
                          const nlohmann::json& position) {
  LineIndex li(text);
  uint32_t at = li.offset(position);
  uint32_t word = at;
  while (word > 0 && ident_char(text[word - 1])) --word;
  uint32_t before = word;
  while (before > 0 && (text[before - 1] == ' ' || text[before - 1] == '\t')) --before;
  bool member = before > 0 && text[before - 1] == '.';

  nlohmann::json items = nlohmann::json::array();
  std::set<std::pair<int, std::string>> seen;
  auto add = [&](const std::string& label, int kind, const std::string& detail) {
    if (!seen.insert({kind, label}).second) return;
    nlohmann::json it = {{"label", label}, {"kind", kind}};
    if (!detail.empty()) it["detail"] = detail;
    items.push_back(std::move(it));
  };
  const std::vector<Occurrence>& all = a.index.all();
  // The declaration around the cursor, for its locals (positions of the
  // last analysis; the document's own file is file 0).
  const ast::Decl* around = nullptr;
  if (const ast::File* f = a.ast_of(a.root_file))
    for (const auto& d : f->decls)
      if (d.span.begin <= at && at <= d.span.end) around = &d;
  if (member) {
    // `p.` where p is a parameter of the declaration: only its type's
    // attributes (an alias stands for its entity); otherwise every attribute.
    uint32_t end = before - 1, start = end;
    while (start > 0 && ident_char(text[start - 1])) --start;
    std::string object = text.substr(start, end - start), type;
    if (around)
      for (const auto& p : around->params)
        if (p.name.text == object && p.type.kind == ast::TypeRef::Named) type = p.type.name.text;
    for (const auto& o : all)
      if (o.definition && o.kind == SymKind::Type && o.name == type && !o.container.empty())
        type = o.container; // an alias
    bool known = false;
    for (const auto& o : all)
      known = known || (o.definition && o.kind == SymKind::Attribute && o.container == type);
    for (const auto& o : all)
      if (o.definition && o.kind == SymKind::Attribute && (!known || o.container == type))
        add(o.name, item_kind(o.kind),
            fmt::format("{}.{}: {}", o.container, o.name, o.type ? type_text(*o.type) : ""));
    add("id", 10, "the instance's id (string)");
    return {{"isIncomplete", false}, {"items", items}};
  }
  for (const auto& o : all) {
    if (!o.definition || o.kind == SymKind::Attribute) continue;
    if (o.kind == SymKind::Local) {
      if (o.decl == around && around)
        add(o.name, item_kind(o.kind), o.type ? type_text(*o.type) : "");
      continue;
    }
    std::string detail = kind_name(o.kind);
    if (o.kind == SymKind::Instance) detail = o.container;
    if (o.kind == SymKind::EnumMember) detail = "enum " + o.container;
    if (o.kind == SymKind::Setting && o.type) detail = "setting: " + type_text(*o.type);
    add(o.name, item_kind(o.kind), detail);
  }
  for (const char* k : kKeywords) add(k, 14, "keyword");
  return {{"isIncomplete", false}, {"items", items}};
}

} // namespace keyplan::lsp
