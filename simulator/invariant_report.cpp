#include "simulator/invariant_report.hpp"
#include "simulator/text.hpp"

#include "simulator/report.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace keyplan::sim {

namespace {

int count(const TestRun& run, Status s) {
  int n = 0;
  for (const auto& o : run.outcomes) n += o.status == s;
  return n;
}

std::string ms_text(double ms) {
  return ms < 1000 ? fmt::format("{:.1f} ms", ms) : fmt::format("{:.2f} s", ms / 1000);
}

std::string cases_text(const InvariantOutcome& o) {
  if (o.mode == "generative") return fmt::format("{} ({} tenants)", o.cases, o.tenants);
  return std::to_string(o.cases);
}

std::string failure_text(const InvariantOutcome& o) {
  std::string s =
      fmt::format("fails for {}", o.witness_text.empty() ? "(no binders)" : o.witness_text);
  if (o.mode == "generative")
    s += " in a random tenant (" + o.note + ")";
  else if (!o.note.empty())
    s += " (" + o.note + ")";
  if (!o.counterexample_file.empty()) s += "; counterexample: " + o.counterexample_file;
  return s;
}

} // namespace

int TestRun::failed() const {
  return count(*this, Status::Fail) + (scenarios ? scenarios->failed : 0);
}
int TestRun::passed() const {
  return count(*this, Status::Pass);
}
int TestRun::skipped() const {
  return count(*this, Status::Skipped);
}

std::string render_test_text(const TestRun& run) {
  // Data is printed escaped: never a raw control sequence on the terminal.
  auto safe = [](const std::string& s) { return terminal_safe(s); };
  std::string out =
      fmt::format("invariants of {} (today {}, dates {} .. {})\n", safe(run.policy),
                  ir::format_date(run.today), ir::format_date(run.from), ir::format_date(run.to));
  size_t wn = 9;
  for (const auto& o : run.outcomes) wn = std::max(wn, display_width(safe(o.name)) + 2);
  out += fmt::format("  {}  {:<10}  {:<6}  {:>22}  {:>10}  {}\n", pad_right("invariant", wn),
                     "mode", "engine", "cases", "time", "result");
  for (const auto& o : run.outcomes) {
    out += fmt::format("  {}  {:<10}  {:<6}  {:>22}  {:>10}  {}\n",
                       pad_right("\"" + safe(o.name) + "\"", wn), o.mode,
                       o.engine.empty() ? "-" : o.engine, cases_text(o), ms_text(o.ms),
                       status_name(o.status));
    if (o.status == Status::Skipped) out += "      skipped: " + safe(o.note) + "\n";
  }
  for (const auto& o : run.outcomes) {
    if (o.status != Status::Fail) continue;
    out += fmt::format("\nFAIL \"{}\" ({}): {}\n", safe(o.name), o.mode, safe(failure_text(o)));
    out += indent_lines(terminal_safe(o.explanation, true), "    ");
  }
  if (run.scenarios) out += "\nscenarios\n" + render_text(*run.scenarios, false);
  out += fmt::format("\n{} invariant checks: {} held, {} failed, {} skipped", run.outcomes.size(),
                     run.passed(), count(run, Status::Fail), run.skipped());
  out += run.jit_ms >= 0 ? fmt::format(" (JIT compilation {})\n", ms_text(run.jit_ms)) : "\n";
  return out;
}

std::string render_test_json(const TestRun& run) {
  nlohmann::json root;
  root["policy"] = run.policy;
  root["today"] = ir::format_date(run.today);
  root["dates"] = {ir::format_date(run.from), ir::format_date(run.to)};
  root["invariants"] = nlohmann::json::array();
  for (const auto& o : run.outcomes) {
    nlohmann::json j;
    j["name"] = o.name;
    j["mode"] = o.mode;
    j["engine"] = o.engine;
    j["status"] = o.status == Status::Pass ? "pass" : o.status == Status::Fail ? "fail" : "skipped";
    j["cases"] = o.cases;
    if (o.mode == "generative") j["tenants"] = o.tenants;
    j["ms"] = o.ms;
    if (!o.note.empty()) j["note"] = o.note;
    if (o.disagreement) j["disagreement"] = true;
    if (o.status == Status::Fail) {
      j["witness"] = o.witness_text;
      j["explanation"] = o.explanation;
      if (!o.counterexample_file.empty()) j["counterexample"] = o.counterexample_file;
    }
    root["invariants"].push_back(j);
  }
  if (run.scenarios) root["scenarios"] = nlohmann::json::parse(render_json(*run.scenarios, false));
  if (!run.findings_json.empty()) root["findings"] = nlohmann::json::parse(run.findings_json);
  root["passed"] = run.passed();
  root["failed"] = run.failed();
  root["skipped"] = run.skipped();
  if (run.jit_ms >= 0) root["jit_ms"] = run.jit_ms;
  return root.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
}

std::string render_test_junit(const TestRun& run) {
  std::string cases;
  int failures = count(run, Status::Fail), skipped = run.skipped();
  for (const auto& o : run.outcomes) {
    cases += fmt::format("    <testcase classname=\"invariants.{}\" name=\"{}\" time=\"{:.3f}\">\n",
                         o.mode, xml_escape(o.name), o.ms / 1000);
    if (o.status == Status::Fail)
      cases += fmt::format("      <failure message=\"{}\">{}</failure>\n",
                           xml_escape(failure_text(o)), xml_escape(o.explanation));
    else if (o.status == Status::Skipped)
      cases += fmt::format("      <skipped message=\"{}\"/>\n", xml_escape(o.note));
    cases += fmt::format("      <system-out>{} cases</system-out>\n", cases_text(o));
    cases += "    </testcase>\n";
  }
  std::string suites = fmt::format(
      "  <testsuite name=\"invariants of {}\" tests=\"{}\" failures=\"{}\" skipped=\"{}\">\n{}  "
      "</testsuite>\n",
      xml_escape(run.policy), run.outcomes.size(), failures, skipped, cases);
  size_t tests = run.outcomes.size();
  if (run.scenarios) {
    std::string sj = render_junit(*run.scenarios);
    size_t b = sj.find("<testsuites");
    b = sj.find('\n', b);
    size_t e = sj.rfind("</testsuites>");
    if (b != std::string::npos && e != std::string::npos && e > b)
      suites += sj.substr(b + 1, e - b - 1);
    failures += run.scenarios->failed;
    tests += static_cast<size_t>(run.scenarios->passed + run.scenarios->failed);
  }
  return fmt::format(
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"keyplan test\" "
      "tests=\"{}\" failures=\"{}\">\n{}</testsuites>\n",
      tests, failures, suites);
}

} // namespace keyplan::sim
