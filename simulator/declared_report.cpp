#include "simulator/declared_report.hpp"

#include "runtime/interpreter.hpp"
#include "runtime/rt_value.hpp"
#include "runtime/value_text.hpp"
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

// One table; for a table repeated per instance, `each` is its instance
// (frame slot kEachSlot), which every item sees.
Table render_table(Eval& ev, const ir::ReportTable& t, const rt::RtValue& each) {
  Table out;
  out.name = t.name;
  out.title = t.title;
  ev.frame.assign(static_cast<size_t>(std::max(t.frame_size, 2)), rt::RtValue::none());
  const auto each_slot = static_cast<size_t>(ir::ReportTable::kEachSlot);
  if (t.repeated) {
    ev.frame[each_slot] = each;
    out.name += "_" + ev.snapshot.id(each.ref, static_cast<int32_t>(each.num));
    if (t.each_title) out.title = ev.cell(*t.each_title);
  }
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
    if (t.repeated) ev.frame[each_slot] = each;
    auto add = [&]() {
      if (n.condition && !ev.eval(*n.condition).truth()) return;
      if (n.text_expr)
        out.notes.push_back(ev.cell(*n.text_expr));
      else
        out.notes.push_back(ev.text(n.text));
    };
    if (!n.has_var) {
      add();
      continue;
    }
    int32_t nt = ev.entity(n.var);
    for (int32_t r : ev.select(n.var, 0, n.filter.get())) {
      ev.frame[0] = rt::RtValue::entity(nt, r);
      add();
    }
  }
  if (row_actions)
    out.notes.insert(out.notes.end(), row_actions->fixed.begin(), row_actions->fixed.end());
  return out;
}

} // namespace

namespace {

// sema_text.cpp's [TEXT for x in S where F]: a Map of type string.
bool is_text_list(const ir::Expr& e) {
  return e.op == ir::Op::Map && e.type == ir::TypeTable::kString;
}

std::string joined(const std::vector<std::string>& parts, const std::string& sep) {
  std::string out;
  for (size_t i = 0; i < parts.size(); ++i) out += (i ? sep : "") + parts[i];
  return out;
}

// The non-empty texts `e` contributes to a join: one, or a list's each.
void text_pieces(rt::Interpreter& interp, const ir::Expr& e, std::vector<rt::RtValue>& frame,
                 int64_t today, std::vector<std::string>& out) {
  if (!is_text_list(e)) {
    if (std::string piece = build_text(interp, e, frame, today); !piece.empty())
      out.push_back(std::move(piece));
    return;
  }
  const ir::Expr& domain = *e.kids[0];
  const ir::Expr* cond = e.kids.size() > 2 ? e.kids[2].get() : nullptr;
  auto slot = static_cast<size_t>(e.index);
  if (slot >= frame.size()) frame.resize(slot + 1, rt::RtValue::none());
  rt::RtValue saved = frame[slot];
  const rt::RtValue set = interp.eval(domain, frame, today);
  for (const rt::RtValue& x :
       rt::rt_elements(set, interp.policy().types[domain.type].elem, interp.snapshot())) {
    frame[slot] = x;
    if (!cond || interp.eval(*cond, frame, today).truth())
      text_pieces(interp, *e.kids[1], frame, today, out);
  }
  frame[slot] = saved;
}

} // namespace

// sema_text.cpp's text nodes (a string constant with pieces: the non-empty
// ones joined by the constant), `if` between texts and text lists (joined by
// ", " when alone) are built here; any other expression is the interpreter's
// value shown as text. Report cells and check messages alike.
std::string build_text(rt::Interpreter& interp, const ir::Expr& e, std::vector<rt::RtValue>& frame,
                       int64_t today) {
  if (e.op == ir::Op::If && e.kids.size() == 3)
    return build_text(interp,
                      interp.eval(*e.kids[0], frame, today).truth() ? *e.kids[1] : *e.kids[2],
                      frame, today);
  if (e.op == ir::Op::Const && !e.kids.empty()) {
    std::vector<std::string> parts;
    for (const auto& k : e.kids) text_pieces(interp, *k, frame, today, parts);
    return joined(parts, e.constant.str);
  }
  if (is_text_list(e)) {
    std::vector<std::string> parts;
    text_pieces(interp, e, frame, today, parts);
    return joined(parts, ", ");
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
                                          const ir::Report& report, int64_t today,
                                          const std::vector<std::string>& only,
                                          std::string* error) {
  Eval ev{policy, snapshot, rt::Interpreter(policy, snapshot), today, {}, {}, {}};
  // `only`: every id must name an instance some repeated table ranges over.
  const ir::ReportTable* first_repeated = nullptr;
  for (const auto& t : report.tables)
    if (t.repeated && !first_repeated) first_repeated = &t;
  if (!only.empty() && !first_repeated) {
    if (error) *error = "it has no table repeated per instance (`table NAME for x: Type`)";
    return {};
  }
  for (const auto& id : only) {
    bool known = false;
    for (const auto& t : report.tables)
      known = known || (t.repeated && snapshot.find(ev.entity(t.each), id) >= 0);
    if (!known) {
      // did-you-mean
      if (error)
        *error = rt::unknown_instance_message(snapshot, ev.entity(first_repeated->each), id);
      return {};
    }
  }
  std::vector<Table> out;
  for (const auto& t : report.tables) {
    if (!t.repeated) {
      out.push_back(render_table(ev, t, rt::RtValue::none()));
      continue;
    }
    int32_t type = ev.entity(t.each);
    std::vector<int32_t> rows;
    if (only.empty()) {
      ev.frame.assign(static_cast<size_t>(std::max(t.frame_size, 3)), rt::RtValue::none());
      rows =
          ev.select(t.each, static_cast<size_t>(ir::ReportTable::kEachSlot), t.each_filter.get());
    } else {
      // In the order asked for, each instance once; the filter still applies.
      for (const auto& id : only) {
        int32_t r = snapshot.find(type, id);
        if (r < 0 || std::find(rows.begin(), rows.end(), r) != rows.end()) continue;
        ev.frame.assign(static_cast<size_t>(std::max(t.frame_size, 3)), rt::RtValue::none());
        ev.frame[ir::ReportTable::kEachSlot] = rt::RtValue::entity(type, r);
        if (!t.each_filter || ev.eval(*t.each_filter).truth()) rows.push_back(r);
      }
    }
    for (int32_t r : rows) out.push_back(render_table(ev, t, rt::RtValue::entity(type, r)));
  }
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
