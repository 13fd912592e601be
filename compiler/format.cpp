#include "compiler/format.hpp"

#include <cctype>
#include <functional>
#include <unordered_map>
#include <vector>

namespace keyplan {
namespace {

using ast::BinOp;
using ast::Comment;
using ast::Expr;
using ast::ExprKind;

// ------------------------------------------------------------- expressions

// Binding strengths beyond ast::precedence (1 implies .. 11 multiplicative):
// the prefix operators and member access. `if` and quantifiers bind loosest.
constexpr int kNotLevel = 4;
constexpr int kNegLevel = 12;
constexpr int kMemberLevel = 13;

// Display width in code points.
size_t width(std::string_view s) {
  size_t n = 0;
  for (char c : s) n += (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  return n;
}

bool is_compare(BinOp op) {
  return op == BinOp::Eq || op == BinOp::Ne || op == BinOp::Lt || op == BinOp::Le ||
         op == BinOp::Gt || op == BinOp::Ge;
}

// Binary operators whose chains break one operand per line when too long.
bool is_chain(const Expr& e) {
  return e.kind == ExprKind::Binary && !is_compare(e.bop) && e.bop != BinOp::In &&
         e.bop != BinOp::NotIn && e.bop != BinOp::Meets && e.bop != BinOp::Within;
}

// Where an expression is printed: binary operators looser than `min` need
// parentheses; `follow` is the binding strength of the operator printed right
// after it (0: none), which a prefix operator's operand would swallow.
struct Pos {
  int min = 0;
  int follow = 0;
  bool no_compare = false; // an operand of a comparison
};

Pos lhs_pos(const Expr& e) {
  int l = ast::precedence(e.bop);
  return {e.bop == BinOp::Implies ? l + 1 : l, l, is_compare(e.bop)};
}

Pos rhs_pos(const Expr& e, int follow) {
  int l = ast::precedence(e.bop);
  return {e.bop == BinOp::Implies ? l : l + 1, follow, is_compare(e.bop)};
}

bool needs_parens(const Expr& e, const Pos& p) {
  switch (e.kind) {
  case ExprKind::Binary:
    return ast::precedence(e.bop) < p.min || (p.no_compare && is_compare(e.bop));
  case ExprKind::Unary:
    return p.follow >= (e.uop == ast::UnOp::Not ? kNotLevel : kNegLevel);
  case ExprKind::If:
  case ExprKind::Quant:
    return false;
  default:
    return false;
  }
}

std::string quote(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\')
      out += '\\', out += c;
    else if (c == '\n')
      out += "\\n";
    else if (c == '\t')
      out += "\\t";
    else
      out += c;
  }
  return out + '"';
}

std::string expr(const Expr& e, const Pos& p);

std::string list(const std::vector<ast::ExprPtr>& kids, size_t from = 0) {
  std::string out;
  for (size_t i = from; i < kids.size(); ++i) out += (i > from ? ", " : "") + expr(*kids[i], {});
  return out;
}

// `e` without parentheses of its own; `follow` as in Pos.
std::string bare(const Expr& e, int follow) {
  const auto& k = e.kids;
  switch (e.kind) {
  case ExprKind::If:
    return "if " + expr(*k[0], {}) + " then " + expr(*k[1], {}) + " else " +
           expr(*k[2], {0, follow});
  case ExprKind::Quant:
    return std::string(e.quant_all ? "all " : "any ") + e.name.text + " in " + expr(*k[0], {}) +
           ": " + expr(*k[1], {0, follow});
  case ExprKind::Binary:
    return expr(*k[0], lhs_pos(e)) + " " + ast::spelling(e.bop) + " " +
           expr(*k[1], rhs_pos(e, follow));
  case ExprKind::Unary: {
    if (e.uop == ast::UnOp::Not) return "not " + expr(*k[0], {kNotLevel, follow});
    std::string operand = expr(*k[0], {kNegLevel, follow});
    return (operand[0] == '-' ? "- " : "-") + operand; // not `--x`
  }
  case ExprKind::Member:
    return expr(*k[0], {kMemberLevel, kMemberLevel}) + "." + e.name.text;
  case ExprKind::Call:
    return e.name.text + "(" + list(k) + ")";
  case ExprKind::Comprehension:
    return "{" + expr(*k[0], {}) + " for " + e.name.text + " in " + expr(*k[1], {}) +
           (k.size() > 2 ? " where " + expr(*k[2], {}) : "") + "}";
  case ExprKind::Filter:
    return "{" + e.name.text + " in " + expr(*k[0], {}) + " where " + expr(*k[1], {}) + "}";
  case ExprKind::SetLit:
    return "[" + list(k) + "]";
  case ExprKind::Paren:
    return "(" + expr(*k[0], {}) + ")";
  case ExprKind::Literal:
    return e.lit == ast::LitKind::String ? quote(e.text) : e.text;
  case ExprKind::Name:
    return e.name.text;
  }
  return {};
}

std::string expr(const Expr& e, const Pos& p) {
  return needs_parens(e, p) ? "(" + bare(e, 0) + ")" : bare(e, p.follow);
}

struct Operand {
  const Expr* e;
  Pos pos;
};

// The operands of a chain of one operator: a and b and c, a implies b implies c.
std::vector<Operand> flatten(const Expr& e, int follow) {
  std::vector<Operand> ops;
  if (e.bop == BinOp::Implies) {
    const Expr* cur = &e;
    const Expr* last = &e;
    for (; cur->kind == ExprKind::Binary && cur->bop == BinOp::Implies; cur = cur->kids[1].get()) {
      ops.push_back({cur->kids[0].get(), lhs_pos(*cur)});
      last = cur;
    }
    ops.push_back({cur, rhs_pos(*last, follow)});
    return ops;
  }
  std::vector<const Expr*> spine;
  const Expr* cur = &e;
  for (; cur->kind == ExprKind::Binary && cur->bop == e.bop; cur = cur->kids[0].get())
    spine.push_back(cur);
  ops.push_back({cur, lhs_pos(*spine.back())});
  for (size_t i = spine.size(); i-- > 0;) {
    int f = i == 0 ? follow : ast::precedence(e.bop);
    ops.push_back({spine[i]->kids[1].get(), rhs_pos(*spine[i], f)});
  }
  return ops;
}

void emit(const Expr& e, const Pos& p, std::string& line, std::vector<std::string>& out,
          size_t suffix, bool operand = false);

// A chain one operand per line, the operator leading, indented 2 more than
// where the first operand starts (4 for a chain that is itself an operand of
// a chain, without parentheses, so that the two levels stand apart).
void emit_chain(const Expr& e, int follow, std::string& line, std::vector<std::string>& out,
                size_t suffix, bool operand) {
  auto ops = flatten(e, follow);
  size_t indent = width(line) + (operand ? 4 : 2);
  for (size_t i = 0; i < ops.size(); ++i) {
    if (i > 0) {
      out.push_back(std::move(line));
      line = std::string(indent, ' ') + ast::spelling(e.bop) + " ";
    }
    emit(*ops[i].e, ops[i].pos, line, out, i + 1 == ops.size() ? suffix : 0, true);
  }
}

// Appends `e` to `line`, breaking it over lines (pushed to `out`) when it
// does not fit: operator chains one operand per line, quantifiers after the
// colon. `suffix` columns follow it on its last line.
void emit(const Expr& e, const Pos& p, std::string& line, std::vector<std::string>& out,
          size_t suffix, bool operand) {
  std::string flat = expr(e, p);
  if (width(line) + width(flat) + suffix <= kFormatWidth) {
    line += flat;
    return;
  }
  bool paren = needs_parens(e, p);
  const Expr* in = &e;
  if (e.kind == ExprKind::Paren) in = e.kids[0].get(), paren = true;
  if (!is_chain(*in) && in->kind != ExprKind::Quant) {
    line += flat;
    return;
  }
  int follow = paren ? 0 : p.follow;
  if (paren) line += "(", ++suffix;
  if (in->kind == ExprKind::Quant) {
    line += std::string(in->quant_all ? "all " : "any ") + in->name.text + " in " +
            expr(*in->kids[0], {}) + ":";
    size_t indent = line.find_first_not_of(' ') + 2;
    out.push_back(std::move(line));
    line = std::string(indent, ' ');
    emit(*in->kids[1], {0, follow}, line, out, suffix);
  } else {
    emit_chain(*in, follow, line, out, suffix, operand && !paren);
  }
  if (paren) line += ")";
}

std::string type(const ast::TypeRef& t) {
  switch (t.kind) {
  case ast::TypeRef::Set:
    return "set<" + type(*t.elem) + ">";
  case ast::TypeRef::Optional:
    return type(*t.elem) + "?";
  case ast::TypeRef::Named:
    break;
  }
  return t.name.text;
}

// ---------------------------------------------------------------- layout

struct Lines {
  std::vector<std::string> v;
  bool opened = false; // the last line opens a block
  void add(std::string s, bool opens = false) {
    v.push_back(std::move(s));
    opened = opens;
  }
  void blank() {
    if (!v.empty() && !opened && !v.back().empty()) v.push_back("");
  }
};

struct Notes {
  std::vector<const Comment*> leading, trailing, end, before_body;
};

struct Item {
  Span span;
  const void* key;
  std::function<void(size_t, size_t)> inner; // distributes the comments inside
};

class Formatter {
public:
  Formatter(const ast::File& f, const SourceManager& sm) : file_(f), sm_(sm) {
    if (f.file_id >= 0 && f.file_id < sm.count()) text_ = sm.file(f.file_id).text;
    if (!text_.empty()) attach_file();
  }
  std::string run();

private:
  const ast::File& file_;
  const SourceManager& sm_;
  std::string_view text_;
  std::unordered_map<const void*, Notes> notes_;

