#include "simulator/fm_reports.hpp"

#include <algorithm>
#include <fmt/format.h>

namespace keyplan::sim {

namespace {

rt::RtValue ent(int32_t type, int32_t row) {
  return FmModel::ent(type, row);
}

std::vector<int32_t> select(FmModel& m, int32_t type, const char* action) {
  std::vector<int32_t> out;
  for (int32_t r = 0; r < m.count(type); ++r)
    if (m.test(action, {ent(type, r)})) out.push_back(r);
  return out;
}

std::string join(const std::vector<std::string>& parts, const char* sep = ", ") {
  std::string out;
  for (size_t i = 0; i < parts.size(); ++i) out += (i ? sep : "") + parts[i];
  return out;
}

std::string module_text(FmModel& m, int32_t g) {
  std::string mod = m.text(m.group, g, "module");
  return mod.empty() ? "-" : mod;
}

std::string required_text(FmModel& m, int32_t g) {
  ir::Value v = m.attr(m.group, g, "required");
  return v.num ? "required" : "optional";
}

Table group_list(FmModel& m, const char* name, const std::string& title,
                 const std::vector<int32_t>& groups) {
  Table t;
  t.name = name;
  t.title = title;
  t.headers = {"System group", "Module", "Minimum license", "Description"};
  for (int32_t g : groups)
    t.rows.push_back({m.id(m.group, g), module_text(m, g), m.text(m.group, g, "min_license"),
                      m.text(m.group, g, "description")});
  return t;
}

} // namespace

std::vector<Table> fm_dashboard(FmModel& m, bool* required_missing) {
  std::vector<Table> out;
  Table p;
  p.name = "profiles";
  p.title = "1. Available user profiles (W-14)";
  p.headers = {"Profile",     "Description", "System groups", "Navigation menu",
               "Start board", "Default for", "Additional for"};
  bool any_inactive = false;
  for (int32_t r : select(m, m.profile, "on_dashboard")) {
    std::vector<std::string> def, add;
    for (int32_t u = 0; u < m.count(m.user); ++u) {
      if (m.ref(m.user, u, "default_profile") == r) def.push_back(m.id(m.user, u));
      ir::Value extra = m.attr(m.user, u, "additional_profiles");
      for (const auto& e : extra.elems)
        if (e.num == r) add.push_back(m.id(m.user, u));
    }
    rt::RtValue pv = ent(m.profile, r);
    // W-8: a group whose module is off stays listed, marked: it grants nothing.
    std::vector<std::string> groups;
    for (int32_t g : m.rows("profile_groups", {pv})) {
      bool off = m.test("inactive_in_profile", {pv, ent(m.group, g)});
      groups.push_back(m.id(m.group, g) + (off ? " (inactive)" : ""));
      any_inactive = any_inactive || off;
    }
    p.rows.push_back({m.id(m.profile, r), m.text(m.profile, r, "description"), join(groups),
                      m.format(m.call("profile_menu", {pv})),
                      m.format(m.call("profile_start_board", {pv})), join(def), join(add)});
  }
  if (any_inactive)
    p.notes.push_back("(inactive): the group's module is not active (W-8): it grants nothing "
                      "until the module is activated");
  out.push_back(std::move(p));

  std::vector<int32_t> required = select(m, m.group, "required_unassigned");
  Table req = group_list(m, "required",
                         "2. Required system groups not yet in a profile (W-14, W-17)", required);
  if (required.empty())
    req.notes.push_back("W-17: ok, every required system group is in a profile");
  else
    req.notes.push_back(fmt::format("W-17: {} required system group(s) in no profile: the "
                                    "workflows of their modules break until each is in a profile",
                                    required.size()));
  if (required_missing) *required_missing = !required.empty();
  out.push_back(std::move(req));

  out.push_back(group_list(m, "optional", "3. Optional system groups not yet in a profile (W-14)",
                           select(m, m.group, "optional_unassigned")));

  Table all;
  all.name = "active";
  all.title = "4. All active system groups (W-14)";
  all.headers = {"System group", "Module",   "Minimum license",
                 "Required",     "Profiles", "Description"};
  std::vector<int32_t> profiles = select(m, m.profile, "on_dashboard");
  for (int32_t g : select(m, m.group, "listed")) {
    std::vector<std::string> in;
    for (int32_t r : profiles) {
      auto mem = m.rows("profile_groups", {ent(m.profile, r)});
      if (std::find(mem.begin(), mem.end(), g) != mem.end()) in.push_back(m.id(m.profile, r));
    }
    all.rows.push_back({m.id(m.group, g), module_text(m, g), m.text(m.group, g, "min_license"),
                        required_text(m, g), join(in), m.text(m.group, g, "description")});
  }
  all.notes.push_back("active modules: " + m.setting("active_modules"));
  out.push_back(std::move(all));
  return out;
}

} // namespace keyplan::sim
