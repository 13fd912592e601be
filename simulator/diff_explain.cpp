// Explaining a sample of a diff's flipped cells on both sides, and finding the
// clauses that changed: the deepest clauses present in both explanation trees
// (matched by their source text along the path) whose values differ. A
// setting switched off shows as the setting's clause, a group removed from an
// object as the membership test that reads it.
#include "simulator/diff.hpp"

#include "engine/engine.hpp"
#include "runtime/bitset.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <map>

namespace keyplan::sim {

namespace {

std::string node_value(const rt::ExplainNode& n) {
  return n.truth ? (*n.truth ? "true" : "false") : n.value;
}

// Walks both trees; true when a changed clause was reported below (or at) them.
bool changed_clauses(const rt::ExplainNode& a, const rt::ExplainNode& b, const std::string& rule,
                     std::vector<ChangedClause>& out) {
  const std::string& inner = a.kind == rt::NodeKind::Rule ? a.signature : rule;
  bool below = false;
  std::vector<bool> used(b.kids.size(), false);
  for (const auto& ka : a.kids)
    for (size_t j = 0; j < b.kids.size(); ++j) {
      const auto& kb = b.kids[j];
      if (used[j] || kb.kind != ka.kind || kb.text != ka.text) continue;
      used[j] = true;
      below = changed_clauses(ka, kb, inner, out) || below;
      break;
    }
  if (below || node_value(a) == node_value(b)) return below;
  if (a.kind == rt::NodeKind::Element) return false; // its body's clauses say why
  ChangedClause c;
  c.text = a.kind == rt::NodeKind::Rule ? a.signature : a.text;
  c.rule = rule;
  c.before = node_value(a);
  c.after = node_value(b);
  c.before_details = a.details;
  c.after_details = b.details;
  out.push_back(std::move(c));
  return true;
}

// Every boolean clause by the rules on its way and its text (the way a
// Reason names it), in evaluation order.
using ClauseIndex = std::map<std::string, std::vector<const rt::ExplainNode*>>;
void index_clauses(const rt::ExplainNode& n, std::string via, ClauseIndex& out) {
  if (n.kind == rt::NodeKind::Rule) via += (via.empty() ? "" : " > ") + n.text;
  if (n.kind == rt::NodeKind::Clause && n.truth) out[via + "|" + n.text].push_back(&n);
  for (const auto& k : n.kids) index_clauses(k, via, out);
}

// The deciding clauses (the explanations' reasons) whose truth differs
// between the worlds, ahead of the deepest changes found by the walk.
void deciding_clauses(const rt::Explanation& a, const rt::Explanation& b,
                      std::vector<ChangedClause>& out) {
  ClauseIndex index[2];
  index_clauses(a.root, "", index[0]);
  index_clauses(b.root, "", index[1]);
  std::vector<ChangedClause> found;
  for (int side = 0; side < 2; ++side)
    for (const rt::Reason& r : (side ? b : a).reasons) {
      std::string key = fmt::format("{}|{}", fmt::join(r.via, " > "), r.text);
      auto mine = index[side].find(key);
      auto theirs = index[1 - side].find(key);
      if (mine == index[side].end() || theirs == index[1 - side].end()) continue;
      // The occurrence this reason is (same truth), and the same occurrence on the other side.
      size_t i = 0;
      while (i < mine->second.size() && *mine->second[i]->truth != r.truth) ++i;
      if (i >= mine->second.size() || i >= theirs->second.size()) continue;
      const rt::ExplainNode* n[2];
      n[side] = mine->second[i];
      n[1 - side] = theirs->second[i];
      if (*n[0]->truth == *n[1]->truth) continue;
      bool seen = false;
      for (auto& c : out)
        if (c.text == r.text && c.before_details == n[0]->details &&
            c.after_details == n[1]->details) {
          c.deciding = true; // the deepest change is itself a deciding clause
          seen = true;
        }
      for (const auto& c : found) seen = seen || c.text == r.text;
      if (seen) continue;
      found.push_back(ChangedClause{r.text, r.rule, true, node_value(*n[0]), node_value(*n[1]),
                                    n[0]->details, n[1]->details});
    }
  out.insert(out.begin(), found.begin(), found.end());
}

} // namespace

void explain_cells(DiffResult& r, const World* w[2], size_t n) {
  if (!n) return;
  // The sample: each action's first flipped cells, taken in turns, so that
  // every action that changed is explained before any gets a second cell.
  struct Pick {
    size_t action;
    const FlipRow* row;
    uint32_t label;
  };
  std::vector<std::vector<Pick>> per_action(r.actions.size());
  for (size_t ai = 0; ai < r.actions.size(); ++ai)
    for (const FlipRow& row : r.actions[ai].flips) {
      for (size_t wi = 0; wi < row.words() && per_action[ai].size() < n; ++wi)
        for (uint64_t word = row.gained_word(wi) | row.lost_word(wi);
             word && per_action[ai].size() < n; word &= word - 1)
          per_action[ai].push_back(
              {ai, &row,
               static_cast<uint32_t>(wi * 64 + static_cast<size_t>(std::countr_zero(word)))});
      if (per_action[ai].size() >= n) break;
    }
  std::vector<Pick> picks;
  for (size_t turn = 0; picks.size() < n; ++turn) {
    bool any = false;
    for (const auto& list : per_action)
      if (turn < list.size() && picks.size() < n) {
        picks.push_back(list[turn]);
        any = true;
      }
    if (!any) break;
  }
  std::unique_ptr<engine::Engine> deciders[2];
  for (int s = 0; s < 2; ++s)
    deciders[s] = std::make_unique<engine::Engine>(w[s]->policy(), *w[s]->snapshot,
                                                   engine::Kind::Interp, nullptr);
  for (const Pick& p : picks) {
    const ActionDiff& a = r.actions[p.action];
    const FlipRow& row = *p.row;
    ExplainedCell cell;
    cell.action = p.action;
    cell.gained = (row.gained_word(p.label / 64) >> (p.label % 64)) & 1u;
    cell.args = cell_args(a, row, p.label);
    std::vector<uint32_t> labels = row.tuple;
    if (a.open >= 0) labels[static_cast<size_t>(a.open)] = p.label;
    std::optional<rt::Explanation> ex[2];
    for (int s = 0; s < 2; ++s) {
      std::vector<ir::Value> args;
      std::string why;
      std::string& text = s ? cell.after_text : cell.before_text;
      nlohmann::json& js = s ? cell.after_json : cell.before_json;
      if (!side_args(a, *w[s], s, labels, args, why)) {
        text = "(no decision: " + why + ")\n";
        js = nlohmann::json{{"decision", "deny"}, {"error", why}};
        continue;
      }
      rt::Decision d = deciders[s]->explain(a.rule[s], args, w[s]->today);
      if (!d.explanation) {
        text = fmt::format("{} ({})\n", d.allowed ? "allow" : "deny", d.error);
        js = nlohmann::json{{"decision", d.allowed ? "allow" : "deny"}, {"error", d.error}};
        continue;
      }
      rt::RenderOptions ro;
      ro.sources = w[s]->compiled->sources.get();
      text = rt::render_text(*d.explanation, ro);
      js = rt::to_json(*d.explanation, ro.sources);
      ex[s] = std::move(d.explanation);
    }
    if (ex[0] && ex[1]) {
      changed_clauses(ex[0]->root, ex[1]->root, "", cell.changed);
      deciding_clauses(*ex[0], *ex[1], cell.changed);
    }
    r.explained.push_back(std::move(cell));
  }
}

} // namespace keyplan::sim
