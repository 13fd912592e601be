/* keyplan's embedding API: a stable C ABI (opaque handles, plain C types).
 * Load a policy and tenant data, compile it with the JIT, and decide
 * requests by name. Decisions (kp_decide, kp_decide_batch) are thread-safe:
 * any number of threads may decide on one kp_engine at once. Changing the
 * engine (kp_set_setting, kp_set_today, kp_load_data) is not: do it while no
 * decision runs. Every function that can fail takes `char** error`: on
 * failure it stores a message there (free it with kp_free_string) when
 * `error` is not NULL. A request that does not resolve is a deny (fail
 * closed). C++ users: api/embed.hpp wraps this. */
#ifndef KEYPLAN_H
#define KEYPLAN_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define KEYPLAN_ABI_VERSION 1

typedef struct kp_engine kp_engine;

/* The ABI version this library implements (KEYPLAN_ABI_VERSION). */
int kp_abi_version(void);

/* Compiles `policy` (a .kp path or a module name such as std.desk_booking),
 * loads the data files (YAML, docs/scenarios.md) in order and JIT-compiles
 * the actions. NULL on any error. */
kp_engine* kp_open(const char* policy, const char* const* data_files, size_t n_data_files,
                   char** error);
void kp_close(kp_engine* engine);
void kp_free_string(char* s);

/* Merges more tenant data; 0 on success, -1 on error (the engine unchanged). */
int kp_load_data(kp_engine* engine, const char* yaml_text, char** error);
/* Overrides a setting (value as text, e.g. "false" or "[ALL, IT]"). 0 or -1. */
int kp_set_setting(kp_engine* engine, const char* name, const char* value, char** error);
/* The evaluation date, YYYY-MM-DD (default: the current date when opened). 0 or -1. */
int kp_set_today(kp_engine* engine, const char* date, char** error);
/* 1 when the action is JIT-compiled (else the interpreter decides it). */
int kp_is_native(const kp_engine* engine, const char* action);

/* Verify mode, for testing an integration: every decision the JIT makes is
 * made again by the reference interpreter, and a disagreement (a keyplan bug)
 * is never resolved silently: kp_decide returns KP_DISAGREE (a deny) with both
 * answers and the request in *error, kp_decide_batch returns KP_DISAGREE.
 * Decisions then cost an interpreter run each and are serialised. On when the
 * environment variable KEYPLAN_VERIFY is set (and not "0") at kp_open, or
 * with kp_set_verify (like the other changes, while no decision runs).
 * Returns the previous setting (1 on, 0 off). */
#define KP_UNRESOLVED (-1)
#define KP_DISAGREE (-2)
int kp_set_verify(kp_engine* engine, int on);

/* Decides `action` with `n_args` arguments by name (values as text, e.g.
 * user=mueller object=TABLE_1). 1 allow, 0 deny, KP_UNRESOLVED (-1) deny
 * because the request does not resolve (the reason in *error), KP_DISAGREE
 * (-2) deny because, in verify mode, the JIT and the interpreter disagree
 * (the details in *error). */
int kp_decide(const kp_engine* engine, const char* action, size_t n_args, const char* const* names,
              const char* const* values, char** error);

/* Decides n requests of one action: values is row-major, n * n_args strings
 * (request i's argument j at values[i * n_args + j], named names[j]).
 * out[i] = 1 allow, 0 deny. Returns the number of allows, or KP_UNRESOLVED
 * (-1) when some request did not resolve (those are 0 in out; the first
 * reason in *error), or KP_DISAGREE (-2) when, in verify mode, the engines
 * disagreed on some request (those are 0 in out; the first in *error; this
 * outranks -1). */
int64_t kp_decide_batch(const kp_engine* engine, const char* action, size_t n_args,
                        const char* const* names, size_t n, const char* const* values, uint8_t* out,
                        char** error);

#ifdef __cplusplus
}
#endif

#endif /* KEYPLAN_H */
