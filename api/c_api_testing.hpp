// Fault injection for the tests of the C ABI's verify mode: no correct JIT
// disagrees with the interpreter, so a test makes one that does.
#pragma once

struct kp_engine;

namespace keyplan::testing {
// Inverts every native (JIT) decision of the engine, before verify mode
// compares it with the interpreter.
void invert_jit_decisions(kp_engine* engine, bool on);
} // namespace keyplan::testing
