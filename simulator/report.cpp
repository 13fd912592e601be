#include "simulator/report.hpp"
#include "simulator/text.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace keyplan::sim {

namespace {

const char* word(bool allowed) {
  return allowed ? "allow" : "deny";
}

// What the case expected: allow, deny, unresolved, or "-" for nothing.
std::string expected_word(const Case& c) {
  return c.expect_unresolved ? "unresolved" : c.expect ? word(*c.expect) : "-";
}

// Why a case failed, in a few words.
std::string failure(const CaseResult& c) {
  if (c.disagreement) return "the JIT and the interpreter disagree";
  if (!c.resolved && !c.c->expect_unresolved) return "the request does not resolve";
  return fmt::format("{} but expected {}", c.resolved ? word(c.allowed) : "unresolved",
                     expected_word(*c.c));
}

std::string explanation_text(const CaseResult& c, const SourceManager* sm) {
  if (!c.error.empty()) return fmt::format("denied: {}\n", c.error);
  if (!c.explanation) return {};
  rt::RenderOptions ro;
  ro.sources = sm;
  return rt::render_text(*c.explanation, ro);
}

} // namespace

std::string render_text(const RunReport& rep, bool explain_all) {
  // Data (names, ids, notes, errors) is printed escaped: never a raw control
  // sequence on the terminal (text.hpp, terminal_safe).
  auto safe = [](const std::string& s) { return terminal_safe(s); };
  std::string out;
  for (const auto& r : rep.results) {
    const Scenario& sc = *r.scenario;
    out += fmt::format("{}  ({})\n", safe(sc.name), safe(sc.file));
    if (!r.loaded) {
      out += "  not run: the policy, data or settings have errors (see above)\n\n";
      continue;
    }
    std::vector<std::string> calls, notes;
    size_t wcall = 4, wnote = 0;
    for (const auto& c : r.cases) {
      calls.push_back(safe(c.call));
      notes.push_back(safe(c.c->note));
      wcall = std::max(wcall, display_width(calls.back()));
      wnote = std::max(wnote, display_width(notes.back()));
    }
    out += fmt::format("  {:>3}  {}  {:<8} {:<8} {:<6} {}\n", "#", pad_right("case", wcall),
                       "decision", "expected", "result", wnote ? "note" : "");
    for (size_t i = 0; i < r.cases.size(); ++i) {
      const auto& c = r.cases[i];
      std::string expected = expected_word(*c.c);
      std::string result = c.c->expect || !c.passed ? (c.passed ? "pass" : "FAIL") : "-";
      out += fmt::format("  {:>3}  {}  {:<8} {:<8} {:<6} {}\n", i + 1, pad_right(calls[i], wcall),
                         word(c.allowed), expected, result, notes[i]);
      if (!c.error.empty()) out += fmt::format("       ! {}\n", safe(c.error));
    }
    for (size_t i = 0; i < r.cases.size(); ++i) {
      const auto& c = r.cases[i];
      if (c.passed && !explain_all && !c.c->explain) continue;
      out += fmt::format("\n  case {}: {} -> {}{}\n", i + 1, calls[i], word(c.allowed),
                         c.passed ? ""
                         : c.disagreement || (!c.resolved && !c.c->expect_unresolved)
                             ? fmt::format(" ({})", safe(failure(c)))
                             : fmt::format(" (expected {})", expected_word(*c.c)));
      out += indent_lines(terminal_safe(explanation_text(c, nullptr), true), "    ");
    }
    out += "\n";
  }
  out += fmt::format(
      "{} cases: {} passed, {} failed{}\n", rep.passed + rep.failed, rep.passed, rep.failed,
      rep.unresolved ? fmt::format(", {} requests did not resolve", rep.unresolved) : "");
  if (rep.disagreements)
    out += fmt::format("internal error: the JIT and the interpreter disagree on {} cases\n",
                       rep.disagreements);
  return out;
}

std::string render_json(const RunReport& rep, bool explain_all) {
  nlohmann::json root;
  root["passed"] = rep.passed;
  root["failed"] = rep.failed;
  root["unresolved"] = rep.unresolved;
  root["disagreements"] = rep.disagreements;
  // The policy's check findings on the scenarios' worlds, as diagnostics.
  root["check_errors"] = rep.check_errors;
  root["check_warnings"] = rep.check_warnings;
  root["findings"] = nlohmann::json::array();
  for (const auto& [sm, d] : rep.check_diags) {
    // Named: a range-for over a member of a temporary would read freed memory.
    const nlohmann::json parsed = nlohmann::json::parse(d.render_json(*sm));
    for (const auto& x : parsed["diagnostics"]) root["findings"].push_back(x);
  }
  root["scenarios"] = nlohmann::json::array();
  for (const auto& r : rep.results) {
    nlohmann::json s;
    s["name"] = r.scenario->name;
    s["file"] = r.scenario->file;
    s["policy"] = r.scenario->policy;
    s["loaded"] = r.loaded;
    s["cases"] = nlohmann::json::array();
    for (const auto& c : r.cases) {
      nlohmann::json j;
      j["action"] = c.c->action;
      j["args"] = c.c->args;
      j["call"] = c.call;
      j["decision"] = word(c.allowed);
      if (c.c->expect || c.c->expect_unresolved) j["expected"] = expected_word(*c.c);
      if (c.disagreement) j["disagreement"] = true;
      j["passed"] = c.passed;
      if (!c.c->note.empty()) j["note"] = c.c->note;
      if (!c.error.empty()) j["error"] = c.error;
      j["line"] = c.c->span.line;
      if (c.explanation && (explain_all || !c.passed || c.c->explain))
        j["explanation"] = rt::to_json(*c.explanation);
      s["cases"].push_back(j);
    }
    root["scenarios"].push_back(s);
  }
  return root.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
}

std::string render_junit(const RunReport& rep) {
  std::string body;
  int tests = 0, failures = 0;
  for (const auto& r : rep.results) {
    int sf = 0;
    std::string cases;
    for (const auto& c : r.cases) {
      ++tests;
      cases += fmt::format("    <testcase classname=\"{}\" name=\"{}\">\n",
                           xml_escape(r.scenario->name), xml_escape(c.call));
      if (!c.passed) {
        ++sf;
        ++failures;
        cases += fmt::format("      <failure message=\"{}\">{}</failure>\n", failure(c),
                             xml_escape(explanation_text(c, nullptr)));
      }
      cases += "    </testcase>\n";
    }
    if (!r.loaded) {
      ++tests;
      ++failures;
      ++sf;
      cases += fmt::format("    <testcase classname=\"{}\" name=\"load\"><error message=\"the "
                           "policy, data or settings have errors\"/></testcase>\n",
                           xml_escape(r.scenario->name));
    }
    body += fmt::format(
        "  <testsuite name=\"{}\" file=\"{}\" tests=\"{}\" failures=\"{}\">\n{}  </testsuite>\n",
        xml_escape(r.scenario->name), xml_escape(r.scenario->file),
        r.cases.size() + (r.loaded ? 0 : 1), sf, cases);
  }
  return fmt::format("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"keyplan "
                     "simulate\" tests=\"{}\" failures=\"{}\">\n{}</testsuites>\n",
                     tests, failures, body);
}

} // namespace keyplan::sim
