#include "compiler/parse.hpp"

#include "compiler/parse_input.hpp"

#include "KeyplanLexer.h"
#include "KeyplanParser.h"

#include <algorithm>
#include <fmt/format.h>
#include <map>
#include <set>

namespace keyplan {
namespace {

using P = parser::KeyplanParser;
using parse_input::ErrorListener;
using parse_input::Positions;
using parse_input::token_span;

class Builder {
public:
  Builder(int file, const Positions& pos, Diagnostics& d) : file_(file), pos_(pos), diags_(d) {}

  Span span(antlr4::ParserRuleContext* ctx) {
    Span a = token_span(file_, pos_, ctx->getStart());
    Span b = token_span(file_, pos_, ctx->getStop());
    if (!b.valid() || b.end < a.begin) return a;
    a.end = b.end;
    a.end_line = b.end_line;
    a.end_col = b.end_col;
    return a;
  }

  ast::Ident ident(P::IdentContext* ctx) { return {ctx->getText(), span(ctx)}; }

  ast::Ident qualified(P::QualifiedNameContext* ctx) {
    std::string text;
    for (auto* id : ctx->ident()) text += (text.empty() ? "" : ".") + id->getText();
    return {text, span(ctx)};
  }

  // The escapes are \" \\ \n \t; scan_tokens has rejected any other.
  static std::string unquote(const std::string& s) {
    std::string out;
    for (size_t i = 1; i + 1 < s.size(); ++i) {
      if (s[i] == '\\' && i + 2 < s.size()) {
        char c = s[++i];
        out += c == 'n' ? '\n' : c == 't' ? '\t' : c;
      } else {
        out += s[i];
      }
    }
    return out;
  }

  std::vector<ast::Annotation> annotations(const std::vector<P::AnnotationContext*>& list) {
    std::vector<ast::Annotation> out;
    for (auto* a : list) {
      ast::Annotation an{ident(a->ident()), {}, span(a)};
      for (auto* arg : a->annotationArg())
        an.args.push_back(arg->STRING() ? unquote(arg->STRING()->getText()) : arg->getText());
      out.push_back(std::move(an));
    }
    return out;
  }

  ast::TypeRef type(P::TypeRefContext* ctx) {
    ast::TypeRef t;
    t.span = span(ctx);
    if (auto* n = dynamic_cast<P::NamedTypeContext*>(ctx)) {
      t.kind = ast::TypeRef::Named;
      t.name = ident(n->ident());
    } else if (auto* s = dynamic_cast<P::SetTypeContext*>(ctx)) {
      t.kind = ast::TypeRef::Set;
      t.elem = std::make_unique<ast::TypeRef>(type(s->typeRef()));
    } else if (auto* o = dynamic_cast<P::OptionalTypeContext*>(ctx)) {
      t.kind = ast::TypeRef::Optional;
      t.elem = std::make_unique<ast::TypeRef>(type(o->typeRef()));
    }
    return t;
  }

  ast::ExprPtr node(ast::ExprKind k, antlr4::ParserRuleContext* ctx) {
    auto e = std::make_unique<ast::Expr>();
    e->kind = k;
    e->span = span(ctx);
    return e;
  }

  // A node named by the form's identifier, with its expressions as kids in
  // order: calls, comprehensions, list and filter forms.
  template <typename Ctx> ast::ExprPtr named_with_kids(Ctx* c, ast::ExprKind kind) {
    auto e = node(kind, c);
    e->name = ident(c->ident());
    for (auto* k : c->expr()) e->kids.push_back(expr(k));
    return e;
  }

