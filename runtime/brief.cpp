#include "runtime/brief.hpp"

#include "runtime/interpreter.hpp"

#include <algorithm>
#include <cctype>
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <map>

namespace keyplan::rt {

namespace {

using ir::TypeKind;
using ir::Value;

constexpr size_t kMaxPool = 30;     // entity elements tried per element type
constexpr size_t kMaxEnum = 32;     // enum members tried per enum
constexpr size_t kMaxDecide = 4000; // re-decisions per explanation, pairs included

// One candidate edit: the cell (or setting) and its new value.
struct Candidate {
  CellRead cell;
  Value value;
  Edit edit;
  int rank = 0; // 0: an instance of the request, 1: another instance, 2: a setting
};

class Search {
public:
  Search(const ir::Policy& p, const Snapshot& sn, int32_t rule, const std::vector<Value>& args,
         int64_t today)
      : p_(p), scratch_(sn), in_(p, scratch_), rule_(rule), args_(args), today_(today) {}

  void candidates(const std::vector<CellRead>& reads, std::vector<Candidate>& out) {
    for (const auto& a : args_)
      if (a.tag == Value::Tag::Entity) add_pool(a);
    // The request's own cells first: their elements are the likeliest fixes
    // (Legal, schmidt's group, before ALL, a floor's).
    std::vector<CellRead> ordered;
    for (int pass = 0; pass < 2; ++pass)
      for (const auto& c : reads)
        if (c.type >= 0 && is_arg(c.type, c.row) == (pass == 0)) ordered.push_back(c);
    for (const auto& c : ordered) {
      add_pool(Value::entity(c.type, c.row));
      Value v = scratch_.get(c.type, c.row, c.attr);
      if (v.tag == Value::Tag::Entity) add_pool(v);
      for (const auto& x : v.elems)
        if (x.tag == Value::Tag::Entity) add_pool(x);
    }
    for (const auto& c : reads) (c.type < 0 ? setting_edits(c, out) : cell_edits(c, out));
    std::stable_sort(out.begin(), out.end(),
                     [](const Candidate& a, const Candidate& b) { return a.rank < b.rank; });
  }

  // Whether the decision flips with every edit of `set` applied.
  bool flips(const std::vector<const Candidate*>& set, bool allowed) {
    ++decisions_;
    std::vector<Value> old;
    for (const Candidate* c : set) old.push_back(apply(*c, c->value));
    const ir::Rule& r = p_.rules[static_cast<size_t>(rule_)];
    EvalOptions eo;
    eo.today = today_;
    bool now = in_.evaluate(rule_, to_rt_args(scratch_, r, args_), eo).allowed;
    for (size_t i = set.size(); i-- > 0;) apply(*set[i], old[i]);
    return now != allowed;
  }
  size_t decisions() const { return decisions_; }
  const Snapshot& snapshot() const { return scratch_; }

private:
  void add_pool(const Value& v) {
    auto& pool = pool_[v.ref];
    if (pool.size() < kMaxPool && std::find(pool.begin(), pool.end(), v) == pool.end())
      pool.push_back(v);
  }

  bool is_arg(int32_t type, int32_t row) const {
    for (const auto& a : args_)
      if (a.tag == Value::Tag::Entity && a.ref == type && a.num == row) return true;
    return false;
  }

  // Applies `v` to the candidate's cell; returns the value it replaced.
  Value apply(const Candidate& c, const Value& v) {
    if (c.cell.type < 0) {
      const auto& s = p_.settings[static_cast<size_t>(c.cell.attr)];
      Value old = scratch_.setting(c.cell.attr);
      scratch_.set_setting(s.name, v);
      return old;
    }
    Value old = scratch_.get(c.cell.type, c.cell.row, c.cell.attr);
    scratch_.set(c.cell.type, c.cell.row, c.cell.attr, v);
    return old;
  }

  void setting_edits(const CellRead& c, std::vector<Candidate>& out) {
    const auto& s = p_.settings[static_cast<size_t>(c.attr)];
    const Value& cur = scratch_.setting(c.attr);
    for (const Value& v : alternatives(s.type, cur)) {
      Candidate k{c, v, {}, 2};
      k.edit = {"set",
                "",
                "",
                s.name,
                scratch_.format(v),
                fmt::format("set setting {} to {}", s.name, scratch_.format(v))};
      out.push_back(std::move(k));
    }
  }

