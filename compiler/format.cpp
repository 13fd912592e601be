#include "compiler/format.hpp"

#include <algorithm>
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
  if (e.kind == ExprKind::Binary)
    return ast::precedence(e.bop) < p.min || (p.no_compare && is_compare(e.bop));
  if (e.kind == ExprKind::Unary)
    return p.follow >= (e.uop == ast::UnOp::Not ? kNotLevel : kNegLevel);
  return (e.kind == ExprKind::If || e.kind == ExprKind::Quant) && p.follow > 0;
}

std::string quote(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    const char* esc = c == '"'    ? "\\\""
                      : c == '\\' ? "\\\\"
                      : c == '\n' ? "\\n"
                      : c == '\t' ? "\\t"
                                  : nullptr;
    esc ? out += esc : out += c;
  }
  return out + '"';
}

std::string expr(const Expr& e, const Pos& p);

struct Operand {
  const Expr* e;
  Pos pos;
};
std::vector<Operand> flatten(const Expr& e, int follow);

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
  case ExprKind::Binary: {
    if (is_chain(e) && e.bop != BinOp::Implies) {
      // A loop, not recursion down the chain: it may have thousands of operands.
      auto ops = flatten(e, follow);
      std::string out = expr(*ops[0].e, ops[0].pos);
      for (size_t i = 1; i < ops.size(); ++i)
        out += std::string(" ") + ast::spelling(e.bop) + " " + expr(*ops[i].e, ops[i].pos);
      return out;
    }
    return expr(*k[0], lhs_pos(e)) + " " + ast::spelling(e.bop) + " " +
           expr(*k[1], rhs_pos(e, follow));
  }
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
  case ExprKind::List:
    return "[" + expr(*k[0], {}) + " for " + e.name.text + " in " + expr(*k[1], {}) +
           (k.size() > 2 ? " where " + expr(*k[2], {}) : "") + "]";
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
  if (t.kind == ast::TypeRef::Named) return t.name.text;
  return t.kind == ast::TypeRef::Set ? "set<" + type(*t.elem) + ">" : type(*t.elem) + "?";
}

// ---------------------------------------------------------------- layout

struct Lines {
  std::vector<std::string> v;
  bool opened = false; // the last line opens a block: no blank line after it
  void add(std::string s, bool opens = false) { v.push_back(std::move(s)), opened = opens; }
  void blank() {
    if (!v.empty() && !opened && !v.back().empty()) v.push_back("");
  }
};

struct Notes {
  std::vector<const Comment*> leading, trailing, end, before_body;
};

// Something comments attach to; `inner` distributes the comments inside it.
struct Item {
  Span span;
  const void* key;
  std::function<void(size_t, size_t)> inner;
};

// An entry of a block: how it reads in a one-line block, and how it prints
// on its own line(s) at an indentation.
struct Entry {
  const void* key;
  uint32_t begin;
  std::string one;
  std::function<void(const std::string&)> print;
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

  // ---- comments to items

