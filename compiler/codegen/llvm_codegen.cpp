// Lowers the checked IR to LLVM IR and compiles it with ORC LLJIT. The only
// file that includes LLVM headers (they are slow to compile).
//
// Value representation in generated code: bool = i1; int, date, enum
// ordinal, entity row = i64; optional enums and entities too (none =
// INT64_MIN; optional ints and dates stay interpreted); a set of
// entities or enum members = ptr to bitset words (the word count comes from
// kp_context::strides for entities, and is a policy constant for enums).
#include "compiler/codegen/jit.hpp"
#include "runtime/rt_value.hpp"

#include <llvm/ExecutionEngine/Orc/ExecutionUtils.h>
#include <llvm/ExecutionEngine/Orc/JITTargetMachineBuilder.h>
#include <llvm/ExecutionEngine/Orc/LLJIT.h>
#include <llvm/ExecutionEngine/Orc/ThreadSafeModule.h>
#include <llvm/IR/IRBuilder.h>
#include <llvm/IR/Intrinsics.h>
#include <llvm/IR/LLVMContext.h>
#include <llvm/IR/Module.h>
#include <llvm/IR/Verifier.h>
#include <llvm/Passes/PassBuilder.h>
#include <llvm/Support/TargetSelect.h>
#include <llvm/Support/raw_ostream.h>

#include <atomic>
#include <chrono>
#include <fmt/format.h>
#include <functional>
#include <map>
#include <mutex>

