#include "simulator/counterexample.hpp"

#include "runtime/interpreter.hpp"
#include "simulator/text.hpp"

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

namespace keyplan::sim {

namespace {

using ir::Expr;
using ir::Op;

bool closed_over_binders(const Expr& e, size_t n) {
  if (e.op == Op::Var && static_cast<size_t>(e.index) >= n) return false;
  for (const auto& k : e.kids)
    if (!closed_over_binders(*k, n)) return false;
  return true;
}

class Walker {
public:
  Walker(const ir::Policy& p, const rt::Snapshot& s, const ir::Invariant& inv,
         const std::vector<ir::Value>& witness, int64_t today)
      : policy_(p), snap_(s), interp_(p, s), nvars_(inv.vars.size()), today_(today) {
    frame_.resize(static_cast<size_t>(std::max<int32_t>(inv.frame_size, 1)));
    for (size_t i = 0; i < witness.size() && i < inv.vars.size(); ++i)
      frame_[i] = rt::to_rt(witness[i], inv.vars[i].type, s);
  }

  bool value(const Expr& e) { return interp_.eval(e, frame_, today_).truth(); }

  // Every top-level action call, as context.
  void collect(const Expr& e) {
    if (e.type != ir::TypeTable::kBool) return;
    if (add_call(e, std::nullopt)) return;
    switch (e.op) {
    case Op::Not:
    case Op::And:
    case Op::Or:
    case Op::Implies:
    case Op::If:
    case Op::Eq:
    case Op::Ne:
      for (const auto& k : e.kids) collect(*k);
      break;
    default:
      break;
    }
  }

  // Marks the calls that made `e` differ from `want`; false when none is an
  // action call the walk can reach.
  bool blame(const Expr& e, bool want) {
    if (value(e) == want) return false;
    if (add_call(e, want)) return true;
    bool found = false;
    switch (e.op) {
    case Op::Not:
      return blame(*e.kids[0], !want);
    case Op::And:
    case Op::Or: {
      bool is_and = e.op == Op::And;
      if (want == is_and) { // and should be true / or should be false: the first deciding kid
        for (const auto& k : e.kids)
          if (value(*k) != want) return blame(*k, want);
      } else { // every kid would have to change: name them all
        for (const auto& k : e.kids) found = blame(*k, want) || found;
      }
      return found;
    }
    case Op::Implies:
      // `a implies b` should hold: b is to blame, or else a (which held).
      if (want) return blame(*e.kids[1], true) || blame(*e.kids[0], false);
      if (!value(*e.kids[0])) return blame(*e.kids[0], true);
      return blame(*e.kids[1], false);
    case Op::If:
      if (e.kids[1]->type == ir::TypeTable::kBool)
        return blame(value(*e.kids[0]) ? *e.kids[1] : *e.kids[2], want);
      return false;
    default:
      return false;
    }
  }

  std::vector<DecisionPoint> points;

private:
  // Records an action call (once per call node); true when `e` is one.
  bool add_call(const Expr& e, std::optional<bool> wanted) {
    if (e.op != Op::Call) return false;
    const ir::Rule& r = policy_.rules[static_cast<size_t>(e.index)];
    if (!r.is_action || !closed_over_binders(e, nvars_)) return false;
    for (auto& p : points)
      if (p.rule == e.index && p.args == args_of(e)) {
        if (wanted) p.wanted = wanted;
        return true;
      }
    DecisionPoint d;
    d.rule = e.index;
    d.args = args_of(e);
    d.actual = value(e);
    d.wanted = wanted;
    points.push_back(std::move(d));
    return true;
  }
  std::vector<ir::Value> args_of(const Expr& e) {
    std::vector<ir::Value> out;
    for (const auto& k : e.kids) out.push_back(rt::to_ir(interp_.eval(*k, frame_, today_)));
    return out;
  }