  // A left-associative binary operator: its operator and operands.
  struct Binary {
    ast::BinOp op;
    P::ExprContext* left;
    P::ExprContext* right;
  };
  static std::optional<Binary> binary_parts(P::ExprContext* ctx) {
    using B = ast::BinOp;
    if (auto* c = dynamic_cast<P::OrExprContext*>(ctx))
      return Binary{B::Or, c->expr(0), c->expr(1)};
    if (auto* c = dynamic_cast<P::AndExprContext*>(ctx))
      return Binary{B::And, c->expr(0), c->expr(1)};
    if (auto* c = dynamic_cast<P::CompareExprContext*>(ctx)) {
      std::string op = c->op->getText();
      B b = op == "=="   ? B::Eq
            : op == "!=" ? B::Ne
            : op == "<"  ? B::Lt
            : op == "<=" ? B::Le
            : op == ">"  ? B::Gt
                         : B::Ge;
      return Binary{b, c->expr(0), c->expr(1)};
    }
    if (auto* c = dynamic_cast<P::InExprContext*>(ctx))
      return Binary{c->NOT() ? B::NotIn : B::In, c->expr(0), c->expr(1)};
    if (auto* c = dynamic_cast<P::MeetsExprContext*>(ctx))
      return Binary{B::Meets, c->expr(0), c->expr(1)};
    if (auto* c = dynamic_cast<P::WithinExprContext*>(ctx))
      return Binary{B::Within, c->expr(0), c->expr(1)};
    if (auto* c = dynamic_cast<P::CoalesceExprContext*>(ctx))
      return Binary{B::Coalesce, c->expr(0), c->expr(1)};
    if (auto* c = dynamic_cast<P::AddExprContext*>(ctx)) {
      std::string op = c->op->getText();
      B b = op == "+" ? B::Add : op == "-" ? B::Sub : op == "union" ? B::Union : B::Except;
      return Binary{b, c->expr(0), c->expr(1)};
    }
    if (auto* c = dynamic_cast<P::MulExprContext*>(ctx)) {
      std::string op = c->op->getText();
      B b = op == "*" ? B::Mul : op == "/" ? B::Div : op == "%" ? B::Mod : B::Intersect;
      return Binary{b, c->expr(0), c->expr(1)};
    }
    return std::nullopt;
  }

  bool nesting_ok(antlr4::ParserRuleContext* ctx) {
    if (depth_ <= kMaxNesting) return true;
    if (!too_deep_)
      diags_.error(span(ctx),
                   fmt::format("expression nested more than {} levels deep", kMaxNesting),
                   "split it into named rules");
    too_deep_ = true;
    return false;
  }

  // ANTLR parses `a or b or c` in a loop into a left-deep tree; it is built
  // here in a loop too. A chain of one associative operator is flat (sema
  // evaluates it as a balanced tree); any other step down the left side
  // counts as a level of nesting.
  ast::ExprPtr expr(P::ExprContext* ctx) {
    auto top = binary_parts(ctx);
    if (!top) return single(ctx);
    std::vector<std::pair<P::ExprContext*, Binary>> spine{{ctx, *top}};
    std::vector<int> levels{1}; // nesting down to spine[i]
    P::ExprContext* leftmost = top->left;
    while (auto b = binary_parts(leftmost)) {
      bool flat = b->op == spine.back().second.op && ast::is_associative(b->op);
      levels.push_back(levels.back() + (flat ? 0 : 1));
      spine.push_back({leftmost, *b});
      leftmost = b->left;
    }
    const int base = depth_;
    depth_ = base + levels.back();
    if (!nesting_ok(ctx)) {
      depth_ = base;
      return node(ast::ExprKind::Literal, ctx);
    }
    ast::ExprPtr acc = expr(leftmost);
    for (size_t i = spine.size(); i-- > 0;) {
      depth_ = base + levels[i];
      auto e = node(ast::ExprKind::Binary, spine[i].first);
      e->bop = spine[i].second.op;
      e->kids.push_back(std::move(acc));
      e->kids.push_back(expr(spine[i].second.right));
      acc = std::move(e);
    }
    depth_ = base;
    return acc;
  }

