// Runs a vectorised plan (engine/vector_plan.hpp) for one column: closed
// sub-expressions by the interpreter in the frame of the given arguments,
// per-row ones as word operations over the open type's instances. Caches
// (invariant nodes, memoised calls, inverse indexes of set attributes) live
// as long as the snapshot's version. Not thread-safe: one per thread.
#pragma once

#include "engine/vector_plan.hpp"
#include "runtime/interpreter.hpp"
#include "runtime/snapshot.hpp"

#include <cstdint>
#include <map>
#include <memory>
#include <vector>

namespace keyplan::engine::vec {

class VectorEval {
public:
  VectorEval(const ir::Policy& policy, const rt::Snapshot& snapshot);
  ~VectorEval();

  // The rows of plan.open_type for which the action allows. `args` holds
  // one value per parameter (the open one is ignored), already checked.
  std::vector<uint64_t> run(Plan& plan, const std::vector<rt::RtValue>& args, int64_t today);
  // Builds the inverse indexes the plan reads now (they are built on first
  // use otherwise).
  void prepare(const Plan& plan);
  // Adopts `other`'s inverse indexes (built and later ones, both ways) when
  // both read the same tables (one policy, equal Snapshot::data_version: a
  // settings-only what-if); false otherwise. Both must be used from one
  // thread.
  bool share_tables(VectorEval& other);

  struct Val; // a per-row or closed value (vector_eval.cpp)
  struct Frame;

private:
  Val eval(Node& n, Frame& f, size_t depth);
  Val eval_uncached(Node& n, Frame& f, size_t depth);
  rt::RtValue closed(Node& n, Frame& f, size_t depth);
  Val call(Node& n, Frame& f, size_t depth);
  Val attr(Node& n, Frame& f, size_t depth);
  Val logic(Node& n, Frame& f, size_t depth);
  Val branch(Node& n, Frame& f, size_t depth);
  Val equality(Node& n, Frame& f, size_t depth);
  Val order(Node& n, Frame& f, size_t depth);
  Val membership(Node& n, Frame& f, size_t depth);
  Val membership_by_lookup(Node& n, Frame& f, size_t depth);
  Val meets(Node& n, Frame& f, size_t depth);
  Val quantifier(Node& n, Frame& f, size_t depth);
  Val quantifier_over_rows(Node& n, Frame& f, size_t depth);
  Val within(Node& n, Frame& f, size_t depth);
  Val count(Node& n, Frame& f, size_t depth);
  Val coalesce(Node& n, Frame& f, size_t depth);
  int64_t* ibuffer(); // a zeroed scratch row vector, valid until the next run()
  Val mask(Node& n, Frame& f, size_t depth); // eval, a closed bool lifted to a constant mask

  uint64_t* buffer(); // a zeroed scratch mask of words_ words, valid until the next run()
  const uint64_t* words(const Val& m) const;
  // Rows of the open type whose `path` entity (nullptr: the row itself) is
  // in `owner` (a bitset over the path's type).
  const uint64_t* gather(const uint64_t* owner, const int64_t* path);
  // A path as runs of consecutive rows with the same entity (usable when
  // there are few), per path vector, for the snapshot's version.
  struct Span {
    size_t begin, end;
    int64_t target;
  };
  struct Runs {
    bool usable = true;
    std::vector<Span> spans;
  };
  const Runs& runs(const int64_t* path);
  // Rows of `type` whose set attribute `attr` meets `w` / holds element `x`.
  const uint64_t* set_meets(int32_t type, int32_t attr, const rt::RtValue& w,
                            std::vector<uint64_t>& scratch);
  const uint64_t* set_holds(int32_t type, int32_t attr, int64_t x, std::vector<uint64_t>& scratch);
  struct Inverse;
  const Inverse* inverse(int32_t type, int32_t attr);

  const ir::Policy& policy_;
  const rt::Snapshot& snapshot_;
  rt::Interpreter interp_;
  int64_t today_ = 0;
  size_t rows_ = 0;    // instances of the open type
  uint32_t words_ = 0; // words per mask
  std::vector<uint64_t> zeros_, ones_;
  std::vector<std::vector<uint64_t>> pool_;
  size_t used_ = 0;
  std::vector<std::vector<int64_t>> ipool_;
  size_t iused_ = 0;
  std::vector<rt::RtValue> keep_; // closed values whose words a mask points to
  std::vector<std::unique_ptr<Frame>> frames_;
  uint64_t version_ = 0;
  using Inverses = std::map<std::pair<int32_t, int32_t>, std::unique_ptr<Inverse>>;
  void sync_version();                 // new caches when the snapshot changed
  std::shared_ptr<Inverses> inverses_; // shared by share_tables; made by sync_version
  uint64_t data_version_ = 0;          // the snapshot's data_version inverses_ belongs to
  std::map<const int64_t*, Runs> runs_;
  Runs scratch_runs_;     // of a scratch row vector: never cached (see runs())
  size_t memo_words_ = 0; // all memoised masks, bounded
};

} // namespace keyplan::engine::vec
