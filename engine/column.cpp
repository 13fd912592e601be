#include "engine/column.hpp"

#include "engine/decider.hpp"
#include "engine/vector_eval.hpp"
#include "engine/vector_plan.hpp"
#include "runtime/bitset.hpp"

#include <cstdlib>
#include <cstring>
#include <fmt/format.h>
#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>
#endif
#include <map>
#include <random>
#include <thread>

namespace keyplan::engine {

namespace {

int default_crosscheck() {
#ifndef NDEBUG
  return 64;
#else
  const char* env = std::getenv("KEYPLAN_CROSSCHECK");
  return env && std::strcmp(env, "1") == 0 ? 64 : 0;
#endif
}

constexpr size_t kParallelRows = 4096; // below this, one thread decides a whole column

} // namespace

namespace {

size_t count_swar(const uint64_t* w, size_t n) {
  size_t c = 0;
  for (size_t i = 0; i < n; ++i) {
    uint64_t x = w[i];
    x = x - ((x >> 1) & 0x5555555555555555ULL);
    x = (x & 0x3333333333333333ULL) + ((x >> 2) & 0x3333333333333333ULL);
    x = (x + (x >> 4)) & 0x0f0f0f0f0f0f0f0fULL;
    c += static_cast<size_t>((x * 0x0101010101010101ULL) >> 56);
  }
  return c;
}

#if defined(__x86_64__) && defined(__GNUC__)
// The build targets baseline x86-64 (no popcnt instruction); every CPU we
// run on has it: use it when present.
__attribute__((target("popcnt"))) size_t count_popcnt(const uint64_t* w, size_t n) {
  size_t c = 0;
  for (size_t i = 0; i < n; ++i) c += static_cast<size_t>(__builtin_popcountll(w[i]));
  return c;
}
#define KEYPLAN_POPCNT __attribute__((target("popcnt")))
#else
#define KEYPLAN_POPCNT
#endif

// One pass over both columns: the words of each change and the counts
// (after = before + gained - lost: three counts per word, not four).
#define KEYPLAN_COMPARE_BODY(POP)                                                                  \
  uint64_t nb = 0, ng = 0, nl = 0;                                                                 \
  for (size_t i = 0; i < n; ++i) {                                                                 \
    const uint64_t b = before[i], a = after[i], g = a & ~b, l = b & ~a;                            \
    gained[i] = g;                                                                                 \
    lost[i] = l;                                                                                   \
    nb += POP(b);                                                                                  \
    ng += POP(g);                                                                                  \
    nl += POP(l);                                                                                  \
  }                                                                                                \
  return ColumnChange{nb, nb + ng - nl, ng, nl};

ColumnChange compare_swar(const uint64_t* before, const uint64_t* after, size_t n, uint64_t* gained,
                          uint64_t* lost) {
  auto pop = [](uint64_t x) { return static_cast<uint64_t>(count_swar(&x, 1)); };
  KEYPLAN_COMPARE_BODY(pop)
}

#if defined(__x86_64__) && defined(__GNUC__)
KEYPLAN_POPCNT ColumnChange compare_popcnt(const uint64_t* before, const uint64_t* after, size_t n,
                                           uint64_t* gained, uint64_t* lost) {
  KEYPLAN_COMPARE_BODY(__builtin_popcountll)
}
// With AVX-512 VPOPCNTDQ: 8 words per instruction (the diff compares 10^8
// cells per world of the benchmark); the rest word by word.
__attribute__((target("popcnt,avx512f,avx512vpopcntdq"))) ColumnChange
compare_avx512(const uint64_t* before, const uint64_t* after, size_t n, uint64_t* gained,
               uint64_t* lost) {
  // GCC vector operations, not the and/andnot intrinsics: those read an
  // undefined register that GCC 12 warns about (-Wuninitialized).
  using V = uint64_t __attribute__((vector_size(64)));
  V vb = {}, vg = {}, vl = {};
  size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    V b, a;
    std::memcpy(&b, before + i, sizeof b);
    std::memcpy(&a, after + i, sizeof a);
    const V g = a & ~b, l = b & ~a;
    std::memcpy(gained + i, &g, sizeof g);
    std::memcpy(lost + i, &l, sizeof l);
    vb += reinterpret_cast<V>(_mm512_popcnt_epi64(reinterpret_cast<__m512i>(b)));
    vg += reinterpret_cast<V>(_mm512_popcnt_epi64(reinterpret_cast<__m512i>(g)));
    vl += reinterpret_cast<V>(_mm512_popcnt_epi64(reinterpret_cast<__m512i>(l)));
  }
  ColumnChange rest = compare_popcnt(before + i, after + i, n - i, gained + i, lost + i);
  uint64_t nb = rest.before, ng = rest.gained, nl = rest.lost;
  for (int k = 0; k < 8; ++k) {
    nb += vb[k];
    ng += vg[k];
    nl += vl[k];
  }
  return ColumnChange{nb, nb + ng - nl, ng, nl};
}
const bool kHasVpopcnt =
    __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512vpopcntdq");
#endif

#if defined(__x86_64__) && defined(__GNUC__)
const bool kHasPopcnt = __builtin_cpu_supports("popcnt");
#endif

} // namespace

