// Internal to the interpreter's explaining path: what one clause looked at
// (details) and what would flip it (hints), computed after the clause was
// evaluated by re-evaluating its operands on the plain path (evaluation is
// pure and total, so the values are the same).
#pragma once

#include "runtime/explanation.hpp"
#include "runtime/rt_value.hpp"
#include "runtime/snapshot.hpp"

#include <functional>
#include <string>
#include <vector>

namespace keyplan::rt::detail {

struct ClauseContext {
  const ir::Policy& policy;
  const Snapshot& snapshot;
  const std::vector<RtValue>& frame;
  std::function<RtValue(const ir::Expr&)> eval; // plain evaluation in `frame`
};

// The source text of a span, whitespace runs collapsed to one space.
std::string source_text(const ir::Policy& policy, const Span& span);
// A value for an explanation: long sets shortened ("[a, b, ... (+98 more)]").
std::string short_format(const RtValue& v, const Snapshot& snapshot);
// The variable a quantifier binds, read from its source text ("any x in S: e").
std::string bound_name(const ir::Policy& policy, const ir::Expr& quantifier);
// Fills node.details, hint_true and hint_false for clause `e` with result `r`.
void describe_clause(ExplainNode& node, const ir::Expr& e, const RtValue& r,
                     const ClauseContext& ctx);

} // namespace keyplan::rt::detail
