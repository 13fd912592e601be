// The C ABI of keyplan.h: a front door like the CLI. It compiles the policy,
// loads the tenant data and decides through engine::Engine: the JIT engine
// for native actions, the interpreter engine (the reference) for the rest
// and for verify mode.
#include "api/keyplan.h"

#include "api/c_api_testing.hpp"
#include "compiler/compile.hpp"
#include "engine/engine.hpp"
#include "runtime/data_loader.hpp"
#include "runtime/request.hpp"

#include <cstdlib>
#include <cstring>
#include <fmt/format.h>
#include <map>
#include <memory>
#include <mutex>

using namespace keyplan;

struct kp_engine {
  std::unique_ptr<CompileResult> compiled;
  std::unique_ptr<rt::Snapshot> snapshot;
  std::unique_ptr<jit::CompiledPolicy> native;
  // Decides native actions with the JIT alone. Lock-free: for a native
  // action whose binding matches the snapshot the Engine only reads (its
  // binding is immutable, jit::Binding), and rebind() after every change
  // keeps it matching.
  std::unique_ptr<engine::Engine> jit;
  // The interpreter (not thread-safe: behind interp_mutex), for actions the
  // JIT does not compile and for verify mode's second opinion.
  mutable std::mutex interp_mutex;
  std::unique_ptr<engine::Engine> interp;
  int64_t today = rt::current_date();
  bool verify = false;     // cross-check every native decision with the interpreter
  bool invert_jit = false; // tests only: a wrong JIT, to see verify mode catch it

  void rebind() {
    const ir::Policy& p = *compiled->policy;
    jit = std::make_unique<engine::Engine>(p, *snapshot, engine::Kind::Jit, native.get());
    interp = std::make_unique<engine::Engine>(p, *snapshot, engine::Kind::Interp, nullptr);
  }
};

namespace {

void set_error(char** error, const std::string& msg) {
  if (!error) return;
  *error = static_cast<char*>(std::malloc(msg.size() + 1));
  if (*error) std::memcpy(*error, msg.c_str(), msg.size() + 1);
}

// The interpreter's answer: 1 allow, 0 deny, -1 with `why` on an error.
int interpret(const kp_engine& e, const rt::ResolvedRequest& req, std::string& why) {
  std::lock_guard<std::mutex> lock(e.interp_mutex);
  rt::Decision d = e.interp->decide(req.rule, req.args, e.today);
  if (!d.error.empty()) {
    why = d.error;
    return -1;
  }
  return d.allowed ? 1 : 0;
}

std::string request_text(const kp_engine& e, const char* action, const rt::ResolvedRequest& req) {
  const ir::Rule& r = e.compiled->policy->rules[static_cast<size_t>(req.rule)];
  std::string s = std::string(action) + "(";
  for (size_t i = 0; i < req.args.size() && i < r.params.size(); ++i)
    s += fmt::format("{}{} = {}", i ? ", " : "", r.params[i].name, e.snapshot->format(req.args[i]));
  return s + ")";
}

// 1 allow, 0 deny, -1 unresolved, -2 the engines disagree (verify mode);
// the reason in `why`.
int decide_one(const kp_engine& e, const char* action, size_t n, const char* const* names,
               const char* const* values, std::string& why) {
  std::map<std::string, std::string> args;
  for (size_t i = 0; i < n; ++i) args[names[i] ? names[i] : ""] = values[i] ? values[i] : "";
  const ir::Policy& p = *e.compiled->policy;
  rt::ResolvedRequest req =
      rt::resolve_request(p, *e.snapshot, action ? action : "", args, e.today);
  if (!req.ok()) {
    why = req.error;
    return -1;
  }
  if (!e.jit->native(req.rule)) return interpret(e, req, why);
  // The JIT's own answer (no cross-check inside the Engine: verify mode
  // below compares, and reports both answers).
  int jit = e.jit->decide(req.rule, req.args, e.today).allowed != e.invert_jit ? 1 : 0;
  if (!e.verify) return jit;
  std::string interp_error;
  int ref = interpret(e, req, interp_error);
  if (ref == jit) return jit;
  why = fmt::format("internal error: the JIT and the interpreter disagree on {}: the JIT says "
                    "{}, the interpreter {}",
                    request_text(e, action, req), jit ? "allow" : "deny",
                    ref < 0 ? "fails (" + interp_error + ")"
                    : ref   ? "allow"
                            : "deny");
  return -2;
}

bool env_verify() {
  const char* v = std::getenv("KEYPLAN_VERIFY");
  return v && *v && std::strcmp(v, "0") != 0;
}

} // namespace

