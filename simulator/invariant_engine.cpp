#include "simulator/invariant_engine.hpp"

#include "compiler/codegen/jit.hpp"
#include "runtime/interpreter.hpp"

#include <cstdlib>
#include <cstring>

#include <vector>

namespace keyplan::sim {

namespace {

bool scalar_type(const ir::TypeTable& tt, ir::TypeId t) {
  switch (tt.kind(tt.strip_optional(t))) {
  case ir::TypeKind::Bool:
  case ir::TypeKind::Int:
  case ir::TypeKind::Date:
  case ir::TypeKind::Enum:
  case ir::TypeKind::Entity:
    return true;
  default:
    return false;
  }
}

class InterpEngine final : public InvariantEngine {
public:
  InterpEngine(const ir::Policy& policy, const rt::Snapshot& snapshot)
      : policy_(policy), interp_(policy, snapshot) {}
  const char* name() const override { return "interp"; }

  bool prepare(int32_t index) override {
    inv_ = &policy_.invariants[static_cast<size_t>(index)];
    if (!scalar_binders(policy_, *inv_)) return false;
    frame_.assign(static_cast<size_t>(std::max<int32_t>(inv_->frame_size, 1)), rt::RtValue{});
    kinds_.clear();
    refs_.clear();
    for (const auto& v : inv_->vars) {
      const ir::Type& t = policy_.types[policy_.types.strip_optional(v.type)];
      rt::RtKind k = rt::RtKind::Int;
      switch (t.kind) {
      case ir::TypeKind::Bool:
        k = rt::RtKind::Bool;
        break;
      case ir::TypeKind::Date:
        k = rt::RtKind::Date;
        break;
      case ir::TypeKind::Enum:
        k = rt::RtKind::Enum;
        break;
      case ir::TypeKind::Entity:
        k = rt::RtKind::Entity;
        break;
      default:
        break;
      }
      kinds_.push_back(k);
      refs_.push_back(t.ref);
    }
    return true;
  }

