// The brief of an explanation: one or two sentences in the data's terms, e.g.
//   denied: mueller's groups are [ALL, Legal]; TABLE_1's groups are [IT].
//   To allow: add IT to mueller's groups, or add Legal to TABLE_1's groups.
//
// The fixes are edits of tenant data or settings, found generically (no
// model names): candidates come from the cells the evaluation read
// (Explanation::reads): add or remove a set element, flip a bool, pick
// another enum member, change a bool/enum setting. Each candidate is
// applied to a scratch copy of the snapshot and the request re-decided by
// the interpreter; those that flip the decision are kept, single edits
// first, then pairs (only when no single edit works), both bounded.
#pragma once

#include "runtime/explanation.hpp"
#include "runtime/snapshot.hpp"

namespace keyplan::rt {

struct BriefLimits {
  size_t max_candidates = 400; // single edits tried
  size_t max_pair_base = 40;   // pairs are formed from the first n candidates
  size_t max_fixes = 3;        // fixes named in the sentence (all are in `fixes`)
};

// The first sentence of a doc comment, its lines joined: how a library
// rule speaks for a failing clause inside it.
std::string doc_summary(const std::string& doc);

// Fills e.brief and e.fixes for the decision of `rule` on `args` (IR values
// of `snapshot`) that produced `e`.
void summarise(Explanation& e, const ir::Policy& policy, const Snapshot& snapshot, int32_t rule,
               const std::vector<ir::Value>& args, int64_t today, const BriefLimits& limits = {});

} // namespace keyplan::rt