  // Comments lo..hi (indices into file_.comments) lie inside `container`:
  // those before `header_end` lead it, the others lead the item they
  // precede, trail the item they follow on its line, or end the block.
  void attach(const void* container, uint32_t header_end, const std::vector<Item>& items, size_t lo,
              size_t hi, bool has_end) {
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
        attach(it.key, UINT32_MAX, {}, in_lo, k, false);
      uint32_t pos = it.span.end;
      while (k < hi && cs[k].span.line == it.span.end_line && gap_is_blank(pos, cs[k].span.begin)) {
        notes_[it.key].trailing.push_back(&cs[k]);
        pos = cs[k++].span.end;
      }
    }
    auto& n = notes_[container];
    for (; k < hi; ++k) (has_end ? n.end : n.leading).push_back(&cs[k]);
  }
  bool gap_is_blank(uint32_t from, uint32_t to) const {
    for (uint32_t i = from; i < to && i < text_.size(); ++i)
      if (!std::isspace(static_cast<unsigned char>(text_[i])) && text_[i] != ',') return false;
    return true;
  }
  template <class T> static std::vector<Item> leaves(const std::vector<T>& v) {
    std::vector<Item> items;
    for (const auto& x : v) items.push_back({x.span, &x, nullptr});
    return items;
  }
  // A nested instance with its annotations, as a top-level Decl's span is.
  static Span with_annotations(const ast::InstanceDecl& in) {
    Span s = in.span;
    if (!in.annotations.empty()) {
      const Span& a = in.annotations.front().span;
      s.begin = a.begin;
      s.line = a.line;
      s.col = a.col;
    }
    return s;
  }
  void attach_instance(const ast::InstanceDecl& in, const void* key, size_t lo, size_t hi) {
    std::vector<Item> items;
    for (const auto& it : in.items) {
      const ast::InstanceDecl* c = it.child.get();
      if (it.value)
        items.push_back({it.value->span, &*it.value, nullptr});
      else
        items.push_back({with_annotations(*c), c,
                         [=, this](size_t l, size_t h) { attach_instance(*c, c, l, h); }});
    }
    attach(key, in.id.span.end, items, lo, hi, in.has_block);
  }
  void attach_decl(const ast::Decl& d, size_t lo, size_t hi) {
    using K = ast::DeclKind;
    switch (d.kind) {
    case K::Enum:
      return attach(&d, d.name.span.end, leaves(d.members), lo, hi, true);
    case K::Entity:
    case K::Extend:
      return attach(&d, d.name.span.end, leaves(d.attributes), lo, hi, true);
    case K::Alias:
      return attach(&d, d.target.span.end, leaves(d.values), lo, hi, has_block(d));
    case K::Instance:
      return attach_instance(*d.instance, &d, lo, hi);
    case K::Rule: {
      attach(&d, d.name.span.end, leaves(d.params), lo, hi, true);
      // Comments after the parameters go before the body when parameters
      // carry comments (to keep their order), else before the rule.
      Notes& n = notes_[&d];
      bool params = std::any_of(d.params.begin(), d.params.end(),
                                [&](const ast::Param& p) { return has_notes(&p); });
      auto& to = params ? n.before_body : n.leading;
      to.insert(to.end(), n.end.begin(), n.end.end());
      return n.end.clear();
    }
    default:
      return attach(&d, UINT32_MAX, {}, lo, hi, false);
    }
  }
  void attach_file() {
    std::vector<Item> items;
    if (file_.module) items.push_back({file_.module->span, &*file_.module, nullptr});
    for (const auto& i : file_.imports) items.push_back({i.span, &i, nullptr});
    for (const auto& d : file_.decls)
      items.push_back({d.span, &d, [this, &d](size_t l, size_t h) { attach_decl(d, l, h); }});
    attach(&file_, 0, items, 0, file_.comments.size(), true);
  }

  // ---- comments out

  const Notes* notes(const void* key) const {
    auto it = notes_.find(key);
    return it == notes_.end() ? nullptr : &it->second;
  }
  bool has_notes(const void* key) const {
    const Notes* n = notes(key);
    return n && (!n->leading.empty() || !n->trailing.empty() || !n->end.empty());
  }
  bool blank_before(uint32_t offset) const {
    int newlines = 0;
    for (size_t i = std::min<size_t>(offset, text_.size()); i > 0; --i) {
      char c = text_[i - 1];
      if (c != ' ' && c != '\t' && c != '\r' && c != '\n') break;
      // LF, CRLF and a lone CR each end a line.
      newlines += c == '\n' || (c == '\r' && (i == text_.size() || text_[i] != '\n'));
    }
    return newlines >= 2;
  }
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
  void end_comments(const void* key, const std::string& ind, Lines& out) const {
    if (const Notes* n = notes(key)) comments(n->end, ind, out);
  }
  // Leading comments, a blank line kept, the item, trailing comments.
  template <class F>
  void item(const void* key, uint32_t begin, const std::string& ind, Lines& out, F print) const {
    const Notes* n = notes(key);
    if (n) comments(n->leading, ind, out);
    if (blank_before(begin)) out.blank();
    print();
    for (const Comment* c : n ? n->trailing : std::vector<const Comment*>{})
      out.v.back() += " " + comment(*c);
  }

  // ---- declarations

  bool has_block(const ast::Decl& alias) const {
    return !alias.values.empty() || sm_.text(alias.span).ends_with("}");
  }
  // `head { a, b }` when allowed, comment-free and fitting, else one entry
  // per line; `head {}` when empty.
  void block(const std::string& ind, const std::string& head, const void* key,
             const std::vector<Entry>& entries, bool one_line, Lines& out) const {
    std::string one = ind + head + " {";
    bool comments = notes(key) && !notes(key)->end.empty();
    for (size_t i = 0; i < entries.size(); ++i) {
      one += (i ? ", " : " ") + entries[i].one;
      comments = comments || has_notes(entries[i].key);
    }
    one += entries.empty() ? "}" : " }";
    if (!comments && (one_line || entries.empty()) && width(one) <= kFormatWidth)
      return out.add(one);
    out.add(ind + head + " {", true);
    std::string ind2 = ind + "  ";
    for (const Entry& e : entries) item(e.key, e.begin, ind2, out, [&] { e.print(ind2); });
    end_comments(key, ind2, out);
    out.add(ind + "}");
  }
  static Entry value(const ast::AttrValue& v, Lines& out, const char* comma = "") {
    std::string one = v.name.text + ": " + expr(*v.value, {});
    return {&v, v.span.begin, one,
            [&out, one, comma](const std::string& ind) { out.add(ind + one + comma); }};
  }
  void instance(const ast::InstanceDecl& in, const void* key, const std::string& ind,
                Lines& out) const {
    std::string head = in.type.text + " " + in.id.text;
    if (!in.has_block) return out.add(ind + head);
    std::vector<Entry> entries;
    for (const auto& it : in.items) {
      const ast::InstanceDecl* c = it.child.get();
      if (it.value)
        entries.push_back(value(*it.value, out));
      else
        entries.push_back(
            {c, with_annotations(*c).begin, "", [=, &out, this](const std::string& i2) {
               annotations(c->annotations, i2, out);
               instance(*c, c, i2, out);
             }});
    }
    // Leaf blocks (values only) stay on one line when they fit.
    bool leaf = std::all_of(in.items.begin(), in.items.end(),
                            [](const auto& it) { return it.value.has_value(); });
    block(ind, head, key, entries, leaf, out);
  }
  void annotations(const std::vector<ast::Annotation>& as, const std::string& ind,
                   Lines& out) const;
  void head_body(const std::string& head, const Expr& body, const Notes* n, Lines& out) const;
  void rule(const ast::Decl& d, Lines& out) const;
  void report(const ast::Decl& d, Lines& out) const;
  void decl(const ast::Decl& d, Lines& out) const;
};

