// Internal to semantic analysis: the state shared by its passes
// (sema_decls.cpp, sema_expr.cpp, sema_rules.cpp).
#pragma once

#include "compiler/sema.hpp"

#include <map>
#include <set>
#include <string>
#include <unordered_map>

namespace keyplan::sema {

using ir::TypeId;

struct RuleInfo {
  const ast::Decl* decl = nullptr;
  int module = -1;
  enum State { Unchecked, InProgress, Done } state = Unchecked; // the body
  std::vector<State> default_state; // per parameter: its default expression
  bool signature_ok = true;
  int calls = 0;      // how often other rules or invariants call it
  int32_t order = -1; // position in the final, callee-first order
};

struct AliasInfo {
  const ast::Decl* decl = nullptr;
  int32_t entity = -1;
};

struct Var {
  std::string name;
  int32_t slot;
  TypeId type;
  Span span;
  bool used = false;
  bool is_param = false;
};

// The variables in scope while checking one rule or invariant body.
struct Scope {
  std::vector<Var> vars;
  int32_t next_slot = 0;
  int32_t frame_size = 0;
  int32_t current_rule = -1; // index into Context::rules, -1 outside rules
  bool allow_vars = true;    // false in constant contexts (defaults, settings)
  bool in_default = false;   // a parameter default: its calls count as the caller's
  const Var* find(const std::string& n) const;
  Var* find(const std::string& n);
};

// IR node builders shared by the expression passes.
inline ir::ExprPtr make_node(ir::Op op, TypeId type, const Span& span) {
  auto e = std::make_unique<ir::Expr>();
  e->op = op;
  e->type = type;
  e->span = span;
  return e;
}
// A node of the error type: it silences follow-on errors.
inline ir::ExprPtr error_node(const Span& span) {
  return make_node(ir::Op::Const, ir::TypeTable::kError, span);
}
inline ir::ExprPtr const_node(const ir::Value& v, TypeId type, const Span& span) {
  auto e = make_node(ir::Op::Const, type, span);
  e->constant = v;
  return e;
}

// Whether an expression's type comes from its context (`none`, `[]`, bare names).
bool context_dependent(const ast::Expr& e);

// "a" or "an" for a type name in messages.
std::string article(const std::string& noun);

// sema_lints.cpp: the names @allow takes besides checks (setting_default,
// attribute_default); value equality with sets compared as sets.
bool is_lint_name(const std::string& name);
bool same_value(const ir::Value& a, const ir::Value& b);

class Context {
public:
  Context(std::shared_ptr<SourceManager> sm, Diagnostics& d) : sources(std::move(sm)), diags(d) {
    policy.sources = sources;
  }

  std::shared_ptr<SourceManager> sources;
  Diagnostics& diags;
  ir::Policy policy;

  std::vector<RuleInfo> rules; // parallel to policy.rules until reordering
  std::map<std::string, AliasInfo> aliases;
  std::map<std::string, Span> type_names; // enum and entity names → declaration
  std::vector<const ast::Decl*> instance_decls;
  std::vector<std::vector<const ast::Attribute*>> entity_attrs; // per entity, entity + extends
  std::vector<const ast::Decl*> setting_decls;                  // parallel to policy.settings
  std::vector<std::pair<const ast::Decl*, int>> extend_decls;
  std::vector<std::pair<const ast::Decl*, int>> set_overrides;
  // Language lints (sema_lints.cpp): an instance attribute of the root file
  // given its default, reported once the instance's @allow is known.
  struct DefaultLint {
    Span span;
    std::string message;
    int32_t entity = -1;
    int32_t index = -1;
  };
  std::vector<DefaultLint> default_lints;

  // --- sema_decls.cpp
  void declare(const std::vector<SemaInput>& files);
  void resolve_signatures();
  void evaluate_constants();
  TypeId resolve_type(const ast::TypeRef& t);

  // --- sema_directory.cpp
  // @column and the directory annotations of an attribute (its type
  // resolved); false for any other annotation.
  bool attribute_annotation(const ast::Annotation& an, ir::Attribute& attr);
  // Once per policy: one attribute per role; @effective_membership rules.
  void check_directory();

  // --- sema_expr.cpp
  ir::ExprPtr check(const ast::Expr& e, Scope& scope, TypeId expected = 0);
  // Checks a constant (attribute default, setting, instance value) of type `want`.
  std::optional<ir::Value> constant(const ast::Expr& e, TypeId want, const std::string& what);
  bool assignable(TypeId from, TypeId to) const;
  ir::ExprPtr check_name(const ast::Expr& e, Scope& scope, TypeId expected);
  // What a value of type t is written as: "expected true or false".
  std::string expected_values(TypeId t) const;
  ir::ExprPtr check_member(const ast::Expr& e, Scope& scope, TypeId expected);
  ir::ExprPtr check_call(const ast::Expr& e, Scope& scope, TypeId expected);
  ir::ExprPtr check_builtin(const ast::Expr& e, Scope& scope, TypeId expected);
  ir::ExprPtr check_binary(const ast::Expr& e, Scope& scope, TypeId expected);
  // One operator; `left`, when given, is its left operand already checked.
  ir::ExprPtr check_binary_step(const ast::Expr& e, Scope& scope, TypeId expected,
                                ir::ExprPtr left);
  static constexpr size_t kBalanceFrom = 16; // operands of a chain kept as written
  ir::ExprPtr check_binder(const ast::Expr& e, Scope& scope, TypeId expected);
  // Quantifier domains: a set, or an entity type name meaning all its instances.
  ir::ExprPtr check_domain(const ast::Expr& e, Scope& scope);
  std::string type_name(TypeId t) const { return policy.type_name(t); }

