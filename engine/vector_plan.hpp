// An action compiled a second way: vectorised over one open entity parameter
// (docs/architecture.md, "Set-at-a-time evaluation"). Every sub-expression
// that does not depend on the open parameter stays "closed" and is evaluated
// once per column by the interpreter; every one that does becomes a per-row
// value over the open type's instances:
//   Mask    a bool per row (a bitset, 64 rows per word)
//   Ent     an entity per row (the open variable itself, or an attribute
//           path from it: a gathered row vector)
//   Scalar  an int/date/enum/bool attribute per row (through a path)
//   SetRow  a set attribute per row (set<Entity>/set<Enum>), possibly
//           united with a closed set; read through inverse indexes
// Calls to rules that pass a per-row value are inlined (bounded depth).
// Anything else makes the whole action fall back to deciding cell by cell;
// the plan says which construct and where.
#pragma once

#include "compiler/ir.hpp"
#include "runtime/rt_value.hpp"

#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

namespace keyplan::engine::vec {

enum class Kind : uint8_t { Closed, Mask, Ent, Scalar, SetRow };

struct Node {
  Kind kind = Kind::Closed;
  ir::Op op = ir::Op::Const;
  const ir::Expr* e = nullptr; // Closed: evaluated by the interpreter in the frame
  std::vector<Node*> kids;
  // The value depends on the open row only (no closed variable, no today,
  // no call): computed once per snapshot version and cached.
  bool invariant = false;
  // A row's value may be none (an attribute read through an optional).
  bool maybe_none = false;
  int32_t slot = -1;      // Var: the frame slot; Any/All: the bound slot
  int32_t type = -1;      // Ent: entity type; SetRow: the column's entity type
  int32_t attr = -1;      // Attr: the attribute index (of `type` of kids[0])
  ir::TypeId vtype = 0;   // Scalar: the value's type (optional stripped)
  int32_t callee = -1;    // Call: the rule
  int32_t frame_size = 0; // Call: the callee's frame
  Node* body = nullptr;   // Call: the callee's body, compiled for these arguments
  bool memo = false;      // Call: memoise its mask per closed arguments
  // In: 1 = `x.id in S` (kids: x, S closed), 2 = `c in x.list` with a
  // list-valued attribute (set<string>, set<int>, ...; kids: c, x).
  // Any/All: 3 = over a per-row set, with a body that does not depend on
  // the row (kids: the set, the body).
  int8_t in_form = 0;
  size_t id = 0; // index in Plan::nodes

  // Evaluation state (engine/vector_eval.cpp), valid for one snapshot
  // version: an invariant node's value, a memoised call's masks.
  struct Cache {
    bool valid = false;
    int8_t c = 0;               // Mask: 0 all false, 1 all true, 2 `bits`
    std::vector<uint64_t> bits; // Mask
    std::vector<uint64_t> none; // Scalar (Attr): rows whose value is none
    std::vector<int64_t> rows;  // Ent / Scalar (Attr): entity or value per row
    // The cached value's pointers (into the vectors above, another node's
    // cache, or the snapshot's columns) and closed part.
    const int64_t *rows_ptr = nullptr, *vals_ptr = nullptr;
    const uint64_t* none_ptr = nullptr;
    int32_t type = -1, attr = -1;
    rt::RtValue closed;
  } cache;
  struct MemoEntry {
    int8_t c = 0;
    std::vector<uint64_t> bits;
  };
  std::unordered_map<std::string, MemoEntry> memo_map;
  uint64_t memo_lookups = 0, memo_hits = 0;
};

struct Plan {
  int32_t rule = -1, open = -1;
  int32_t open_type = -1; // the entity type of the open parameter
  bool vectorised = false;
  std::string why;   // the fallback reason (empty when vectorised)
  std::string shape; // e.g. "41 nodes, 7 inlined calls, inverse indexes: User.groups"
  Node* root = nullptr;
  int32_t frame_size = 0;
  std::deque<Node> nodes;
  uint64_t version = 0; // the snapshot version the node caches belong to
};

// Compiles action `rule` over its parameter `open`. Never throws: a
// construct it cannot vectorise gives a plan with vectorised == false and
// `why` naming it (e.g. "string comparison on object.name").
std::unique_ptr<Plan> compile_plan(const ir::Policy& policy, int32_t rule, int32_t open);

} // namespace keyplan::engine::vec
