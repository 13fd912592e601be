// Scenario files: YAML, one scenario per document (`---`). docs/scenarios.md
// describes the format; this is its parser, with file:line:col errors.
#pragma once

#include "compiler/diagnostics.hpp"
#include "simulator/yaml_value.hpp"

#include <map>
#include <optional>
#include <string>
#include <vector>
#include <yaml-cpp/yaml.h>

namespace keyplan::sim {

struct Case {
  std::string action;
  std::map<std::string, std::string> args; // parameter name -> the value as written (reports)
  std::map<std::string, YamlValue> values; // parameter name -> the value, typed when run
  std::optional<bool> expect;              // allow = true, deny = false
  // `expect: unresolved`: the case asserts that the request does not resolve
  // (an unknown id, a wrong type, ...). Without it such a request is an error.
  bool expect_unresolved = false;
  std::string note;     // shown beside the decision
  bool explain = false; // print the explanation even when it passes
  Span span;
};

struct Setting {
  YamlValue value;
  Span key; // the setting's name in the scenario
};

struct Scenario {
  std::string name;
  std::string file;   // the scenario file
  std::string policy; // module name or path (already made relative to cwd)
  Span policy_span;
  std::map<std::string, Setting> settings;
  std::optional<int64_t> today;        // days since 1970-01-01 (required: an error when missing)
  std::vector<std::string> data_files; // resolved paths
  std::vector<Span> data_spans;        // where each data file is named
  // Inline data (it keeps the YAML document alive: YAML::Clone would lose
  // the marks that its errors point at).
  std::optional<YAML::Node> inline_data;
  int data_file_id = -1; // the scenario file's id, for inline data marks
  std::vector<Case> cases;
  Span span;
};

// Parses every document of `path`; errors go to `diags` (and the file is
// registered in `sm` so that they show the line). Duplicate keys in any
// mapping are errors (with a note at the first), and so is a file whose
// aliases would expand beyond the YAML limits for its size (a "billion
// laughs"; runtime/yaml_checks.hpp).
std::vector<Scenario> load_scenarios(const std::string& path, SourceManager& sm,
                                     Diagnostics& diags);

// The Span of a YAML node in file `file_id`.
Span node_span(const YAML::Node& n, int file_id);

} // namespace keyplan::sim
