// Effective access per user (W-9, W-11, W-12): subject × level, with the
// source of each key and the license caps, decided by the model's rules.
#include "simulator/fm_reports.hpp"

#include "runtime/value_text.hpp"

#include <algorithm>
#include <fmt/format.h>

namespace keyplan::sim {

namespace {

rt::RtValue ent(int32_t type, int32_t row) {
  return FmModel::ent(type, row);
}

std::string join(const std::vector<std::string>& parts, const char* sep = ", ") {
  std::string out;
  for (size_t i = 0; i < parts.size(); ++i) out += (i ? sep : "") + parts[i];
  return out;
}

// Where a key comes from: "default profile end_user", "direct", ...
std::string key_source(FmModel& m, int32_t u, int32_t g) {
  std::vector<std::string> parts;
  int32_t def = m.ref(m.user, u, "default_profile");
  for (int32_t p : m.rows("profiles_granting", {ent(m.user, u), ent(m.group, g)})) {
    if (p == def)
      parts.insert(parts.begin(), "default profile " + m.id(m.profile, p));
    else
      parts.push_back("additional profile " + m.id(m.profile, p));
  }
  auto direct = m.rows("direct_of", {ent(m.user, u)});
  if (std::find(direct.begin(), direct.end(), g) != direct.end()) {
    ir::Value given = m.attr(m.user, u, "direct_groups");
    bool listed = std::any_of(given.elems.begin(), given.elems.end(),
                              [&](const ir::Value& v) { return v.num == g; });
    parts.push_back(listed ? "direct" : "automatic");
  }
  return join(parts, " + ");
}

Table user_table(FmModel& m, int32_t u) {
  rt::RtValue uv = ent(m.user, u);
  Table t;
  t.name = "access_" + m.id(m.user, u);
  std::string additional = m.text(m.user, u, "additional_profiles");
  std::string def = m.text(m.user, u, "default_profile");
  t.title =
      fmt::format("Effective access of {}{}: license {} (needs {}), default profile {}, "
                  "additional profiles {}, navigation menu {}",
                  m.id(m.user, u),
                  m.text(m.user, u, "name").empty() ? "" : " (" + m.text(m.user, u, "name") + ")",
                  m.text(m.user, u, "license"), m.format(m.call("needed_license", {uv})),
                  def.empty() ? "none" : def, additional == "[]" ? "none" : additional,
                  m.format(m.call("navigation_menu", {uv})));
  t.headers = {"Subject", "Kind", "Level", "Sources", "License caps", "In context"};
  std::vector<int32_t> keys = m.rows("keys", {uv});
  std::vector<int32_t> contexts;
  for (int32_t c = 0; c < m.count(m.assignment); ++c)
    if (m.ref(m.assignment, c, "user") == u) contexts.push_back(c);
  for (int32_t s = 0; s < m.count(m.subject); ++s) {
    rt::RtValue sv = ent(m.subject, s);
    std::vector<std::string> sources, caps, in_context;
    for (int32_t g : keys) {
      rt::RtValue gv = ent(m.group, g);
      rt::RtValue grant = m.call("group_level", {gv, sv});
      if (grant.num == 0) continue;
      sources.push_back(
          fmt::format("{} [{}] ({})", m.id(m.group, g), m.format(grant), key_source(m, u, g)));
      rt::RtValue yield = m.call("yield_level", {uv, gv, sv});
      if (yield.num < grant.num)
        caps.push_back(fmt::format(
            "{}: {} -> {} (needs {}, has {})", m.id(m.group, g), m.format(grant), m.format(yield),
            m.text(m.group, g, "min_license"), m.text(m.user, u, "license")));
    }
    for (int32_t c : contexts) {
      int32_t g = m.ref(m.assignment, c, "group");
      rt::RtValue gv = ent(m.group, g);
      // Only subjects that can be asked about within the context (W-9).
      if (!m.test("applies_in", {ent(m.assignment, c), sv})) continue;
      int32_t at = m.ref(m.assignment, c, "context");
      bool holds = m.test("holds_at", {ent(m.assignment, c), ent(m.location, at)});
      rt::RtValue yield = m.call("yield_level", {uv, gv, sv});
      in_context.push_back(fmt::format("{} at {} via {} ({}){}", m.format(yield),
                                       m.id(m.location, at), m.id(m.group, g),
                                       m.id(m.assignment, c), holds ? "" : " [no effect]"));
    }
    if (sources.empty() && in_context.empty()) continue;
    rt::RtValue level = m.call("level", {uv, sv, rt::RtValue::none()});
    t.rows.push_back({m.id(m.subject, s), m.text(m.subject, s, "kind"), m.format(level),
                      join(sources, "; "), join(caps, "; "), join(in_context, "; ")});
  }
  std::vector<std::string> keychain;
  for (int32_t g : keys) keychain.push_back(m.id(m.group, g) + " (" + key_source(m, u, g) + ")");
  t.notes.push_back("keychain (W-11): " + join(keychain));
  if (!m.test("can_use_system", {uv}))
    t.notes.push_back("W-4, W-10: this user cannot use the system (no default profile or no "
                      "directly assigned group): every level is none");
  t.notes.push_back("Level: in general (no context); license caps (W-12) are already applied");
  return t;
}

} // namespace

std::vector<Table> fm_effective_access(FmModel& m, const std::vector<std::string>& users,
                                       std::string* error) {
  std::vector<Table> out;
  if (users.empty()) {
    for (int32_t u = 0; u < m.count(m.user); ++u) out.push_back(user_table(m, u));
    return out;
  }
  for (const auto& id : users) {
    int32_t u = m.snapshot().find(m.user, id);
    if (u < 0) {
      if (error) *error = rt::unknown_instance_message(m.snapshot(), m.user, id); // did-you-mean
      return {};
    }
    out.push_back(user_table(m, u));
  }
  return out;
}

} // namespace keyplan::sim
