#include "runtime/explanation.hpp"

#include "runtime/brief.hpp"

#include <algorithm>
#include <cctype>
#include <fmt/format.h>
#include <fmt/ranges.h>

namespace keyplan::rt {

namespace {

using RuleStack = std::vector<const ExplainNode*>;

void add_leaf(const ExplainNode& n, std::optional<bool> want, const RuleStack& rules,
              std::vector<Reason>& out) {
  Reason r;
  r.text = n.kind == NodeKind::Rule ? n.signature : n.text;
  r.span = n.span;
  r.truth = n.truth.value_or(false);
  r.details = n.details;
  if (want && n.truth && *n.truth != *want) r.change = *want ? n.hint_true : n.hint_false;
  if (!rules.empty()) r.rule = rules.back()->signature;
  for (const ExplainNode* x : rules) r.via.push_back(x->text);
  for (auto it = rules.rbegin(); it != rules.rend() && r.implements.empty(); ++it)
    r.implements = (*it)->implements;
  // Inside the library: the innermost library rule speaks for the clause.
  if (!rules.empty() && rules.back()->library) {
    r.library = true;
    for (auto it = rules.rbegin(); it != rules.rend() && (*it)->library; ++it)
      if (!(*it)->doc.empty()) {
        r.doc = (*it)->doc;
        r.args = (*it)->args;
        if (!(*it)->implements.empty()) r.implements = (*it)->implements;
        break;
      }
    if (r.doc.empty()) r.args = rules.back()->args;
  }
  for (const auto& o : out)
    if (o.text == r.text && o.span.begin == r.span.begin && o.span.file == r.span.file &&
        o.details == r.details)
      return;
  out.push_back(std::move(r));
}

// Why node `n` has its truth value: the leaves that decided it. `want` is the
// value the caller needs from `n` (for hints), unknown under a condition.
void collect(const ExplainNode& n, std::optional<bool> want, RuleStack& rule,
             std::vector<Reason>& out) {
  bool t = n.truth.value_or(false);
  auto flip = [&]() { return want ? std::optional<bool>(!*want) : std::nullopt; };
  auto same = [&](const ExplainNode& k) { return k.truth && *k.truth == t; };
  size_t before = out.size();
  if (n.kind == NodeKind::Rule || n.kind == NodeKind::Element) {
    if (n.kind == NodeKind::Rule) rule.push_back(&n);
    for (const auto& k : n.kids)
      if (same(k)) collect(k, want, rule, out);
    if (n.kind == NodeKind::Rule) rule.pop_back();
    if (out.size() == before && n.kind == NodeKind::Rule) add_leaf(n, want, rule, out);
    return;
  }
  const std::string& op = n.op;
  if (op == "and" || op == "or") {
    bool all = (op == "and") == t; // and-true / or-false: every operand counts
    for (const auto& k : n.kids)
      if (k.truth && (all || *k.truth == t)) collect(k, want, rule, out);
  } else if (op == "not") {
    for (const auto& k : n.kids)
      if (k.truth) collect(k, flip(), rule, out);
  } else if (op == "implies") {
    if (!n.kids.empty()) {
      const ExplainNode& a = n.kids[0];
      if (!t || !a.truth.value_or(true)) collect(a, flip(), rule, out);
      if (n.kids.size() > 1 && (!t || a.truth.value_or(false))) collect(n.kids[1], want, rule, out);
    }
  } else if (op == "if") {
    for (size_t i = 0; i < n.kids.size(); ++i)
      if (n.kids[i].truth)
        collect(n.kids[i], i == 0 && n.kids.size() > 1 ? std::nullopt : want, rule, out);
  } else if ((op == "all" && !t) || (op == "any" && t)) {
    for (const auto& k : n.kids)
      if (k.kind == NodeKind::Element && same(k)) collect(k, want, rule, out);
  }
  if (out.size() == before) add_leaf(n, want, rule, out);
}

const char* mark(const std::optional<bool>& truth, bool unicode) {
  if (!truth) return unicode ? "•" : "-";
  if (unicode) return *truth ? "✓" : "✗";
  return *truth ? "yes" : "no";
}

std::string ids(const std::vector<std::string>& v) {
  return v.empty() ? std::string{} : fmt::format(" [{}]", fmt::join(v, ", "));
}

std::string arg_list(const std::vector<std::pair<std::string, std::string>>& args) {
  std::vector<std::string> a;
  for (const auto& [k, v] : args) a.push_back(fmt::format("{} = {}", k, v));
  return fmt::format("{}", fmt::join(a, ", "));
}

void render_node(const ExplainNode& n, int depth, const RenderOptions& o, std::string& out) {
  std::string pad(static_cast<size_t>(depth) * 2, ' ');
  std::string label = n.kind == NodeKind::Rule ? n.signature + ids(n.implements) : n.text;
  out += fmt::format("{}{} {}", pad, mark(n.truth, o.unicode), label);
  if (!n.truth) out += fmt::format(" → {}", n.value);
  out += '\n';
  if (n.kind == NodeKind::Rule && !n.args.empty()) {
    std::vector<std::string> a;
    for (const auto& [k, v] : n.args) a.push_back(fmt::format("{} = {}", k, v));
    out += fmt::format("{}    with {}\n", pad, fmt::join(a, ", "));
  }
  if (o.details)
    for (const auto& d : n.details) out += fmt::format("{}    {}\n", pad, d);
  for (const auto& k : n.kids) render_node(k, depth + 1, o, out);
  if (n.omitted) out += fmt::format("{}  … {} more element(s)\n", pad, n.omitted);
}

nlohmann::json span_json(const Span& s, const SourceManager* sm) {
  nlohmann::json j;
  if (sm && s.file >= 0 && s.file < sm->count()) j["file"] = sm->file(s.file).path;
  j["line"] = s.line;
  j["column"] = s.col;
  return j;
}

nlohmann::json node_json(const ExplainNode& n, const SourceManager* sm) {
  nlohmann::json j;
  j["kind"] = n.kind == NodeKind::Rule ? "rule" : n.kind == NodeKind::Clause ? "clause" : "element";
  j["text"] = n.text;
  if (n.kind == NodeKind::Clause) j["op"] = n.op;
  if (n.kind == NodeKind::Rule) {
    j["signature"] = n.signature;
    j["implements"] = n.implements;
    nlohmann::json args = nlohmann::json::array();
    for (const auto& [k, v] : n.args) args.push_back({{"name", k}, {"value", v}});
    j["args"] = args;
  }
  j["value"] = n.value;
  if (n.truth) j["truth"] = *n.truth;
  if (!n.details.empty()) j["details"] = n.details;
  if (n.span.valid()) j["span"] = span_json(n.span, sm);
  if (n.omitted) j["omitted"] = n.omitted;
  if (!n.kids.empty()) {
    j["kids"] = nlohmann::json::array();
    for (const auto& k : n.kids) j["kids"].push_back(node_json(k, sm));
  }
  return j;
}

std::vector<std::string> changes(const Explanation& e) {
  std::vector<std::string> out;
  for (const auto& r : e.reasons)
    if (!r.change.empty() && std::find(out.begin(), out.end(), r.change) == out.end())
      out.push_back(r.change);
  return out;
}

} // namespace

void compute_reasons(Explanation& e) {
  e.reasons.clear();
  if (!e.root.truth) return;
  RuleStack rules;
  collect(e.root, e.allowed ? std::nullopt : std::optional<bool>(true), rules, e.reasons);
}

std::string render_text(const Explanation& e, const RenderOptions& o) {
  std::string out = fmt::format("{} {}\n", e.allowed ? "allow" : "deny", e.call);
  if (!e.brief.empty()) out += e.brief + "\n";
  render_node(e.root, 0, o, out);
  if (!e.reasons.empty()) out += e.allowed ? "because:\n" : "failing:\n";
  for (const auto& r : e.reasons) {
    if (r.library && !r.doc.empty()) {
      // A library clause: what the rule means and the client's instances,
      // not a path into std (the clause itself is in the tree above).
      out += fmt::format("  {} {}{}\n", mark(r.truth, o.unicode), doc_summary(r.doc),
                         ids(r.implements));
      if (!r.args.empty()) out += fmt::format("      for {}\n", arg_list(r.args));
      if (o.details)
        for (const auto& d : r.details) out += fmt::format("      {}\n", d);
      continue;
    }
    out += fmt::format("  {} {}\n", mark(r.truth, o.unicode), r.text);
    std::string where =
        r.via.empty() ? std::string{} : "in " + fmt::format("{}", fmt::join(r.via, " > "));
    where += ids(r.implements);
    if (o.sources && r.span.valid() && r.span.file < o.sources->count())
      where += fmt::format("{}at {}:{}:{}", where.empty() ? "" : ", ",
                           o.sources->file(r.span.file).path, r.span.line, r.span.col);
    if (!where.empty()) out += fmt::format("      {}\n", where);
    if (o.details)
      for (const auto& d : r.details) out += fmt::format("      {}\n", d);
  }
  auto ch = changes(e);
  if (!ch.empty()) {
    out += ch.size() > 1 ? "to allow (any one may suffice where the rule says `or`):\n"
                         : "to allow:\n";
    for (const auto& c : ch) out += fmt::format("  - {}\n", c);
  }
  return out;
}

nlohmann::json to_json(const Explanation& e, const SourceManager* sm) {
  nlohmann::json j;
  j["decision"] = e.allowed ? "allow" : "deny";
  j["call"] = e.call;
  if (!e.brief.empty()) j["brief"] = e.brief;
  nlohmann::json fixes = nlohmann::json::array();
  for (const auto& fix : e.fixes) {
    nlohmann::json edits = nlohmann::json::array();
    for (const auto& ed : fix) {
      nlohmann::json ej{
          {"op", ed.op}, {"attribute", ed.attribute}, {"value", ed.value}, {"text", ed.text}};
      if (!ed.instance.empty()) {
        ej["type"] = ed.type;
        ej["instance"] = ed.instance;
      } else {
        ej["setting"] = ed.attribute;
      }
      edits.push_back(ej);
    }
    fixes.push_back(edits);
  }
  j["fixes"] = fixes;
  j["tree"] = node_json(e.root, sm);
  nlohmann::json reasons = nlohmann::json::array();
  for (const auto& r : e.reasons) {
    nlohmann::json rj;
    rj["text"] = r.text;
    rj["truth"] = r.truth;
    rj["details"] = r.details;
    if (!r.change.empty()) rj["change"] = r.change;
    if (!r.rule.empty()) rj["rule"] = r.rule;
    rj["via"] = r.via;
    rj["implements"] = r.implements;
    if (r.library) {
      rj["library"] = true;
      if (!r.doc.empty()) rj["doc"] = r.doc;
    }
    if (r.span.valid()) rj["span"] = span_json(r.span, sm);
    reasons.push_back(rj);
  }
  j["reasons"] = reasons;
  j["changes"] = changes(e);
  return j;
}

} // namespace keyplan::rt
