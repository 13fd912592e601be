// Diagnostics: collected, never thrown, so that one run reports every error
// of a file. Rendered as `file:line:col: error: message`, the source line and
// a caret under the span, or as JSON for editors and CI.
#pragma once

#include "compiler/source.hpp"

#include <string>
#include <vector>

namespace keyplan {

enum class Severity { Error, Warning, Note };

struct Diagnostic {
  Severity severity = Severity::Error;
  Span span;
  std::string message;
  std::string hint; // what was expected, or "did you mean ..."
  std::vector<std::pair<Span, std::string>> notes;
};

class Diagnostics {
public:
  void error(const Span& s, std::string message, std::string hint = {});
  void warning(const Span& s, std::string message, std::string hint = {});
  // Attaches a note (e.g. "first declared here") to the last diagnostic.
  void note(const Span& s, std::string message);
  void add(Diagnostic d) {
    if (d.severity == Severity::Error) ++errors_;
    if (d.severity == Severity::Warning) ++warnings_;
    items_.push_back(std::move(d));
  }

  bool has_errors() const { return errors_ > 0; }
  int error_count() const { return errors_; }
  int warning_count() const { return warnings_; }
  const std::vector<Diagnostic>& items() const { return items_; }
  // Sorted by file, position, then severity; identical duplicates removed.
  std::vector<Diagnostic> sorted() const;

  std::string render_text(const SourceManager& sm, bool color = false) const;
  std::string render_json(const SourceManager& sm) const;

private:
  std::vector<Diagnostic> items_;
  int errors_ = 0, warnings_ = 0;
};

// "did you mean" support: the closest candidate within a small edit distance.
std::string closest_match(const std::string& word, const std::vector<std::string>& candidates);
std::string did_you_mean(const std::string& word, const std::vector<std::string>& candidates);

} // namespace keyplan