  // Every expression but a left-associative binary operator.
  ast::ExprPtr single(P::ExprContext* ctx) {
    struct DepthGuard {
      int& d;
      explicit DepthGuard(int& x) : d(x) { ++d; }
      ~DepthGuard() { --d; }
    } guard(depth_);
    if (!nesting_ok(ctx)) return node(ast::ExprKind::Literal, ctx);
    using K = ast::ExprKind;
    using B = ast::BinOp;
    if (auto* c = dynamic_cast<P::IfExprContext*>(ctx)) {
      auto e = node(K::If, ctx);
      for (auto* k : c->expr()) e->kids.push_back(expr(k));
      return e;
    }
    if (auto* c = dynamic_cast<P::QuantExprContext*>(ctx)) {
      auto e = node(K::Quant, ctx);
      e->quant_all = c->quantifier->getText() == "all";
      e->name = ident(c->ident());
      for (auto* k : c->expr()) e->kids.push_back(expr(k));
      return e;
    }
    if (auto* c = dynamic_cast<P::ImpliesExprContext*>(ctx)) {
      auto e = node(K::Binary, ctx);
      e->bop = B::Implies;
      e->kids.push_back(expr(c->expr(0)));
      e->kids.push_back(expr(c->expr(1)));
      return e;
    }
    if (auto* c = dynamic_cast<P::NotExprContext*>(ctx)) {
      auto e = node(K::Unary, ctx);
      e->uop = ast::UnOp::Not;
      e->kids.push_back(expr(c->expr()));
      return e;
    }
    if (auto* c = dynamic_cast<P::NegExprContext*>(ctx)) {
      auto e = node(K::Unary, ctx);
      e->uop = ast::UnOp::Neg;
      e->kids.push_back(expr(c->expr()));
      return e;
    }
    if (auto* c = dynamic_cast<P::MemberExprContext*>(ctx)) {
      auto e = node(K::Member, ctx);
      e->kids.push_back(expr(c->expr()));
      if (c->ident())
        e->name = ident(c->ident());
      else
        e->name = {"none", token_span(file_, pos_, c->getStop())};
      return e;
    }
    if (auto* c = dynamic_cast<P::CallExprContext*>(ctx)) return named_with_kids(c, K::Call);
    if (auto* c = dynamic_cast<P::ComprehensionExprContext*>(ctx))
      return named_with_kids(c, K::Comprehension);
    if (auto* c = dynamic_cast<P::ListExprContext*>(ctx)) return named_with_kids(c, K::List);
    if (auto* c = dynamic_cast<P::FilterExprContext*>(ctx)) return named_with_kids(c, K::Filter);
    if (auto* c = dynamic_cast<P::SetLiteralContext*>(ctx)) {
      auto e = node(K::SetLit, ctx);
      for (auto* k : c->expr()) e->kids.push_back(expr(k));
      return e;
    }
    if (auto* c = dynamic_cast<P::ParenExprContext*>(ctx)) {
      auto e = node(K::Paren, ctx);
      e->kids.push_back(expr(c->expr()));
      return e;
    }
    if (auto* c = dynamic_cast<P::LiteralExprContext*>(ctx)) {
      auto e = node(K::Literal, ctx);
      auto* lit = c->literal();
      std::string t = lit->getText();
      if (lit->INT())
        e->lit = ast::LitKind::Int, e->text = t;
      else if (lit->STRING())
        e->lit = ast::LitKind::String, e->text = unquote(t);
      else if (lit->DATE())
        e->lit = ast::LitKind::Date, e->text = t;
      else if (t == "true")
        e->lit = ast::LitKind::True, e->text = t;
      else if (t == "false")
        e->lit = ast::LitKind::False, e->text = t;
      else if (t == "none")
        e->lit = ast::LitKind::None, e->text = t;
      else
        e->lit = ast::LitKind::Today, e->text = t;
      return e;
    }
    auto* c = dynamic_cast<P::NameExprContext*>(ctx);
    auto e = node(K::Name, ctx);
    e->name = ident(c->ident());
    return e;
  }

