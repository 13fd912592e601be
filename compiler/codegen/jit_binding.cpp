// Binding a compiled policy to a snapshot: the kp_context tables the
// generated code reads, and the per-thread scratch arena for set temporaries.
#include "compiler/codegen/jit.hpp"
#include "runtime/snapshot.hpp"

#include <cstring>
#include <memory>

struct kp_arena {
  std::vector<std::unique_ptr<uint64_t[]>> chunks;
  std::vector<size_t> sizes;
  size_t chunk = 0, used = 0;
  size_t reserved = 0; // words held by all chunks: the arena's high-water mark

  void reset() {
    chunk = 0;
    used = 0;
  }
  uint64_t* alloc(size_t n) {
    n = n == 0 ? 1 : n;
    while (chunk < chunks.size() && used + n > sizes[chunk]) {
      ++chunk;
      used = 0;
    }
    if (chunk == chunks.size()) {
      size_t size = std::max<size_t>(n, 4096);
      chunks.emplace_back(new uint64_t[size]);
      sizes.push_back(size);
      reserved += size;
      used = 0;
    }
    uint64_t* p = chunks[chunk].get() + used;
    used += n;
    std::memset(p, 0, n * sizeof(uint64_t));
    return p;
  }
  // A position to return to: everything allocated after it is released.
  // Chunk index in the high bits, words used in it in the low 40.
  int64_t mark() const { return static_cast<int64_t>((chunk << 40) | used); }
  void release(int64_t m) {
    chunk = static_cast<size_t>(m) >> 40;
    used = static_cast<size_t>(m) & ((size_t{1} << 40) - 1);
  }
};

namespace {
// One arena per thread: decisions on one Binding may run concurrently.
thread_local kp_arena arena;
} // namespace

extern "C" uint64_t* kp_alloc_words(kp_context* ctx, int64_t n) {
  return ctx->arena->alloc(static_cast<size_t>(n < 0 ? 0 : n));
}

extern "C" int64_t kp_arena_mark(kp_context* ctx) {
  return ctx->arena->mark();
}

extern "C" void kp_arena_release(kp_context* ctx, int64_t mark) {
  ctx->arena->release(mark);
}

using ValueList = std::vector<keyplan::ir::Value>;

extern "C" const void* kp_values_row(kp_context* ctx, int64_t column, int64_t row) {
  auto* rows = static_cast<const std::vector<ValueList>*>(ctx->columns[column].values);
  return &(*rows)[static_cast<size_t>(row)];
}

extern "C" int64_t kp_values_count(const void* values) {
  return static_cast<int64_t>(static_cast<const ValueList*>(values)->size());
}

extern "C" bool kp_values_has_num(const void* values, int64_t num) {
  for (const auto& v : *static_cast<const ValueList*>(values))
    if (v.num == num && v.tag != keyplan::ir::Value::Tag::String) return true;
  return false;
}

extern "C" bool kp_values_has_id(kp_context* ctx, const void* values, int64_t type, int64_t row) {
  auto* snap = static_cast<const keyplan::rt::Snapshot*>(ctx->snapshot);
  const std::string& id = snap->id(static_cast<int32_t>(type), static_cast<int32_t>(row));
  for (const auto& v : *static_cast<const ValueList*>(values))
    if (v.tag == keyplan::ir::Value::Tag::String && v.str == id) return true;
  return false;
}

namespace keyplan::jit {

int64_t to_native(const ir::Value& v) {
  return v.tag == ir::Value::Tag::None ? rt::kNone : v.num;
}

namespace {
size_t words_for(size_t n) {
  return (n + 63) / 64;
}
} // namespace

Binding::Binding(const CompiledPolicy& cp, const rt::Snapshot& snap)
    : cp_(cp), version_(snap.version()) {
  const ir::Policy& p = cp.policy();
  auto elem_size = [&](ir::TypeId set_type) -> size_t {
    return snap.domain_size(p.types[set_type].elem);
  };
  // A set value as a bitset sized for this snapshot.
  auto bits_of = [&](const ir::Value& v, ir::TypeId set_type) -> const uint64_t* {
    std::vector<uint64_t> w(std::max<size_t>(1, words_for(elem_size(set_type))), 0);
    for (const auto& e : v.elems)
      if (e.num >= 0 && static_cast<size_t>(e.num) < elem_size(set_type))
        w[static_cast<size_t>(e.num) / 64] |= uint64_t{1} << (e.num % 64);
    owned_.push_back(std::move(w));
    return owned_.back().data();
  };
  owned_.reserve(p.settings.size() + cp.const_sets().size() + p.entities.size());

  for (size_t t = 0; t < p.entities.size(); ++t) {
    const rt::EntityTable& table = snap.table(static_cast<int32_t>(t));
    strides_.push_back(static_cast<int64_t>(words_for(static_cast<size_t>(table.count()))));
    for (const rt::Column& c : table.columns)
      columns_.push_back({c.scalars.empty() ? nullptr : c.scalars.data(),
                          c.words.empty() ? nullptr : c.words.data(),
                          static_cast<int64_t>(c.stride), &c.values});
    std::vector<uint64_t> all(std::max<size_t>(1, words_for(static_cast<size_t>(table.count()))),
                              0);
    for (int32_t r = 0; r < table.count(); ++r)
      all[static_cast<size_t>(r) / 64] |= uint64_t{1} << (r % 64);
    owned_.push_back(std::move(all));
    all_bits_.push_back(owned_.back().data());
    base_.instances += table.count();
  }
  for (size_t s = 0; s < p.settings.size(); ++s) {
    const ir::Value& v = snap.setting(static_cast<int32_t>(s));
    ir::TypeId t = p.settings[s].type;
    bool is_bits = p.types.is_set(t) && (p.types.kind(p.types[t].elem) == ir::TypeKind::Entity ||
                                         p.types.kind(p.types[t].elem) == ir::TypeKind::Enum);
    setting_scalars_.push_back(v.tag == ir::Value::Tag::Set ? 0 : to_native(v));
    setting_bits_.push_back(is_bits ? bits_of(v, t) : nullptr);
  }
  for (const auto& c : cp.const_sets()) const_sets_.push_back(bits_of(c.value, c.type));
  base_.columns = columns_.data();
  base_.strides = strides_.data();
  base_.setting_scalars = setting_scalars_.data();
  base_.setting_bits = setting_bits_.data();
  base_.const_sets = const_sets_.data();
  base_.all_bits = all_bits_.data();
  base_.snapshot = &snap;
}

Binding::~Binding() = default;

size_t arena_reserved_bytes() {
  return arena.reserved * sizeof(uint64_t);
}

bool Binding::decide(int32_t rule, const int64_t* args, int64_t today) const {
  arena.reset();
  kp_context ctx = base_;
  ctx.today = today;
  ctx.arena = &arena;
  CompiledPolicy::Entry fn = cp_.entry(rule);
  return fn && fn(&ctx, args) != 0;
}

} // namespace keyplan::jit