namespace keyplan::jit {

using ir::Op;
using ir::TypeKind;

struct CompiledPolicy::Impl {
  std::unique_ptr<llvm::orc::LLJIT> jit;
  std::unique_ptr<llvm::TargetMachine> tm;
  std::mutex mutex; // guards code generation
  std::unique_ptr<std::atomic<Entry>[]> entries;
  std::vector<bool> failed;
  double codegen_ms = 0;
  std::string last_error;
  Entry generate(const ir::Policy& policy, int32_t action, const std::vector<ConstSet>& consts,
                 const std::vector<int32_t>& column_base);
};

namespace {

enum class Rep { Bool, Scalar, Bits, Values, None };
constexpr int64_t kNoneValue = INT64_MIN;

Rep rep_of(const ir::Policy& p, ir::TypeId t) {
  const auto& types = p.types;
  switch (types.kind(t)) {
  case TypeKind::Bool:
    return Rep::Bool;
  case TypeKind::Int:
  case TypeKind::Date:
  case TypeKind::Enum:
  case TypeKind::Entity:
    return Rep::Scalar;
  case TypeKind::Optional: {
    // none is INT64_MIN in native code: safe for enum ordinals and entity
    // rows (never negative), not for ints and dates, where INT64_MIN is a
    // value (1 + 9223372036854775807 wraps to it). Those stay interpreted.
    TypeKind k = types.kind(types[t].elem);
    return k == TypeKind::Enum || k == TypeKind::Entity ? Rep::Scalar : Rep::None;
  }
  case TypeKind::Set: {
    TypeKind k = types.kind(types[t].elem);
    if (k == TypeKind::Entity || k == TypeKind::Enum) return Rep::Bits;
    return k == TypeKind::String || k == TypeKind::Int || k == TypeKind::Date ? Rep::Values
                                                                              : Rep::None;
  }
  default:
    return Rep::None;
  }
}

// Why an expression cannot be compiled ("" when it can).
std::string unsupported(const ir::Policy& p, const ir::Expr& e,
                        const std::vector<std::string>& rule_reasons) {
  // Value-list sets (set<string|int|date>) compile only as attributes read
  // by `count` and `in` (membership of an int, a date or an instance's id).
  auto values_attr = [&](const ir::Expr& x) {
    return rep_of(p, x.type) == Rep::Values && x.op == Op::Attr &&
           !p.types.is_optional(x.kids[0]->type);
  };
  if (e.op == Op::Count && values_attr(*e.kids[0]))
    return unsupported(p, *e.kids[0]->kids[0], rule_reasons);
  if (e.op == Op::In && values_attr(*e.kids[1])) {
    const ir::Expr& x = *e.kids[0];
    std::string r = unsupported(p, *e.kids[1]->kids[0], rule_reasons);
    if (!r.empty()) return r;
    if (x.op == Op::Id && !p.types.is_optional(x.kids[0]->type))
      return unsupported(p, *x.kids[0], rule_reasons);
    if (!p.types.is_optional(x.type) && rep_of(p, x.type) == Rep::Scalar)
      return unsupported(p, x, rule_reasons);
    return "membership of this value in a set of strings";
  }
  if (rep_of(p, e.type) == Rep::None || rep_of(p, e.type) == Rep::Values)
    return fmt::format("values of type {}", p.type_name(e.type));
  if (e.op == Op::Id) return "instance ids as strings";
  if (e.op == Op::Call && !rule_reasons[static_cast<size_t>(e.index)].empty())
    return fmt::format("it calls {}", p.rules[static_cast<size_t>(e.index)].name);
  for (const auto& k : e.kids)
    if (auto r = unsupported(p, *k, rule_reasons); !r.empty()) return r;
  return {};
}

class Gen {
public:
  Gen(const ir::Policy& p, llvm::LLVMContext& c, llvm::Module& m,
      const std::vector<CompiledPolicy::ConstSet>& consts, const std::vector<int32_t>& column_base)
      : P(p), C(c), M(m), B(c), consts_(consts), column_base_(column_base) {
    ptr_ = llvm::PointerType::get(C, 0);
    i64_ = llvm::Type::getInt64Ty(C);
    i1_ = llvm::Type::getInt1Ty(C);
    ctx_ty_ = llvm::StructType::create(
        C, {ptr_, ptr_, ptr_, ptr_, ptr_, ptr_, i64_, ptr_, ptr_, i64_}, "kp_context");
    col_ty_ = llvm::StructType::create(C, {ptr_, ptr_, i64_, ptr_}, "kp_column");
    alloc_ = llvm::Function::Create(llvm::FunctionType::get(ptr_, {ptr_, i64_}, false),
                                    llvm::Function::ExternalLinkage, "kp_alloc_words", M);
    mark_ = llvm::Function::Create(llvm::FunctionType::get(i64_, {ptr_}, false),
                                   llvm::Function::ExternalLinkage, "kp_arena_mark", M);
    release_ = llvm::Function::Create(
        llvm::FunctionType::get(llvm::Type::getVoidTy(C), {ptr_, i64_}, false),
        llvm::Function::ExternalLinkage, "kp_arena_release", M);
    values_row_ = llvm::Function::Create(llvm::FunctionType::get(ptr_, {ptr_, i64_, i64_}, false),
                                         llvm::Function::ExternalLinkage, "kp_values_row", M);
    values_count_ = llvm::Function::Create(llvm::FunctionType::get(i64_, {ptr_}, false),
                                           llvm::Function::ExternalLinkage, "kp_values_count", M);
    values_has_num_ =
        llvm::Function::Create(llvm::FunctionType::get(i1_, {ptr_, i64_}, false),
                               llvm::Function::ExternalLinkage, "kp_values_has_num", M);
    values_has_id_ =
        llvm::Function::Create(llvm::FunctionType::get(i1_, {ptr_, ptr_, i64_, i64_}, false),
                               llvm::Function::ExternalLinkage, "kp_values_has_id", M);
  }

  llvm::Type* type(ir::TypeId t) {
    switch (rep_of(P, t)) {
    case Rep::Bool:
      return i1_;
    case Rep::Scalar:
      return i64_;
    default:
      return ptr_;
    }
  }

