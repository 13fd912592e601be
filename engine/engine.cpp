#include "engine/engine.hpp"

#include "runtime/bitset.hpp"

#include <fmt/format.h>
#include <thread>

namespace keyplan::engine {

namespace {

// Below this many requests one thread decides a batch (a second decider
// binds the JIT to the snapshot first, which costs more than it saves).
constexpr size_t kParallelBatch = 8192;

int32_t entity_of(const ir::Policy& policy, const ir::Rule& rule, int32_t param) {
  return policy.types[rule.params.at(static_cast<size_t>(param)).type].ref;
}

} // namespace

Engine::Engine(const ir::Policy& policy, const rt::Snapshot& snapshot, Kind kind,
               const jit::CompiledPolicy* compiled)
    : policy_(policy), snapshot_(snapshot), kind_(kind),
      compiled_(kind == Kind::Jit ? compiled : nullptr), vectorise_(kind == Kind::Jit) {}

Engine::~Engine() = default;

bool Engine::native(int32_t rule) const {
  // As Decider::native (compiled_ is null unless Kind::Jit).
  return compiled_ && compiled_->compiled(rule);
}

Decider& Engine::first() {
  if (!one_) {
    one_ = std::make_unique<Decider>(policy_, snapshot_, kind_, compiled_);
    one_->set_testing_flip(flip_);
  }
  return *one_;
}

rt::Decision Engine::decide(int32_t rule, const std::vector<ir::Value>& args, int64_t today,
                            bool* disagreement) {
  return first().decide(rule, args, today, false, disagreement);
}

std::vector<rt::Decision> Engine::decide_batch(const std::vector<Request>& requests,
                                               bool* disagreement) {
  std::vector<rt::Decision> out(requests.size());
  bool differ[2] = {false, false};
  auto run = [&](Decider& d, size_t from, size_t to, bool& any) {
    for (size_t i = from; i < to; ++i) {
      bool one = false;
      out[i] = d.decide(requests[i].rule, requests[i].args, requests[i].today, false,
                        disagreement ? &one : nullptr);
      any = any || one;
    }
  };
  if (requests.size() < kParallelBatch || std::thread::hardware_concurrency() < 2) {
    run(first(), 0, requests.size(), differ[0]);
  } else {
    // Each thread its own decider (interpreter state, JIT binding); both
    // only read the policy and the snapshot.
    if (!second_) {
      second_ = std::make_unique<Decider>(policy_, snapshot_, kind_, compiled_);
      second_->set_testing_flip(flip_);
    }
    const size_t half = requests.size() / 2;
    std::thread other([&] { run(*second_, half, requests.size(), differ[1]); });
    run(first(), 0, half, differ[0]);
    other.join();
  }
  if (disagreement) *disagreement = differ[0] || differ[1];
  return out;
}

rt::Decision Engine::explain(int32_t rule, const std::vector<ir::Value>& args, int64_t today,
                             bool* disagreement) {
  return first().decide(rule, args, today, true, disagreement);
}

Decider& Engine::interpreter() {
  if (kind_ == Kind::Interp) return first();
  if (!interp_) interp_ = std::make_unique<Decider>(policy_, snapshot_, Kind::Interp, nullptr);
  return *interp_;
}

rt::Decision Engine::reference(int32_t rule, const std::vector<ir::Value>& args, int64_t today) {
  return interpreter().decide(rule, args, today, false);
}

ColumnDecider& Engine::columns() {
  if (!cols_) {
    cols_ = std::make_unique<ColumnDecider>(policy_, snapshot_, compiled_);
    cols_->set_vectorise(vectorise_);
    if (crosscheck_ >= 0) cols_->set_crosscheck(crosscheck_);
  }
  return *cols_;
}

ColumnPlan Engine::plan(int32_t rule, int32_t open) {
  return columns().plan(rule, open);
}

void Engine::prepare(int32_t rule, int32_t open) {
  columns().prepare(rule, open);
}

std::vector<uint64_t> Engine::decide_column(const ColumnQuery& query) {
  return columns().decide(query);
}

MatrixBits Engine::decide_matrix(const MatrixQuery& q,
                                 const std::function<void(size_t)>& progress) {
  MatrixBits m;
  const ir::Rule& rule = policy_.rules.at(static_cast<size_t>(q.rule));
  m.row_type = entity_of(policy_, rule, q.row_param);
  m.col_type = entity_of(policy_, rule, q.col_param);
  m.rows = static_cast<size_t>(snapshot_.count(m.row_type));
  m.cols = static_cast<size_t>(snapshot_.count(m.col_type));
  m.stride = rt::bits::words_for(m.cols);
  m.bits.assign(m.rows * m.stride, 0);
  // Open the parameter the engine vectorises; the columns when both (or
  // neither) are, so that no transposition is needed.
  ColumnPlan by_cols = plan(q.rule, q.col_param);
  ColumnPlan by_rows = plan(q.rule, q.row_param);
  const bool open_rows = !by_cols.vectorised && by_rows.vectorised;
  const ColumnPlan& used = open_rows ? by_rows : by_cols;
  m.plan = fmt::format("{} open: {}",
                       rule.params[static_cast<size_t>(open_rows ? q.row_param : q.col_param)].name,
                       used.how);
  ColumnQuery cq;
  cq.rule = q.rule;
  cq.open = open_rows ? q.row_param : q.col_param;
  cq.args = q.args;
  cq.today = q.today;
  const int32_t fixed = open_rows ? q.col_param : q.row_param;
  const int32_t fixed_type = open_rows ? m.col_type : m.row_type;
  const size_t n_fixed = open_rows ? m.cols : m.rows;
  const size_t n_open = open_rows ? m.rows : m.cols;
  const uint32_t open_words = rt::bits::words_for(n_open);
  for (size_t i = 0; i < n_fixed; ++i) {
    cq.args[static_cast<size_t>(fixed)] = ir::Value::entity(fixed_type, static_cast<int64_t>(i));
    std::vector<uint64_t> col = decide_column(cq);
    col.resize(open_words, 0);
    if (n_open % 64 && open_words) col[open_words - 1] &= (uint64_t{1} << (n_open % 64)) - 1;
    if (!open_rows) {
      std::copy(col.begin(), col.end(), m.bits.begin() + static_cast<ptrdiff_t>(i * m.stride));
    } else {
      // Column i of the matrix: one bit per allowed row.
      for (int64_t r = rt::bits::next(col.data(), open_words, 0); r >= 0;
           r = rt::bits::next(col.data(), open_words, static_cast<size_t>(r) + 1))
        rt::bits::set(m.bits.data() + static_cast<size_t>(r) * m.stride, i);
    }
    if (progress) progress(i + 1);
  }
  return m;
}

bool Engine::share_tables(Engine& other) {
  return columns().share_tables(other.columns());
}

void Engine::set_crosscheck(int cells_per_column) {
  crosscheck_ = cells_per_column;
  if (cols_) cols_->set_crosscheck(cells_per_column);
}

uint64_t Engine::decided_cells() {
  return cols_ ? cols_->decided_cells() : 0;
}

uint64_t Engine::crosschecked_cells() {
  return cols_ ? cols_->crosschecked_cells() : 0;
}

void Engine::set_vectorise(bool on) {
  vectorise_ = on;
  if (cols_) cols_->set_vectorise(on);
}

} // namespace keyplan::engine
