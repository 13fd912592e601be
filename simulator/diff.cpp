#include "simulator/diff.hpp"

#include "engine/engine.hpp"
#include "runtime/bitset.hpp"
#include "runtime/interpreter.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <map>
#include <set>
#include <unordered_map>

namespace keyplan::sim {

namespace {

// How a parameter is covered: enumerated on an axis, or its default.
enum class ParamUse { DiffAxis, Default, Unsupported };

ParamUse param_use(const ir::Policy& p, const ir::Param& param) {
  if (param.default_value) return ParamUse::Default;
  switch (p.types.kind(param.type)) {
  case ir::TypeKind::Entity:
  case ir::TypeKind::Enum:
  case ir::TypeKind::Bool:
    return ParamUse::DiffAxis;
  default:
    return ParamUse::Unsupported;
  }
}

// The labels of one side, in that side's order (ids, members, false/true).
std::vector<std::string> side_labels(const World& w, const ir::Param& param, int32_t& ref) {
  const ir::Policy& p = w.policy();
  ref = -1;
  switch (p.types.kind(param.type)) {
  case ir::TypeKind::Entity:
    ref = p.types[param.type].ref;
    return w.snapshot->table(ref).ids;
  case ir::TypeKind::Enum:
    ref = p.types[param.type].ref;
    return p.enums[static_cast<size_t>(ref)].members;
  default:
    return {"false", "true"};
  }
}

// The axis of parameter `pi` over the worlds where the action exists (the
// signature names the same types on both sides).
DiffAxis make_axis(const World* w[2], const int32_t rule[2], size_t pi) {
  DiffAxis ax;
  std::unordered_map<std::string, uint32_t> index;
  for (int s = 0; s < 2; ++s) {
    if (rule[s] < 0) continue;
    const ir::Policy& p = w[s]->policy();
    const ir::Param& param = p.rules[static_cast<size_t>(rule[s])].params[pi];
    ax.param = param.name;
    ax.type = p.type_name(param.type);
    ax.entity = p.types.kind(param.type) == ir::TypeKind::Entity;
    std::vector<std::string> labels = side_labels(*w[s], param, ax.type_ref[s]);
    // Ids, members and false/true are unique per side: the first side's
    // labels are the common order as they are; the other side, when it has
    // the same ones in the same order (a what-if of settings), maps by
    // identity, without hashing every id.
    if (ax.labels.empty() || labels == ax.labels) {
      if (ax.labels.empty()) ax.labels = labels;
      ax.to_common[s].resize(labels.size());
      for (size_t i = 0; i < labels.size(); ++i) ax.to_common[s][i] = static_cast<int32_t>(i);
      continue;
    }
    if (index.empty())
      for (size_t i = 0; i < ax.labels.size(); ++i)
        index.emplace(ax.labels[i], static_cast<uint32_t>(i));
    ax.to_common[s].resize(labels.size());
    for (size_t i = 0; i < labels.size(); ++i) {
      auto [it, fresh] = index.emplace(labels[i], static_cast<uint32_t>(ax.labels.size()));
      if (fresh) ax.labels.push_back(labels[i]);
      ax.to_common[s][i] = static_cast<int32_t>(it->second);
    }
  }
  for (int s = 0; s < 2; ++s) {
    ax.side_value[s].assign(ax.labels.size(), -1);
    for (size_t i = 0; i < ax.to_common[s].size(); ++i)
      ax.side_value[s][static_cast<size_t>(ax.to_common[s][i])] = static_cast<int64_t>(i);
  }
  return ax;
}

ir::Value axis_value(const ir::Policy& p, const ir::Param& param, int32_t ref, int64_t v) {
  switch (p.types.kind(param.type)) {
  case ir::TypeKind::Entity:
    return ir::Value::entity(ref, v);
  case ir::TypeKind::Enum:
    return ir::Value::enumerator(ref, v);
  default:
    return ir::Value::boolean(v != 0);
  }
}

uint64_t saturating_mul(uint64_t a, uint64_t b) {
  if (a && b > UINT64_MAX / a) return UINT64_MAX;
  return a * b;
}

// Both worlds' actions by signature, in declaration order (BEFORE's first).
struct Overload {
  std::string name, signature;
  int32_t rule[2] = {-1, -1};
};

std::vector<Overload> overloads(const World* w[2]) {
  std::vector<Overload> out;
  std::map<std::string, size_t> by_sig;
  for (int s = 0; s < 2; ++s)
    for (int32_t r : w[s]->policy().actions()) {
      const ir::Rule& rule = w[s]->policy().rules[static_cast<size_t>(r)];
      auto [it, fresh] = by_sig.emplace(rule.signature, out.size());
      if (fresh) out.push_back(Overload{rule.name, rule.signature, {-1, -1}});
      out[it->second].rule[s] = r;
    }
  return out;
}

} // namespace

bool side_args(const ActionDiff& a, const World& w, int side, const std::vector<uint32_t>& labels,
               std::vector<ir::Value>& args, std::string& why) {
  const char* name = side ? "AFTER" : "BEFORE";
  if (a.rule[side] < 0) {
    why = fmt::format("{} does not exist in {}", a.signature, name);
    return false;
  }
  const ir::Policy& p = w.policy();
  const ir::Rule& rule = p.rules[static_cast<size_t>(a.rule[side])];
  args.assign(rule.params.size(), ir::Value::none());
  for (size_t i = 0; i < rule.params.size(); ++i) {
    int ax = a.axis_of[i];
    if (ax < 0) {
      args[i] = a.fixed[side][i];
      continue;
    }
    const DiffAxis& axis = a.axes[static_cast<size_t>(ax)];
    int64_t v = axis.side_value[side][labels[static_cast<size_t>(ax)]];
    if (v < 0) {
      why = fmt::format("{} '{}' does not exist in {}", axis.type,
                        axis.labels[labels[static_cast<size_t>(ax)]], name);
      return false;
    }
    args[i] = axis_value(p, rule.params[i], axis.type_ref[side], v);
  }
  return true;
}

std::vector<std::pair<std::string, std::string>> cell_args(const ActionDiff& a, const FlipRow& row,
                                                           uint32_t open_label) {
  std::vector<std::pair<std::string, std::string>> out;
  for (size_t i = 0; i < a.axes.size(); ++i) {
    uint32_t l = static_cast<int>(i) == a.open ? open_label : row.tuple[i];
    out.emplace_back(a.axes[i].param, a.axes[i].labels[l]);
  }
  return out;
}

namespace {

// Chooses the actions and sets up their axes and defaults.
bool plan_actions(const World* w[2], const DiffOptions& o, DiffResult& r, std::string& error) {
  std::vector<Overload> all = overloads(w);
  std::set<std::string> names;
  for (const auto& ov : all) names.insert(ov.name);
  for (const auto& a : o.actions)
    if (!names.count(a)) {
      std::string hint = did_you_mean(a, {names.begin(), names.end()});
      error = fmt::format("unknown action '{}' (in neither world){}", a,
                          hint.empty() ? "" : "; " + hint);
      return false;
    }
  std::set<std::string> chosen(o.actions.begin(), o.actions.end());
  for (const auto& ov : all) {
    if (!chosen.empty() && !chosen.count(ov.name)) continue;
    const int s0 = ov.rule[0] >= 0 ? 0 : 1;
    const ir::Policy& p = w[s0]->policy();
    const ir::Rule& rule = p.rules[static_cast<size_t>(ov.rule[s0])];
    std::string unsupported;
    for (const auto& param : rule.params)
      if (param_use(p, param) == ParamUse::Unsupported)
        unsupported = fmt::format("parameter '{}: {}' has no default and is not an entity, enum "
                                  "or bool",
                                  param.name, p.type_name(param.type));
    if (!unsupported.empty()) {
      if (!chosen.empty()) {
        error = fmt::format("cannot enumerate {}: {}", ov.signature, unsupported);
        return false;
      }
      r.skipped.push_back(fmt::format("{}: {}", ov.signature, unsupported));
      continue;
    }
    ActionDiff a;
    a.name = ov.name;
    a.signature = ov.signature;
    a.rule[0] = ov.rule[0];
    a.rule[1] = ov.rule[1];
    for (size_t i = 0; i < rule.params.size(); ++i) {
      if (rule.params[i].default_value) {
        a.axis_of.push_back(-1);
        continue;
      }
      a.axis_of.push_back(static_cast<int>(a.axes.size()));
      a.axes.push_back(make_axis(w, ov.rule, i));
    }
    for (int s = 0; s < 2; ++s) {
      if (a.rule[s] < 0) continue;
      const ir::Policy& ps = w[s]->policy();
      const ir::Rule& rs = ps.rules[static_cast<size_t>(a.rule[s])];
      a.fixed[s].assign(rs.params.size(), ir::Value::none());
      rt::Interpreter in(ps, *w[s]->snapshot);
      for (size_t i = 0; i < rs.params.size(); ++i) {
        if (!rs.params[i].default_value) continue;
        std::vector<rt::RtValue> frame(static_cast<size_t>(std::max<int32_t>(rs.frame_size, 0)));
        a.fixed[s][i] = rt::to_ir(in.eval(*rs.params[i].default_value, frame, w[s]->today));
        a.defaults[s].emplace_back(rs.params[i].name, w[s]->snapshot->format(a.fixed[s][i]));
      }
    }
    // The column: the entity axis with the most instances (fewest columns);
    // on a tie the first (the subject, e.g. `user`: "who can?" columns read
    // inverse indexes, about 3x faster than gathering per-object values).
    for (size_t i = 0; i < a.axes.size(); ++i)
      if (a.axes[i].entity && (a.open < 0 || a.axes[i].labels.size() >
                                                 a.axes[static_cast<size_t>(a.open)].labels.size()))
        a.open = static_cast<int>(i);
    a.cells = 1;
    for (const auto& ax : a.axes) a.cells = saturating_mul(a.cells, ax.labels.size());
    r.actions.push_back(std::move(a));
  }
  uint64_t total = 0;
  for (const auto& a : r.actions) total = std::min(UINT64_MAX - a.cells, total) + a.cells;
  if (total > o.max_cells) {
    const ActionDiff* big = &r.actions.front();
    for (const auto& a : r.actions)
      if (a.cells > big->cells) big = &a;
    error = fmt::format("{} cells to compare, over the budget of {} (the largest: {}, {} cells)",
                        total, o.max_cells, big->signature, big->cells);
    error += "; choose actions with --action, or raise the budget with --max-cells";
    return false;
  }
  return true;
}

// Whether a side's rows are the common labels' first rows, in order (the
// usual case: then a side's column is used as it is).
bool identity_map(const DiffAxis& ax, int side) {
  const auto& map = ax.to_common[side];
  for (size_t i = 0; i < map.size(); ++i)
    if (map[i] != static_cast<int32_t>(i)) return false;
  return true;
}

// Maps a side's column (rows of that side) onto the common open axis.
void to_common(const DiffAxis& ax, int side, const std::vector<uint64_t>& col,
               std::vector<uint64_t>& out) {
  const auto& map = ax.to_common[side];
  for (size_t wi = 0; wi < col.size(); ++wi)
    for (uint64_t word = col[wi]; word; word &= word - 1) {
      size_t row = wi * 64 + static_cast<size_t>(std::countr_zero(word));
      rt::bits::set(out.data(), static_cast<size_t>(map[row]));
    }
}

// Decides every cell of `a` in both worlds and keeps the flipped ones.
// The interpreter's decision on cells of one tuple, compared with the
// column's: a sample of the open axis' labels (every label when `all`).
struct CrossCheck {
  engine::Engine* reference[2] = {nullptr, nullptr}; // Engine::reference
  uint64_t every = 0; // check one cell in `every` (pseudo-random), 0: none
  uint64_t state = 0x9e3779b97f4a7c15ull;
  size_t checked = 0;
  std::string disagreement;
  size_t skip = 0; // the next checked cell, counted from the start of the next row
  // The gap to the next checked cell after this one (mean every - 1).
  size_t gap() { return static_cast<size_t>(next() % (2 * every - 1)); }
  uint64_t next() { // splitmix64: the same cells every run
    uint64_t z = (state += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
  }
};

void decide_action(ActionDiff& a, const World* w[2], engine::Engine* cols[2], CrossCheck& check,
                   const std::function<void(uint64_t)>& tick) {
  const size_t n_open = a.open >= 0 ? a.axes[static_cast<size_t>(a.open)].labels.size() : 1;
  const uint32_t words = rt::bits::words_for(n_open);
  std::vector<uint32_t> tuple(a.axes.size(), 0);
  for (size_t i = 0; i < a.axes.size(); ++i)
    if (static_cast<int>(i) != a.open && a.axes[i].labels.empty()) return; // no cells
  if (n_open == 0) return;
  size_t open_param = 0;
  for (size_t i = 0; i < a.axis_of.size(); ++i)
    if (a.open >= 0 && a.axis_of[i] == a.open) open_param = i;
  for (int s = 0; s < 2; ++s)
    if (a.rule[s] >= 0)
      a.plan[s] = a.open >= 0 ? cols[s]->plan(a.rule[s], static_cast<int32_t>(open_param)).how
                              : "cell by cell (no entity parameter)";
  bool identity[2] = {false, false};
  for (int s = 0; s < 2 && a.open >= 0; ++s)
    identity[s] = identity_map(a.axes[static_cast<size_t>(a.open)], s);
  // Per side: the column on the common open axis (`words` words); `view`
  // points at it, or at BEFORE's when AFTER is equal by construction.
  std::vector<uint64_t> side[2];
  const uint64_t* view[2] = {nullptr, nullptr};
  const std::vector<uint64_t> zeros(words, 0);
  std::vector<uint64_t> gained(words), lost(words); // reused for every row
  std::vector<ir::Value> args;
  std::string why;
  // The column queries, made once: per row only the iterated axes' arguments change.
  engine::ColumnQuery query[2];
  for (int s = 0; s < 2; ++s) {
    if (a.rule[s] < 0 || a.open < 0) continue;
    const ir::Rule& rule = w[s]->policy().rules[static_cast<size_t>(a.rule[s])];
    query[s].rule = a.rule[s];
    query[s].open = static_cast<int32_t>(open_param);
    query[s].today = w[s]->today;
    query[s].args.assign(rule.params.size(), ir::Value::none());
    for (size_t i = 0; i < rule.params.size(); ++i)
      if (a.axis_of[i] < 0) query[s].args[i] = a.fixed[s][i];
  }
  // Equal by construction (and identical axes): AFTER reads BEFORE's column.
  const bool copy = a.same && identity[0] && identity[1];
  for (;;) {
    for (int s = 0; s < 2; ++s) {
      view[s] = zeros.data();
      if (s == 1 && copy) {
        view[1] = view[0];
        continue;
      }
      if (a.rule[s] < 0) continue;
      if (a.open < 0) {
        side[s].assign(words, 0);
        view[s] = side[s].data();
        if (!side_args(a, *w[s], s, tuple, args, why)) continue;
        rt::Decision d = cols[s]->decide(a.rule[s], args, w[s]->today);
        if (d.allowed && d.error.empty()) side[s][0] = 1;
        continue;
      }
      // Every label but the open axis' must exist in this world.
      bool present = true;
      for (size_t i = 0; i < a.axes.size() && present; ++i)
        if (static_cast<int>(i) != a.open && a.axes[i].side_value[s][tuple[i]] < 0) present = false;
      if (!present) continue;
      const ir::Rule& rule = w[s]->policy().rules[static_cast<size_t>(a.rule[s])];
      for (size_t i = 0; i < rule.params.size(); ++i) {
        int ax = a.axis_of[i];
        if (ax < 0 || ax == a.open) continue;
        const DiffAxis& axis = a.axes[static_cast<size_t>(ax)];
        query[s].args[i] = axis_value(w[s]->policy(), rule.params[i], axis.type_ref[s],
                                      axis.side_value[s][tuple[static_cast<size_t>(ax)]]);
      }
      std::vector<uint64_t> col = cols[s]->decide_column(query[s]);
      if (identity[s]) { // the side's rows are the axis' first labels: the column as it is
        side[s] = std::move(col);
        side[s].resize(words, 0);
      } else {
        side[s].assign(words, 0);
        to_common(a.axes[static_cast<size_t>(a.open)], s, col, side[s]);
      }
      view[s] = side[s].data();
    }
    // A sample of this row's cells, re-decided by the interpreter: the
    // next checked cell is drawn as a gap (mean `every`), not a draw per
    // cell (10^8 draws cost more than the columns).
    size_t l = check.skip;
    for (; check.every && check.disagreement.empty() && l < n_open; l += 1 + check.gap()) {
      std::vector<uint32_t> labels = tuple;
      if (a.open >= 0) labels[static_cast<size_t>(a.open)] = static_cast<uint32_t>(l);
      for (int s = 0; s < 2; ++s) {
        if (!side_args(a, *w[s], s, labels, args, why)) continue;
        rt::Decision d = check.reference[s]->reference(a.rule[s], args, w[s]->today);
        ++check.checked;
        if ((d.allowed && d.error.empty()) != rt::bits::test(view[s], l)) {
          std::vector<std::string> text;
          for (size_t i = 0; i < a.axes.size(); ++i)
            text.push_back(a.axes[i].param + " = " + a.axes[i].labels[labels[i]]);
          check.disagreement =
              fmt::format("{}({}) in {}: the interpreter says {}, the column engine {}", a.name,
                          fmt::join(text, ", "), s ? "AFTER" : "BEFORE",
                          d.allowed ? "allow" : "deny", d.allowed ? "deny" : "allow");
        }
      }
    }
    if (check.every) check.skip = l >= n_open ? l - n_open : 0;
    if (view[1] == view[0]) { // one column for both: nothing changed
      const uint64_t n = engine::count_rows(view[0], words);
      a.allowed[0] += n;
      a.allowed[1] += n;
    } else {
      // One pass of word operations (after & ~before, before & ~after) with
      // the four counts; a row's changes are kept only when there are some.
      const engine::ColumnChange c =
          engine::compare_columns(view[0], view[1], words, gained.data(), lost.data());
      a.allowed[0] += c.before;
      a.allowed[1] += c.after;
      a.gained += c.gained;
      a.lost += c.lost;
      if (c.gained || c.lost) {
        FlipRow row;
        row.tuple = tuple;
        if (c.gained) row.gained = gained;
        if (c.lost) row.lost = lost;
        a.flips.push_back(std::move(row));
      }
    }
    tick(n_open);
    // Next tuple of the iterated axes (the last axis fastest).
    size_t i = a.axes.size();
    for (; i-- > 0;) {
      if (static_cast<int>(i) == a.open) continue;
      if (++tuple[i] < a.axes[i].labels.size()) break;
      tuple[i] = 0;
    }
    if (i == static_cast<size_t>(-1)) break;
  }
}

void only_instances(const World* w[2], DiffResult& r) {
  for (int s = 0; s < 2; ++s) {
    const ir::Policy& p = w[s]->policy();
    const ir::Policy& q = w[1 - s]->policy();
    for (size_t t = 0; t < p.entities.size(); ++t) {
      int32_t other = q.find_entity(p.entities[t].name);
      if (other < 0) {
        r.only_types.push_back(fmt::format("entity type {} exists only in {}", p.entities[t].name,
                                           s ? "AFTER" : "BEFORE"));
        continue;
      }
      const rt::EntityTable& mine = w[s]->snapshot->table(static_cast<int32_t>(t));
      const rt::EntityTable& theirs = w[1 - s]->snapshot->table(other);
      if (mine.ids == theirs.ids) continue; // the same instances (no lookups)
      for (const auto& id : mine.ids)
        if (theirs.find(id) < 0) r.only.push_back(OnlyInstance{p.entities[t].name, id, s});
    }
  }
}

} // namespace

bool compute_diff(World& before, World& after, const DiffOptions& o, DiffResult& r,
                  std::string& error) {
  const World* w[2] = {&before, &after};
  r.labels[0] = before.spec.label;
  r.labels[1] = after.spec.label;
  if (!plan_actions(w, o, r, error)) return false;
  if (!assign_groups(r, w, o.group, error)) return false;
  // `--engine interp`: the interpreter decides every cell, no columns.
  const engine::Kind kind = o.interpreter_only ? engine::Kind::Interp : engine::Kind::Jit;
  engine::Engine eng0(before.policy(), *before.snapshot, kind, before.native.get());
  engine::Engine eng1(after.policy(), *after.snapshot, kind, after.native.get());
  engine::Engine* cols[2] = {&eng0, &eng1};
  if (o.skip_unaffected) {
    eng1.share_tables(eng0); // a settings-only what-if: one set of inverse indexes
    for (auto& a : r.actions) a.same = same_columns(a, w);
  }
  uint64_t total = 0, done = 0, last = 0;
  for (const auto& a : r.actions) total += a.cells;
  auto tick = [&](uint64_t n) {
    done += n;
    if (o.progress && total && done - last >= total / 100 + 1) {
      last = done;
      o.progress(static_cast<double>(done) / static_cast<double>(total));
    }
  };
  CrossCheck check;
  check.reference[0] = &eng0;
  check.reference[1] = &eng1;
  if (o.cross_check && total) check.every = std::max<uint64_t>(1, total / o.cross_check);
  for (auto& a : r.actions) {
    decide_action(a, w, cols, check, tick);
    r.gained += a.gained;
    r.lost += a.lost;
  }
  r.cross_checked = check.checked;
  r.disagreement = check.disagreement;
  if (o.progress) o.progress(1.0);
  only_instances(w, r);
  compute_groups(r);
  explain_cells(r, w, o.explain);
  return true;
}

} // namespace keyplan::sim