  const ir::Policy& policy_;
  const rt::Snapshot& snap_;
  rt::Interpreter interp_;
  size_t nvars_;
  int64_t today_;
  std::vector<rt::RtValue> frame_;
};

// A value as scenario and data YAML write it.
void emit_value(YAML::Emitter& y, const rt::Snapshot& s, const ir::Value& v) {
  switch (v.tag) {
  case ir::Value::Tag::None:
    y << YAML::Null;
    break;
  case ir::Value::Tag::Bool:
    y << (v.num != 0);
    break;
  case ir::Value::Tag::Int:
    y << v.num;
    break;
  case ir::Value::Tag::String:
    y << YAML::DoubleQuoted << v.str;
    break;
  case ir::Value::Tag::Set:
    y << YAML::Flow << YAML::BeginSeq;
    for (const auto& e : v.elems) emit_value(y, s, e);
    y << YAML::EndSeq;
    break;
  default:
    y << s.format(v);
    break;
  }
}

} // namespace

std::vector<DecisionPoint> decisions_at(const ir::Policy& policy, const rt::Snapshot& snapshot,
                                        const ir::Invariant& inv,
                                        const std::vector<ir::Value>& witness, int64_t today) {
  Walker w(policy, snapshot, inv, witness, today);
  w.blame(*inv.body, true);
  w.collect(*inv.body);
  return std::move(w.points);
}

std::string format_decision(const ir::Policy& policy, const rt::Snapshot& snapshot,
                            const DecisionPoint& d) {
  const ir::Rule& r = policy.rules[static_cast<size_t>(d.rule)];
  std::string s = r.name + "(";
  for (size_t i = 0; i < r.params.size() && i < d.args.size(); ++i)
    s += fmt::format("{}{} = {}", i ? ", " : "", r.params[i].name, snapshot.format(d.args[i]));
  return s + ")";
}

std::string explain_decisions(const ir::Policy& policy, const rt::Snapshot& snapshot,
                              const std::vector<DecisionPoint>& ds, int64_t today) {
  bool any_wanted = false;
  for (const auto& d : ds) any_wanted |= d.wanted.has_value();
  std::string out;
  rt::Interpreter interp(policy, snapshot);
  for (const auto& d : ds) {
    if (any_wanted && !d.wanted) continue;
    rt::EvalOptions eo;
    eo.today = today;
    eo.explain = true;
    const ir::Rule& r = policy.rules[static_cast<size_t>(d.rule)];
    rt::Decision dec = interp.evaluate(d.rule, rt::to_rt_args(snapshot, r, d.args), eo);
    if (d.wanted)
      out += fmt::format("offending decision: {} is {}, the invariant needs {}\n",
                         format_decision(policy, snapshot, d), d.actual ? "allow" : "deny",
                         *d.wanted ? "allow" : "deny");
    if (dec.explanation) {
      rt::RenderOptions ro;
      ro.sources = policy.sources.get();
      out += rt::render_text(*dec.explanation, ro);
    }
  }
  return out;
}

std::string counterexample_file_name(const std::string& invariant, const std::string& mode,
                                     std::set<std::string>& taken) {
  std::string slug;
  for (unsigned char c : invariant) {
    if (c < 0x80 && std::isalnum(c))
      slug += static_cast<char>(std::tolower(c));
    else if (!slug.empty() && slug.back() != '-')
      slug += '-';
    if (slug.size() >= 60) break;
  }
  while (!slug.empty() && slug.back() == '-') slug.pop_back();
  if (slug.empty()) slug = "invariant";
  std::string name = slug + "." + mode + ".yaml";
  for (int i = 2; taken.count(name); ++i) name = fmt::format("{}-{}.{}.yaml", slug, i, mode);
  taken.insert(name);
  return name;
}

std::string counterexample_yaml(const ir::Policy& policy, const rt::Snapshot& snapshot,
                                const ir::Invariant& inv, const std::vector<ir::Value>& witness,
                                const std::vector<DecisionPoint>& ds, const ScenarioSource& src) {
  // Comment lines hold names, ids and policy text: escaped (terminal_safe
  // shows \n and \r as text) so that nothing in them ends the comment and
  // becomes YAML of the scenario.
  auto comment = [](const std::string& s) { return terminal_safe(s); };
  std::string head = "# A counterexample written by `keyplan test`. Replay it with\n"
                     "#   keyplan simulate <this file>\n";
  head += fmt::format("# invariant \"{}\"", comment(inv.name));
  if (!inv.implements.empty())
    head += fmt::format(" ({})", comment(fmt::format("{}", fmt::join(inv.implements, ", "))));
  head += ":\n";
  std::string body(policy.sources->text(inv.body->span));
  size_t start = 0;
  while (start <= body.size()) {
    size_t nl = body.find_first_of("\r\n", start); // LF, CRLF and CR-only sources
    head += "#   " + comment(body.substr(start, nl == std::string::npos ? nl : nl - start)) + "\n";
    if (nl == std::string::npos) break;
    start = nl + (body.compare(nl, 2, "\r\n") == 0 ? 2 : 1);
  }
  std::string w;
  for (size_t i = 0; i < inv.vars.size() && i < witness.size(); ++i)
    w += fmt::format("{}{} = {}", i ? ", " : "", inv.vars[i].name, snapshot.format(witness[i]));
  if (!w.empty()) head += "# fails for " + comment(w) + "\n";

  YAML::Emitter y;
  y << YAML::BeginMap;
  y << YAML::Key << "name" << YAML::Value << src.name;
  y << YAML::Key << "policy" << YAML::Value << src.policy;
  y << YAML::Key << "today" << YAML::Value << ir::format_date(src.today);
  if (!policy.settings.empty()) {
    y << YAML::Key << "settings" << YAML::Value << YAML::BeginMap;
    for (size_t i = 0; i < policy.settings.size(); ++i) {
      // Typed YAML (a set is a list), as the scenario reader converts it.
      y << YAML::Key << policy.settings[i].name << YAML::Value;
      emit_value(y, snapshot, snapshot.setting(static_cast<int32_t>(i)));
    }
    y << YAML::EndMap;
  }
  bool inline_rows = false;
  for (int32_t t = 0; t < snapshot.entity_count(); ++t)
    inline_rows |= t < static_cast<int32_t>(src.first_row.size()) &&
                   src.first_row[static_cast<size_t>(t)] < snapshot.count(t);
  if (!src.data_files.empty()) {
    y << YAML::Key << "data" << YAML::Value << YAML::BeginSeq;
    for (const auto& f : src.data_files) y << f;
    y << YAML::EndSeq;
  } else if (inline_rows) {
    y << YAML::Key << "data" << YAML::Value << YAML::BeginMap;
    for (int32_t t = 0; t < snapshot.entity_count(); ++t) {
      int32_t first = t < static_cast<int32_t>(src.first_row.size())
                          ? src.first_row[static_cast<size_t>(t)]
                          : snapshot.count(t);
      if (first >= snapshot.count(t)) continue;
      const ir::EntityType& et = policy.entities[static_cast<size_t>(t)];
      y << YAML::Key << et.name << YAML::Value << YAML::BeginSeq;
      for (int32_t r = first; r < snapshot.count(t); ++r) {
        y << YAML::Flow << YAML::BeginMap << YAML::Key << "id" << YAML::Value << snapshot.id(t, r);
        for (size_t a = 0; a < et.attributes.size(); ++a) {
          y << YAML::Key << et.attributes[a].name << YAML::Value;
          emit_value(y, snapshot, snapshot.get(t, r, static_cast<int32_t>(a)));
        }
        y << YAML::EndMap;
      }
      y << YAML::EndSeq;
    }
    y << YAML::EndMap;
  }
  y << YAML::Key << "cases" << YAML::Value << YAML::BeginSeq;
  for (const auto& d : ds) {
    const ir::Rule& r = policy.rules[static_cast<size_t>(d.rule)];
    y << YAML::Flow << YAML::BeginMap << YAML::Key << "action" << YAML::Value << r.name;
    for (size_t i = 0; i < r.params.size() && i < d.args.size(); ++i) {
      y << YAML::Key << r.params[i].name << YAML::Value;
      emit_value(y, snapshot, d.args[i]);
    }
    bool expect = d.wanted ? *d.wanted : d.actual;
    y << YAML::Key << "expect" << YAML::Value << (expect ? "allow" : "deny");
    y << YAML::Key << "note" << YAML::Value
      << (d.wanted ? fmt::format("offending: invariant \"{}\" needs {}", inv.name,
                                 expect ? "allow" : "deny")
                   : std::string("context: decided as the invariant saw it"));
    if (d.wanted) y << YAML::Key << "explain" << YAML::Value << true;
    y << YAML::EndMap;
  }
  y << YAML::EndSeq;
  y << YAML::EndMap;
  return head + y.c_str() + "\n";
}

} // namespace keyplan::sim
