#include "bench/desk_tenant_gen.hpp"

#include <algorithm>
#include <fmt/format.h>
#include <stdexcept>
#include <vector>

namespace keyplan::sim {

namespace {

// k distinct random groups out of n, sorted.
std::vector<int> pick_groups(SplitMix& rng, int n, int k) {
  std::vector<int> out;
  k = std::min(k, n);
  while (static_cast<int>(out.size()) < k) {
    int g = static_cast<int>(rng.below(static_cast<uint64_t>(n)));
    if (std::find(out.begin(), out.end(), g) == out.end()) out.push_back(g);
  }
  std::sort(out.begin(), out.end());
  return out;
}

void append_groups(std::string& out, const std::vector<int>& gs, bool all) {
  out += '[';
  bool first = true;
  if (all) {
    out += "ALL";
    first = false;
  }
  for (int g : gs) {
    if (!first) out += ", ";
    first = false;
    fmt::format_to(std::back_inserter(out), "g{}", g);
  }
  out += ']';
}

// [ALL] with probability `all_percent`, else 1-3 random groups.
void append_whitelist(std::string& out, SplitMix& rng, int groups, int all_percent) {
  if (groups == 0 || rng.chance(all_percent)) return append_groups(out, {}, true);
  append_groups(out, pick_groups(rng, groups, 1 + static_cast<int>(rng.below(3))), false);
}

} // namespace

std::string desk_user_id(int u) {
  return fmt::format("u{}", u);
}

std::string desk_object_id(const DeskTenantShape& s, int64_t object) {
  int64_t d = object % s.desks, f = (object / s.desks) % s.floors,
          b = object / (int64_t{s.desks} * s.floors);
  return fmt::format("b{}_f{}_d{}", b, f, d);
}

bool desk_tenant_shape_ok(const DeskTenantShape& s, std::string* why) {
  auto fail = [&](std::string text) {
    if (why) *why = std::move(text);
    return false;
  };
  if (s.users < 0 || s.groups < 0 || s.buildings < 0 || s.floors < 0 || s.desks < 0)
    return fail("sizes cannot be negative");
  if (s.users > kMaxDeskUsers)
    return fail(fmt::format("{} users is more than the limit of {}", s.users, kMaxDeskUsers));
  if (s.groups > kMaxDeskGroups)
    return fail(fmt::format("{} groups is more than the limit of {}", s.groups, kMaxDeskGroups));
  // Each factor is below 2^31: the products fit in 128 bits.
  using U = unsigned __int128;
  U buildings = static_cast<U>(s.buildings), floors = buildings * static_cast<U>(s.floors),
    desks = floors * static_cast<U>(s.desks);
  if (buildings > kMaxDeskObjects || floors > kMaxDeskObjects || desks > kMaxDeskObjects)
    return fail(fmt::format("{} buildings x {} floors x {} desks is more than the limit of {} "
                            "buildings, floors and desks each",
                            s.buildings, s.floors, s.desks, kMaxDeskObjects));
  return true;
}

std::string generate_desk_tenant(const DeskTenantShape& s) {
  std::string why;
  if (!desk_tenant_shape_ok(s, &why)) throw std::length_error("tenant too large: " + why);
  SplitMix rng(s.seed);
  std::string out;
  out.reserve(static_cast<size_t>(s.users) * 40 + static_cast<size_t>(s.buildings) *
                                                      static_cast<size_t>(s.floors) *
                                                      static_cast<size_t>(s.desks) * 50);
  fmt::format_to(
      std::back_inserter(out),
      "# keyplan gen --seed {} --users {} --groups {} --buildings {} --floors {} --desks {}\n"
      "# A synthetic desk-booking tenant for std.desk_booking.\n",
      s.seed, s.users, s.groups, s.buildings, s.floors, s.desks);
  if (s.groups > 0) {
    out += "Group:\n";
    for (int g = 0; g < s.groups; ++g)
      fmt::format_to(std::back_inserter(out), "  - {{id: g{}}}\n", g);
  }
  if (s.users > 0) {
    out += "User:\n";
    for (int u = 0; u < s.users; ++u) {
      fmt::format_to(std::back_inserter(out), "  - {{id: u{}, groups: ", u);
      append_groups(out,
                    s.groups ? pick_groups(rng, s.groups, 1 + static_cast<int>(rng.below(4)))
                             : std::vector<int>{},
                    true);
      out += "}\n";
    }
  }
  std::string floors, desks;
  if (s.buildings > 0) out += "Building:\n";
  for (int b = 0; b < s.buildings; ++b) {
    fmt::format_to(std::back_inserter(out), "  - {{id: b{}, groups: ", b);
    append_whitelist(out, rng, s.groups, 60);
    out += "}\n";
    for (int f = 0; f < s.floors; ++f) {
      fmt::format_to(std::back_inserter(floors), "  - {{id: b{}_f{}, building: b{}, groups: ", b, f,
                     b);
      append_whitelist(floors, rng, s.groups, 30);
      if (rng.chance(2)) floors += ", published: false";
      floors += "}\n";
      for (int d = 0; d < s.desks; ++d) {
        fmt::format_to(std::back_inserter(desks),
                       "  - {{id: b{}_f{}_d{}, floor: b{}_f{}, groups: ", b, f, d, b, f);
        append_whitelist(desks, rng, s.groups, 20);
        if (rng.chance(5)) desks += ", status: blocked";
        desks += "}\n";
      }
    }
  }
  if (!floors.empty()) out += "Floor:\n" + floors;
  if (!desks.empty()) out += "Object:\n" + desks;
  return out;
}

} // namespace keyplan::sim
