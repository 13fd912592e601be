// The canonical formatter behind `keyplan fmt`: prints a parsed file back as
// keyplan text in one fixed style (2-space indent, one attribute per line,
// rules on one line when they fit in 100 columns, long and/or/implies chains
// one operand per line with the operator leading). Every comment of the file
// is kept, in order; parentheses written by the user are kept and the ones the
// tree needs are added, so that parsing the output gives the same tree.
#pragma once

#include "compiler/ast.hpp"
#include "compiler/source.hpp"

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

// Structural equality of two trees, ignoring spans and comments. With
// `allow_added_parens`, `b` may wrap subexpressions of `a` in extra
// parentheses (what the formatter adds to a tree built by hand).
bool same_expr(const ast::Expr& a, const ast::Expr& b, bool allow_added_parens = false);
bool same_ast(const ast::File& a, const ast::File& b, bool allow_added_parens = false);

} // namespace keyplan