  const Notes* notes(const void* key) const {
    auto it = notes_.find(key);
    return it == notes_.end() ? nullptr : &it->second;
  }
  bool has_notes(const void* key) const {
    const Notes* n = notes(key);
    return n && (!n->leading.empty() || !n->trailing.empty() || !n->end.empty());
  }

  // --- comments to items
  bool gap_is_blank(uint32_t from, uint32_t to) const {
    for (uint32_t i = from; i < to && i < text_.size(); ++i)
      if (!std::isspace(static_cast<unsigned char>(text_[i])) && text_[i] != ',') return false;
    return true;
  }
  void attach(const void* container, uint32_t header_end, const std::vector<Item>& items, size_t lo,
              size_t hi, bool has_end);
  void attach_leaf(const void* key, size_t lo, size_t hi) {
    for (size_t i = lo; i < hi; ++i) notes_[key].leading.push_back(&file_.comments[i]);
  }
  void attach_instance(const ast::InstanceDecl& in, const void* key, size_t lo, size_t hi);
  void attach_decl(const ast::Decl& d, size_t lo, size_t hi);
  void attach_file();

  // --- printing
  bool blank_before(uint32_t offset) const {
    if (text_.empty()) return false;
    int newlines = 0;
    for (size_t i = std::min<size_t>(offset, text_.size()); i > 0; --i) {
      char c = text_[i - 1];
      if (c == '\n')
        ++newlines;
      else if (c != ' ' && c != '\t' && c != '\r')
        break;
    }
    return newlines >= 2;
  }
  uint32_t keyword_start(uint32_t offset) const; // `module`/`import` before a name
  static std::string comment(const Comment& c) {
    std::string t = c.text;
    if (t.rfind("/*", 0) != 0)
      while (!t.empty() && std::isspace(static_cast<unsigned char>(t.back()))) t.pop_back();
    return t;
  }
  void comments(const std::vector<const Comment*>& cs, const std::string& ind, Lines& out) const {
    for (const Comment* c : cs) {
      if (blank_before(c->span.begin)) out.blank();
      out.add(ind + comment(*c));
    }
  }
  void leading(const void* key, const std::string& ind, Lines& out) const {
    if (const Notes* n = notes(key)) comments(n->leading, ind, out);
  }
  void trailing(const void* key, Lines& out) const {
    if (const Notes* n = notes(key))
      for (const Comment* c : n->trailing) out.v.back() += " " + comment(*c);
  }
  void end(const void* key, const std::string& ind, Lines& out) const {
    if (const Notes* n = notes(key)) comments(n->end, ind, out);
  }
  bool has_end(const void* key) const {
    const Notes* n = notes(key);
    return n && !n->end.empty();
  }
  // Leading comments, a kept blank line, the item, trailing comments.
  template <class F>
  void item(const void* key, uint32_t begin, const std::string& ind, Lines& out, F print) const {
    leading(key, ind, out);
    if (blank_before(begin)) out.blank();
    print();
    trailing(key, out);
  }