  bool holds(const int64_t* vars, int64_t today) override {
    for (size_t i = 0; i < kinds_.size(); ++i) {
      rt::RtValue& slot = frame_[i];
      slot.keep.reset();
      slot.ptr = nullptr;
      slot.elem_enum = false;
      if (vars[i] == rt::kNone) {
        slot.kind = rt::RtKind::None;
        slot.ref = -1;
        slot.num = 0;
      } else {
        slot.kind = kinds_[i];
        slot.ref = refs_[i];
        slot.num = vars[i];
      }
    }
    return interp_.eval(*inv_->body, frame_, today).truth();
  }

private:
  const ir::Policy& policy_;
  rt::Interpreter interp_;
  const ir::Invariant* inv_ = nullptr;
  std::vector<rt::RtValue> frame_;
  std::vector<rt::RtKind> kinds_;
  std::vector<int32_t> refs_;
};

ir::ExprPtr clone_or_null(const ir::ExprPtr& e) {
  return e ? ir::clone(*e) : nullptr;
}

std::vector<ir::Param> clone_params(const std::vector<ir::Param>& ps) {
  std::vector<ir::Param> out;
  for (const auto& p : ps) out.push_back({p.name, p.type, clone_or_null(p.default_value), p.span});
  return out;
}

// A copy of the policy whose rules end with one action per invariant
// (`__invariant_<i>(binders) = body`); entities and settings are unchanged,
// so a snapshot of the original policy binds to it.
std::unique_ptr<ir::Policy> with_invariant_actions(const ir::Policy& p) {
  auto out = std::make_unique<ir::Policy>();
  out->sources = p.sources;
  out->types = p.types;
  out->modules = p.modules;
  out->enums = p.enums;
  out->entities = p.entities;
  out->settings = p.settings;
  for (const auto& r : p.rules) {
    ir::Rule c;
    c.name = r.name;
    c.is_action = r.is_action;
    c.params = clone_params(r.params);
    c.result = r.result;
    c.body = clone_or_null(r.body);
    c.frame_size = r.frame_size;
    c.implements = r.implements;
    c.doc = r.doc;
    c.span = r.span;
    c.module = r.module;
    c.signature = r.signature;
    out->rules.push_back(std::move(c));
  }
  for (size_t i = 0; i < p.invariants.size(); ++i) {
    const ir::Invariant& inv = p.invariants[i];
    ir::Rule c;
    c.name = "__invariant_" + std::to_string(i);
    c.is_action = true;
    c.params = clone_params(inv.vars);
    c.result = ir::TypeTable::kBool;
    c.body = ir::clone(*inv.body);
    c.frame_size = inv.frame_size;
    c.span = inv.span;
    c.module = inv.module;
    c.signature = c.name;
    out->rules.push_back(std::move(c));
  }
  return out;
}

class JitEngine final : public InvariantEngine {
public:
  JitEngine(std::shared_ptr<const JitInvariants> compiled, const rt::Snapshot& snapshot)
      : compiled_(std::move(compiled)), binding_(compiled_->native(), snapshot) {
    // The testing aid of engine/decider.hpp: a JIT that is wrong on
    // purpose, so that the tests see a disagreement fail `keyplan test`.
    const char* flip = std::getenv("KEYPLAN_TESTING_FLIP_JIT");
    flip_ = flip && std::strcmp(flip, "1") == 0;
  }
  const char* name() const override { return "jit"; }
  bool prepare(int32_t index) override {
    rule_ = compiled_->rule_of(index);
    return compiled_->compiled(index);
  }
  bool holds(const int64_t* vars, int64_t today) override {
    return binding_.decide(rule_, vars, today) != flip_;
  }

private:
  std::shared_ptr<const JitInvariants> compiled_;
  jit::Binding binding_;
  int32_t rule_ = -1;
  bool flip_ = false;
};

} // namespace

bool scalar_binders(const ir::Policy& policy, const ir::Invariant& inv) {
  for (const auto& v : inv.vars)
    if (!scalar_type(policy.types, v.type)) return false;
  return true;
}

std::unique_ptr<InvariantEngine> make_interp_engine(const ir::Policy& policy,
                                                    const rt::Snapshot& snapshot) {
  return std::make_unique<InterpEngine>(policy, snapshot);
}

JitInvariants::JitInvariants(const ir::Policy& policy) : policy_(policy) {}
JitInvariants::~JitInvariants() = default;

std::shared_ptr<const JitInvariants> JitInvariants::compile(const ir::Policy& policy,
                                                            std::string* error) {
  std::shared_ptr<JitInvariants> out(new JitInvariants(policy));
  out->aug_ = with_invariant_actions(policy);
  out->first_ = static_cast<int32_t>(policy.rules.size());
  out->native_ = jit::CompiledPolicy::compile(*out->aug_, error);
  if (!out->native_) return nullptr;
  // Every invariant is checked, so generate all their code now (and the
  // reported compile time includes it).
  for (size_t i = 0; i < policy.invariants.size(); ++i)
    out->native_->compiled(out->rule_of(static_cast<int32_t>(i)));
  return out;
}

bool JitInvariants::compiled(int32_t index) const {
  return scalar_binders(policy_, policy_.invariants[static_cast<size_t>(index)]) &&
         native_->compiled(rule_of(index));
}

std::unique_ptr<InvariantEngine> JitInvariants::bind(const rt::Snapshot& snapshot) const {
  return std::make_unique<JitEngine>(shared_from_this(), snapshot);
}

std::unique_ptr<InvariantEngine> make_jit_engine(const ir::Policy& policy,
                                                 const rt::Snapshot& snapshot, std::string* error) {
  auto compiled = JitInvariants::compile(policy, error);
  return compiled ? compiled->bind(snapshot) : nullptr;
}

} // namespace keyplan::sim
