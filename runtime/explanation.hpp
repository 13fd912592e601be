// Explanations: the rule tree that decided a request, recorded by the
// interpreter when EvalOptions::explain is set (the plain path records
// nothing). Every rule call becomes a Rule node (name, signature, @implements
// ids, arguments, result); every boolean clause (and/or/not/implies/if,
// comparisons, in, meets, within, quantifiers, bool attribute reads, bool
// settings) a Clause node with its source text, its value and the data it
// looked at; quantifier elements become Element nodes.
//
// From the tree, the reasons are the leaves that decided the result (for a
// denial: the failing clauses, each with what would have to change).
#pragma once

#include "compiler/source.hpp"

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace keyplan::rt {

enum class NodeKind : uint8_t { Rule, Clause, Element };

struct ExplainNode {
  NodeKind kind = NodeKind::Clause;
  std::string op;   // Clause: the IR op ("and", "meets", "attr", ...)
  std::string text; // Rule: rule name; Clause: source text; Element: "x = TABLE_1"
  Span span;
  // Rule nodes.
  std::string signature;
  std::vector<std::string> implements;
  std::vector<std::pair<std::string, std::string>> args; // parameter, rendered value
  std::string doc;                                       // the rule's doc comment
  bool library = false;                                  // the rule lies in a `std` module
  // The result.
  std::string value;                 // rendered (`true`, `[ALL, IT]`, `first_floor`)
  std::optional<bool> truth;         // for bool results
  std::vector<std::string> details;  // the data looked at
  std::string hint_true, hint_false; // what would make it true / false
  int omitted = 0;                   // quantifiers: elements evaluated but not listed
  std::vector<ExplainNode> kids;
};

// A leaf that decided the result.
struct Reason {
  std::string text; // the clause's source text
  Span span;
  bool truth = false;
  std::vector<std::string> details;
  std::string change;                  // denials: what would have to change (may be empty)
  std::string rule;                    // the enclosing rule's signature
  std::vector<std::string> via;        // the rules called on the way, outermost first
  std::vector<std::string> implements; // DOMAIN ids of the nearest enclosing rule having any
  // A clause inside a `std` module is shown by the innermost library rule's
  // doc comment and the client's arguments it was called with, not its path.
  bool library = false;
  std::string doc;
  std::vector<std::pair<std::string, std::string>> args;
};

// One attribute cell the evaluation read (type, row, attribute); a setting
// read is {-1, -1, setting index}. Input of the fix search (runtime/brief.hpp).
struct CellRead {
  int32_t type = -1, row = -1, attr = -1;
  bool operator==(const CellRead& o) const {
    return type == o.type && row == o.row && attr == o.attr;
  }
};

// One edit of tenant data or settings, in the data's terms.
struct Edit {
  std::string op;        // "add", "remove", "set"
  std::string type;      // entity type; empty for a setting
  std::string instance;  // instance id; empty for a setting
  std::string attribute; // attribute or setting name
  std::string value;     // the element added/removed, or the new value
  std::string text;      // "add IT to mueller's groups"
};

struct Explanation {
  ExplainNode root; // the evaluated rule
  bool allowed = false;
  std::string call; // e.g. "book(user = schmidt, object = TABLE_2, on = 2026-11-23)"
  std::vector<Reason> reasons;
  std::vector<CellRead> reads; // every cell read, in order, without repeats
  // The summary in the data's terms (runtime/brief.hpp fills it): one or two
  // sentences, and the minimal edits that were checked to flip the decision.
  std::string brief;
  std::vector<std::vector<Edit>> fixes;
};

// Fills `reasons` from the tree (called by the interpreter).
void compute_reasons(Explanation& e);

struct RenderOptions {
  bool unicode = true;                    // ✓/✗ marks; otherwise "yes"/"no" words
  bool details = true;                    // the data looked at
  const SourceManager* sources = nullptr; // when set, reasons show file:line:col
};

// An indented tree, then the failing clauses and what would have to change.
std::string render_text(const Explanation& e, const RenderOptions& options = {});
nlohmann::json to_json(const Explanation& e, const SourceManager* sources = nullptr);

} // namespace keyplan::rt