  std::vector<bool> quoted_args(const ast::Annotation& a) const;
  void annotations(const std::vector<ast::Annotation>& as, const std::string& ind,
                   Lines& out) const;
  void head_body(const std::string& head, const Expr& body, const Notes* n, Lines& out) const;
  void rule(const ast::Decl& d, Lines& out) const;
  void instance(const ast::InstanceDecl& in, const void* key, const std::string& ind,
                Lines& out) const;
  void decl(const ast::Decl& d, Lines& out) const;
};

// Comments between `lo` and `hi` (indices into file_.comments) lie inside
// `container`: those before `header_end` lead it, the others lead the item
// they precede, trail the item they follow on its line, or end the block.
void Formatter::attach(const void* container, uint32_t header_end, const std::vector<Item>& items,
                       size_t lo, size_t hi, bool has_end) {
  const auto& cs = file_.comments;
  size_t k = lo;
  while (k < hi && cs[k].span.begin < header_end) notes_[container].leading.push_back(&cs[k++]);
  for (const Item& it : items) {
    while (k < hi && cs[k].span.begin < it.span.begin) notes_[it.key].leading.push_back(&cs[k++]);
    size_t in_lo = k;
    while (k < hi && cs[k].span.begin < it.span.end) ++k;
    if (it.inner)
      it.inner(in_lo, k);
    else
      attach_leaf(it.key, in_lo, k);
    uint32_t pos = it.span.end;
    while (k < hi && cs[k].span.line == it.span.end_line && gap_is_blank(pos, cs[k].span.begin)) {
      notes_[it.key].trailing.push_back(&cs[k]);
      pos = cs[k++].span.end;
    }
  }
  for (; k < hi; ++k) {
    auto& n = notes_[container];
    (has_end ? n.end : n.leading).push_back(&cs[k]);
  }
}

void Formatter::attach_instance(const ast::InstanceDecl& in, const void* key, size_t lo,
                                size_t hi) {
  std::vector<Item> items;
  for (const auto& it : in.items) {
    if (it.value) {
      items.push_back({it.value->span, &*it.value, nullptr});
    } else {
      const ast::InstanceDecl* child = it.child.get();
      items.push_back({child->span, child, [this, child](size_t l, size_t h) {
                         attach_instance(*child, child, l, h);
                       }});
    }
  }
  attach(key, in.id.span.end, items, lo, hi, in.has_block);
}

void Formatter::attach_decl(const ast::Decl& d, size_t lo, size_t hi) {
  std::vector<Item> items;
  using K = ast::DeclKind;
  switch (d.kind) {
  case K::Enum:
    for (const auto& m : d.members) items.push_back({m.span, &m, nullptr});
    return attach(&d, d.name.span.end, items, lo, hi, true);
  case K::Entity:
  case K::Extend:
    for (const auto& a : d.attributes) items.push_back({a.span, &a, nullptr});
    return attach(&d, d.name.span.end, items, lo, hi, true);
  case K::Alias:
    for (const auto& v : d.values) items.push_back({v.span, &v, nullptr});
    return attach(&d, d.target.span.end, items, lo, hi, sm_.text(d.span).ends_with("}"));
  case K::Instance:
    return attach_instance(*d.instance, &d, lo, hi);
  case K::Rule: {
    for (const auto& p : d.params) items.push_back({p.span, &p, nullptr});
    attach(&d, d.name.span.end, items, lo, hi, true);
    // Comments after the parameters go before the body when parameters
    // carry comments (to keep their order), else before the rule.
    Notes& n = notes_[&d];
    bool params = false;
    for (const auto& p : d.params) params = params || has_notes(&p);
    auto& to = params ? n.before_body : n.leading;
    to.insert(to.end(), n.end.begin(), n.end.end());
    n.end.clear();
    return;
  }
  default:
    return attach_leaf(&d, lo, hi);
  }
}

void Formatter::attach_file() {
  std::vector<Item> items;
  if (file_.module) items.push_back({file_.module->span, &*file_.module, nullptr});
  for (const auto& i : file_.imports) items.push_back({i.span, &i, nullptr});
  for (const auto& d : file_.decls)
    items.push_back({d.span, &d, [this, &d](size_t l, size_t h) { attach_decl(d, l, h); }});
  attach(&file_, 0, items, 0, file_.comments.size(), true);
}

uint32_t Formatter::keyword_start(uint32_t offset) const {
  size_t i = std::min<size_t>(offset, text_.size());
  while (i > 0 && std::isspace(static_cast<unsigned char>(text_[i - 1]))) --i;
  while (i > 0 && std::isalpha(static_cast<unsigned char>(text_[i - 1]))) --i;
  return static_cast<uint32_t>(i);
}

// How each argument was written: "quoted" or as a name (the tree keeps only
// the text). Empty when the source does not tell.
std::vector<bool> Formatter::quoted_args(const ast::Annotation& a) const {
  std::vector<bool> q;
  if (text_.empty() || !a.span.valid()) return q;
  std::string_view t = sm_.text(a.span);
  size_t i = t.find('(');
  if (i == std::string_view::npos) return q;
  auto word = [&](size_t j) {
    return j < t.size() && (std::isalnum(static_cast<unsigned char>(t[j])) || t[j] == '_');
  };
  for (++i; i < t.size();) {
    if (t[i] == '"') {
      q.push_back(true);
      for (++i; i < t.size() && t[i] != '"'; ++i) i += t[i] == '\\';
      ++i;
    } else if (t.substr(i, 2) == "//") {
      i = t.find('\n', i);
    } else if (t.substr(i, 2) == "/*") {
      i = t.find("*/", i + 2);
      i = i == std::string_view::npos ? i : i + 2;
    } else if (word(i)) {
      q.push_back(false);
      while (word(i)) ++i;
    } else {
      ++i;
    }
  }
  return q;
}

void Formatter::annotations(const std::vector<ast::Annotation>& as, const std::string& ind,
                            Lines& out) const {
  for (const auto& a : as) {
    std::string s = ind + "@" + a.name.text;
    if (!a.args.empty()) {
      auto q = quoted_args(a);
      s += "(";
      for (size_t i = 0; i < a.args.size(); ++i) {
        bool quoted = q.size() == a.args.size() ? q[i] : true;
        s += (i ? ", " : "") + (quoted ? quote(a.args[i]) : a.args[i]);
      }
      s += ")";
    }
    out.add(s);
  }
}

// `head =` and the body: on one line when it fits and no comment sits before
// the body, else the body on the next line indented 2, its chains broken.
void Formatter::head_body(const std::string& head, const Expr& body, const Notes* n,
                          Lines& out) const {
  std::string flat = expr(body, {});
  bool comments_first = n && !n->before_body.empty();
  if (!comments_first && width(head) + 1 + width(flat) <= kFormatWidth) {
    out.add(head + " " + flat);
    return;
  }
  out.add(head);
  if (comments_first) comments(n->before_body, "  ", out);
  std::string line = "  ";
  std::vector<std::string> lines;
  emit(body, {}, line, lines, 0);
  for (auto& l : lines) out.add(std::move(l));
  out.add(std::move(line));
}

void Formatter::rule(const ast::Decl& d, Lines& out) const {
  auto param = [](const ast::Param& p) {
    return p.name.text + ": " + type(p.type) +
           (p.default_value ? " = " + expr(*p.default_value, {}) : "");
  };
  std::string head = std::string(d.is_action ? "action " : "rule ") + d.name.text + "(";
  std::string params;
  bool broken = false;
  for (const auto& p : d.params) {
    params += (params.empty() ? "" : ", ") + param(p);
    broken = broken || has_notes(&p);
  }
  std::string tail = ")" + (d.type ? ": " + type(*d.type) : "") + " =";
  if (!broken && width(head) + width(params) + width(tail) <= kFormatWidth) {
    head += params + tail;
  } else {
    out.add(head, true);
    for (size_t i = 0; i < d.params.size(); ++i) {
      const auto& p = d.params[i];
      item(&p, p.span.begin, "  ", out,
           [&] { out.add("  " + param(p) + (i + 1 < d.params.size() ? "," : "")); });
    }
    head = tail;
  }
  head_body(head, *d.value, notes(&d), out);
}

void Formatter::instance(const ast::InstanceDecl& in, const void* key, const std::string& ind,
                         Lines& out) const {
  std::string head = ind + in.type.text + " " + in.id.text;
  if (!in.has_block) return out.add(head);
  if (in.items.empty() && !has_end(key)) return out.add(head + " {}");
  out.add(head + " {", true);
  std::string ind2 = ind + "  ";
  for (const auto& it : in.items) {
    if (it.value) {
      const auto& v = *it.value;
      item(&v, v.span.begin, ind2, out,
           [&] { out.add(ind2 + v.name.text + ": " + expr(*v.value, {})); });
    } else {
      const auto* c = it.child.get();
      item(c, c->span.begin, ind2, out, [&] { instance(*c, c, ind2, out); });
    }
  }
  end(key, ind2, out);
  out.add(ind + "}");
}

void Formatter::decl(const ast::Decl& d, Lines& out) const {
  using K = ast::DeclKind;
  annotations(d.annotations, "", out);
  switch (d.kind) {
  case K::Enum: {
    std::string one = "enum " + d.name.text + " {";
    bool comments = has_end(&d);
    for (size_t i = 0; i < d.members.size(); ++i) {
      one += (i ? ", " : " ") + d.members[i].text;
      comments = comments || has_notes(&d.members[i]);
    }
    one += d.members.empty() ? "}" : " }";
    if (!comments && width(one) <= kFormatWidth) return out.add(one);
    out.add("enum " + d.name.text + " {", true);
    for (const auto& m : d.members)
      item(&m, m.span.begin, "  ", out, [&] { out.add("  " + m.text + ","); });
    end(&d, "  ", out);
    return out.add("}");
  }
  case K::Entity:
  case K::Extend: {
    std::string head = (d.kind == K::Entity ? "entity " : "extend ") + d.name.text + " {";
    if (d.attributes.empty() && !has_end(&d)) return out.add(head + "}");
    out.add(head, true);
    for (const auto& a : d.attributes) {
      item(&a, a.span.begin, "  ", out, [&] {
        annotations(a.annotations, "  ", out);
        out.add("  " + std::string(a.is_parent ? "parent " : "") + a.name.text + ": " +
                type(a.type) + (a.default_value ? " = " + expr(*a.default_value, {}) : ""));
      });
    }
    end(&d, "  ", out);
    return out.add("}");
  }
  case K::Setting:
    return head_body("setting " + d.name.text + ": " + type(*d.type) + " =", *d.value, nullptr,
                     out);
  case K::SetOverride:
    return head_body("set " + d.name.text + " =", *d.value, nullptr, out);
  case K::Alias: {
    std::string head = "alias " + d.name.text + " = " + d.target.text;
    bool block = !d.values.empty() || has_end(&d) || sm_.text(d.span).ends_with("}");
    if (!block) return out.add(head);
    std::string one = head + " {";
    bool comments = has_end(&d);
    for (size_t i = 0; i < d.values.size(); ++i) {
      one += (i ? ", " : " ") + d.values[i].name.text + ": " + expr(*d.values[i].value, {});
      comments = comments || has_notes(&d.values[i]);
    }
    one += d.values.empty() ? "}" : " }";
    if (!comments && width(one) <= kFormatWidth) return out.add(one);
    out.add(head + " {", true);
    for (const auto& v : d.values)
      item(&v, v.span.begin, "  ", out,
           [&] { out.add("  " + v.name.text + ": " + expr(*v.value, {})); });
    end(&d, "  ", out);
    return out.add("}");
  }
  case K::Rule:
    return rule(d, out);
  case K::Invariant: {
    std::string head = "invariant " + quote(d.name.text) + ":";
    for (size_t i = 0; i < d.params.size(); ++i)
      head += (i ? ", " : " forall ") + d.params[i].name.text + ": " + type(d.params[i].type);
    if (!d.params.empty()) head += " .";
    return head_body(head, *d.value, nullptr, out);
  }
  case K::Instance:
    return instance(*d.instance, &d, "", out);
  }
}

std::string Formatter::run() {
  Lines out;
  int prev_kind = 0;
  bool prev_multi = false, first = true;
  // A blank line between pieces of different kinds or spanning lines, and
  // where the user left one.
  auto piece = [&](const void* key, uint32_t begin, int kind, const Lines& body) {
    bool multi = body.v.size() > 1;
    if (!first && (kind != prev_kind || multi || prev_multi)) out.blank();
    leading(key, "", out);
    if (blank_before(begin)) out.blank();
    for (const auto& l : body.v) out.add(l);
    trailing(key, out);
    first = false;
    prev_kind = kind;
    prev_multi = multi;
  };
  if (file_.module) {
    const auto& m = *file_.module;
    piece(&m, keyword_start(m.span.begin), -1, Lines{{"module " + m.text}});
  }
  for (const auto& i : file_.imports)
    piece(&i, keyword_start(i.span.begin), -2, Lines{{"import " + i.text}});
  for (const auto& d : file_.decls) {
    Lines body;
    decl(d, body);
    piece(&d, d.span.begin, static_cast<int>(d.kind) * 2 + d.is_action, body); // rule != action
  }
  end(&file_, "", out);
  std::string text;
  for (const auto& l : out.v) text += l + "\n";
  return text;
}

} // namespace

std::string format_file(const ast::File& file, const SourceManager& sm) {
  return Formatter(file, sm).run();
}

std::string format_expr(const ast::Expr& e) {
  return expr(e, {});
}

// ------------------------------------------------------------ same_ast

namespace {

bool same_type(const ast::TypeRef& a, const ast::TypeRef& b) {
  if (a.kind != b.kind || a.name.text != b.name.text || !a.elem != !b.elem) return false;
  return !a.elem || same_type(*a.elem, *b.elem);
}

bool same_opt(const ast::ExprPtr& a, const ast::ExprPtr& b, bool parens) {
  if (!a || !b) return !a && !b;
  return same_expr(*a, *b, parens);
}

bool same_annotations(const std::vector<ast::Annotation>& a,
                      const std::vector<ast::Annotation>& b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i)
    if (a[i].name.text != b[i].name.text || a[i].args != b[i].args) return false;
  return true;
}

bool same_values(const std::vector<ast::AttrValue>& a, const std::vector<ast::AttrValue>& b,
                 bool parens) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i)
    if (a[i].name.text != b[i].name.text || !same_opt(a[i].value, b[i].value, parens)) return false;
  return true;
}

