#include "simulator/checks.hpp"

#include "runtime/interpreter.hpp"
#include "runtime/rt_value.hpp"

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

void run_one(const ir::Policy& policy, const rt::Snapshot& snapshot, const InstanceLocator& locator,
             int64_t today, rt::Interpreter& interp, const ir::Check& c, CheckRun& out) {
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
  for (uint64_t k = 0; k < total; ++k) {
    for (size_t i = 0; i < rows.size(); ++i) frame[i] = rt::RtValue::entity(types[i], rows[i]);
    if (interp.eval(*c.body, frame, today).truth()) {
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
        for (const auto& p : c.message)
          f.message +=
              p.expr ? snapshot.format(rt::to_ir(interp.eval(*p.expr, frame, today))) : p.text;
        const std::string& id = snapshot.id(types[0], rows[0]);
        f.instance = policy.entities[static_cast<size_t>(types[0])].name + " " + id;
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
                    const InstanceLocator& locator, int64_t today) {
  CheckRun out;
  rt::Interpreter interp(policy, snapshot);
  for (const auto& c : policy.checks) run_one(policy, snapshot, locator, today, interp, c, out);
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

} // namespace keyplan::sim