  void cell_edits(const CellRead& c, std::vector<Candidate>& out) {
    const ir::EntityType& et = p_.entities[static_cast<size_t>(c.type)];
    const ir::Attribute& a = et.attributes[static_cast<size_t>(c.attr)];
    if (a.is_parent) return; // moving an instance is not a data fix we propose
    const std::string& id = scratch_.id(c.type, c.row);
    int rank = is_arg(c.type, c.row) ? 0 : 1;
    Value cur = scratch_.get(c.type, c.row, c.attr);
    ir::TypeId t = p_.types.strip_optional(a.type);
    if (p_.types.kind(t) == TypeKind::Set) {
      if (cur.tag != Value::Tag::Set) return; // a none set: no element edit
      ir::TypeId elem = p_.types[t].elem;
      for (const Value& x : elements(elem)) {
        bool has = std::find(cur.elems.begin(), cur.elems.end(), x) != cur.elems.end();
        std::vector<Value> next = cur.elems;
        if (has)
          next.erase(std::find(next.begin(), next.end(), x));
        else
          next.push_back(x);
        std::string xs = scratch_.format(x);
        Candidate k{c, Value::set(std::move(next)), {}, rank};
        k.edit = {has ? "remove" : "add",
                  et.name,
                  id,
                  a.name,
                  xs,
                  has ? fmt::format("remove {} from {}'s {}", xs, id, a.name)
                      : fmt::format("add {} to {}'s {}", xs, id, a.name)};
        out.push_back(std::move(k));
      }
      return;
    }
    for (const Value& v : alternatives(t, cur)) {
      Candidate k{c, v, {}, rank};
      k.edit = {"set",
                et.name,
                id,
                a.name,
                scratch_.format(v),
                fmt::format("set {}'s {} to {}", id, a.name, scratch_.format(v))};
      out.push_back(std::move(k));
    }
  }

  // Other values of a bool or enum type (ints, strings and dates have no
  // small set of alternatives; entity references would move data around).
  std::vector<Value> alternatives(ir::TypeId t, const Value& cur) const {
    std::vector<Value> out;
    t = p_.types.strip_optional(t);
    const ir::Type& ty = p_.types[t];
    if (ty.kind == TypeKind::Bool) {
      out.push_back(Value::boolean(!(cur.tag == Value::Tag::Bool && cur.num)));
    } else if (ty.kind == TypeKind::Enum) {
      const auto& members = p_.enums[static_cast<size_t>(ty.ref)].members;
      for (size_t i = 0; i < members.size() && i < kMaxEnum; ++i) {
        Value v = Value::enumerator(ty.ref, static_cast<int64_t>(i));
        if (!(v == cur)) out.push_back(v);
      }
    }
    return out;
  }

  // The elements worth adding to or removing from a set of `elem`: the
  // instances the decision touched, or every member of a small enum.
  std::vector<Value> elements(ir::TypeId elem) const {
    const ir::Type& ty = p_.types[elem];
    std::vector<Value> out;
    if (ty.kind == TypeKind::Enum) {
      const auto& members = p_.enums[static_cast<size_t>(ty.ref)].members;
      for (size_t i = 0; i < members.size() && i < kMaxEnum; ++i)
        out.push_back(Value::enumerator(ty.ref, static_cast<int64_t>(i)));
    } else if (ty.kind == TypeKind::Entity) {
      auto it = pool_.find(ty.ref);
      if (it != pool_.end()) out = it->second;
    }
    return out;
  }