  // --- sema_rules.cpp
  void check_rules();
  void check_invariants(const std::vector<const ast::Decl*>& invariants);
  // --- sema_checks.cpp
  void check_checks(const std::vector<const ast::Decl*>& checks);
  void check_message(const ast::Decl& d, Scope& scope, ir::Check& c);
  // A message template ("user {u} ...") into literal and expression pieces.
  void check_template(const ast::Ident& message, Scope& scope, std::vector<ir::Check::Piece>& out);
  // --- sema_reports.cpp
  void check_reports(const std::vector<const ast::Decl*>& reports);
  void check_report_table(const ast::ReportTable& t, ir::ReportTable& out);
  // --- sema_text.cpp
  // A report cell: text built from templates, `if` and `join` (docs/language.md
  // "Building text"); any other expression is shown as text.
  ir::ExprPtr check_text(const ast::Expr& e, Scope& scope);
  ir::ExprPtr check_text_list(const ast::Expr& e, Scope& scope);
  bool check_report_actions(const ast::ReportItem& it, const ir::ReportTable& table,
                            ir::ReportActions& out, const char* what);
  ir::ActionCell report_action_cell(const ast::Expr& e, const std::string& var);
  void apply_allows();
  // --- sema_lints.cpp
  bool in_root_file(const Span& s) const;
  void lint_setting_default(const ast::Decl& d, const ir::Setting& s, const ir::Value& v);
  void lint_attribute_default(const ast::AttrValue& av, int32_t entity, int32_t index,
                              const ir::Value& v);
  void warn_default_lints();
  void warn_unused_imports(const std::vector<SemaInput>& files);
  void warn_unused();
  void reorder_rules();
  void check_rule(int32_t index); // on demand, callee first
  // The default of parameter `param` of rule `index`, on demand. A call that
  // omits the parameter runs this default, so its calls are the caller's calls.
  void check_default(int32_t index, size_t param);
  // A recursion error at `at`: the chain runs from `frame` on the stack back to it.
  void report_cycle(const Span& at, size_t frame);
  // Rules sorted callee-first leave no Call to a later rule (no recursion),
  // and no evaluation nests deeper than kMaxEvalDepth levels.
  bool verify_call_order();
  // Levels of IR, calls within calls included, that an engine may recurse
  // through; also the bound of check()'s own recursion. Sized for the
  // default 8 MiB stack with room to spare under AddressSanitizer, whose
  // frames are many times larger (about 16 KiB a level in check()).
  static constexpr size_t kMaxEvalDepth = 256;
  size_t check_depth_ = 0;
  bool too_deep_reported_ = false;

  std::vector<const ast::Decl*> invariant_decls;
  std::vector<const ast::Decl*> check_decls;
  std::vector<const ast::Decl*> report_decls;
  int32_t next_order_ = 0;
  // What is being checked, outermost first: a rule's body (param -1) or the
  // default of one of its parameters.
  struct Frame {
    int32_t rule;
    int32_t param;
  };
  std::vector<Frame> checking_;

  // helpers
  // Every rule or action named n (policy.find_rules, without its linear scan:
  // a policy may declare many thousands of rules).
  const std::vector<int32_t>& rules_named(const std::string& n);
  std::unordered_map<std::string, std::vector<int32_t>> rules_by_name_;
  // Did-you-mean hints compare a name with every candidate: the first
  // kMaxSuggestions unknown names get one, so a file of typos stays fast.
  static constexpr size_t kMaxSuggestions = 100;
  size_t suggestions_ = 0;
  bool suggest() { return suggestions_++ < kMaxSuggestions; }
  std::vector<std::string> visible_names(const Scope& scope) const;
  std::vector<std::string> implements_of(const std::vector<ast::Annotation>& annotations);
  std::string doc_of(const ast::Decl& d) const;
  std::vector<const ast::Comment*> doc_comments; // every /// comment of every file
  bool is_ordered(TypeId t) const;
  int32_t entity_of(TypeId t) const; // entity index of T or T?, else -1
  std::vector<int32_t> ancestor_types(int32_t entity) const;

  // --- sema_library.cpp
  // Whether `name` is declared by a `std` module the policy does not import;
  // if so, reports it at `at` the first time per module (one error that
  // suggests the import, not one per use) and returns true.
  bool missing_library(const Span& at, const std::string& name);
  std::set<std::string> missing_reported_;
};

} // namespace keyplan::sema
