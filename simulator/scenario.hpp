// Scenario files: YAML, one scenario per document (`---`). docs/scenarios.md
// describes the format; this is its parser, with file:line:col errors.
#pragma once

#include "compiler/diagnostics.hpp"

#include <map>
#include <optional>
#include <string>
#include <vector>
#include <yaml-cpp/yaml.h>

namespace keyplan::sim {

struct Case {
  std::string action;
  std::map<std::string, std::string> args; // parameter name -> value as text
  std::map<std::string, Span> arg_spans;
  std::optional<bool> expect; // allow = true, deny = false
  std::string note;           // shown beside the decision
  bool explain = false;       // print the explanation even when it passes
  Span span;
};

struct Scenario {
  std::string name;
  std::string file;   // the scenario file
  std::string policy; // module name or path (already made relative to cwd)
  Span policy_span;
  std::map<std::string, std::string> settings; // name -> value as text ([a, b] for sets)
  std::map<std::string, Span> setting_spans;
  std::optional<int64_t> today;        // days since 1970-01-01
  std::vector<std::string> data_files; // resolved paths
  std::optional<YAML::Node> inline_data;
  int data_file_id = -1; // the scenario file's id, for inline data marks
  std::vector<Case> cases;
  Span span;
};

// Parses every document of `path`; errors go to `diags` (and the file is
// registered in `sm` so that they show the line).
std::vector<Scenario> load_scenarios(const std::string& path, SourceManager& sm,
                                     Diagnostics& diags);

// The Span of a YAML node in file `file_id`.
Span node_span(const YAML::Node& n, int file_id);

} // namespace keyplan::sim