extern "C" {

int kp_abi_version(void) {
  return KEYPLAN_ABI_VERSION;
}

kp_engine* kp_open(const char* policy, const char* const* data_files, size_t n_data_files,
                   char** error) {
  try {
    auto e = std::make_unique<kp_engine>();
    e->compiled = std::make_unique<CompileResult>(compile_policy(policy ? policy : ""));
    if (!e->compiled->policy) {
      set_error(error, e->compiled->diags.render_text(*e->compiled->sources));
      return nullptr;
    }
    e->snapshot = std::make_unique<rt::Snapshot>(*e->compiled->policy);
    Diagnostics diags;
    for (size_t i = 0; i < n_data_files; ++i)
      if (!rt::load_data_file(*e->snapshot, data_files[i], diags, *e->compiled->sources)) {
        set_error(error, diags.render_text(*e->compiled->sources));
        return nullptr;
      }
    std::string jit_error;
    e->native = jit::CompiledPolicy::compile(*e->compiled->policy, &jit_error);
    if (!e->native) {
      set_error(error, "JIT: " + jit_error);
      return nullptr;
    }
    e->verify = env_verify();
    e->rebind();
    return e.release();
  } catch (const std::exception& ex) {
    set_error(error, ex.what());
    return nullptr;
  }
}

void kp_close(kp_engine* engine) {
  delete engine;
}
void kp_free_string(char* s) {
  std::free(s);
}

int kp_load_data(kp_engine* e, const char* yaml_text, char** error) {
  Diagnostics diags;
  if (!rt::load_data(*e->snapshot, yaml_text ? yaml_text : "", "<kp_load_data>", diags,
                     *e->compiled->sources)) {
    set_error(error, diags.render_text(*e->compiled->sources));
    return -1;
  }
  e->rebind();
  return 0;
}

int kp_set_setting(kp_engine* e, const char* name, const char* value, char** error) {
  std::string err;
  if (!e->snapshot->set_setting(name ? name : "", std::string(value ? value : ""), &err)) {
    set_error(error, err);
    return -1;
  }
  e->rebind();
  return 0;
}

int kp_set_today(kp_engine* e, const char* date, char** error) {
  int64_t d = 0;
  if (!date || !ir::parse_date(date, d)) {
    set_error(error, std::string("not a date (YYYY-MM-DD): ") + (date ? date : "(null)"));
    return -1;
  }
  e->today = d;
  return 0;
}

int kp_set_verify(kp_engine* e, int on) {
  int was = e->verify ? 1 : 0;
  e->verify = on != 0;
  return was;
}

int kp_is_native(const kp_engine* e, const char* action) {
  auto rules = e->compiled->policy->find_rules(action ? action : "");
  if (rules.empty()) return 0;
  for (int32_t r : rules)
    if (!e->jit->native(r)) return 0;
  return 1;
}

int kp_decide(const kp_engine* e, const char* action, size_t n_args, const char* const* names,
              const char* const* values, char** error) {
  try {
    std::string why;
    int r = decide_one(*e, action, n_args, names, values, why);
    if (r < 0) set_error(error, why);
    return r;
  } catch (const std::exception& ex) {
    set_error(error, ex.what());
    return -1;
  }
}

int64_t kp_decide_batch(const kp_engine* e, const char* action, size_t n_args,
                        const char* const* names, size_t n, const char* const* values, uint8_t* out,
                        char** error) {
  int64_t allowed = 0;
  int worst = 0; // -1 some request did not resolve, -2 the engines disagreed on one
  std::string first;
  for (size_t i = 0; i < n; ++i) {
    std::string why;
    int r = -1;
    try {
      r = decide_one(*e, action, n_args, names, values + i * n_args, why);
    } catch (const std::exception& ex) {
      why = ex.what();
    }
    out[i] = r == 1 ? 1 : 0;
    allowed += r == 1;
    if (r < worst) { // a disagreement outranks an unresolved request
      worst = r;
      first = why;
    }
  }
  if (worst < 0) {
    set_error(error, first);
    return worst;
  }
  return allowed;
}

} // extern "C"

namespace keyplan::testing {
void invert_jit_decisions(kp_engine* e, bool on) {
  e->invert_jit = on;
}
} // namespace keyplan::testing
