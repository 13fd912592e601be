// The FM-suite model (policies/std/fm_suite.kp, DOMAIN.md W rules) as the
// reports see it: the entity types it declares and its rules and actions,
// called by name on a snapshot. The reports and checks only iterate and
// format; every decision comes from the policy's rules.
#pragma once

#include "runtime/interpreter.hpp"
#include "runtime/snapshot.hpp"

#include <cstdint>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

namespace keyplan::sim {

class FmModel {
public:
  // nullptr with `error` set when the policy does not contain the model
  // (it must import std.fm_suite or declare the same types and rules).
  static std::unique_ptr<FmModel> open(const ir::Policy& policy, const rt::Snapshot& snapshot,
                                       int64_t today, std::string* error);

  const ir::Policy& policy() const { return policy_; }
  const rt::Snapshot& snapshot() const { return snapshot_; }

  // Entity type indices.
  int32_t user = -1, group = -1, profile = -1, subject = -1, location = -1, assignment = -1,
          module = -1;

  int32_t count(int32_t type) const { return snapshot_.count(type); }
  const std::string& id(int32_t type, int32_t row) const { return snapshot_.id(type, row); }
  static rt::RtValue ent(int32_t type, int32_t row) { return rt::RtValue::entity(type, row); }
  // An attribute of an instance, as an IR value and as the language writes it.
  ir::Value attr(int32_t type, int32_t row, const std::string& name) const;
  std::string text(int32_t type, int32_t row, const std::string& name) const;
  // The row an entity-valued attribute refers to; -1 for none.
  int32_t ref(int32_t type, int32_t row, const std::string& name) const;

  // Rules by name (the overload with args.size() parameters).
  int32_t find(const std::string& rule, size_t arity) const;
  const ir::Rule& rule(int32_t index) const { return policy_.rules[static_cast<size_t>(index)]; }
  rt::RtValue call(const std::string& rule, const std::vector<rt::RtValue>& args);
  bool test(const std::string& rule, const std::vector<rt::RtValue>& args);
  // A rule whose result is a set of entities: the rows, ascending.
  std::vector<int32_t> rows(const std::string& rule, const std::vector<rt::RtValue>& args);
  std::string format(const rt::RtValue& v) const { return rt::rt_format(v, snapshot_); }
  // The setting's current value as the language writes it.
  std::string setting(const std::string& name) const;

private:
  FmModel(const ir::Policy& policy, const rt::Snapshot& snapshot, int64_t today);
  const ir::Policy& policy_;
  const rt::Snapshot& snapshot_;
  rt::Interpreter interp_;
  int64_t today_;
  std::unordered_map<std::string, std::vector<int32_t>> rules_;
};

} // namespace keyplan::sim
