// A synthetic desk-booking tenant for std.desk_booking (keyplan gen, keyplan
// bench): users in random groups, buildings of floors of desks with random
// whitelists. The default shape is the one the issue fixes (other engines
// are compared on it): keep it.
#pragma once

#include <cstdint>
#include <string>

namespace keyplan::sim {

struct DeskTenantShape {
  uint64_t seed = 1;
  int users = 10000;
  int groups = 200;
  int buildings = 10;
  int floors = 10; // per building
  int desks = 100; // per floor
};

// The largest tenant generate_desk_tenant writes: beyond these the YAML
// alone takes gigabytes (about 60 bytes per user and per desk) and loading
// it far more, so `keyplan gen` and `keyplan bench` refuse instead of
// running out of memory (docs/cli.md).
constexpr int64_t kMaxDeskUsers = 5'000'000;
constexpr int64_t kMaxDeskGroups = 100'000;
constexpr int64_t kMaxDeskObjects = 5'000'000; // buildings, floors and desks in all

// True when `shape` is within the limits above (sizes not negative); else
// false with `why` naming the limit.
bool desk_tenant_shape_ok(const DeskTenantShape& shape, std::string* why);

// The tenant as YAML data (docs/scenarios.md, "Tenant data"). Deterministic
// per shape and seed, on every platform (own PRNG and distributions).
// Ids: groups g0.., users u0.., buildings b0.., floors b0_f0.., desks
// b0_f0_d0..; every user lists ALL and 1-4 random groups; a whitelist is
// [ALL] with probability 60% (building), 30% (floor), 20% (desk), else 1-3
// random groups; 2% of floors are unpublished, 5% of desks blocked.
// Throws std::length_error (the message of desk_tenant_shape_ok) for a shape
// beyond the limits.
std::string generate_desk_tenant(const DeskTenantShape& shape);

// The ids generate_desk_tenant uses.
std::string desk_user_id(int u);
std::string desk_object_id(const DeskTenantShape& shape, int64_t object);

// splitmix64: a small, portable PRNG.
struct SplitMix {
  uint64_t state;
  explicit SplitMix(uint64_t seed) : state(seed) {}
  uint64_t next() {
    uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }
  // Uniform in [0, n) (n > 0), without modulo bias worth caring about here.
  uint64_t below(uint64_t n) {
    return static_cast<uint64_t>((static_cast<unsigned __int128>(next()) * n) >> 64);
  }
  // True with probability percent/100.
  bool chance(int percent) { return below(100) < static_cast<uint64_t>(percent); }
};

} // namespace keyplan::sim
