// Explaining a sample of a diff's flipped cells on both sides, and finding the
// clauses that changed: the deepest clauses present in both explanation trees
// (matched by their source text along the path) whose values differ. A
// setting switched off shows as the setting's clause, a group removed from an
// object as the membership test that reads it.
#include "simulator/diff.hpp"

#include "engine/decider.hpp"
#include "runtime/bitset.hpp"

#include <fmt/format.h>

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

} // namespace

void explain_cells(DiffResult& r, const World* w[2], size_t n) {
  if (!n) return;
  std::unique_ptr<engine::Decider> deciders[2];
  for (int s = 0; s < 2; ++s)
    deciders[s] = std::make_unique<engine::Decider>(w[s]->policy(), *w[s]->snapshot,
                                                    engine::Kind::Interp, nullptr);
  for (size_t ai = 0; ai < r.actions.size() && r.explained.size() < n; ++ai) {
    const ActionDiff& a = r.actions[ai];
    for (const FlipRow& row : a.flips) {
      const size_t words = row.gained.size();
      for (size_t wi = 0; wi < words && r.explained.size() < n; ++wi)
        for (uint64_t word = row.gained[wi] | row.lost[wi]; word && r.explained.size() < n;
             word &= word - 1) {
          const uint32_t l =
              static_cast<uint32_t>(wi * 64 + static_cast<size_t>(std::countr_zero(word)));
          ExplainedCell cell;
          cell.action = ai;
          cell.gained = rt::bits::test(row.gained.data(), l);
          cell.args = cell_args(a, row, l);
          std::vector<uint32_t> labels = row.tuple;
          if (a.open >= 0) labels[static_cast<size_t>(a.open)] = l;
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
            rt::Decision d = deciders[s]->decide(a.rule[s], args, w[s]->today, true);
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
          if (ex[0] && ex[1]) changed_clauses(ex[0]->root, ex[1]->root, "", cell.changed);
          r.explained.push_back(std::move(cell));
        }
      if (r.explained.size() >= n) break;
    }
  }
}

} // namespace keyplan::sim