bool same_instance(const ast::InstanceDecl& a, const ast::InstanceDecl& b, bool parens) {
  if (a.type.text != b.type.text || a.id.text != b.id.text || a.has_block != b.has_block ||
      a.items.size() != b.items.size())
    return false;
  for (size_t i = 0; i < a.items.size(); ++i) {
    const auto &x = a.items[i], &y = b.items[i];
    if (!x.value != !y.value || !x.child != !y.child) return false;
    if (x.value && (x.value->name.text != y.value->name.text ||
                    !same_opt(x.value->value, y.value->value, parens)))
      return false;
    if (x.child && !same_instance(*x.child, *y.child, parens)) return false;
  }
  return true;
}

bool same_decl(const ast::Decl& a, const ast::Decl& b, bool parens) {
  if (a.kind != b.kind || a.name.text != b.name.text || a.target.text != b.target.text ||
      a.is_action != b.is_action || !same_annotations(a.annotations, b.annotations) ||
      !same_opt(a.value, b.value, parens) || !same_values(a.values, b.values, parens) ||
      a.members.size() != b.members.size() || a.attributes.size() != b.attributes.size() ||
      a.params.size() != b.params.size() || !a.type != !b.type || !a.instance != !b.instance)
    return false;
  if (a.type && !same_type(*a.type, *b.type)) return false;
  if (a.instance && !same_instance(*a.instance, *b.instance, parens)) return false;
  for (size_t i = 0; i < a.members.size(); ++i)
    if (a.members[i].text != b.members[i].text) return false;
  for (size_t i = 0; i < a.attributes.size(); ++i) {
    const auto &x = a.attributes[i], &y = b.attributes[i];
    if (x.is_parent != y.is_parent || x.name.text != y.name.text || !same_type(x.type, y.type) ||
        !same_annotations(x.annotations, y.annotations) ||
        !same_opt(x.default_value, y.default_value, parens))
      return false;
  }
  for (size_t i = 0; i < a.params.size(); ++i) {
    const auto &x = a.params[i], &y = b.params[i];
    if (x.name.text != y.name.text || !same_type(x.type, y.type) ||
        !same_opt(x.default_value, y.default_value, parens))
      return false;
  }
  return true;
}

} // namespace