  ast::ExprPtr opt_expr(P::ExprContext* ctx) { return ctx ? expr(ctx) : nullptr; }

  ast::Attribute attribute(P::AttributeDeclContext* ctx) {
    ast::Attribute a;
    a.annotations = annotations(ctx->annotation());
    a.is_parent = ctx->PARENT() != nullptr && ctx->ident()->PARENT() == nullptr;
    a.name = ident(ctx->ident());
    a.type = type(ctx->typeRef());
    a.default_value = opt_expr(ctx->expr());
    a.span = span(ctx);
    return a;
  }

  ast::AttrValue attr_value(P::AttributeValueContext* ctx) {
    return {ident(ctx->ident()), expr(ctx->expr()), span(ctx)};
  }

  std::unique_ptr<ast::InstanceDecl> instance(P::InstanceDeclContext* ctx) {
    auto inst = std::make_unique<ast::InstanceDecl>();
    inst->type = ident(ctx->ident(0));
    inst->id = ident(ctx->ident(1));
    inst->has_block = ctx->children.size() > 2;
    inst->span = span(ctx);
    for (auto* item : ctx->instanceItem()) {
      ast::InstanceItem it;
      if (item->attributeValue())
        it.value = attr_value(item->attributeValue());
      else {
        it.child = instance(item->instanceDecl());
        it.child->annotations = annotations(item->annotation());
      }
      inst->items.push_back(std::move(it));
    }
    return inst;
  }

  ast::Ident string_ident(antlr4::tree::TerminalNode* n) {
    return {unquote(n->getText()), token_span(file_, pos_, n->getSymbol())};
  }

  ast::Param binder(P::BinderContext* b) {
    return {ident(b->ident()), type(b->typeRef()), nullptr, span(b)};
  }

  ast::ReportItem report_item(P::ReportItemContext* ctx) {
    ast::ReportItem it;
    it.span = span(ctx);
    if (auto* c = dynamic_cast<P::ReportRowsContext*>(ctx)) {
      it.kind = ast::ReportItem::Rows;
      it.binder = binder(c->binder());
      if (c->expr()) it.filter = expr(c->expr());
    } else if (auto* c = dynamic_cast<P::ReportColumnContext*>(ctx)) {
      it.kind = ast::ReportItem::Column;
      it.label = string_ident(c->STRING());
      it.value = expr(c->expr());
    } else if (auto* c = dynamic_cast<P::ReportColumnsContext*>(ctx)) {
      it.kind = ast::ReportItem::Columns;
      it.binder = binder(c->binder());
      auto xs = c->expr();
      if (xs.size() > 1) it.filter = expr(xs[0]);
      it.value = expr(xs.back());
    } else if (auto* c = dynamic_cast<P::ReportNoteContext*>(ctx)) {
      it.kind = ast::ReportItem::Note;
      it.label = string_ident(c->STRING());
      if (c->binder()) it.binder = binder(c->binder());
      // The expressions in order: the `where` filter (with `for`), then the `if`.
      auto xs = c->expr();
      size_t next = 0;
      bool has_where = false;
      for (auto* child : c->children)
        if (dynamic_cast<antlr4::tree::TerminalNode*>(child) && child->getText() == "where")
          has_where = true;
      if (has_where && next < xs.size()) it.filter = expr(xs[next++]);
      if (next < xs.size()) it.condition = expr(xs[next++]);
    } else if (auto* c = dynamic_cast<P::ReportNoteTextContext*>(ctx)) {
      // `note [for x: T [where f]] [if c] = TEXT`: the last expression is the text.
      it.kind = ast::ReportItem::Note;
      it.label = {"", span(ctx)};
      if (c->binder()) it.binder = binder(c->binder());
      auto xs = c->expr();
      size_t next = 0;
      bool has_where = false;
      for (auto* child : c->children)
        if (dynamic_cast<antlr4::tree::TerminalNode*>(child) && child->getText() == "where")
          has_where = true;
      if (has_where && next + 1 < xs.size()) it.filter = expr(xs[next++]);
      if (next + 1 < xs.size()) it.condition = expr(xs[next++]);
      if (!xs.empty()) it.text = expr(xs.back());
    } else if (auto* c = dynamic_cast<P::ReportActionRowsContext*>(ctx)) {
      it.kind = ast::ReportItem::ActionRows;
      it.action_var = ident(c->ident(0));
      it.action_source = ident(c->ident(1));
      it.actor = binder(c->binder());
    } else if (auto* c = dynamic_cast<P::ReportActionColumnsContext*>(ctx)) {
      it.kind = ast::ReportItem::ActionColumns;
      it.action_var = ident(c->ident(0));
      it.action_source = ident(c->ident(1));
      it.actor = binder(c->binder());
      it.value = expr(c->expr());
    }
    return it;
  }