  const ir::Policy& p_;
  Snapshot scratch_;
  Interpreter in_;
  int32_t rule_;
  std::vector<Value> args_;
  int64_t today_;
  std::map<int32_t, std::vector<Value>> pool_; // entity type -> instances seen
  size_t decisions_ = 0;
};

// "mueller's groups are [ALL, Legal]" for the cells a fix edits.
std::string fact(const Snapshot& sn, const ir::Policy& p, const CellRead& c) {
  if (c.type < 0) {
    const auto& s = p.settings[static_cast<size_t>(c.attr)];
    return fmt::format("setting {} is {}", s.name, sn.format(sn.setting(c.attr)));
  }
  const auto& a = p.entities[static_cast<size_t>(c.type)].attributes[static_cast<size_t>(c.attr)];
  Value v = sn.get(c.type, c.row, c.attr);
  if (v.tag == Value::Tag::Set)
    return v.elems.empty()
               ? fmt::format("{}'s {} are empty", sn.id(c.type, c.row), a.name)
               : fmt::format("{}'s {} are {}", sn.id(c.type, c.row), a.name, sn.format(v));
  return fmt::format("{}'s {} is {}", sn.id(c.type, c.row), a.name, sn.format(v));
}

// The first reason, in the client's terms where it lies in the library.
std::string reason_text(const Explanation& e) {
  if (e.reasons.empty()) return {};
  const Reason& r = e.reasons.front();
  if (r.library && !r.doc.empty()) {
    std::vector<std::string> a;
    for (const auto& [k, v] : r.args) a.push_back(fmt::format("{} = {}", k, v));
    std::string ids =
        r.implements.empty() ? "" : fmt::format(" [{}]", fmt::join(r.implements, ", "));
    return fmt::format("{}{} does not hold for {}", doc_summary(r.doc), ids, fmt::join(a, ", "));
  }
  return fmt::format("{} is {}", r.text, r.truth ? "true" : "false");
}

} // namespace

std::string doc_summary(const std::string& doc) {
  // The first sentence of the doc comment, its lines joined.
  std::string s;
  for (char c : doc) s += c == '\n' || c == '\r' ? ' ' : c;
  for (size_t at = s.find(". "); at != std::string::npos; at = s.find(". ", at + 1))
    if (at > 0 && !std::isdigit(static_cast<unsigned char>(s[at - 1])) && s[at - 1] != '.' &&
        (at + 1 >= s.size() || s[at - 1] != ' ')) {
      s.resize(at);
      break;
    }
  while (!s.empty() && (s.back() == ' ' || s.back() == '.')) s.pop_back();
  return s;
}

void summarise(Explanation& e, const ir::Policy& policy, const Snapshot& snapshot, int32_t rule,
               const std::vector<ir::Value>& args, int64_t today, const BriefLimits& limits) {
  e.fixes.clear();
  Search s(policy, snapshot, rule, args, today);
  std::vector<Candidate> cands;
  s.candidates(e.reads, cands);
  if (cands.size() > limits.max_candidates) cands.resize(limits.max_candidates);
  std::vector<std::vector<const Candidate*>> found;
  for (const auto& c : cands)
    if (s.flips({&c}, e.allowed)) found.push_back({&c});
  if (found.empty()) {
    size_t n = std::min(cands.size(), limits.max_pair_base);
    for (size_t i = 0; i < n && s.decisions() < kMaxDecide; ++i)
      for (size_t j = i + 1; j < n && s.decisions() < kMaxDecide; ++j) {
        if (cands[i].cell == cands[j].cell) continue; // one cell, one new value
        if (s.flips({&cands[i], &cands[j]}, e.allowed)) found.push_back({&cands[i], &cands[j]});
      }
  }
  std::vector<CellRead> cells;
  std::vector<std::string> named;
  for (const auto& fix : found) {
    std::vector<Edit> edits;
    std::vector<std::string> texts;
    for (const Candidate* c : fix) {
      edits.push_back(c->edit);
      texts.push_back(c->edit.text);
    }
    e.fixes.push_back(std::move(edits));
    if (named.size() < limits.max_fixes) {
      named.push_back(fmt::format("{}", fmt::join(texts, " and ")));
      for (const Candidate* c : fix)
        if (std::find(cells.begin(), cells.end(), c->cell) == cells.end()) cells.push_back(c->cell);
    }
  }
  std::string verdict = e.allowed ? "allowed" : "denied";
  std::string goal = e.allowed ? "To deny" : "To allow";
  if (named.empty()) {
    std::string why = reason_text(e);
    e.brief = fmt::format("{}{}{}. No single edit or pair of edits of the data or settings it "
                          "read would change that.",
                          verdict, why.empty() ? "" : ": ", why);
    return;
  }
  std::vector<std::string> facts;
  for (const auto& c : cells) facts.push_back(fact(snapshot, policy, c));
  std::string more =
      e.fixes.size() > named.size() ? fmt::format(" ({} more)", e.fixes.size() - named.size()) : "";
  e.brief = fmt::format("{}: {}. {}: {}{}.", verdict, fmt::join(facts, "; "), goal,
                        fmt::join(named, ", or "), more);
}

} // namespace keyplan::rt
