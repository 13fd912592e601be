// `report` declarations: a table (or several) whose rows range over an
// entity type, whose columns are named expressions or one per instance of
// another type, and whose notes are message templates. Every expression is
// type-checked here; simulator/declared_report.* evaluates them.
#include "compiler/sema_context.hpp"

#include <algorithm>
#include <fmt/format.h>

namespace keyplan::sema {

using TT = ir::TypeTable;

namespace {

const char* kRowsExample = "e.g. rows u: User where u.active";

} // namespace

void Context::check_report_table(const ast::ReportTable& t, ir::ReportTable& out) {
  out.name = t.name.text;
  out.title = t.title ? t.title->text : "";
  // A binder over an entity type; false after reporting it.
  auto bind = [&](const ast::Param& b, const char* what, ir::Param& p) {
    p.name = b.name.text;
    p.type = resolve_type(b.type);
    p.span = b.name.span;
    if (p.type == TT::kError) return false;
    if (policy.types[p.type].kind != ir::TypeKind::Entity) {
      diags.error(b.type.span,
                  fmt::format("the {} variable '{}' must be of an entity type", what, p.name),
                  fmt::format("found '{}'; a report ranges over every instance of a type",
                              type_name(p.type)));
      return false;
    }
    return true;
  };
  auto condition = [&](const ast::Expr& e, Scope& scope, const char* what) {
    auto x = check(e, scope, TT::kBool);
    if (x->type != TT::kBool && x->type != TT::kError)
      diags.error(e.span, fmt::format("a report's {} must be a bool condition", what),
                  fmt::format("found '{}'", type_name(x->type)));
    return x;
  };
  // `table NAME for x: T`: x (slot kEachSlot) is seen by every item of the
  // table; the slots of the items' own variables start above it.
  const int32_t each_slot = ir::ReportTable::kEachSlot;
  bool each_used = false;
  int32_t free_slot = 0; // the first slot after the fixed ones
  auto add_each = [&](Scope& scope) {
    if (!out.repeated) return;
    scope.vars.push_back({out.each.name, each_slot, out.each.type, out.each.span, false, true});
    scope.next_slot = std::max(scope.next_slot, each_slot + 1);
    scope.frame_size = std::max(scope.frame_size, scope.next_slot);
  };
  auto note_each = [&](const Scope& scope) {
    for (const Var& v : scope.vars)
      if (out.repeated && v.slot == each_slot && v.name == out.each.name) each_used |= v.used;
  };
  auto warn_unused = [&](const Scope& scope, size_t from) {
    note_each(scope);
    for (size_t i = from; i < scope.vars.size(); ++i) {
      const Var& v = scope.vars[i];
      if (out.repeated && v.slot == each_slot) continue;
      if (!v.used && v.name.rfind('_', 0) != 0)
        diags.warning(v.span, fmt::format("variable '{}' of report table '{}' is never used",
                                          v.name, out.name));
    }
  };

  if (t.each) {
    out.repeated = bind(*t.each, "table", out.each);
    if (!out.repeated) return;
    Scope scope;
    add_each(scope);
    if (t.each_filter) out.each_filter = condition(*t.each_filter, scope, "`where` filter");
    if (t.each_title) out.each_title = check_text(*t.each_title, scope);
    note_each(scope);
    free_slot = scope.frame_size;
  }

  const ast::ReportItem* rows = nullptr;
  for (const auto& it : t.items) {
    if (it.kind != ast::ReportItem::Rows) continue;
    if (rows) {
      diags.error(it.span, fmt::format("table '{}' declares its rows twice", out.name),
                  "one `rows` line per table");
      diags.note(rows->span, "first declared here");
      continue;
    }
    rows = &it;
  }
  if (!rows) {
    diags.error(t.name.span, fmt::format("table '{}' has no `rows` line", out.name), kRowsExample);
    return;
  }
  if (!bind(*rows->binder, "rows", out.row)) return;
  auto hides_each = [&](const ir::Param& p, const char* what) {
    if (!out.repeated || p.name != out.each.name) return false;
    diags.error(p.span,
                fmt::format("the {} variable '{}' hides the table's variable", what, p.name),
                "give it another name");
    return true;
  };
  if (hides_each(out.row, "rows")) return;
  Scope row_scope;
  row_scope.vars.push_back({out.row.name, 0, out.row.type, out.row.span, false, true});
  row_scope.next_slot = row_scope.frame_size = 1;
  add_each(row_scope);
  if (rows->filter) out.row_filter = condition(*rows->filter, row_scope, "`where` filter");
  int32_t frame = std::max(1, free_slot);
  for (const auto& it : t.items)
    if (it.kind == ast::ReportItem::ActionRows &&
        check_report_actions(it, out, out.action_rows, "rows"))
      row_scope.vars[0].used = true; // the row is the actor

  for (const auto& it : t.items) {
    switch (it.kind) {
    case ast::ReportItem::Rows:
    case ast::ReportItem::ActionRows:
      break;
    case ast::ReportItem::ActionColumns: {
      if (!check_report_actions(it, out, out.action_columns, "columns")) break;
      row_scope.vars[0].used = true; // the row is the actor
      ir::ReportColumn c;
      c.per_action = true;
      c.action_cell = report_action_cell(*it.value, it.action_var.text);
      if (c.action_cell == ir::ActionCell::None)
        diags.error(it.value->span,
                    fmt::format("a cell of `columns {} in actions(...)` is about the action",
                                it.action_var.text),
                    fmt::format("expected {0}, scope({0}), allowed({0}) or summary({0})",
                                it.action_var.text));
      out.columns.push_back(std::move(c));
      break;
    }
    case ast::ReportItem::Column: {
      ir::ReportColumn c;
      c.header = it.label.text;
      if (c.header.empty())
        diags.error(it.label.span, "a column needs a header", "e.g. column \"Name\" = u.name");
      c.action_cell = report_action_cell(*it.value, out.action_rows.var);
      if (c.action_cell != ir::ActionCell::None) {
        out.columns.push_back(std::move(c));
        break;
      }
      c.value = check_text(*it.value, row_scope);
      out.columns.push_back(std::move(c));
      frame = std::max(frame, row_scope.frame_size);
      break;
    }
    case ast::ReportItem::Columns: {
      ir::ReportColumn c;
      c.per_instance = true;
      if (!bind(*it.binder, "columns", c.var)) break;
      if (hides_each(c.var, "columns")) break;
      if (c.var.name == out.row.name) {
        diags.error(it.binder->name.span,
                    fmt::format("the columns variable '{}' hides the rows variable", c.var.name),
                    "give it another name");
        break;
      }
      // The filter picks the columns once, for every row: it sees no row.
      Scope columns;
      columns.vars.push_back({c.var.name, 1, c.var.type, c.var.span, false, true});
      columns.next_slot = columns.frame_size = 2;
      add_each(columns);
      if (it.filter) c.filter = condition(*it.filter, columns, "`where` filter");
      note_each(columns);
      Scope scope = row_scope;
      scope.vars.push_back({c.var.name, 1, c.var.type, c.var.span, columns.vars[0].used, true});
      scope.next_slot = std::max(scope.next_slot, 2);
      scope.frame_size = std::max(scope.frame_size, scope.next_slot);
      c.value = check_text(*it.value, scope);
      warn_unused(scope, 1);
      row_scope.vars[0].used = row_scope.vars[0].used || scope.vars[0].used;
      frame = std::max({frame, scope.frame_size, columns.frame_size});
      out.columns.push_back(std::move(c));
      break;
    }
    case ast::ReportItem::Note: {
      ir::ReportNote n;
      Scope scope;
      if (it.binder) {
        n.has_var = true;
        if (!bind(*it.binder, "note", n.var)) break;
        if (hides_each(n.var, "note")) break;
        scope.vars.push_back({n.var.name, 0, n.var.type, n.var.span, false, true});
        scope.next_slot = scope.frame_size = 1;
      }
      add_each(scope);
      if (it.binder && it.filter) n.filter = condition(*it.filter, scope, "`where` filter");
      if (it.condition) n.condition = condition(*it.condition, scope, "`if` condition");
      if (it.text)
        n.text_expr = check_text(*it.text, scope);
      else
        check_template(it.label, scope, n.text);
      warn_unused(scope, 0);
      frame = std::max(frame, scope.frame_size);
      out.notes.push_back(std::move(n));
      break;
    }
    }
  }
  if (out.columns.empty())
    diags.error(t.name.span, fmt::format("table '{}' has no columns", out.name),
                "add `column \"Header\" = expression` or `columns x: Type = expression`");
  warn_unused(row_scope, 0);
  frame = std::max(frame, row_scope.frame_size);
  if (out.repeated && !each_used && out.each.name.rfind('_', 0) != 0)
    diags.warning(
        out.each.span,
        fmt::format("variable '{}' of report table '{}' is never used", out.each.name, out.name),
        "a table repeated per instance shows it in its title, rows or notes");
  out.frame_size = frame;
}

// `rows a in actions(actor: T)` / `columns a in actions(actor: T)`: the
// actions whose first parameter is `actor: T`, T the rows' type (the row is
// the actor). False after reporting an error.
bool Context::check_report_actions(const ast::ReportItem& it, const ir::ReportTable& table,
                                   ir::ReportActions& out, const char* what) {
  const char* example = "e.g. rows a in actions(actor: User)";
  if (out.actor_type >= 0) {
    diags.error(it.span, fmt::format("table '{}' declares its action {} twice", table.name, what),
                "one per table");
    return false;
  }
  if (it.action_source.text != "actions") {
    diags.error(it.action_source.span,
                fmt::format("unknown source '{}': expected 'actions'", it.action_source.text),
                example);
    return false;
  }
  if (it.action_var.text == table.row.name) {
    diags.error(it.action_var.span,
                fmt::format("the action variable '{}' hides the rows variable", it.action_var.text),
                "give it another name");
    return false;
  }
  ir::TypeId type = resolve_type(it.actor->type);
  if (type == TT::kError) return false;
  if (type != table.row.type) {
    diags.error(it.actor->type.span,
                fmt::format("the actions' first parameter '{}' must be of the rows' type '{}'",
                            it.actor->name.text, type_name(table.row.type)),
                fmt::format("found '{}'; each row is the actor of the actions", type_name(type)));
    return false;
  }
  out.var = it.action_var.text;
  out.param = it.actor->name.text;
  out.actor_type = policy.types[type].ref;
  return true;
}

// `a`, `scope(a)`, `allowed(a)` or `summary(a)` of the action variable `var`.
ir::ActionCell Context::report_action_cell(const ast::Expr& e, const std::string& var) {
  if (var.empty()) return ir::ActionCell::None;
  if (e.kind == ast::ExprKind::Paren) return report_action_cell(*e.kids[0], var);
  if (e.kind == ast::ExprKind::Name && e.name.text == var) return ir::ActionCell::Label;
  if (e.kind != ast::ExprKind::Call || e.kids.size() != 1 ||
      e.kids[0]->kind != ast::ExprKind::Name || e.kids[0]->name.text != var)
    return ir::ActionCell::None;
  if (e.name.text == "scope") return ir::ActionCell::Scope;
  if (e.name.text == "allowed") return ir::ActionCell::Allowed;
  if (e.name.text == "summary") return ir::ActionCell::Summary;
  diags.error(e.name.span, fmt::format("'{}' is not a cell of an action", e.name.text),
              fmt::format("expected {0}, scope({0}), allowed({0}) or summary({0})", var));
  return ir::ActionCell::Label; // reported: no second error
}

void Context::check_reports(const std::vector<const ast::Decl*>& decls) {
  std::map<std::string, Span> names;
  for (const ast::Decl* d : decls) {
    if (auto it = names.find(d->name.text); it != names.end()) {
      diags.error(d->name.span, fmt::format("report '{}' is declared twice", d->name.text));
      diags.note(it->second, "first declared here");
      continue;
    }
    names[d->name.text] = d->name.span;
    ir::Report r;
    r.name = d->name.text;
    r.span = d->name.span;
    r.implements = implements_of(d->annotations);
    r.doc = doc_of(*d);
    for (size_t m = 0; m < policy.modules.size(); ++m)
      if (policy.modules[m].file == d->span.file) r.module = static_cast<int>(m);
    if (d->tables.empty())
      diags.error(d->name.span, fmt::format("report '{}' has no table", r.name), kRowsExample);
    std::map<std::string, Span> tables;
    int errors = diags.error_count();
    for (const auto& t : d->tables) {
      if (auto it = tables.find(t.name.text); it != tables.end()) {
        diags.error(t.name.span,
                    fmt::format("report '{}' has two tables named '{}'", r.name, t.name.text));
        diags.note(it->second, "first declared here");
        continue;
      }
      tables[t.name.text] = t.name.span;
      r.tables.emplace_back();
      check_report_table(t, r.tables.back());
    }
    if (diags.error_count() == errors) policy.reports.push_back(std::move(r));
  }
}

} // namespace keyplan::sema