  llvm::Function* declare_rule(int32_t index) {
    const ir::Rule& r = P.rules[static_cast<size_t>(index)];
    std::vector<llvm::Type*> params{ptr_};
    for (const auto& prm : r.params) params.push_back(type(prm.type));
    auto* fn = llvm::Function::Create(llvm::FunctionType::get(type(r.result), params, false),
                                      llvm::Function::InternalLinkage,
                                      fmt::format("rule{}_{}", index, r.name), M);
    fns_[index] = fn;
    return fn;
  }

  void define_rule(int32_t index) {
    const ir::Rule& r = P.rules[static_cast<size_t>(index)];
    llvm::Function* fn = fns_[index];
    fn_ = fn;
    B.SetInsertPoint(llvm::BasicBlock::Create(C, "entry", fn));
    ctx_ = fn->getArg(0);
    slots_.assign(static_cast<size_t>(std::max<int32_t>(r.frame_size, 1)), nullptr);
    for (size_t i = 0; i < r.params.size(); ++i)
      slots_[i] = fn->getArg(static_cast<unsigned>(i + 1));
    B.CreateRet(gen(*r.body));
  }

  // int64_t entry(kp_context*, const int64_t* args)
  llvm::Function* define_entry(int32_t index, const std::string& name) {
    const ir::Rule& r = P.rules[static_cast<size_t>(index)];
    auto* fn = llvm::Function::Create(llvm::FunctionType::get(i64_, {ptr_, ptr_}, false),
                                      llvm::Function::ExternalLinkage, name, M);
    B.SetInsertPoint(llvm::BasicBlock::Create(C, "entry", fn));
    std::vector<llvm::Value*> args{fn->getArg(0)};
    for (size_t i = 0; i < r.params.size(); ++i) {
      llvm::Value* raw = B.CreateLoad(i64_, B.CreateConstGEP1_64(i64_, fn->getArg(1), i));
      args.push_back(rep_of(P, r.params[i].type) == Rep::Bool ? B.CreateICmpNE(raw, B.getInt64(0))
                                                              : raw);
    }
    llvm::Value* res = B.CreateCall(fns_[index], args);
    B.CreateRet(B.CreateZExt(res, i64_));
    return fn;
  }

  std::map<int32_t, llvm::Function*> fns_;

private:
  // --- context access
  llvm::Value* ctx_field(unsigned i, llvm::Type* t) {
    return B.CreateLoad(t, B.CreateStructGEP(ctx_ty_, ctx_, i));
  }
  llvm::Value* load_ptr_at(llvm::Value* base, llvm::Value* idx) {
    return B.CreateLoad(ptr_, B.CreateGEP(ptr_, base, idx));
  }
  llvm::Value* column_field(int32_t col, unsigned field, llvm::Type* t) {
    llvm::Value* cols = ctx_field(0, ptr_);
    llvm::Value* c = B.CreateConstGEP1_64(col_ty_, cols, static_cast<uint64_t>(col));
    return B.CreateLoad(t, B.CreateStructGEP(col_ty_, c, field));
  }
  // Words of a bitset of this set type.
  llvm::Value* nwords(ir::TypeId set_type) {
    ir::TypeId elem = P.types[set_type].elem;
    const auto& et = P.types[elem];
    if (et.kind == TypeKind::Enum)
      return B.getInt64((P.enums[static_cast<size_t>(et.ref)].members.size() + 63) / 64);
    llvm::Value* strides = ctx_field(1, ptr_);
    return B.CreateLoad(i64_, B.CreateConstGEP1_64(i64_, strides, static_cast<uint64_t>(et.ref)));
  }
  llvm::Value* none() { return B.getInt64(static_cast<uint64_t>(kNoneValue)); }
  llvm::BasicBlock* block(const char* name) { return llvm::BasicBlock::Create(C, name, fn_); }