  ast::Param param(P::ParamContext* ctx) {
    return {ident(ctx->ident()), type(ctx->typeRef()), opt_expr(ctx->expr()), span(ctx)};
  }

  ast::Decl decl(P::DeclContext* ctx) {
    ast::Decl d;
    d.span = span(ctx);
    d.annotations = annotations(ctx->annotation());
    if (auto* c = ctx->enumDecl()) {
      d.kind = ast::DeclKind::Enum;
      d.name = ident(c->ident());
      for (auto* m : c->enumMember()) d.members.push_back({m->getText(), span(m)});
    } else if (auto* c = ctx->entityDecl()) {
      d.kind = ast::DeclKind::Entity;
      d.name = ident(c->ident());
      for (auto* a : c->attributeDecl()) d.attributes.push_back(attribute(a));
    } else if (auto* c = ctx->extendDecl()) {
      d.kind = ast::DeclKind::Extend;
      d.name = ident(c->ident());
      for (auto* a : c->attributeDecl()) d.attributes.push_back(attribute(a));
    } else if (auto* c = ctx->settingDecl()) {
      d.kind = ast::DeclKind::Setting;
      d.name = ident(c->ident());
      d.type = type(c->typeRef());
      d.value = expr(c->expr());
    } else if (auto* c = ctx->setDecl()) {
      d.kind = ast::DeclKind::SetOverride;
      d.name = ident(c->ident());
      d.value = expr(c->expr());
    } else if (auto* c = ctx->aliasDecl()) {
      d.kind = ast::DeclKind::Alias;
      d.name = ident(c->ident(0));
      d.target = ident(c->ident(1));
      for (auto* v : c->attributeValue()) d.values.push_back(attr_value(v));
    } else if (auto* c = ctx->ruleDecl()) {
      d.kind = ast::DeclKind::Rule;
      d.is_action = c->ACTION() != nullptr;
      d.name = ident(c->ident());
      for (auto* p : c->param()) d.params.push_back(param(p));
      if (c->typeRef()) d.type = type(c->typeRef());
      d.value = expr(c->expr());
    } else if (auto* c = ctx->invariantDecl()) {
      d.kind = ast::DeclKind::Invariant;
      d.name = {unquote(c->STRING()->getText()), token_span(file_, pos_, c->STRING()->getSymbol())};
      for (auto* b : c->binder())
        d.params.push_back({ident(b->ident()), type(b->typeRef()), nullptr, span(b)});
      d.value = expr(c->expr());
    } else if (auto* c = ctx->checkDecl()) {
      d.kind = ast::DeclKind::Check;
      d.name = ident(c->ident(0));
      d.severity = ident(c->ident(1));
      if (c->STRING())
        d.message = {unquote(c->STRING()->getText()),
                     token_span(file_, pos_, c->STRING()->getSymbol())};
      else
        d.message_text = expr(c->checkMessage()->expr());
      for (auto* b : c->binder())
        d.params.push_back({ident(b->ident()), type(b->typeRef()), nullptr, span(b)});
      d.value = expr(c->expr());
    } else if (auto* c = ctx->reportDecl()) {
      d.kind = ast::DeclKind::Report;
      d.name = ident(c->ident());
      if (c->STRING()) d.title = string_ident(c->STRING());
      d.table_blocks = !c->reportTable().empty();
      if (d.table_blocks) {
        for (auto* t : c->reportTable()) {
          ast::ReportTable rt;
          rt.name = ident(t->ident());
          if (t->STRING()) rt.title = string_ident(t->STRING());
          rt.span = span(t);
          if (t->binder()) {
            // The expressions in order: the `where` filter, then the `=` title.
            rt.each = binder(t->binder());
            auto xs = t->expr();
            bool has_where = false, has_title = false;
            for (auto* child : t->children)
              if (dynamic_cast<antlr4::tree::TerminalNode*>(child)) {
                has_where = has_where || child->getText() == "where";
                has_title = has_title || child->getText() == "=";
              }
            size_t next = 0;
            if (has_where && next < xs.size()) rt.each_filter = expr(xs[next++]);
            if (has_title && next < xs.size()) rt.each_title = expr(xs[next++]);
          }
          for (auto* i : t->reportItem()) rt.items.push_back(report_item(i));
          d.tables.push_back(std::move(rt));
        }
      } else {
        ast::ReportTable rt;
        rt.name = d.name;
        rt.title = d.title;
        rt.span = span(c);
        for (auto* i : c->reportItem()) rt.items.push_back(report_item(i));
        d.tables.push_back(std::move(rt));
      }
    } else if (auto* c = ctx->instanceDecl()) {
      d.kind = ast::DeclKind::Instance;
      d.instance = instance(c);
      d.name = d.instance->id;
    }
    return d;
  }

