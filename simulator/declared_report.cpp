#include "simulator/declared_report.hpp"

#include "runtime/interpreter.hpp"
#include "simulator/action_scope.hpp"

#include <algorithm>
#include <fmt/format.h>
#include <map>

namespace keyplan::sim {

namespace {

// The actions of `rows/columns a in actions(...)`, with the notes on them.
struct Actions {
  std::vector<ScopedAction> list;
  std::vector<std::string> notes, fixed;
};

struct Eval {
  const ir::Policy& policy;
  const rt::Snapshot& snapshot;
  rt::Interpreter interp;
  int64_t today;
  std::vector<rt::RtValue> frame;
  // Shared by the tables of a report (a list and a matrix of the same scopes).
  std::map<std::pair<std::string, int32_t>, Actions> actions_cache;
  std::map<std::pair<int32_t, int32_t>, ActionScope> scopes;

  const Actions& actions(const ir::ReportActions& a) {
    auto key = std::make_pair(a.param, a.actor_type);
    auto it = actions_cache.find(key);
    if (it != actions_cache.end()) return it->second;
    Actions& out = actions_cache[key];
    out.list = scoped_actions(policy, snapshot, interp, a.param, a.actor_type, today, out.notes,
                              out.fixed);
    if (out.list.empty())
      out.notes.push_back(fmt::format("no action has a first parameter '{}: {}'", a.param,
                                      policy.entities[static_cast<size_t>(a.actor_type)].name));
    return out;
  }
  const ActionScope& scope(const ScopedAction& a, const rt::RtValue& actor) {
    auto key = std::make_pair(a.rule, static_cast<int32_t>(actor.num));
    auto it = scopes.find(key);
    if (it == scopes.end()) it = scopes.emplace(key, scope_of(interp, a, actor, today)).first;
    return it->second;
  }
  // A column's cell: about the action, or the column's text.
  std::string cell(const ir::ReportColumn& c, const ScopedAction* a, const rt::RtValue& actor) {
    switch (c.action_cell) {
    case ir::ActionCell::None:
      break;
    case ir::ActionCell::Label:
      return a ? a->label : "";
    case ir::ActionCell::Scope:
      return a ? scope(*a, actor).text : "";
    case ir::ActionCell::Allowed:
      return a ? scope(*a, actor).count() : "";
    case ir::ActionCell::Summary:
      return a ? scope(*a, actor).summary() : "";
    }
    return c.value ? cell(*c.value) : "";
  }

