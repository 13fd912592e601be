#include "lsp/parse_cache.hpp"

#include "compiler/parse.hpp"

#include <vector>

namespace keyplan::lsp {
namespace {

struct Cloner {
  int file;
  Span span(Span s) const {
    if (s.valid()) s.file = file;
    return s;
  }
  ast::Ident ident(const ast::Ident& i) const { return {i.text, span(i.span)}; }

  // Iterative: an operator chain may be a deep tree.
  ast::ExprPtr expr(const ast::Expr* root) const {
    if (!root) return nullptr;
    auto out = std::make_unique<ast::Expr>();
    std::vector<std::pair<const ast::Expr*, ast::Expr*>> todo{{root, out.get()}};
    while (!todo.empty()) {
      auto [src, dst] = todo.back();
      todo.pop_back();
      dst->kind = src->kind;
      dst->span = span(src->span);
      dst->bop = src->bop;
      dst->uop = src->uop;
      dst->lit = src->lit;
      dst->quant_all = src->quant_all;
      dst->name = ident(src->name);
      dst->text = src->text;
      for (const auto& k : src->kids) {
        dst->kids.push_back(k ? std::make_unique<ast::Expr>() : nullptr);
        if (k) todo.emplace_back(k.get(), dst->kids.back().get());
      }
    }
    return out;
  }
  ast::TypeRef type(const ast::TypeRef& t) const {
    ast::TypeRef out;
    out.kind = t.kind;
    out.name = ident(t.name);
    out.span = span(t.span);
    if (t.elem) out.elem = std::make_unique<ast::TypeRef>(type(*t.elem));
    return out;
  }
  std::vector<ast::Annotation> annotations(const std::vector<ast::Annotation>& v) const {
    std::vector<ast::Annotation> out;
    for (const auto& a : v) out.push_back({ident(a.name), a.args, span(a.span)});
    return out;
  }
  ast::AttrValue value(const ast::AttrValue& v) const {
    return {ident(v.name), expr(v.value.get()), span(v.span)};
  }
  ast::Param param(const ast::Param& p) const {
    return {ident(p.name), type(p.type), expr(p.default_value.get()), span(p.span)};
  }
  std::unique_ptr<ast::InstanceDecl> instance(const ast::InstanceDecl& i) const {
    auto out = std::make_unique<ast::InstanceDecl>();
    out->annotations = annotations(i.annotations);
    out->type = ident(i.type);
    out->id = ident(i.id);
    out->has_block = i.has_block;
    out->span = span(i.span);
    for (const auto& item : i.items) {
      ast::InstanceItem copy;
      if (item.value) copy.value = value(*item.value);
      if (item.child) copy.child = instance(*item.child);
      out->items.push_back(std::move(copy));
    }
    return out;
  }
  ast::Decl decl(const ast::Decl& d) const {
    ast::Decl out;
    out.kind = d.kind;
    out.span = span(d.span);
    out.annotations = annotations(d.annotations);
    out.name = ident(d.name);
    for (const auto& m : d.members) out.members.push_back(ident(m));
    for (const auto& a : d.attributes) {
      ast::Attribute copy;
      copy.annotations = annotations(a.annotations);
      copy.is_parent = a.is_parent;
      copy.name = ident(a.name);
      copy.type = type(a.type);
      copy.default_value = expr(a.default_value.get());
      copy.span = span(a.span);
      out.attributes.push_back(std::move(copy));
    }
    if (d.type) out.type = type(*d.type);
    out.value = expr(d.value.get());
    out.target = ident(d.target);
    for (const auto& v : d.values) out.values.push_back(value(v));
    out.is_action = d.is_action;
    for (const auto& p : d.params) out.params.push_back(param(p));
    if (d.instance) out.instance = instance(*d.instance);
    out.severity = ident(d.severity);
    out.message = ident(d.message);
    out.message_text = expr(d.message_text.get());
    // Reports: without their tables a cached module's report has none.
    if (d.title) out.title = ident(*d.title);
    out.table_blocks = d.table_blocks;
    for (const auto& t : d.tables) {
      ast::ReportTable copy;
      copy.name = ident(t.name);
      if (t.title) copy.title = ident(*t.title);
      copy.span = span(t.span);
      for (const auto& it : t.items) {
        ast::ReportItem i;
        i.kind = it.kind;
        i.span = span(it.span);
        if (it.binder) i.binder = param(*it.binder);
        i.filter = expr(it.filter.get());
        i.value = expr(it.value.get());
        i.condition = expr(it.condition.get());
        i.label = ident(it.label);
        i.action_var = ident(it.action_var);
        i.action_source = ident(it.action_source);
        if (it.actor) i.actor = param(*it.actor);
        copy.items.push_back(std::move(i));
      }
      out.tables.push_back(std::move(copy));
    }
    return out;
  }
};

} // namespace

ast::File clone_file(const ast::File& f, int file_id) {
  Cloner c{file_id};
  ast::File out;
  out.file_id = file_id;
  if (f.module) out.module = c.ident(*f.module);
  for (const auto& i : f.imports) out.imports.push_back(c.ident(i));
  for (const auto& d : f.decls) out.decls.push_back(c.decl(d));
  for (const auto& cm : f.comments) out.comments.push_back({cm.text, c.span(cm.span), cm.doc});
  return out;
}

std::optional<ast::File> ParseCache::parse(const SourceManager& sm, int id, Diagnostics& diags,
                                           int uncached) {
  if (id == uncached) return parse_file(sm, id, diags);
  const SourceFile& f = sm.file(id);
  auto it = trees_.find(f.path);
  if (it != trees_.end() && it->second.text == f.text) return clone_file(*it->second.tree, id);
  Diagnostics mine;
  auto tree = parse_file(sm, id, mine);
  for (const auto& d : mine.items()) diags.add(d);
  // Only a tree parsed without a word is kept: a module with syntax errors is
  // parsed (and reported) again at every check.
  if (tree && mine.items().empty())
    trees_[f.path] = {f.text, std::make_shared<const ast::File>(clone_file(*tree, id))};
  return tree;
}

} // namespace keyplan::lsp