void Formatter::annotations(const std::vector<ast::Annotation>& as, const std::string& ind,
                            Lines& out) const {
  for (const auto& a : as) {
    // How each argument was written, "quoted" or as a name: the tree keeps
    // only the text. Quoted unless the source tells otherwise.
    std::vector<bool> quoted;
    std::string_view t = text_.empty() ? "" : sm_.text(a.span);
    auto word = [&](size_t j) {
      return j < t.size() && (std::isalnum(static_cast<unsigned char>(t[j])) || t[j] == '_');
    };
    for (size_t i = std::min(t.find('('), t.size()) + 1; i < t.size(); ++i) {
      if (t[i] == '"') {
        quoted.push_back(true);
        for (++i; i < t.size() && t[i] != '"'; ++i) i += t[i] == '\\';
      } else if (t.substr(i, 2) == "//") {
        i = std::min(t.find_first_of("\r\n", i), t.size());
      } else if (t.substr(i, 2) == "/*") {
        i = std::min(t.find("*/", i + 2), t.size()) + 1;
      } else if (word(i)) {
        for (quoted.push_back(false); word(i + 1);) ++i;
      }
    }
    std::string s = ind + "@" + a.name.text + (a.args.empty() ? "" : "(");
    for (size_t i = 0; i < a.args.size(); ++i) {
      bool q = quoted.size() != a.args.size() || quoted[i];
      s += (i ? ", " : "") + (q ? quote(a.args[i]) : a.args[i]);
    }
    out.add(s + (a.args.empty() ? "" : ")"));
  }
}