  int32_t entity(const ir::Param& p) const { return policy.types[p.type].ref; }
  rt::RtValue eval(const ir::Expr& e) { return interp.eval(e, frame, today); }
  // The instances of `var`'s type, bound to `slot`, that pass `filter`.
  std::vector<int32_t> select(const ir::Param& var, size_t slot, const ir::Expr* filter) {
    std::vector<int32_t> out;
    int32_t t = entity(var);
    for (int32_t r = 0; r < snapshot.count(t); ++r) {
      frame[slot] = rt::RtValue::entity(t, r);
      if (!filter || eval(*filter).truth()) out.push_back(r);
    }
    return out;
  }
  std::string cell(const ir::Expr& e) { return build_text(interp, e, frame, today); }
  std::string text(const std::vector<ir::Check::Piece>& pieces) {
    std::string out;
    for (const auto& p : pieces)
      out += p.expr ? cell_text(snapshot, rt::to_ir(eval(*p.expr))) : p.text;
    return out;
  }
};

Table render_table(Eval& ev, const ir::ReportTable& t) {
  Table out;
  out.name = t.name;
  out.title = t.title;
  ev.frame.assign(static_cast<size_t>(std::max(t.frame_size, 2)), rt::RtValue::none());
  const Actions* row_actions = t.action_rows.actor_type >= 0 ? &ev.actions(t.action_rows) : nullptr;
  const Actions* col_actions =
      t.action_columns.actor_type >= 0 ? &ev.actions(t.action_columns) : nullptr;
  if (row_actions) out.notes = row_actions->notes;
  // Columns first: a `columns` filter sees no row.
  std::vector<std::vector<int32_t>> instances(t.columns.size());
  for (size_t c = 0; c < t.columns.size(); ++c) {
    const auto& col = t.columns[c];
    if (col.per_action) {
      for (const auto& a : col_actions->list) out.headers.push_back(a.label);
      continue;
    }
    if (!col.per_instance) {
      out.headers.push_back(col.header);
      continue;
    }
    instances[c] = ev.select(col.var, 1, col.filter.get());
    for (int32_t r : instances[c]) out.headers.push_back(ev.snapshot.id(ev.entity(col.var), r));
  }
  int32_t row_type = ev.entity(t.row);
  // One row per instance, or (with `rows a in actions(...)`) one per action
  // that allows the instance something.
  auto emit = [&](const rt::RtValue& actor, const ScopedAction* action) {
    std::vector<std::string> row;
    for (size_t c = 0; c < t.columns.size(); ++c) {
      const auto& col = t.columns[c];
      if (col.per_action) {
        for (const auto& a : col_actions->list) row.push_back(ev.cell(col, &a, actor));
        continue;
      }
      if (!col.per_instance) {
        row.push_back(ev.cell(col, action, actor));
        continue;
      }
      int32_t ct = ev.entity(col.var);
      for (int32_t i : instances[c]) {
        ev.frame[1] = rt::RtValue::entity(ct, i);
        row.push_back(ev.cell(*col.value));
      }
    }
    out.rows.push_back(std::move(row));
  };
  for (int32_t r : ev.select(t.row, 0, t.row_filter.get())) {
    const rt::RtValue actor = rt::RtValue::entity(row_type, r);
    ev.frame[0] = actor;
    if (!row_actions) {
      emit(actor, nullptr);
      continue;
    }
    for (const auto& a : row_actions->list)
      if (ev.scope(a, actor).allowed > 0) emit(actor, &a);
  }
  for (const auto& n : t.notes) {
    std::fill(ev.frame.begin(), ev.frame.end(), rt::RtValue::none());
    if (!n.has_var) {
      if (!n.condition || ev.eval(*n.condition).truth()) out.notes.push_back(ev.text(n.text));
      continue;
    }
    int32_t nt = ev.entity(n.var);
    for (int32_t r : ev.select(n.var, 0, n.filter.get())) {
      ev.frame[0] = rt::RtValue::entity(nt, r);
      if (!n.condition || ev.eval(*n.condition).truth()) out.notes.push_back(ev.text(n.text));
    }
  }
  if (row_actions)
    out.notes.insert(out.notes.end(), row_actions->fixed.begin(), row_actions->fixed.end());
  return out;
}

} // namespace

// sema_text.cpp's text nodes (a string constant with pieces: the non-empty
// ones joined by the constant) and `if` between texts are built here; any
// other expression is the interpreter's value shown as text.
std::string build_text(rt::Interpreter& interp, const ir::Expr& e, std::vector<rt::RtValue>& frame,
                       int64_t today) {
  if (e.op == ir::Op::If && e.kids.size() == 3)
    return build_text(interp,
                      interp.eval(*e.kids[0], frame, today).truth() ? *e.kids[1] : *e.kids[2],
                      frame, today);
  if (e.op == ir::Op::Const && !e.kids.empty()) {
    std::string out;
    bool first = true;
    for (const auto& k : e.kids) {
      std::string piece = build_text(interp, *k, frame, today);
      if (piece.empty()) continue;
      out += (first ? "" : e.constant.str) + piece;
      first = false;
    }
    return out;
  }
  return cell_text(interp.snapshot(), rt::to_ir(interp.eval(e, frame, today)));
}

std::string cell_text(const rt::Snapshot& snapshot, const ir::Value& v) {
  switch (v.tag) {
  case ir::Value::Tag::None:
    return "";
  case ir::Value::Tag::String:
    return v.str;
  case ir::Value::Tag::Bool:
    return v.num ? "yes" : "no";
  case ir::Value::Tag::Set: {
    std::string out;
    for (size_t i = 0; i < v.elems.size(); ++i)
      out += (i ? ", " : "") + cell_text(snapshot, v.elems[i]);
    return out;
  }
  default:
    return snapshot.format(v);
  }
}

std::vector<Table> render_declared_report(const ir::Policy& policy, const rt::Snapshot& snapshot,
                                          const ir::Report& report, int64_t today) {
  Eval ev{policy, snapshot, rt::Interpreter(policy, snapshot), today, {}, {}, {}};
  std::vector<Table> out;
  for (const auto& t : report.tables) out.push_back(render_table(ev, t));
  return out;
}

Table report_list(const ir::Policy& policy) {
  Table t;
  t.name = "reports";
  t.title = "Reports the policy declares (keyplan report KIND)";
  t.headers = {"Kind", "Implements", "Declared in", "Description"};
  for (const auto& r : policy.reports) {
    std::string kind = r.name, implements;
    std::replace(kind.begin(), kind.end(), '_', '-');
    for (size_t i = 0; i < r.implements.size(); ++i)
      implements += (i ? ", " : "") + r.implements[i];
    std::string module =
        r.module >= 0 ? policy.modules[static_cast<size_t>(r.module)].name : std::string();
    t.rows.push_back({kind, implements, module, r.doc});
  }
  return t;
}

} // namespace keyplan::sim