bool same_expr(const ast::Expr& a, const ast::Expr& b, bool allow_added_parens) {
  if (allow_added_parens && b.kind == ExprKind::Paren && a.kind != ExprKind::Paren)
    return same_expr(a, *b.kids[0], true);
  if (a.kind != b.kind || a.bop != b.bop || a.uop != b.uop || a.lit != b.lit ||
      a.quant_all != b.quant_all || a.name.text != b.name.text || a.text != b.text ||
      a.kids.size() != b.kids.size())
    return false;
  for (size_t i = 0; i < a.kids.size(); ++i)
    if (!same_expr(*a.kids[i], *b.kids[i], allow_added_parens)) return false;
  return true;
}

bool same_ast(const ast::File& a, const ast::File& b, bool allow_added_parens) {
  if (!a.module != !b.module || (a.module && a.module->text != b.module->text) ||
      a.imports.size() != b.imports.size() || a.decls.size() != b.decls.size())
    return false;
  for (size_t i = 0; i < a.imports.size(); ++i)
    if (a.imports[i].text != b.imports[i].text) return false;
  for (size_t i = 0; i < a.decls.size(); ++i)
    if (!same_decl(a.decls[i], b.decls[i], allow_added_parens)) return false;
  return true;
}

} // namespace keyplan