// `head =` and the body: on one line when it fits and no comment sits before
// the body, else the body on the next line indented 2, its chains broken.
void Formatter::head_body(const std::string& head, const Expr& body, const Notes* n,
                          Lines& out) const {
  std::string flat = expr(body, {});
  bool comments_first = n && !n->before_body.empty();
  if (!comments_first && width(head) + 1 + width(flat) <= kFormatWidth)
    return out.add(head + " " + flat);
  out.add(head);
  if (comments_first) comments(n->before_body, "  ", out);
  std::string line = "  ";
  std::vector<std::string> lines;
  emit(body, {}, line, lines, 0);
  for (auto& l : lines) out.add(std::move(l));
  out.add(std::move(line));
}

// Parameters on the rule's line, or one per line when they carry comments
// or do not fit.
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
      const char* comma = i + 1 < d.params.size() ? "," : "";
      item(&d.params[i], d.params[i].span.begin, "  ", out,
           [&] { out.add("  " + param(d.params[i]) + comma); });
    }
    head = tail;
  }
  head_body(head, *d.value, notes(&d), out);
}

void Formatter::decl(const ast::Decl& d, Lines& out) const {
  using K = ast::DeclKind;
  annotations(d.annotations, "", out);
  std::vector<Entry> entries;
  switch (d.kind) {
  case K::Enum:
    for (const auto& m : d.members)
      entries.push_back(
          {&m, m.span.begin, m.text, [&](const std::string& ind) { out.add(ind + m.text + ","); }});
    return block("", "enum " + d.name.text, &d, entries, true, out);
  case K::Entity:
  case K::Extend:
    for (const auto& a : d.attributes) {
      entries.push_back({&a, a.span.begin, "", [&](const std::string& ind) {
                           annotations(a.annotations, ind, out);
                           out.add(ind + (a.is_parent ? "parent " : "") + a.name.text + ": " +
                                   type(a.type) +
                                   (a.default_value ? " = " + expr(*a.default_value, {}) : ""));
                         }});
    }
    return block("", (d.kind == K::Entity ? "entity " : "extend ") + d.name.text, &d, entries,
                 false, out);
  case K::Setting:
    return head_body("setting " + d.name.text + ": " + type(*d.type) + " =", *d.value, nullptr,
                     out);
  case K::SetOverride:
    return head_body("set " + d.name.text + " =", *d.value, nullptr, out);
  case K::Alias: {
    std::string head = "alias " + d.name.text + " = " + d.target.text;
    if (!has_block(d)) return out.add(head);
    for (const auto& v : d.values) entries.push_back(value(v, out));
    return block("", head, &d, entries, true, out);
  }
  case K::Rule:
    return rule(d, out);
  case K::Invariant: {
    std::string head = "invariant " + quote(d.name.text) + ":";
    for (size_t i = 0; i < d.params.size(); ++i)
      head += (i ? ", " : " forall ") + d.params[i].name.text + ": " + type(d.params[i].type);
    return head_body(head + (d.params.empty() ? "" : " ."), *d.value, nullptr, out);
  }
  case K::Check: {
    std::string head = "check " + d.name.text + "(";
    for (size_t i = 0; i < d.params.size(); ++i)
      head += (i ? ", " : "") + d.params[i].name.text + ": " + type(d.params[i].type);
    head += ") " + d.severity.text + " " +
            (d.message_text ? expr(*d.message_text, {}) : quote(d.message.text)) + " =";
    return head_body(head, *d.value, nullptr, out);
  }
  case K::Instance:
    return instance(*d.instance, &d, "", out);
  case K::Report:
    return report(d, out);
  }
}

