// The syntax tree of one .kp file, as written (parentheses and comments kept
// for the formatter). Semantic analysis (sema.hpp) turns a set of these into
// the checked IR (ir.hpp).
#pragma once

#include "compiler/source.hpp"

#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace keyplan::ast {

struct Ident {
  std::string text;
  Span span;
};

enum class BinOp {
  Implies,
  Or,
  And,
  Eq,
  Ne,
  Lt,
  Le,
  Gt,
  Ge,
  In,
  NotIn,
  Meets,
  Within,
  Coalesce,
  Add,
  Sub,
  Union,
  Except,
  Mul,
  Div,
  Mod,
  Intersect,
};
enum class UnOp { Not, Neg };
enum class LitKind { Int, String, Date, True, False, None, Today };

enum class ExprKind {
  If,            // kids: cond, then, else
  Quant,         // name: variable; quant_all; kids: domain, body
  Binary,        // bop; kids: lhs, rhs
  Unary,         // uop; kids: operand
  Member,        // name: member; kids: object
  Call,          // name: callee; kids: arguments
  Comprehension, // name: variable; kids: result, domain, [where]
  Filter,        // name: variable; kids: domain, where
  SetLit,        // kids: elements
  Paren,         // kids: inner
  Literal,       // lit; text: the literal as written (strings unescaped)
  Name,          // name
  List,          // [result for name in domain where f] (report text); kids as Comprehension
};

struct Expr {
  Expr() = default;
  Expr(Expr&&) = default;
  Expr& operator=(Expr&&) = default;
  ~Expr(); // without recursion: a long operator chain is a deep tree
  ExprKind kind;
  Span span;
  BinOp bop = BinOp::And;
  UnOp uop = UnOp::Not;
  LitKind lit = LitKind::Int;
  bool quant_all = false;
  Ident name;
  std::string text;
  std::vector<std::unique_ptr<Expr>> kids;
};
using ExprPtr = std::unique_ptr<Expr>;

// Binding strength of an operator, higher binds tighter; used by the
// formatter to decide where parentheses are needed.
int precedence(BinOp op);
const char* spelling(BinOp op);
// (a op b) op c == a op (b op c) for every operand type: and, or, union,
// intersect, + and * (sema balances only int + and *, not date + int).
bool is_associative(BinOp op);

struct TypeRef {
  enum Kind { Named, Set, Optional } kind = Named;
  Ident name;                    // Named
  std::unique_ptr<TypeRef> elem; // Set, Optional
  Span span;
};

struct Annotation {
  Ident name;
  std::vector<std::string> args;
  Span span;
};

struct Attribute {
  std::vector<Annotation> annotations;
  bool is_parent = false;
  Ident name;
  TypeRef type;
  ExprPtr default_value;
  Span span;
};

struct AttrValue {
  Ident name;
  ExprPtr value;
  Span span;
};

struct InstanceDecl;
struct InstanceItem {
  std::optional<AttrValue> value;      // either an attribute value
  std::unique_ptr<InstanceDecl> child; // or a nested instance
};

struct InstanceDecl {
  std::vector<Annotation> annotations; // a nested instance's (a top-level one's are its Decl's)
  Ident type;                          // an entity type or an alias
  Ident id;
  bool has_block = false;
  std::vector<InstanceItem> items;
  Span span;
};

struct Param {
  Ident name;
  TypeRef type;
  ExprPtr default_value;
  Span span;
};

enum class DeclKind {
  Enum,
  Entity,
  Extend,
  Setting,
  SetOverride,
  Alias,
  Rule,
  Invariant,
  Instance,
  Check,
  Report
};

// One line of a `report` table: `rows x: T where f`, `column "H" = e`,
// `columns x: T where f = e`, `note [for x: T where f] [if c] "text {x}"`.
struct ReportItem {
  enum Kind { Rows, Column, Columns, Note, ActionRows, ActionColumns } kind = Rows;
  Span span;
  std::optional<Param> binder; // Rows, Columns, Note (for)
  ExprPtr filter;              // `where`
  ExprPtr value;               // Column, Columns: the cell
  ExprPtr condition;           // Note: `if`
  Ident label;                 // Column: the header; Note: the template
  ExprPtr text;                // Note written `note ... = TEXT`: a text expression
  // ActionRows, ActionColumns: `VAR in SOURCE(PARAM: TYPE)` (SOURCE is `actions`)
  Ident action_var, action_source;
  std::optional<Param> actor; // not a variable of the table: the actions' first parameter
};

struct ReportTable {
  Ident name;
  std::optional<Ident> title;
  std::vector<ReportItem> items;
  Span span;
  // `table NAME for x: T where f = TITLE { ... }`: one table per instance.
  std::optional<Param> each;
  ExprPtr each_filter, each_title; // may be null
};

struct Decl {
  DeclKind kind;
  Span span;
  std::vector<Annotation> annotations;
  Ident name; // enum/entity/setting/alias/rule name; invariant: the string; instance: unused

  std::vector<Ident> members;        // Enum
  std::vector<Attribute> attributes; // Entity, Extend
  std::optional<TypeRef> type;       // Setting type; Rule result type (optional)
  ExprPtr value;                 // Setting default, SetOverride value, Rule body, Invariant body
  Ident target;                  // Alias: entity type
  std::vector<AttrValue> values; // Alias: preset attribute values
  bool is_action = false;        // Rule
  std::vector<Param> params;     // Rule parameters, Invariant and Check binders
  std::unique_ptr<InstanceDecl> instance; // Instance
  Ident severity;                         // Check: error or warning
  Ident message;                          // Check: the template, unescaped
  ExprPtr message_text;                   // Check: a text expression (if/join) instead
  std::optional<Ident> title;             // Report: its title (without `table` blocks)
  std::vector<ReportTable> tables;        // Report: one, implicit, without `table` blocks
  bool table_blocks = false;              // Report: written with `table` blocks
};

struct Comment {
  std::string text; // including the // or /* */
  Span span;
  bool doc = false; // ///
};

struct File {
  int file_id = -1;
  std::optional<Ident> module; // qualified name joined with '.'
  std::vector<Ident> imports;  // qualified names joined with '.'
  std::vector<Decl> decls;
  std::vector<Comment> comments;
};

} // namespace keyplan::ast