  bool too_deep() const { return too_deep_; }

private:
  int file_;
  const Positions& pos_;
  Diagnostics& diags_;
  int depth_ = 0;
  bool too_deep_ = false;
};

// The token scan bounds nesting before parsing, but ANTLR's error recovery
// can delete tokens and parse on (`else = if ... else = if ...`), deeper than
// the scan counted. This parser refuses to recurse past a bound instead of
// overflowing the stack; the bound is far above what the scan lets through.
class BoundedParser : public P {
public:
  using P::P;
  static constexpr size_t kMaxDepth = 3 * kMaxNesting + 64;
  void enterRule(antlr4::ParserRuleContext* ctx, size_t state, size_t rule) override {
    bound(ctx);
    P::enterRule(ctx, state, rule);
  }
  void enterRecursionRule(antlr4::ParserRuleContext* ctx, size_t state, size_t rule,
                          int precedence) override {
    bound(ctx);
    P::enterRecursionRule(ctx, state, rule, precedence);
  }

private:
  static void bound(antlr4::ParserRuleContext* ctx) {
    size_t depth = 0;
    for (antlr4::tree::ParseTree* c = ctx; c && depth <= kMaxDepth; c = c->parent) ++depth;
    if (depth > kMaxDepth) throw antlr4::ParseCancellationException("nested too deeply");
  }
};

// A one-character span at byte `offset` of a file.
Span span_at(const SourceFile& src, int file_id, size_t offset) {
  Span s;
  s.file = file_id;
  auto it = std::upper_bound(src.line_starts.begin(), src.line_starts.end(), offset);
  s.line = static_cast<uint32_t>(it - src.line_starts.begin());
  s.col = 1;
  for (size_t i = src.line_starts[s.line - 1]; i < offset; ++i)
    s.col += (static_cast<unsigned char>(src.text[i]) & 0xC0) != 0x80;
  s.begin = static_cast<uint32_t>(offset);
  s.end = s.begin + 1;
  s.end_line = s.line;
  s.end_col = s.col + 1;
  return s;
}

} // namespace

std::optional<ast::File> parse_file(const SourceManager& sm, int file_id, Diagnostics& diags) {
  const SourceFile& src = sm.file(file_id);
  if (size_t bad = parse_input::invalid_utf8(src.text); bad != std::string::npos) {
    diags.error(span_at(src, file_id, bad), "the file is not valid UTF-8", "save it as UTF-8");
    return std::nullopt;
  }
  if (size_t nul = src.text.find('\0'); nul != std::string::npos) {
    diags.error(span_at(src, file_id, nul), "the file contains a NUL byte",
                "a policy is text; remove the NUL (was a binary file given?)");
    return std::nullopt;
  }
  Positions pos(src.text);
  // A lone CR ends a line (old Mac files), as in SourceManager's line table;
  // ANTLR counts only LF, so the lexer sees LF there (same byte offsets).
  std::string text = src.text;
  for (size_t i = 0; i < text.size(); ++i)
    if (text[i] == '\r' && (i + 1 == text.size() || text[i + 1] != '\n')) text[i] = '\n';
  antlr4::ANTLRInputStream input(text);
  parser::KeyplanLexer lexer(&input);
  lexer.removeErrorListeners();
  antlr4::CommonTokenStream tokens(&lexer);
  tokens.fill();
  if (!parse_input::scan_tokens(tokens, file_id, pos, diags)) {
    // Still parse, to report the syntax errors too, unless the input cannot be parsed safely.
    const std::string& last = diags.items().back().message;
    if (last.find("nested") != std::string::npos || last == "unterminated comment")
      return std::nullopt;
  }
  BoundedParser parser(&tokens);
  ErrorListener listener(file_id, pos, diags);
  {
    // Declarations start at column 1 in any readable policy; brackets left
    // open explain an "unexpected end of file".
    std::vector<Span> open;
    for (auto* t : tokens.getTokens()) {
      if (t->getChannel() != 0 || t->getType() == antlr4::Token::EOF) continue;
      if (t->getCharPositionInLine() == 0)
        listener.decl_lines.push_back(static_cast<uint32_t>(t->getLine()));
      if (t->getType() == parser::KeyplanLexer::ERROR_CHAR)
        listener.bad_decls.insert(listener.decl_start(static_cast<uint32_t>(t->getLine())));
      std::string text = t->getText();
      if (text == "(" || text == "[" || text == "{")
        open.push_back(token_span(file_id, pos, t));
      else if ((text == ")" || text == "]" || text == "}") && !open.empty())
        open.pop_back();
    }
    if (!open.empty()) listener.unclosed.push_back(open.back());
  }
  parser.removeErrorListeners();
  parser.addErrorListener(&listener);
  P::FileContext* tree = nullptr;
  try {
    tree = parser.file();
  } catch (const antlr4::ParseCancellationException&) {
    diags.error(token_span(file_id, pos, parser.getCurrentToken()),
                fmt::format("expression nested more than {} levels deep", kMaxNesting),
                "split it into named rules");
    return std::nullopt;
  }
  if (listener.count > 0 || diags.has_errors()) return std::nullopt;

  Builder b(file_id, pos, diags);
  ast::File f;
  f.file_id = file_id;
  if (tree->moduleDecl()) f.module = b.qualified(tree->moduleDecl()->qualifiedName());
  for (auto* imp : tree->importDecl()) f.imports.push_back(b.qualified(imp->qualifiedName()));
  for (auto* d : tree->decl()) f.decls.push_back(b.decl(d));
  for (auto* t : tokens.getTokens()) {
    if (t->getChannel() != 2) continue;
    std::string text = t->getText();
    Span s = token_span(file_id, pos, t);
    f.comments.push_back({text, s, text.rfind("///", 0) == 0});
  }
  if (b.too_deep()) return std::nullopt;
  return f;
}

} // namespace keyplan