  int32_t const_set(const ir::Expr& e) {
    for (size_t i = 0; i < consts_.size(); ++i)
      if (consts_[i].type == e.type && consts_[i].value == e.constant)
        return static_cast<int32_t>(i);
    return 0; // unreachable: compile() numbers every constant set first
  }

  // for each set bit of `words` (n words): body(elem) gives "continue?".
  // Returns i1: true when the body stopped the loop. The words are walked by
  // for_each_word; inside a word, the set bits by cttz and w &= w - 1.
  llvm::Value* for_each_bit(llvm::Value* words, llvm::Value* n,
                            const std::function<llvm::Value*(llvm::Value*)>& body) {
    return for_each_word(n, [&](llvm::Value* i) -> llvm::Value* {
      llvm::BasicBlock* pre = B.GetInsertBlock();
      llvm::Value* w0 = word_at(words, i);
      auto* cond = block("bits.cond");
      auto* bit_body = block("bits.bit");
      auto* next = block("bits.next");
      auto* exit = block("bits.exit");
      B.CreateBr(cond);
      B.SetInsertPoint(cond);
      auto* w = B.CreatePHI(i64_, 2);
      w->addIncoming(w0, pre);
      B.CreateCondBr(B.CreateICmpNE(w, B.getInt64(0)), bit_body, exit);
      B.SetInsertPoint(bit_body);
      llvm::Value* bit = B.CreateBinaryIntrinsic(llvm::Intrinsic::cttz, w, B.getTrue());
      llvm::Value* cont = body(B.CreateAdd(B.CreateShl(i, 6), bit));
      llvm::BasicBlock* body_end = B.GetInsertBlock();
      B.CreateCondBr(cont, next, exit);
      B.SetInsertPoint(next);
      w->addIncoming(B.CreateAnd(w, B.CreateSub(w, B.getInt64(1))), next);
      B.CreateBr(cond);
      B.SetInsertPoint(exit);
      auto* go_on = B.CreatePHI(i1_, 2); // the word is done, or the body stopped
      go_on->addIncoming(B.getTrue(), cond);
      go_on->addIncoming(B.getFalse(), body_end);
      return go_on;
    });
  }

  // for i in [0, n): body(i) gives "continue?"; true when stopped.
  llvm::Value* for_each_word(llvm::Value* n,
                             const std::function<llvm::Value*(llvm::Value*)>& body) {
    llvm::BasicBlock* pre = B.GetInsertBlock();
    auto* cond = block("words.cond");
    auto* bodyb = block("words.body");
    auto* next = block("words.next");
    auto* done = block("words.done");
    auto* stopped = block("words.stopped");
    auto* exit = block("words.exit");
    B.CreateBr(cond);
    B.SetInsertPoint(cond);
    auto* i = B.CreatePHI(i64_, 2);
    i->addIncoming(B.getInt64(0), pre);
    B.CreateCondBr(B.CreateICmpSLT(i, n), bodyb, done);
    B.SetInsertPoint(bodyb);
    llvm::Value* cont = body(i);
    B.CreateCondBr(cont, next, stopped);
    B.SetInsertPoint(next);
    i->addIncoming(B.CreateAdd(i, B.getInt64(1)), next);
    B.CreateBr(cond);
    B.SetInsertPoint(done);
    B.CreateBr(exit);
    B.SetInsertPoint(stopped);
    B.CreateBr(exit);
    B.SetInsertPoint(exit);
    auto* r = B.CreatePHI(i1_, 2);
    r->addIncoming(B.getFalse(), done);
    r->addIncoming(B.getTrue(), stopped);
    return r;
  }

  llvm::Value* word_at(llvm::Value* words, llvm::Value* i) {
    return B.CreateLoad(i64_, B.CreateGEP(i64_, words, i));
  }

