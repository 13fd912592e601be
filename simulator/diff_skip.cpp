// keyplan diff, work avoidance: an action whose columns are equal in both
// worlds by construction (the same policy and tables, and it reads, through
// every rule it calls, none of the settings that differ) is decided once;
// the AFTER side is a copy of the BEFORE side. The diff's interpreter
// cross-check still re-decides sampled cells on both sides
// (tests/diff_skip_test.cpp compares with the full diff).
#include "simulator/diff.hpp"

#include <set>

namespace keyplan::sim {

namespace {

void settings_read(const ir::Policy& p, const ir::Expr& e, std::set<int32_t>& settings,
                   std::set<int32_t>& rules);

void rule_settings(const ir::Policy& p, int32_t rule, std::set<int32_t>& settings,
                   std::set<int32_t>& rules) {
  if (rule < 0 || static_cast<size_t>(rule) >= p.rules.size() || !rules.insert(rule).second) return;
  const ir::Rule& r = p.rules[static_cast<size_t>(rule)];
  if (r.body) settings_read(p, *r.body, settings, rules);
  for (const auto& param : r.params)
    if (param.default_value) settings_read(p, *param.default_value, settings, rules);
}

void settings_read(const ir::Policy& p, const ir::Expr& e, std::set<int32_t>& settings,
                   std::set<int32_t>& rules) {
  if (e.op == ir::Op::Setting) settings.insert(e.index);
  if (e.op == ir::Op::Call) rule_settings(p, e.index, settings, rules);
  for (const auto& k : e.kids)
    if (k) settings_read(p, *k, settings, rules);
}

} // namespace

bool same_columns(const ActionDiff& a, const World* w[2]) {
  if (&w[0]->policy() != &w[1]->policy() || a.rule[0] < 0 || a.rule[0] != a.rule[1]) return false;
  if (w[0]->snapshot->data_version() != w[1]->snapshot->data_version()) return false;
  if (w[0]->today != w[1]->today || a.fixed[0] != a.fixed[1]) return false;
  std::set<int32_t> settings, rules;
  rule_settings(w[0]->policy(), a.rule[0], settings, rules);
  for (int32_t s : settings)
    if (!(w[0]->snapshot->setting(s) == w[1]->snapshot->setting(s))) return false;
  return true;
}

} // namespace keyplan::sim