size_t count_rows(const uint64_t* w, size_t n) {
#if defined(__x86_64__) && defined(__GNUC__)
  if (kHasPopcnt) return count_popcnt(w, n);
#endif
  return count_swar(w, n);
}

ColumnChange compare_columns(const uint64_t* before, const uint64_t* after, size_t n,
                             uint64_t* gained, uint64_t* lost) {
#if defined(__x86_64__) && defined(__GNUC__)
  if (kHasVpopcnt) return compare_avx512(before, after, n, gained, lost);
  if (kHasPopcnt) return compare_popcnt(before, after, n, gained, lost);
#endif
  return compare_swar(before, after, n, gained, lost);
}

size_t count_rows(const std::vector<uint64_t>& column) {
  return count_rows(column.data(), column.size());
}

struct ColumnDecider::Impl {
  const ir::Policy& policy;
  const rt::Snapshot& snapshot;
  const jit::CompiledPolicy* compiled;
  // Made on the first cell-by-cell column: binding the JIT to the snapshot
  // costs milliseconds that a vectorised column never needs.
  std::unique_ptr<Decider> first;
  std::unique_ptr<Decider> second; // the other core's, for cell-by-cell columns
  rt::Interpreter judge;           // cross-checks
  vec::VectorEval vector;
  std::map<std::pair<int32_t, int32_t>, std::unique_ptr<vec::Plan>> plans;
  int crosscheck = default_crosscheck();
  bool vectorise = true;
  uint64_t decided = 0, checked = 0;
  std::mt19937_64 rng{0x6b657970};

  Impl(const ir::Policy& p, const rt::Snapshot& s, const jit::CompiledPolicy* c)
      : policy(p), snapshot(s), compiled(c), judge(p, s), vector(p, s) {}

  std::unique_ptr<Decider> make_decider() const {
    auto d =
        std::make_unique<Decider>(policy, snapshot, compiled ? Kind::Jit : Kind::Interp, compiled);
    d->set_testing_flip(flip);
    return d;
  }
  // Testing aid of engine/decider.hpp, extended to the vectorised path:
  // KEYPLAN_TESTING_FLIP_JIT=1 negates every answer, so the tests can see a
  // command's cross-check turn a wrong column into exit 3. As when made
  // (deciders are lazy).
  bool flip = Decider::testing_flip_from_env();

  vec::Plan& plan(int32_t rule, int32_t open) {
    auto& slot = plans[{rule, open}];
    if (!slot) slot = vec::compile_plan(policy, rule, open);
    return *slot;
  }

  void cell_by_cell(const ColumnQuery& q, int32_t type, size_t n, std::vector<uint64_t>& out);
  void cross_check(const ColumnQuery& q, int32_t type, size_t n, const std::vector<uint64_t>& out);
};

ColumnDecider::ColumnDecider(const ir::Policy& policy, const rt::Snapshot& snapshot,
                             const jit::CompiledPolicy* compiled)
    : impl_(std::make_unique<Impl>(policy, snapshot, compiled)) {}

ColumnDecider::~ColumnDecider() = default;

ColumnPlan ColumnDecider::plan(int32_t rule, int32_t open) const {
  ColumnPlan p;
  const vec::Plan& vp = impl_->plan(rule, open);
  if (vp.vectorised && impl_->vectorise) {
    p.vectorised = true;
    p.how = "vectorised";
    p.detail = vp.shape;
    return p;
  }
  std::string why = vp.vectorised ? "vectorising switched off" : vp.why;
  // As Decider::native: the JIT decides the rules it compiled.
  bool native = rule >= 0 && static_cast<size_t>(rule) < impl_->policy.rules.size() &&
                impl_->compiled && impl_->compiled->compiled(rule);
  p.how = fmt::format("cell by cell ({}): {}", native ? "JIT" : "interpreter", why);
  return p;
}

void ColumnDecider::Impl::cell_by_cell(const ColumnQuery& q, int32_t type, size_t n,
                                       std::vector<uint64_t>& out) {
  auto run = [&](Decider& d, size_t from, size_t to) {
    std::vector<ir::Value> args = q.args;
    for (size_t row = from; row < to; ++row) {
      if (!q.candidates.empty() && !rt::bits::test(q.candidates.data(), row)) continue;
      args[static_cast<size_t>(q.open)] = ir::Value::entity(type, static_cast<int64_t>(row));
      rt::Decision r = d.decide(q.rule, args, q.today, false);
      if (r.allowed && r.error.empty()) rt::bits::set(out.data(), row);
    }
  };
  if (!first) first = make_decider();
  if (n < kParallelRows || std::thread::hardware_concurrency() < 2) {
    run(*first, 0, n);
    return;
  }
  if (!second) second = make_decider();
  size_t half = (n / 2 + 63) / 64 * 64; // a word boundary: the threads write disjoint words
  std::thread other([&] { run(*second, half, n); });
  run(*first, 0, half);
  other.join();
}

