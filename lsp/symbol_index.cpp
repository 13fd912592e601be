#include "lsp/symbol_index.hpp"

#include <map>

namespace keyplan::lsp {

const char* kind_name(SymKind k) {
  switch (k) {
  case SymKind::Type:
    return "type";
  case SymKind::EnumMember:
    return "enum member";
  case SymKind::Attribute:
    return "attribute";
  case SymKind::Setting:
    return "setting";
  case SymKind::Rule:
    return "rule";
  case SymKind::Instance:
    return "instance";
  case SymKind::Check:
    return "check";
  case SymKind::Local:
    return "parameter";
  }
  return "name";
}

std::string type_text(const ast::TypeRef& t) {
  switch (t.kind) {
  case ast::TypeRef::Named:
    return t.name.text;
  case ast::TypeRef::Set:
    return "set<" + (t.elem ? type_text(*t.elem) : std::string("?")) + ">";
  case ast::TypeRef::Optional:
    return (t.elem ? type_text(*t.elem) : std::string()) + "?";
  }
  return {};
}

namespace {

int64_t local_key(const Span& s) {
  return (static_cast<int64_t>(s.file) << 32) | s.begin;
}

class Builder {
public:
  explicit Builder(std::vector<Occurrence>& out) : out_(out) {}

  // Global names by spelling, for resolving a bare name in an expression.
  std::map<std::string, SymKind> globals;

  void collect_globals(const std::vector<ast::File>& files) {
    // Lowest priority first: later insertions win.
    for (const auto& f : files)
      for (const auto& d : f.decls) {
        if (d.kind == ast::DeclKind::Rule) globals[d.name.text] = SymKind::Rule;
        if (d.kind == ast::DeclKind::Enum || d.kind == ast::DeclKind::Entity ||
            d.kind == ast::DeclKind::Alias)
          globals[d.name.text] = SymKind::Type;
      }
    for (const auto& f : files)
      for (const auto& d : f.decls)
        if (d.kind == ast::DeclKind::Enum)
          for (const auto& m : d.members) globals[m.text] = SymKind::EnumMember;
    for (const auto& f : files)
      for (const auto& d : f.decls)
        if (d.kind == ast::DeclKind::Instance && d.instance) add_instance_names(*d.instance);
    for (const auto& f : files)
      for (const auto& d : f.decls)
        if (d.kind == ast::DeclKind::Setting) globals[d.name.text] = SymKind::Setting;
  }

  void decl(const ast::Decl& d) {
    decl_ = &d;
    using K = ast::DeclKind;
    for (const auto& a : d.annotations) (void)a;
    switch (d.kind) {
    case K::Enum:
      def(SymKind::Type, d.name);
      for (const auto& m : d.members) def(SymKind::EnumMember, m, d.name.text);
      break;
    case K::Entity:
    case K::Extend:
      if (d.kind == K::Entity)
        def(SymKind::Type, d.name);
      else
        use(SymKind::Type, d.name);
      for (const auto& a : d.attributes) {
        Occurrence& o = def(SymKind::Attribute, a.name, d.name.text);
        o.type = &a.type;
        o.attribute = &a;
        type(a.type);
        if (a.default_value) expr(*a.default_value);
      }
      break;
    case K::Setting: {
      Occurrence& o = def(SymKind::Setting, d.name);
      if (d.type) {
        o.type = &*d.type;
        type(*d.type);
      }
      if (d.value) expr(*d.value);
      break;
    }
    case K::SetOverride:
      use(SymKind::Setting, d.name);
      if (d.value) expr(*d.value);
      break;
    case K::Alias:
      def(SymKind::Type, d.name, d.target.text);
      use(SymKind::Type, d.target);
      for (const auto& v : d.values) attr_value(v);
      break;
    case K::Rule:
    case K::Invariant:
    case K::Check: {
      if (d.kind == K::Rule) def(SymKind::Rule, d.name);
      if (d.kind == K::Check) def(SymKind::Check, d.name);
      if (d.type) type(*d.type);
      std::vector<std::pair<std::string, int64_t>> scope;
      for (const auto& p : d.params) {
        type(p.type);
        if (p.default_value) expr(*p.default_value, scope);
        Occurrence& o = def(SymKind::Local, p.name, d.name.text);
        o.type = &p.type;
        o.local_id = local_key(p.name.span);
        scope.emplace_back(p.name.text, o.local_id);
      }
      if (d.value) expr(*d.value, scope);
      break;
    }
    case K::Report:
      // A table's variables are in scope from their item on (rows before cells).
      for (const auto& t : d.tables) {
        std::vector<std::pair<std::string, int64_t>> scope;
        if (t.each) { // `table NAME for x: T where f = TITLE`
          type(t.each->type);
          Occurrence& o = def(SymKind::Local, t.each->name, d.name.text);
          o.type = &t.each->type;
          o.local_id = local_key(t.each->name.span);
          scope.emplace_back(t.each->name.text, o.local_id);
          if (t.each_filter) expr(*t.each_filter, scope);
          if (t.each_title) expr(*t.each_title, scope);
        }
        for (const auto& item : t.items) {
          if (item.binder) {
            type(item.binder->type);
            Occurrence& o = def(SymKind::Local, item.binder->name, d.name.text);
            o.type = &item.binder->type;
            o.local_id = local_key(item.binder->name.span);
            scope.emplace_back(item.binder->name.text, o.local_id);
          }
          if (item.filter) expr(*item.filter, scope);
          if (item.value) expr(*item.value, scope);
          if (item.condition) expr(*item.condition, scope);
          if (item.text) expr(*item.text, scope);
        }
      }
      break;
    case K::Instance:
      if (d.instance) instance(*d.instance);
      break;
    }
  }

private:
  void add_instance_names(const ast::InstanceDecl& i) {
    globals[i.id.text] = SymKind::Instance;
    for (const auto& item : i.items)
      if (item.child) add_instance_names(*item.child);
  }

