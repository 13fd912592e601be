// The boundary between generated code and the tenant snapshot. Generated
// functions receive a kp_context* and read every piece of tenant data through
// it, so a data edit needs no recompilation and a large tenant produces no
// extra code. Plain C layout: the code generator mirrors these structs.
#pragma once

#include <cstdint>

extern "C" {

// One attribute column (see runtime/snapshot.hpp): scalars for bool, int,
// date, enum and entity attributes (optional none = INT64_MIN); words and a
// stride for set<Entity>/set<Enum> attributes.
struct kp_column {
  const int64_t* scalars;
  const uint64_t* words;
  int64_t stride;     // words per row
  const void* values; // set<string|int|date> columns: the rows' sorted value lists
};

struct kp_arena; // scratch memory for set temporaries, one per thread

struct kp_context {
  const kp_column* columns;            // every attribute of every entity type, flattened
  const int64_t* strides;              // per entity type: words of a bitset over its instances
  const int64_t* setting_scalars;      // per setting: its value when scalar
  const uint64_t* const* setting_bits; // per setting: its bitset when a set (else null)
  const uint64_t* const* const_sets;   // per constant set of the compiled policy
  const uint64_t* const* all_bits;     // per entity type: the set of all its instances
  int64_t today;
  kp_arena* arena;
  const void* snapshot; // for the helpers below
  int64_t instances;    // instances of all types: bounds walks up parent links
};

// Helpers the generated code calls (registered as absolute symbols).
uint64_t* kp_alloc_words(kp_context* ctx, int64_t n); // zeroed, lives until the decision ends
// A loop whose body builds sets releases them after each element: the mark
// is taken before the loop, and released to at the end of every iteration.
int64_t kp_arena_mark(kp_context* ctx);
void kp_arena_release(kp_context* ctx, int64_t mark);
// Sets of strings, ints or dates stay in the snapshot's value lists; the
// generated code handles them by reference through these.
const void* kp_values_row(kp_context* ctx, int64_t column, int64_t row);
int64_t kp_values_count(const void* values);
bool kp_values_has_num(const void* values, int64_t num);
bool kp_values_has_id(kp_context* ctx, const void* values, int64_t type, int64_t row);
}