void ColumnDecider::Impl::cross_check(const ColumnQuery& q, int32_t type, size_t n,
                                      const std::vector<uint64_t>& out) {
  if (crosscheck <= 0 || n == 0) return;
  const ir::Rule& r = policy.rules[static_cast<size_t>(q.rule)];
  std::vector<ir::Value> args = q.args;
  rt::EvalOptions eo;
  eo.today = q.today;
  size_t want = static_cast<size_t>(crosscheck);
  auto candidate = [&](size_t row) {
    return q.candidates.empty() || rt::bits::test(q.candidates.data(), row);
  };
  auto check = [&](size_t row) {
    args[static_cast<size_t>(q.open)] = ir::Value::entity(type, static_cast<int64_t>(row));
    rt::Decision d = judge.evaluate(q.rule, rt::to_rt_args(snapshot, r, args), eo);
    bool expected = d.allowed && d.error.empty();
    bool got = rt::bits::test(out.data(), row);
    ++checked;
    if (expected == got) return;
    std::string call = r.name + "(";
    for (size_t k = 0; k < args.size(); ++k)
      call += fmt::format("{}{} = {}", k ? ", " : "", r.params[k].name, snapshot.format(args[k]));
    throw ColumnDisagreement(
        fmt::format("internal error: the column engine and the interpreter disagree on {}): "
                    "column {}, interpreter {} (please report it)",
                    call, got ? "allow" : "deny", expected ? "allow" : "deny"));
  };
  if (n <= want) {
    for (size_t row = 0; row < n; ++row)
      if (candidate(row)) check(row);
    return;
  }
  for (size_t done = 0, tries = 0; done < want && tries < 4 * want; ++tries) {
    size_t row = static_cast<size_t>(rng() % n);
    if (!candidate(row)) continue;
    check(row);
    ++done;
  }
}

std::vector<uint64_t> ColumnDecider::decide(const ColumnQuery& q) {
  Impl& m = *impl_;
  const auto& rule = m.policy.rules.at(static_cast<size_t>(q.rule));
  const ir::Param& open = rule.params.at(static_cast<size_t>(q.open));
  ir::TypeId ot = m.policy.types.strip_optional(open.type);
  if (m.policy.types.kind(ot) != ir::TypeKind::Entity)
    throw std::invalid_argument(
        fmt::format("parameter '{}' of {} is not an entity", open.name, rule.signature));
  int32_t type = m.policy.types[ot].ref;
  size_t n = static_cast<size_t>(m.snapshot.count(type));
  std::vector<uint64_t> out;
  m.decided += q.candidates.empty()
                   ? n
                   : count_rows(q.candidates.data(),
                                std::min<size_t>(q.candidates.size(), rt::bits::words_for(n)));
  // Arguments that are not values of their parameters: every cell is an
  // error, a deny (as the interpreter's argument check).
  bool bad = q.args.size() != rule.params.size();
  for (size_t i = 0; i < q.args.size() && !bad; ++i)
    bad = static_cast<int32_t>(i) != q.open && !m.snapshot.has_type(q.args[i], rule.params[i].type);
  if (bad) return std::vector<uint64_t>(rt::bits::words_for(n), 0);
  vec::Plan& plan = m.plan(q.rule, q.open);
  if (plan.vectorised && m.vectorise) {
    std::vector<rt::RtValue> args = rt::to_rt_args(m.snapshot, rule, q.args);
    args[static_cast<size_t>(q.open)] = rt::RtValue::none();
    out = m.vector.run(plan, args, q.today);
    if (m.flip) { // read once, when made: a getenv per column showed in profiles
      for (auto& w : out) w = ~w;
      if (n % 64 && !out.empty()) out.back() &= (uint64_t{1} << (n % 64)) - 1;
    }
    if (!q.candidates.empty())
      for (size_t i = 0; i < out.size(); ++i)
        out[i] &= i < q.candidates.size() ? q.candidates[i] : 0;
  } else {
    out.assign(rt::bits::words_for(n), 0);
    m.cell_by_cell(q, type, n, out);
  }
  m.cross_check(q, type, n, out);
  return out;
}

void ColumnDecider::prepare(int32_t rule, int32_t open) {
  vec::Plan& plan = impl_->plan(rule, open);
  if (plan.vectorised) impl_->vector.prepare(plan);
}

bool ColumnDecider::share_tables(ColumnDecider& other) {
  return impl_->vector.share_tables(other.impl_->vector);
}

void ColumnDecider::set_crosscheck(int cells) {
  impl_->crosscheck = cells;
}
int ColumnDecider::crosscheck() const {
  return impl_->crosscheck;
}
uint64_t ColumnDecider::decided_cells() const {
  return impl_->decided;
}
uint64_t ColumnDecider::crosschecked_cells() const {
  return impl_->checked;
}
void ColumnDecider::set_vectorise(bool on) {
  impl_->vectorise = on;
}

} // namespace keyplan::engine
