#include "simulator/checks.hpp"

#include "runtime/interpreter.hpp"
#include "runtime/rt_value.hpp"
#include "simulator/declared_report.hpp"

#include <algorithm>
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <nlohmann/json.hpp>

namespace keyplan::sim {

int CheckRun::errors() const {
  int n = 0;
  for (const auto& f : findings) n += f.severity == ir::Severity::Error;
  return n;
}

int CheckRun::warnings() const {
  int n = 0;
  for (const auto& f : findings) n += f.severity == ir::Severity::Warning;
  return n;
}

namespace {

bool binds(ir::Op op) {
  return op == ir::Op::Any || op == ir::Op::All || op == ir::Op::Map || op == ir::Op::Filter;
}

// The frame slots an expression reads but does not bind itself.
void free_slots(const ir::Expr& e, std::vector<int32_t>& out) {
  if (e.op == ir::Op::Var) {
    out.push_back(e.index);
    return;
  }
  size_t before = out.size();
  for (const auto& k : e.kids) free_slots(*k, out);
  if (binds(e.op)) // the variable is bound in the body kids, not in the domain
    out.erase(std::remove(out.begin() + static_cast<std::ptrdiff_t>(before), out.end(), e.index),
              out.end());
}

// A copy of a check's body in which every largest sub-expression that reads
// no variable (the same for every binding: `count(User) > 0`, `any u in
// User: ALL in u.groups`) is evaluated once and becomes a constant. The
// interpreter still evaluates everything else, binding by binding.
ir::ExprPtr hoist(const ir::Expr& e, rt::Interpreter& interp, std::vector<rt::RtValue>& frame,
                  int64_t today, int& hoisted) {
  std::vector<int32_t> free;
  free_slots(e, free);
  bool trivial = e.op == ir::Op::Const || e.op == ir::Op::Setting || e.op == ir::Op::Today ||
                 e.op == ir::Op::AllOf;
  if (free.empty() && !trivial) {
    auto c = std::make_unique<ir::Expr>();
    c->op = ir::Op::Const;
    c->type = e.type;
    c->span = e.span;
    c->constant = rt::to_ir(interp.eval(e, frame, today));
    ++hoisted;
    return c;
  }
  auto out = std::make_unique<ir::Expr>();
  out->op = e.op;
  out->type = e.type;
  out->index = e.index;
  out->constant = e.constant;
  out->span = e.span;
  for (const auto& k : e.kids) out->kids.push_back(hoist(*k, interp, frame, today, hoisted));
  return out;
}

void run_one(const ir::Policy& policy, const rt::Snapshot& snapshot, const InstanceLocator& locator,
             int64_t today, rt::Interpreter& interp, const ir::Check& c, CheckRun& out,
             std::vector<ir::ExprPtr>& kept, bool fast) {
  std::vector<int32_t> types, counts;
  uint64_t total = 1;
  for (const auto& v : c.vars) {
    int32_t t = policy.types[v.type].ref;
    types.push_back(t);
    counts.push_back(snapshot.count(t));
    total = counts.back() == 0 ? 0 : (total > kMaxCheckBindings ? total : total * counts.back());
  }
  if (total == 0) return;
  if (total > kMaxCheckBindings) {
    out.skipped.push_back(c.name);
    return;
  }
  std::vector<int32_t> rows(c.vars.size(), 0);
  std::vector<rt::RtValue> frame(static_cast<size_t>(c.frame_size));
  // Kept until the interpreter goes: it caches constants by node address.
  int hoisted = 0;
  kept.push_back(fast && total > 1 ? hoist(*c.body, interp, frame, today, hoisted) : nullptr);
  const ir::Expr& body = hoisted > 0 ? *kept.back() : *c.body;
  for (uint64_t k = 0; k < total; ++k) {
    for (size_t i = 0; i < rows.size(); ++i) frame[i] = rt::RtValue::entity(types[i], rows[i]);
    if (interp.eval(body, frame, today).truth()) {
      bool allowed = false;
      for (size_t i = 0; i < rows.size() && !allowed; ++i)
        allowed = locator.allows(policy, types[i], rows[i], snapshot.id(types[i], rows[i]), c.name);
      if (allowed) {
        ++out.allowed;
      } else {
        CheckFinding f;
        f.check = c.name;
        f.severity = c.severity;
        f.implements = c.implements;
        if (c.message) f.message = build_text(interp, *c.message, frame, today);
        const std::string& id = snapshot.id(types[0], rows[0]);
        f.instance = policy.entities[static_cast<size_t>(types[0])].name + " " + id;
        f.subject = id;
        f.span = locator.find(policy, types[0], rows[0], id);
        f.in_data = locator.in_data(policy, types[0], id);
        out.findings.push_back(std::move(f));
      }
    }
    // The next binding: the last binder varies fastest.
    for (size_t i = rows.size(); i-- > 0;) {
      if (++rows[i] < counts[i]) break;
      rows[i] = 0;
    }
  }
}

} // namespace

CheckRun run_checks(const ir::Policy& policy, const rt::Snapshot& snapshot,
                    const InstanceLocator& locator, int64_t today, bool fast) {
  CheckRun out;
  std::vector<ir::ExprPtr> kept; // declared first: outlives the interpreter
  rt::Interpreter interp(policy, snapshot);
  for (const auto& c : policy.checks)
    run_one(policy, snapshot, locator, today, interp, c, out, kept, fast);
  return out;
}

Diagnostics check_diagnostics(const CheckRun& run, std::optional<bool> data) {
  Diagnostics d;
  for (const auto& f : run.findings) {
    if (data && *data != f.in_data) continue;
    std::string hint =
        f.implements.empty() ? "" : fmt::format("implements {}; ", fmt::join(f.implements, ", "));
    hint += fmt::format("silence it for this instance with _allow: [{}] (data) or @allow({}) "
                        "(policy)",
                        f.check, f.check);
    std::string msg = fmt::format("check '{}': {}", f.check, f.message);
    if (f.severity == ir::Severity::Error)
      d.error(f.span, msg, hint);
    else
      d.warning(f.span, msg, hint);
  }
  return d;
}

std::string check_findings_json(const CheckRun& run, const SourceManager& sources) {
  nlohmann::json a = nlohmann::json::array();
  for (const auto& f : run.findings) {
    nlohmann::json j = {{"check", f.check},
                        {"severity", f.severity == ir::Severity::Error ? "error" : "warning"},
                        {"message", f.message},
                        {"instance", f.instance},
                        {"implements", f.implements}};
    if (f.span.file >= 0 && f.span.file < sources.count()) {
      j["file"] = sources.file(f.span.file).path;
      j["line"] = f.span.line;
      j["col"] = f.span.col;
    }
    a.push_back(std::move(j));
  }
  return a.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

Table checks_table(const CheckRun& run, const SourceManager& sources) {
  Table t;
  t.name = "checks";
  t.title = "Checks";
  t.headers = {"Severity", "Check", "Rules", "Instance", "Message", "Position"};
  for (const auto& f : run.findings) {
    std::string pos;
    if (f.span.valid() && f.span.file < sources.count())
      pos = fmt::format("{}:{}:{}", sources.file(f.span.file).path, f.span.line, f.span.col);
    t.rows.push_back({f.severity == ir::Severity::Error ? "error" : "warning", f.check,
                      fmt::format("{}", fmt::join(f.implements, ", ")), f.subject, f.message, pos});
  }
  t.notes.push_back(fmt::format("{} error(s), {} warning(s)", run.errors(), run.warnings()));
  if (run.allowed > 0)
    t.notes.push_back(fmt::format("{} silenced by _allow / @allow", run.allowed));
  return t;
}

} // namespace keyplan::sim
