// The policy's `report` declarations (compiler/sema_reports.cpp) rendered as
// Tables: every row, column and note is the policy's own expression,
// evaluated by the reference interpreter; this file knows no model.
#pragma once

#include "compiler/ir.hpp"
#include "runtime/interpreter.hpp"
#include "runtime/snapshot.hpp"
#include "simulator/table.hpp"

#include <string>
#include <vector>

namespace keyplan::sim {

// A value as a report cell shows it: strings without quotes, none empty,
// bools yes/no, sets as their elements joined by ", ", instances by id.
std::string cell_text(const rt::Snapshot& snapshot, const ir::Value& v);

// A table repeated per instance (`table NAME for x: T`) gives one table per
// instance, named NAME_<id>. `only` (ids): just those instances, in that
// order; an id no repeated table ranges over (or a report without one)
// gives no tables and `error`.
// A text expression (a report cell, a check message; compiler/sema_text.cpp)
// evaluated in `frame`: templates, `if` between texts, `join`.
std::string build_text(rt::Interpreter& interp, const ir::Expr& e, std::vector<rt::RtValue>& frame,
                       int64_t today);

std::vector<Table> render_declared_report(const ir::Policy& policy, const rt::Snapshot& snapshot,
                                          const ir::Report& report, int64_t today,
                                          const std::vector<std::string>& only = {},
                                          std::string* error = nullptr);

// `keyplan report --list`: one line per declared report, with its doc comment.
Table report_list(const ir::Policy& policy);

} // namespace keyplan::sim