  Occurrence& def(SymKind k, const ast::Ident& id, std::string container = {}) {
    Occurrence o{k, id.text, id.span, true, std::move(container), decl_};
    out_.push_back(std::move(o));
    return out_.back();
  }
  Occurrence& use(SymKind k, const ast::Ident& id, std::string container = {}) {
    Occurrence o{k, id.text, id.span, false, std::move(container), decl_};
    out_.push_back(std::move(o));
    return out_.back();
  }

  void type(const ast::TypeRef& t) {
    if (t.kind == ast::TypeRef::Named) {
      if (t.name.span.valid()) use(SymKind::Type, t.name);
    } else if (t.elem) {
      type(*t.elem);
    }
  }

  void attr_value(const ast::AttrValue& v) {
    use(SymKind::Attribute, v.name);
    if (v.value) expr(*v.value);
  }

  void instance(const ast::InstanceDecl& i) {
    use(SymKind::Type, i.type);
    def(SymKind::Instance, i.id, i.type.text);
    for (const auto& item : i.items) {
      if (item.value) attr_value(*item.value);
      if (item.child) instance(*item.child);
    }
  }

  void expr(const ast::Expr& root) {
    std::vector<std::pair<std::string, int64_t>> none;
    expr(root, none);
  }

  // Iterative (a long operator chain is a deep tree); `scope` holds the
  // locals visible at `root`, innermost last.
  void expr(const ast::Expr& root, std::vector<std::pair<std::string, int64_t>> scope) {
    struct Item {
      const ast::Expr* e;
      size_t scope_size; // the scope to restore before visiting e
      bool push_var;     // e's variable is in scope for e itself
      const ast::Expr* binder;
    };
    std::vector<Item> stack{{&root, scope.size(), false, nullptr}};
    std::vector<std::pair<std::string, int64_t>> cur = scope;
    while (!stack.empty()) {
      Item it = stack.back();
      stack.pop_back();
      cur.resize(it.scope_size);
      if (it.push_var) cur.emplace_back(it.binder->name.text, local_key(it.binder->name.span));
      const ast::Expr& e = *it.e;
      using K = ast::ExprKind;
      size_t base = cur.size();
      auto push = [&](const ast::Expr* k, bool with_var) {
        if (k) stack.push_back({k, base, with_var, &e});
      };
      switch (e.kind) {
      case K::Name: {
        int64_t local = -1;
        for (auto r = cur.rbegin(); r != cur.rend(); ++r)
          if (r->first == e.name.text) {
            local = r->second;
            break;
          }
        if (local >= 0) {
          use(SymKind::Local, e.name).local_id = local;
        } else if (auto g = globals.find(e.name.text); g != globals.end()) {
          use(g->second, e.name);
        }
        break;
      }
      case K::Call:
        if (globals.count(e.name.text) && globals[e.name.text] == SymKind::Rule)
          use(SymKind::Rule, e.name);
        for (const auto& k : e.kids) push(k.get(), false);
        break;
      case K::Member:
        if (e.name.text != "none" && e.name.text != "id") use(SymKind::Attribute, e.name);
        for (const auto& k : e.kids) push(k.get(), false);
        break;
      case K::Quant: { // kids: domain, body
        Occurrence& o = def(SymKind::Local, e.name, decl_ ? decl_->name.text : "");
        o.local_id = local_key(e.name.span);
        if (e.kids.size() > 0) push(e.kids[0].get(), false);
        if (e.kids.size() > 1) push(e.kids[1].get(), true);
        break;
      }
      case K::Comprehension: // kids: result, domain, [where]
      case K::List:          // kids: result, domain, [where]
      case K::Filter: {      // kids: domain, where
        Occurrence& o = def(SymKind::Local, e.name, decl_ ? decl_->name.text : "");
        o.local_id = local_key(e.name.span);
        size_t domain = e.kind == K::Filter ? 0 : 1;
        for (size_t i = 0; i < e.kids.size(); ++i) push(e.kids[i].get(), i != domain);
        break;
      }
      default:
        for (const auto& k : e.kids) push(k.get(), false);
      }
    }
  }

  std::vector<Occurrence>& out_;
  const ast::Decl* decl_ = nullptr;
};

} // namespace

void SymbolIndex::build(const std::vector<ast::File>& files) {
  occ_.clear();
  Builder b(occ_);
  b.collect_globals(files);
  for (const auto& f : files)
    for (const auto& d : f.decls) b.decl(d);
}

const Occurrence* SymbolIndex::at(int file, uint32_t offset) const {
  const Occurrence* best = nullptr;
  for (const auto& o : occ_)
    if (o.span.file == file && o.span.begin <= offset && offset <= o.span.end &&
        (!best || o.span.end - o.span.begin < best->span.end - best->span.begin))
      best = &o;
  return best;
}

bool SymbolIndex::same_symbol(const Occurrence& a, const Occurrence& b) const {
  if (a.kind != b.kind || a.name != b.name) return false;
  return a.kind != SymKind::Local || a.local_id == b.local_id;
}

std::vector<const Occurrence*> SymbolIndex::definitions(const Occurrence& o) const {
  std::vector<const Occurrence*> out;
  for (const auto& x : occ_)
    if (x.definition && same_symbol(o, x)) out.push_back(&x);
  return out;
}

std::vector<const Occurrence*> SymbolIndex::references(const Occurrence& o) const {
  std::vector<const Occurrence*> out;
  for (const auto& x : occ_)
    if (same_symbol(o, x)) out.push_back(&x);
  return out;
}

} // namespace keyplan::lsp
