// The canonical formatter behind `keyplan fmt`: prints a parsed file back as
// keyplan text in one fixed style: 2-space indent, one attribute per line,
// rules on one line when they fit in 100 columns, else the body on the next
// line with long operator chains (and, or, implies, also union, +, ??, ...)
// one operand per line, the operator leading. Every comment of the file is
// kept, in order; parentheses written by the user are kept and the ones the
// tree needs are added, so that parsing the output gives the same tree.
#pragma once

#include "compiler/ast.hpp"
#include "compiler/source.hpp"

#include <algorithm>
#include <string>

namespace keyplan {

// The line width the formatter aims for.
constexpr size_t kFormatWidth = 100;

// `file` must come from parse_file on `sm` (the source text is consulted for
// blank lines, trailing comments and how annotation arguments were written);
// a tree built by hand (no valid spans) formats too, without comments.
std::string format_file(const ast::File& file, const SourceManager& sm);

// One expression on one line, with the parentheses its tree needs.
std::string format_expr(const ast::Expr& expr);

namespace detail {

// Equality of any two parts of a tree, ignoring spans and comments.
struct SameAst {
  bool parens;
  template <class T> bool operator()(const std::vector<T>& a, const std::vector<T>& b) const {
    return std::equal(a.begin(), a.end(), b.begin(), b.end(), *this);
  }
  template <class T>
  bool operator()(const std::unique_ptr<T>& a, const std::unique_ptr<T>& b) const {
    return !a || !b ? !a && !b : (*this)(*a, *b);
  }
  template <class T> bool operator()(const std::optional<T>& a, const std::optional<T>& b) const {
    return !a || !b ? !a && !b : (*this)(*a, *b);
  }
  bool operator()(const ast::Expr& a, const ast::Expr& b) const {
    if (parens && b.kind == ast::ExprKind::Paren && a.kind != ast::ExprKind::Paren)
      return (*this)(a, *b.kids[0]);
    return a.kind == b.kind && a.bop == b.bop && a.uop == b.uop && a.lit == b.lit &&
           a.quant_all == b.quant_all && a.name.text == b.name.text && a.text == b.text &&
           (*this)(a.kids, b.kids);
  }
  bool operator()(const ast::Ident& a, const ast::Ident& b) const { return a.text == b.text; }
  bool operator()(const ast::TypeRef& a, const ast::TypeRef& b) const {
    return a.kind == b.kind && a.name.text == b.name.text && (*this)(a.elem, b.elem);
  }
  bool operator()(const ast::Annotation& a, const ast::Annotation& b) const {
    return a.name.text == b.name.text && a.args == b.args;
  }
  bool operator()(const ast::Attribute& a, const ast::Attribute& b) const {
    return (*this)(a.annotations, b.annotations) && a.is_parent == b.is_parent &&
           a.name.text == b.name.text && (*this)(a.type, b.type) &&
           (*this)(a.default_value, b.default_value);
  }
  bool operator()(const ast::AttrValue& a, const ast::AttrValue& b) const {
    return a.name.text == b.name.text && (*this)(a.value, b.value);
  }
  bool operator()(const ast::Param& a, const ast::Param& b) const {
    return a.name.text == b.name.text && (*this)(a.type, b.type) &&
           (*this)(a.default_value, b.default_value);
  }
  bool operator()(const ast::InstanceItem& a, const ast::InstanceItem& b) const {
    return (*this)(a.value, b.value) && (*this)(a.child, b.child);
  }
  bool operator()(const ast::InstanceDecl& a, const ast::InstanceDecl& b) const {
    return a.type.text == b.type.text && a.id.text == b.id.text && a.has_block == b.has_block &&
           (*this)(a.items, b.items);
  }
  bool operator()(const ast::Decl& a, const ast::Decl& b) const {
    return a.kind == b.kind && (*this)(a.annotations, b.annotations) &&
           a.name.text == b.name.text && (*this)(a.members, b.members) &&
           (*this)(a.attributes, b.attributes) && (*this)(a.type, b.type) &&
           (*this)(a.value, b.value) && a.target.text == b.target.text &&
           (*this)(a.values, b.values) && a.is_action == b.is_action &&
           (*this)(a.params, b.params) && (*this)(a.instance, b.instance);
  }
  bool operator()(const ast::File& a, const ast::File& b) const {
    return (*this)(a.module, b.module) && (*this)(a.imports, b.imports) &&
           (*this)(a.decls, b.decls);
  }
};

} // namespace detail

// Structural equality of two trees, ignoring spans and comments. With
// `allow_added_parens`, `b` may wrap subexpressions of `a` in extra
// parentheses (what the formatter adds to a tree built by hand).
inline bool same_expr(const ast::Expr& a, const ast::Expr& b, bool allow_added_parens = false) {
  return detail::SameAst{allow_added_parens}(a, b);
}

inline bool same_ast(const ast::File& a, const ast::File& b, bool allow_added_parens = false) {
  return detail::SameAst{allow_added_parens}(a, b);
}

} // namespace keyplan