  llvm::Value* test_bit(llvm::Value* words, llvm::Value* elem) {
    llvm::Value* w = word_at(words, B.CreateLShr(elem, 6));
    llvm::Value* bit = B.CreateAnd(B.CreateLShr(w, B.CreateAnd(elem, 63)), 1);
    return B.CreateICmpNE(bit, B.getInt64(0));
  }
  void set_bit(llvm::Value* words, llvm::Value* elem) {
    llvm::Value* p = B.CreateGEP(i64_, words, B.CreateLShr(elem, 6));
    llvm::Value* w = B.CreateLoad(i64_, p);
    B.CreateStore(B.CreateOr(w, B.CreateShl(B.getInt64(1), B.CreateAnd(elem, 63))), p);
  }
  llvm::Value* alloc(llvm::Value* n) { return B.CreateCall(alloc_, {ctx_, n}); }

  // Whether evaluating e takes memory from the arena (builds a set), here or
  // in a rule it calls.
  bool allocates(const ir::Expr& e) {
    switch (e.op) {
    case Op::Union:
    case Op::Intersect:
    case Op::Except:
    case Op::SetOf:
    case Op::Map:
    case Op::Filter:
      return true;
    case Op::Call: {
      size_t r = static_cast<size_t>(e.index);
      if (rule_allocates_.size() < P.rules.size()) rule_allocates_.assign(P.rules.size(), -1);
      if (rule_allocates_[r] < 0) {
        const ir::Expr* body = P.rules[r].body.get();
        rule_allocates_[r] = body && allocates(*body) ? 1 : 0;
      }
      if (rule_allocates_[r]) return true;
      break;
    }
    default:
      break;
    }
    for (const auto& k : e.kids)
      if (allocates(*k)) return true;
    return false;
  }

  // if (cond) then-value else else-value, evaluated lazily.
  llvm::Value* branch(llvm::Value* cond, llvm::Type* t, const std::function<llvm::Value*()>& then_v,
                      const std::function<llvm::Value*()>& else_v) {
    auto* tb = block("then");
    auto* eb = block("else");
    auto* jb = block("join");
    B.CreateCondBr(cond, tb, eb);
    B.SetInsertPoint(tb);
    llvm::Value* tv = then_v();
    llvm::BasicBlock* tend = B.GetInsertBlock();
    B.CreateBr(jb);
    B.SetInsertPoint(eb);
    llvm::Value* ev = else_v();
    llvm::BasicBlock* eend = B.GetInsertBlock();
    B.CreateBr(jb);
    B.SetInsertPoint(jb);
    auto* phi = B.CreatePHI(t, 2);
    phi->addIncoming(tv, tend);
    phi->addIncoming(ev, eend);
    return phi;
  }

  llvm::Value* gen(const ir::Expr& e);
  llvm::Value* gen_attr(const ir::Expr& e);
  llvm::Value* gen_binder(const ir::Expr& e);
  llvm::Value* gen_within(const ir::Expr& e);
  llvm::Value* meets_with(const ir::Expr& a, llvm::Value* b, ir::TypeId set_type, int depth);
  llvm::Value* gen_set_op(const ir::Expr& e);

  const ir::Policy& P;
  llvm::LLVMContext& C;
  llvm::Module& M;
  llvm::IRBuilder<> B;
  const std::vector<CompiledPolicy::ConstSet>& consts_;
  const std::vector<int32_t>& column_base_;
  llvm::PointerType* ptr_;
  llvm::Type *i64_, *i1_;
  llvm::StructType *ctx_ty_, *col_ty_;
  llvm::Function *alloc_, *mark_, *release_, *values_row_, *values_count_, *values_has_num_,
      *values_has_id_;
  llvm::Function* fn_ = nullptr;
  llvm::Value* ctx_ = nullptr;
  std::vector<llvm::Value*> slots_;
  std::vector<int8_t> rule_allocates_; // per rule: -1 unknown, 0 no, 1 yes
};

#include "compiler/codegen/llvm_codegen_exprs.inc"

} // namespace

#include "compiler/codegen/llvm_codegen_driver.inc"

} // namespace keyplan::jit
