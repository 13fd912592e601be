// The checked, typed IR of a whole policy (a client file and every module it
// imports, linked into one namespace). It is what the interpreter, the JIT,
// the simulator and the reports consume; docs/architecture.md describes it.
//
// Invariants that sema guarantees, so consumers need no checks of their own:
// - every Expr has a type other than kError, and its kids have the types the
//   Op documents below;
// - every Call names a rule by index and passes exactly its parameters
//   (defaults already filled in); rules are sorted so that a callee comes
//   before every caller (no recursion);
// - every Var slot is < the owning rule's frame_size;
// - every Const holds a Value of the Expr's type (sets sorted, deduplicated).
#pragma once

#include "compiler/source.hpp"
#include "compiler/types.hpp"
#include "compiler/value.hpp"

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

namespace keyplan::ir {

enum class Op : uint8_t {
  Const,   // constant (literal, enum member, declared instance, none, constant set)
  Today,   // the evaluation date (Date)
  Var,     // slot `index` of the frame: a parameter or a bound variable
  Setting, // the current value of setting `index`
  Attr,    // kids[0].attribute `index`; when kids[0] is optional, the result is optional
           // (none in, none out)
  Call,    // rule `index` applied to kids (one per parameter)
  AllOf,   // every instance of entity type `index` (a set)
  Not,
  Neg,
  And,
  Or,
  Implies, // short-circuit, left to right
  If,      // kids: condition, then, else
  Eq,
  Ne, // any equal types; optional against its element type allowed (none != value)
  Lt,
  Le,
  Gt,
  Ge, // int, date, enum (declaration order), string (bytewise)
  Add,
  Sub, // int+int, date+int, date-int, date-date (days); wrap on overflow
  Mul,
  Div,
  Mod,   // int; x/0 == 0 and x%0 == 0 (total, documented)
  In,    // kids[0] in kids[1] (a set); an optional none is in no set
  Meets, // the two sets intersect
  Union,
  Intersect,
  Except,
  SetOf, // a set of the kids' values
  Any,
  All,   // kids: domain set, body; the variable is slot `index`
  Count, // kids: a set; Int
  Max,
  Min,      // one kid (a set): optional element, none when empty;
            // two kids: the larger/smaller of two values of the same type
  Map,      // {result for x in domain where cond}: slot `index`; kids: domain, result, [cond]
            // (of type string: a report's [TEXT for x in S]: texts in S's order)
  Filter,   // {x in domain where cond}: slot `index`; kids: domain, cond
  Within,   // kids[0] is kids[1] or lies below it in the parent hierarchy
  Coalesce, // kids[0] (optional) unless none, else kids[1]
  Id,       // the id of entity kids[0] as a string (`x.id` where x's type has no
            // attribute named id); optional in, optional out
};

const char* op_name(Op op);

struct Expr {
  Op op = Op::Const;
  TypeId type = TypeTable::kError;
  int32_t index = -1;
  Value constant;
  Span span;
  std::vector<std::unique_ptr<Expr>> kids;
};
using ExprPtr = std::unique_ptr<Expr>;
ExprPtr clone(const Expr& e);

struct EnumType {
  std::string name;
  std::vector<std::string> members; // in order: members[0] < members[1] < ...
  Span span;
  int module = -1;
};

struct Attribute {
  std::string name;
  TypeId type = TypeTable::kError;
  bool is_parent = false;
  std::optional<Value> default_value; // absent: the attribute must be given
  std::vector<std::string> implements;
  std::vector<std::string> columns; // import column headers, from @column (F-I1)
  // Directory annotations (compiler/sema_directory.cpp): the roles imports,
  // exports and what-ifs find the user directory's attributes by.
  bool import_key = false;   // @import_key: the email keying the user import (F-I2)
  bool display_name = false; // @display_name: the user's name (F-I3)
  bool membership = false;   // @membership: the user's stored groups (F-G1)
  int64_t idp_external = -1; // @identity_provider(external, internal): enum ordinals
  int64_t idp_internal = -1; //   (F-G2; -1 without the annotation)
  Span span;
};

struct Instance {
  std::string id;
  std::vector<Value> values; // one per attribute of the type, defaults applied
  Span span;
  int module = -1;
  std::vector<std::string> allow; // checks silenced for it: @allow(check_name, ...)
};

struct EntityType {
  std::string name;
  std::vector<Attribute> attributes;
  int32_t parent_attr = -1;        // index of the `parent` attribute, or -1
  std::vector<Instance> instances; // declared in the policy; tenant data adds more
  std::unordered_map<std::string, int32_t> instance_index;
  Span span;
  int module = -1;

