// Rules, actions and invariants: bodies checked callee-first (which orders
// them and finds recursion), unused declarations, and the analyze() driver.
#include "compiler/sema_context.hpp"

#include <algorithm>
#include <fmt/format.h>
#include <functional>

namespace keyplan::sema {

using TT = ir::TypeTable;

void Context::check_default(int32_t index, size_t param) {
  RuleInfo& info = rules[static_cast<size_t>(index)];
  const ast::Decl& d = *info.decl;
  ir::Rule& r = policy.rules[static_cast<size_t>(index)];
  info.default_state.resize(d.params.size(), RuleInfo::Unchecked);
  if (param >= d.params.size() || info.default_state[param] != RuleInfo::Unchecked) return;
  info.default_state[param] = RuleInfo::InProgress;
  const ast::Param& p = d.params[param];
  if (p.default_value && r.params[param].type != TT::kError) {
    checking_.push_back({index, static_cast<int32_t>(param)});
    // Evaluated in an empty frame when a caller omits the parameter; its
    // calls are checked callee-first like a body's, for order and recursion.
    Scope empty;
    empty.in_default = true;
    auto x = check(*p.default_value, empty, r.params[param].type);
    if (x->type != TT::kError && !assignable(x->type, r.params[param].type))
      diags.error(p.default_value->span,
                  fmt::format("the default of '{}' must be '{}'", r.params[param].name,
                              type_name(r.params[param].type)),
                  fmt::format("found '{}'", type_name(x->type)));
    else if (x->type != TT::kError)
      r.params[param].default_value = std::move(x);
    checking_.pop_back();
  }
  info.default_state[param] = RuleInfo::Done;
}

void Context::report_cycle(const Span& at, size_t frame) {
  auto name = [&](const Frame& f) {
    const ir::Rule& r = policy.rules[static_cast<size_t>(f.rule)];
    return f.param < 0 ? r.name
                       : fmt::format("{} (default of {})", r.name,
                                     r.params[static_cast<size_t>(f.param)].name);
  };
  const Frame& first = checking_[frame];
  std::string chain;
  for (size_t i = frame; i < checking_.size(); ++i) chain += name(checking_[i]) + " → ";
  const ir::Rule& r = policy.rules[static_cast<size_t>(first.rule)];
  std::string who = first.param < 0
                        ? fmt::format("'{}'", r.name)
                        : fmt::format("the default of '{}' in '{}'",
                                      r.params[static_cast<size_t>(first.param)].name, r.name);
  diags.error(at, fmt::format("{} calls itself: {}{}", who, chain, name(first)),
              "recursion is not allowed: rules must terminate");
}

void Context::check_rule(int32_t index) {
  RuleInfo& info = rules[static_cast<size_t>(index)];
  if (info.state != RuleInfo::Unchecked) return;
  info.state = RuleInfo::InProgress;
  checking_.push_back({index, -1});
  const ast::Decl& d = *info.decl;
  ir::Rule& r = policy.rules[static_cast<size_t>(index)];

  bool seen_default = false;
  for (const auto& p : d.params) {
    if (p.default_value)
      seen_default = true;
    else if (seen_default)
      diags.error(
          p.name.span,
          fmt::format("parameter '{}' needs a default: it follows one that has one", p.name.text));
  }

  Scope scope;
  scope.current_rule = index;
  for (size_t i = 0; i < r.params.size(); ++i)
    scope.vars.push_back({r.params[i].name, static_cast<int32_t>(i), r.params[i].type,
                          r.params[i].span, false, true});
  scope.next_slot = scope.frame_size = static_cast<int32_t>(r.params.size());
  TypeId declared = d.type && !d.is_action ? r.result : (d.is_action ? TT::kBool : TT::kError);
  auto body = check(*d.value, scope, declared);
  if (declared != TT::kError && body->type != TT::kError && !assignable(body->type, declared)) {
    diags.error(d.value->span, fmt::format("'{}' {} '{}', but its body gives '{}'", r.name,
                                           d.is_action ? "is an action: it returns" : "returns",
                                           type_name(declared), type_name(body->type)));
  }
  if (!d.type && !d.is_action) r.result = body->type;
  for (const auto& v : scope.vars)
    // An action's parameter names are its request contract: not warned.
    if (v.is_param && !v.used && !r.is_action && v.name.rfind('_', 0) != 0)
      diags.warning(v.span, fmt::format("parameter '{}' of '{}' is never used", v.name, r.name),
                    "remove it, or name it with a leading _");
  r.frame_size = scope.frame_size;
  r.body = std::move(body);
  info.state = RuleInfo::Done;
  info.order = next_order_++;
  checking_.pop_back();
}

void Context::check_rules() {
  for (size_t i = 0; i < rules.size(); ++i) {
    if (!rules[i].signature_ok) continue;
    // Defaults too, even those no call uses: a request may omit an action's parameter.
    for (size_t p = 0; p < rules[i].decl->params.size(); ++p)
      check_default(static_cast<int32_t>(i), p);
    check_rule(static_cast<int32_t>(i));
  }
}

void Context::check_invariants(const std::vector<const ast::Decl*>& decls) {
  std::map<std::string, Span> names;
  for (const ast::Decl* d : decls) {
    if (auto it = names.find(d->name.text); it != names.end()) {
      diags.error(d->name.span, fmt::format("invariant \"{}\" is declared twice", d->name.text));
      diags.note(it->second, "first declared here");
      continue;
    }
    names[d->name.text] = d->name.span;
    ir::Invariant inv;
    inv.name = d->name.text;
    inv.span = d->name.span;
    inv.implements = implements_of(d->annotations);
    inv.doc = doc_of(*d);
    for (size_t m = 0; m < policy.modules.size(); ++m)
      if (policy.modules[m].file == d->span.file) inv.module = static_cast<int>(m);
    Scope scope;
    for (const auto& b : d->params) {
      ir::Param p;
      p.name = b.name.text;
      p.type = resolve_type(b.type);
      p.span = b.name.span;
      scope.vars.push_back(
          {p.name, static_cast<int32_t>(inv.vars.size()), p.type, p.span, false, true});
      inv.vars.push_back(std::move(p));
    }
    scope.next_slot = scope.frame_size = static_cast<int32_t>(inv.vars.size());
    auto body = check(*d->value, scope, TT::kBool);
    if (body->type != TT::kBool && body->type != TT::kError)
      diags.error(d->value->span, "an invariant must be a bool statement",
                  fmt::format("found '{}'", type_name(body->type)));
    for (const auto& v : scope.vars)
      if (!v.used && v.name.rfind('_', 0) != 0)
        diags.warning(v.span, fmt::format("'{}' is bound by forall but never used", v.name));
    inv.frame_size = scope.frame_size;
    inv.body = std::move(body);
    policy.invariants.push_back(std::move(inv));
  }
}

void Context::warn_unused() {
  // Rules of the root file that nothing calls: the standard library's helper
  // rules are for clients to use, so only the policy being checked is warned.
  int root = static_cast<int>(policy.modules.size()) - 1;
  for (size_t i = 0; i < rules.size(); ++i) {
    const ir::Rule& r = policy.rules[i];
    if (!r.is_action && rules[i].calls == 0 && rules[i].module == root && r.name.rfind('_', 0) != 0)
      diags.warning(
          r.span, fmt::format("rule '{}' is never used", r.name),
          "no action, rule or invariant calls it; make it an action to expose it as a decision");
  }
}

// Rules are renumbered callee-first, so that an interpreter or a code
// generator can process them in order; Call indices are rewritten to match.
void Context::reorder_rules() {
  std::vector<int32_t> new_index(rules.size());
  std::vector<std::pair<int32_t, size_t>> order;
  for (size_t i = 0; i < rules.size(); ++i) order.emplace_back(rules[i].order, i);
  std::sort(order.begin(), order.end());
  for (size_t k = 0; k < order.size(); ++k) new_index[order[k].second] = static_cast<int32_t>(k);
  std::function<void(ir::Expr&)> remap = [&](ir::Expr& e) {
    if (e.op == ir::Op::Call) e.index = new_index[static_cast<size_t>(e.index)];
    for (auto& k : e.kids) remap(*k);
  };
  std::vector<ir::Rule> sorted(rules.size());
  for (size_t i = 0; i < rules.size(); ++i) {
    ir::Rule& r = policy.rules[i];
    if (r.body) remap(*r.body);
    for (auto& p : r.params)
      if (p.default_value) remap(*p.default_value);
    sorted[static_cast<size_t>(new_index[i])] = std::move(r);
  }
  policy.rules = std::move(sorted);
  for (auto& inv : policy.invariants)
    if (inv.body) remap(*inv.body);
  for (auto& c : policy.checks) {
    if (c.body) remap(*c.body);
    if (c.message) remap(*c.message);
  }
  for (auto& r : policy.reports) r.for_each_expr(remap);
}

// The last line of defence for the interpreter and the JIT, which assume no
// recursion: after sorting, a rule calls only rules before it. And they
// recurse once per level of the IR, calls included: a rule's evaluation
// depth (its body's depth plus, at each call, the callee's) is bounded.
bool Context::verify_call_order() {
  bool ok = true;
  std::vector<size_t> depth_of(policy.rules.size(), 0);
  // The evaluation depth of `root`, or 0 after reporting a call to a later rule.
  auto depth = [&](const ir::Expr& root, size_t self, const std::string& name) -> size_t {
    size_t deepest = 0;
    std::vector<std::pair<const ir::Expr*, size_t>> todo{{&root, 1}};
    while (!todo.empty()) {
      auto [e, level] = todo.back();
      todo.pop_back();
      deepest = std::max(deepest, level);
      if (e->op == ir::Op::Call) {
        auto callee = static_cast<size_t>(e->index);
        if (callee >= self) {
          diags.error(e->span, fmt::format("'{}' calls itself", name),
                      "recursion is not allowed: rules must terminate");
          return 0;
        }
        deepest = std::max(deepest, level + depth_of[callee]);
      }
      for (const auto& k : e->kids) todo.push_back({k.get(), level + 1});
    }
    return deepest;
  };
  auto bounded = [&](size_t d, const Span& span, const std::string& what) {
    if (d <= kMaxEvalDepth) return true;
    diags.error(span, fmt::format("evaluating {} nests {} levels deep", what, d),
                fmt::format("at most {}: expressions and calls within calls; shorten the chain "
                            "of rules calling rules",
                            kMaxEvalDepth));
    return false;
  };
  for (size_t i = 0; i < policy.rules.size() && ok; ++i) {
    const ir::Rule& r = policy.rules[i];
    if (!r.body) continue;
    depth_of[i] = depth(*r.body, i, r.name);
    ok = depth_of[i] > 0 && bounded(depth_of[i], r.span, "'" + r.name + "'");
    // An action's defaults run when a request leaves the parameter out.
    for (const auto& p : r.params)
      if (ok && p.default_value)
        ok = bounded(depth(*p.default_value, policy.rules.size(), r.name), p.span,
                     fmt::format("the default of '{}'", p.name));
  }
  for (const auto& inv : policy.invariants)
    if (ok && inv.body)
      ok = bounded(depth(*inv.body, policy.rules.size(), inv.name), inv.span,
                   fmt::format("invariant \"{}\"", inv.name));
  for (const auto& c : policy.checks)
    if (ok && c.body)
      ok = bounded(depth(*c.body, policy.rules.size(), c.name), c.span,
                   fmt::format("check '{}'", c.name));
  return ok;
}

} // namespace keyplan::sema

namespace keyplan {

std::optional<ir::Policy> analyze(const std::vector<SemaInput>& files,
                                  std::shared_ptr<SourceManager> sources, Diagnostics& diags) {
  sema::Context ctx(std::move(sources), diags);
  ctx.declare(files);
  ctx.resolve_signatures();
  ctx.check_directory();
  ctx.evaluate_constants();
  ctx.check_rules();
  ctx.check_invariants(ctx.invariant_decls);
  ctx.check_checks(ctx.check_decls);
  ctx.apply_allows();
  ctx.check_reports(ctx.report_decls);
  ctx.warn_unused();
  ctx.warn_unused_imports(files);
  if (diags.has_errors()) return std::nullopt;
  ctx.reorder_rules();
  if (!ctx.verify_call_order()) return std::nullopt;
  return std::move(ctx.policy);
}

} // namespace keyplan