// One report line per item, each expression flat.
void Formatter::report(const ast::Decl& d, Lines& out) const {
  auto binder = [](const ast::Param& b) { return b.name.text + ": " + type(b.type); };
  auto table = [&](const ast::ReportTable& t, const std::string& ind) {
    for (const auto& it : t.items) {
      std::string line = ind;
      switch (it.kind) {
      case ast::ReportItem::Rows:
        line += "rows " + binder(*it.binder);
        if (it.filter) line += " where " + expr(*it.filter, {});
        break;
      case ast::ReportItem::Column:
        line += "column " + quote(it.label.text) + " = " + expr(*it.value, {});
        break;
      case ast::ReportItem::Columns:
        line += "columns " + binder(*it.binder);
        if (it.filter) line += " where " + expr(*it.filter, {});
        line += " = " + expr(*it.value, {});
        break;
      case ast::ReportItem::Note:
        line += "note ";
        if (it.binder) line += "for " + binder(*it.binder) + " ";
        if (it.filter) line += "where " + expr(*it.filter, {}) + " ";
        if (it.condition) line += "if " + expr(*it.condition, {}) + " ";
        line += it.text ? "= " + expr(*it.text, {}) : quote(it.label.text);
        break;
      case ast::ReportItem::ActionRows:
      case ast::ReportItem::ActionColumns:
        line += (it.kind == ast::ReportItem::ActionRows ? "rows " : "columns ") +
                it.action_var.text + " in " + it.action_source.text + "(" + binder(*it.actor) + ")";
        if (it.value) line += " = " + expr(*it.value, {});
        break;
      }
      out.add(line);
    }
  };
  std::string head = "report " + d.name.text + (d.title ? " " + quote(d.title->text) : "");
  out.add(head + " {", true);
  if (!d.table_blocks) {
    table(d.tables.front(), "  ");
  } else {
    for (const auto& t : d.tables) {
      std::string each;
      if (t.each) {
        each = " for " + binder(*t.each);
        if (t.each_filter) each += " where " + expr(*t.each_filter, {});
        if (t.each_title) each += " = " + expr(*t.each_title, {});
      }
      out.add("  table " + t.name.text + (t.title ? " " + quote(t.title->text) : "") + each + " {",
              true);
      table(t, "    ");
      out.add("  }");
    }
  }
  out.add("}");
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
    item(key, begin, "", out, [&] {
      for (const auto& l : body.v) out.add(l);
    });
    first = false;
    prev_kind = kind;
    prev_multi = multi;
  };
  // `module` and `import` start before the name the tree records.
  auto keyword_start = [&](uint32_t offset) {
    size_t i = std::min<size_t>(offset, text_.size());
    while (i > 0 && std::isspace(static_cast<unsigned char>(text_[i - 1]))) --i;
    while (i > 0 && std::isalpha(static_cast<unsigned char>(text_[i - 1]))) --i;
    return static_cast<uint32_t>(i);
  };
  if (const auto& m = file_.module)
    piece(&*m, keyword_start(m->span.begin), -1, Lines{{"module " + m->text}});
  for (const auto& i : file_.imports)
    piece(&i, keyword_start(i.span.begin), -2, Lines{{"import " + i.text}});
  for (const auto& d : file_.decls) {
    Lines body;
    decl(d, body);
    piece(&d, d.span.begin, static_cast<int>(d.kind) * 2 + d.is_action, body); // rule != action
  }
  end_comments(&file_, "", out);
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

} // namespace keyplan