  int32_t find_attribute(const std::string& name) const;
};

struct Setting {
  std::string name;
  TypeId type = TypeTable::kError;
  Value default_value; // as declared
  Value value;         // after the policy's `set` overrides
  std::vector<std::string> implements;
  std::string doc;
  Span span;
  int module = -1;
};

struct Param {
  std::string name;
  TypeId type = TypeTable::kError;
  ExprPtr default_value; // evaluated in an empty frame (constants, settings, today)
  Span span;
};

struct Rule {
  std::string name;
  bool is_action = false;
  std::vector<Param> params; // slots 0 .. params.size()-1
  TypeId result = TypeTable::kBool;
  ExprPtr body;
  int32_t frame_size = 0;              // params plus bound variables
  std::vector<std::string> implements; // DOMAIN rule ids, from @implements
  std::string doc;
  Span span;
  int module = -1;
  std::string signature;             // e.g. "see(user: User, target: Floor)"
  bool effective_membership = false; // @effective_membership: a user's groups, derived included
};

struct Invariant {
  std::string name;
  std::vector<Param> vars; // the forall binders, slots 0 .. vars.size()-1
  ExprPtr body;
  int32_t frame_size = 0;
  std::vector<std::string> implements;
  std::string doc;
  Span span;
  int module = -1;
};

// `check name(binders) severity "template" = body`: one finding per binding
// of the binders (every instance of their entity types) where body is true.
enum class Severity { Error, Warning };

struct Check {
  std::string name;
  std::vector<Param> vars; // slots 0 .. vars.size()-1
  ExprPtr body;
  int32_t frame_size = 0;
  Severity severity = Severity::Error;
  // A message template's pieces: literal text and `{expr}` (expr null = literal).
  struct Piece {
    std::string text;
    ExprPtr expr;
  };
  // The message: a text expression built like a report cell (sema_text.cpp;
  // simulator/declared_report.hpp build_text renders it).
  ExprPtr message;
  std::vector<std::string> implements;
  std::string doc;
  Span span;
  int module = -1;
};

// A cell about the action variable of `rows/columns a in actions(...)`:
// `a` (its name), `scope(a)`, `allowed(a)`, `summary(a)` (action_scope.hpp).
enum class ActionCell { None, Label, Scope, Allowed, Summary };

// `report name "title" { rows ... column ... columns ... note ... }`: tables
// the simulator renders (simulator/declared_report.*). Frame slots: the row
// variable is slot 0, a `columns` variable slot 1; a note's `for` variable
// is slot 0 (notes see no row).
struct ReportColumn {
  std::string header; // a named column; empty for `columns`
  bool per_instance = false;
  Param var;                                 // `columns`: one column per instance passing `filter`
  ExprPtr filter;                            // may be null
  ExprPtr value;                             // the cell
  bool per_action = false;                   // `columns a in actions(...)`
  ActionCell action_cell = ActionCell::None; // set: the cell is about the action
};

// `rows a in actions(actor: T)`: per row (of type T), each action whose
// first parameter is `actor: T`, the row as the actor.
struct ReportActions {
  std::string var, param;
  int32_t actor_type = -1; // an entity type; -1: none declared
};

struct ReportNote {
  bool has_var = false;
  Param var;
  ExprPtr filter, condition; // may be null
  std::vector<Check::Piece> text;
  ExprPtr text_expr; // `note ... = TEXT` (then `text` is empty)
};

struct ReportTable {
  std::string name, title;
  Param row;
  ExprPtr row_filter; // may be null
  std::vector<ReportColumn> columns;
  std::vector<ReportNote> notes;
  int32_t frame_size = 0;
  // `table NAME for x: T where f = TITLE`: one table per instance of `each`
  // (slot kEachSlot, seen by every item), named NAME_<id>.
  static constexpr int32_t kEachSlot = 2;
  bool repeated = false;
  Param each;
  ExprPtr each_filter, each_title; // may be null
  ReportActions action_rows;       // actor_type -1: one row per instance
  ReportActions action_columns;    // the actions of `columns a in actions(...)`
};

struct Report {
  std::string name; // `keyplan report` also accepts it with '-' for '_'
  std::vector<ReportTable> tables;
  std::vector<std::string> implements;
  std::string doc;
  Span span;
  int module = -1;
  // Every expression of the report (for passes that rewrite the IR).
  template <class F> void for_each_expr(F&& f) {
    for (auto& t : tables) {
      if (t.each_filter) f(*t.each_filter);
      if (t.each_title) f(*t.each_title);
      if (t.row_filter) f(*t.row_filter);
      for (auto& c : t.columns) {
        if (c.filter) f(*c.filter);
        if (c.value) f(*c.value);
      }
      for (auto& n : t.notes) {
        if (n.filter) f(*n.filter);
        if (n.condition) f(*n.condition);
        for (auto& p : n.text)
          if (p.expr) f(*p.expr);
        if (n.text_expr) f(*n.text_expr);
      }
    }
  }
};

struct Module {
  std::string name; // e.g. std.desk_booking; the client file's own name otherwise
  std::string path;
  int file = -1;
};

struct Policy {
  std::shared_ptr<SourceManager> sources;
  TypeTable types;
  std::vector<Module> modules; // imports first, the root file last
  std::vector<EnumType> enums;
  std::vector<EntityType> entities;
  std::vector<Setting> settings;
  std::vector<Rule> rules; // callees before callers
  std::vector<Invariant> invariants;
  std::vector<Check> checks;
  std::vector<Report> reports;

  int32_t find_enum(const std::string& name) const;
  int32_t find_entity(const std::string& name) const;
  int32_t find_setting(const std::string& name) const;
  int32_t find_check(const std::string& name) const;
  // By name, or with '-' for '_' (the CLI's spelling: authorization-matrix).
  int32_t find_report(const std::string& name) const;
  // Every rule or action with that name (overloads), in declaration order.
  std::vector<int32_t> find_rules(const std::string& name) const;
  std::vector<int32_t> actions() const;
  std::string type_name(TypeId t) const;
  // A value rendered as the language writes it (instance ids, enum members, dates).
  std::string format_value(const Value& v) const;
};

} // namespace keyplan::ir
