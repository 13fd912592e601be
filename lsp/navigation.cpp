// Go to definition, find references and rename: all by the symbol index,
// across every file the document's check reached (std included).
#include "lsp/features.hpp"
#include "lsp/position.hpp"
#include "lsp/uri.hpp"

#include <map>
#include <memory>
#include <set>

namespace keyplan::lsp {
namespace {

class Locations {
public:
  explicit Locations(const Analysis& a) : a_(a) {}
  nlohmann::json range(const Span& s) {
    auto& li = lines_[s.file];
    if (!li) li = std::make_unique<LineIndex>(a_.sources().file(s.file).text);
    return li->range(s.begin, s.end);
  }
  nlohmann::json location(const Span& s) {
    return {{"uri", path_to_uri(a_.sources().file(s.file).path)}, {"range", range(s)}};
  }

private:
  const Analysis& a_;
  std::map<int, std::unique_ptr<LineIndex>> lines_;
};

bool is_identifier(const std::string& s) {
  if (s.empty() || !(std::isalpha(static_cast<unsigned char>(s[0])) || s[0] == '_')) return false;
  for (unsigned char c : s)
    if (!std::isalnum(c) && c != '_') return false;
  static const std::set<std::string> kReserved = {
      "module", "import", "enum",   "entity",    "extend", "setting",   "set",
      "alias",  "rule",   "action", "invariant", "forall", "check",     "parent",
      "not",    "and",    "or",     "implies",   "any",    "all",       "in",
      "if",     "then",   "else",   "for",       "where",  "true",      "false",
      "none",   "today",  "within", "meets",     "union",  "intersect", "except"};
  return !kReserved.count(s);
}

} // namespace

nlohmann::json definition(const Analysis& a, const std::string& path,
                          const nlohmann::json& position) {
  const Occurrence* o = occurrence_at(a, path, position);
  if (!o) return nullptr;
  Locations loc(a);
  nlohmann::json out = nlohmann::json::array();
  for (const Occurrence* d : a.index.definitions(*o)) out.push_back(loc.location(d->span));
  return out;
}

nlohmann::json references(const Analysis& a, const std::string& path,
                          const nlohmann::json& position, bool include_declaration) {
  const Occurrence* o = occurrence_at(a, path, position);
  if (!o) return nullptr;
  Locations loc(a);
  nlohmann::json out = nlohmann::json::array();
  for (const Occurrence* r : a.index.references(*o))
    if (include_declaration || !r->definition) out.push_back(loc.location(r->span));
  return out;
}

nlohmann::json rename(const std::vector<const Analysis*>& workspace, const Analysis& a,
                      const std::string& path, const nlohmann::json& position,
                      const std::string& new_name, std::string& error) {
  const Occurrence* o = occurrence_at(a, path, position);
  if (!o || (o->kind != SymKind::Rule && o->kind != SymKind::Instance)) {
    error = "only a rule or an instance can be renamed";
    return nullptr;
  }
  if (!is_identifier(new_name)) {
    error = "'" + new_name + "' is not a keyplan identifier";
    return nullptr;
  }
  for (const Occurrence* d : a.index.definitions(*o))
    if (in_standard_library(a.sources().file(d->span.file).path)) {
      error = "'" + o->name + "' is declared in the standard library, which cannot be renamed";
      return nullptr;
    }
  const Occurrence key = *o;
  // The declaration renamed, by file and place: another open policy with a
  // name spelt the same but declared elsewhere is left alone.
  std::set<std::pair<std::string, uint32_t>> declared;
  for (const Occurrence* d : a.index.definitions(*o))
    declared.insert({path_to_uri(a.sources().file(d->span.file).path), d->span.begin});
  // uri -> (byte offset -> edit): each place edited once, however many open
  // documents reach the file.
  std::map<std::string, std::map<uint32_t, nlohmann::json>> edits;
  for (const Analysis* w : workspace) {
    bool same = false;
    for (const auto& x : w->index.all())
      same = same ||
             (x.definition && w->index.same_symbol(key, x) &&
              declared.count({path_to_uri(w->sources().file(x.span.file).path), x.span.begin}));
    if (!same) continue;
    Locations loc(*w);
    for (const auto& x : w->index.all()) {
      if (!w->index.same_symbol(key, x)) continue;
      const std::string& file = w->sources().file(x.span.file).path;
      if (in_standard_library(file)) continue;
      edits[path_to_uri(file)][x.span.begin] = {{"range", loc.range(x.span)},
                                                {"newText", new_name}};
    }
  }
  nlohmann::json changes = nlohmann::json::object();
  for (auto& [uri, list] : edits) {
    changes[uri] = nlohmann::json::array();
    for (auto& [offset, edit] : list) changes[uri].push_back(edit);
  }
  return {{"changes", changes}};
}

} // namespace keyplan::lsp
