// `check` declarations: binders over entity types, a bool body (true = a
// finding), a message template whose `{x}` / `{x.attr}` pieces are checked
// like expressions; and `@allow(check, ...)` on policy instances.
#include "compiler/sema_context.hpp"

#include <cctype>
#include <fmt/format.h>
#include <functional>

namespace keyplan::sema {

using TT = ir::TypeTable;

namespace {

bool is_ident(const std::string& s) {
  if (s.empty() || !(std::isalpha(static_cast<unsigned char>(s[0])) || s[0] == '_')) return false;
  for (char c : s)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_')) return false;
  return true;
}

// `u.home.name` as an AST path: a Name, then one Member per attribute.
ast::ExprPtr path_expr(const std::string& text, const Span& at) {
  std::vector<std::string> parts;
  size_t start = 0;
  for (size_t i = 0; i <= text.size(); ++i)
    if (i == text.size() || text[i] == '.') {
      parts.push_back(text.substr(start, i - start));
      start = i + 1;
    }
  for (const auto& p : parts)
    if (!is_ident(p)) return nullptr;
  auto e = std::make_unique<ast::Expr>();
  e->kind = ast::ExprKind::Name;
  e->span = at;
  e->name = {parts[0], at};
  for (size_t i = 1; i < parts.size(); ++i) {
    auto m = std::make_unique<ast::Expr>();
    m->kind = ast::ExprKind::Member;
    m->span = at;
    m->name = {parts[i], at};
    m->kids.push_back(std::move(e));
    e = std::move(m);
  }
  return e;
}

std::string trim(const std::string& s) {
  size_t b = s.find_first_not_of(" \t"), e = s.find_last_not_of(" \t");
  return b == std::string::npos ? "" : s.substr(b, e - b + 1);
}

// A template piece: a path, or a call of a rule whose arguments are paths
// (`{profiles_granting(u, g)}`): what a message needs, without a second
// expression parser.
ast::ExprPtr piece_expr(const std::string& text, const Span& at) {
  size_t open = text.find('(');
  if (open == std::string::npos) return path_expr(text, at);
  if (text.back() != ')') return nullptr;
  std::string callee = trim(text.substr(0, open));
  if (!is_ident(callee)) return nullptr;
  auto call = std::make_unique<ast::Expr>();
  call->kind = ast::ExprKind::Call;
  call->span = at;
  call->name = {callee, at};
  std::string args = trim(text.substr(open + 1, text.size() - open - 2));
  size_t start = 0;
  while (!args.empty() && start <= args.size()) {
    size_t comma = args.find(',', start);
    if (comma == std::string::npos) comma = args.size();
    auto arg = path_expr(trim(args.substr(start, comma - start)), at);
    if (!arg) return nullptr;
    call->kids.push_back(std::move(arg));
    start = comma + 1;
  }
  return call;
}

} // namespace

// A bare string is a template; `if` and `join(...)` build text as a report
// cell does (sema_text.cpp), so a message reads as prose, not as values.
void Context::check_message(const ast::Decl& d, Scope& scope, ir::Check& c) {
  if (d.message_text) {
    c.message = check_text(*d.message_text, scope);
    return;
  }
  ast::Expr literal;
  literal.kind = ast::ExprKind::Literal;
  literal.lit = ast::LitKind::String;
  literal.text = d.message.text;
  literal.span = d.message.span;
  c.message = check_text(literal, scope);
}

void Context::check_template(const ast::Ident& message, Scope& scope,
                             std::vector<ir::Check::Piece>& out) {
  const std::string& t = message.text;
  const Span& at = message.span;
  std::string text;
  for (size_t i = 0; i < t.size(); ++i) {
    if ((t[i] == '{' || t[i] == '}') && i + 1 < t.size() && t[i + 1] == t[i]) {
      text += t[i++]; // {{ and }} are literal braces
      continue;
    }
    if (t[i] == '}') {
      diags.error(at, "a '}' without '{' in the message", "write a literal brace as '}}'");
      return;
    }
    if (t[i] != '{') {
      text += t[i];
      continue;
    }
    size_t close = t.find('}', i);
    if (close == std::string::npos) {
      diags.error(at, "a '{' without '}' in the message", "write a literal brace as '{{'");
      return;
    }
    std::string inner = trim(t.substr(i + 1, close - i - 1));
    auto path = piece_expr(inner, at);
    if (!path) {
      diags.error(
          at, fmt::format("'{{{}}}' in the message is not a parameter or attribute path", inner),
          "write {u} or {u.attribute}");
      return;
    }
    auto x = check(*path, scope);
    if (x->type == TT::kError) return;
    if (!text.empty()) out.push_back({std::move(text), nullptr});
    text.clear();
    out.push_back({"", std::move(x)});
    i = close;
  }
  if (!text.empty()) out.push_back({std::move(text), nullptr});
}

void Context::check_checks(const std::vector<const ast::Decl*>& decls) {
  std::map<std::string, Span> names;
  for (const ast::Decl* d : decls) {
    if (auto it = names.find(d->name.text); it != names.end()) {
      diags.error(d->name.span, fmt::format("check '{}' is declared twice", d->name.text));
      diags.note(it->second, "first declared here");
      continue;
    }
    names[d->name.text] = d->name.span;
    ir::Check c;
    c.name = d->name.text;
    c.span = d->name.span;
    c.implements = implements_of(d->annotations);
    c.doc = doc_of(*d);
    for (size_t m = 0; m < policy.modules.size(); ++m)
      if (policy.modules[m].file == d->span.file) c.module = static_cast<int>(m);
    if (d->severity.text == "error")
      c.severity = ir::Severity::Error;
    else if (d->severity.text == "warning")
      c.severity = ir::Severity::Warning;
    else
      diags.error(d->severity.span, fmt::format("unknown severity '{}'", d->severity.text),
                  "a check's severity is error or warning");
    Scope scope;
    bool ok = true;
    for (const auto& b : d->params) {
      ir::Param p;
      p.name = b.name.text;
      p.type = resolve_type(b.type);
      p.span = b.name.span;
      if (p.type != TT::kError && policy.types[p.type].kind != ir::TypeKind::Entity) {
        diags.error(b.type.span, fmt::format("check parameter '{}' must be an entity type", p.name),
                    fmt::format("found '{}'; a check ranges over every instance of its types",
                                type_name(p.type)));
        ok = false;
      }
      if (p.type == TT::kError) ok = false;
      scope.vars.push_back(
          {p.name, static_cast<int32_t>(c.vars.size()), p.type, p.span, false, true});
      c.vars.push_back(std::move(p));
    }
    scope.next_slot = scope.frame_size = static_cast<int32_t>(c.vars.size());
    auto body = check(*d->value, scope, TT::kBool);
    if (body->type != TT::kBool && body->type != TT::kError)
      diags.error(d->value->span, fmt::format("check '{}' must be a bool condition", c.name),
                  fmt::format("found '{}'; true means a finding", type_name(body->type)));
    check_message(*d, scope, c);
    for (const auto& v : scope.vars)
      if (!v.used && v.name.rfind('_', 0) != 0)
        diags.warning(v.span,
                      fmt::format("parameter '{}' of check '{}' is never used", v.name, c.name));
    c.frame_size = scope.frame_size;
    c.body = std::move(body);
    if (ok) policy.checks.push_back(std::move(c));
  }
}

void Context::apply_allows() {
  std::function<void(const ast::InstanceDecl&, const std::vector<ast::Annotation>&)> apply =
      [&](const ast::InstanceDecl& d, const std::vector<ast::Annotation>& annotations) {
        for (const auto& item : d.items)
          if (item.child) apply(*item.child, item.child->annotations);
        std::vector<std::string> allow;
        for (const auto& a : annotations) {
          if (a.name.text == "implements") continue; // documentation, as on declarations
          if (a.name.text != "allow") {
            diags.warning(a.name.span,
                          fmt::format("unknown annotation '@{}' on an instance", a.name.text),
                          "an instance takes @allow(check_name, ...) and @implements(...)");
            continue;
          }
          if (a.args.empty())
            diags.error(a.span, "@allow needs at least one check name",
                        "e.g. @allow(unbookable_object)");
          for (const auto& name : a.args) {
            if (policy.find_check(name) < 0 && !is_lint_name(name)) {
              std::vector<std::string> names;
              for (const auto& c : policy.checks) names.push_back(c.name);
              diags.error(a.span, fmt::format("@allow names no check '{}'", name),
                          did_you_mean(name, names));
            }
            allow.push_back(name);
          }
        }
        if (allow.empty()) return;
        int32_t e = policy.find_entity(d.type.text);
        if (auto it = aliases.find(d.type.text); e < 0 && it != aliases.end())
          e = it->second.entity;
        if (e < 0) return;
        auto& ent = policy.entities[static_cast<size_t>(e)];
        if (auto it = ent.instance_index.find(d.id.text); it != ent.instance_index.end())
          ent.instances[static_cast<size_t>(it->second)].allow = allow;
      };
  for (const ast::Decl* d : instance_decls) apply(*d->instance, d->annotations);
  warn_default_lints();
}

} // namespace keyplan::sema
