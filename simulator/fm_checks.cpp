#include "simulator/fm_checks.hpp"

#include <fmt/format.h>
#include <functional>

namespace keyplan::sim {

namespace {

using Args = std::vector<rt::RtValue>;
int32_t row(const rt::RtValue& v) {
  return static_cast<int32_t>(v.num);
}

// "'rita' (limited)": an instance id with one of its attributes.
std::string id_of(FmModel& m, int32_t type, const rt::RtValue& v) {
  return "'" + m.id(type, row(v)) + "'";
}

std::string module_of(FmModel& m, const rt::RtValue& g) {
  std::string mod = m.text(m.group, row(g), "module");
  return mod.empty() ? "none" : "'" + mod + "'";
}

// How a user holds a group: via which profiles, or directly.
std::string sources(FmModel& m, const rt::RtValue& u, const rt::RtValue& g) {
  std::vector<std::string> parts;
  int32_t def = m.ref(m.user, row(u), "default_profile");
  for (int32_t p : m.rows("profiles_granting", {u, g}))
    parts.push_back(
        fmt::format("{} profile '{}'", p == def ? "default" : "additional", m.id(m.profile, p)));
  for (int32_t d : m.rows("direct_of", {u}))
    if (d == row(g)) parts.push_back("a direct assignment");
  for (int32_t c : m.rows("contexts_granting", {u, g}))
    parts.push_back(fmt::format("contextual assignment '{}' at '{}'", m.id(m.assignment, c),
                                m.text(m.assignment, c, "context")));
  std::string out;
  for (size_t i = 0; i < parts.size(); ++i) out += (i ? " and " : "") + parts[i];
  return out.empty() ? "no assignment" : out;
}

struct CheckSpec {
  const char* action;
  Severity severity;
  std::string (*message)(FmModel&, const Args&);
  const char* hint;
};

const CheckSpec kChecks[] = {
    {"missing_default_profile", Severity::Error,
     [](FmModel& m, const Args& a) {
       return fmt::format("user {} has no default profile", id_of(m, m.user, a[0]));
     },
     "every user needs exactly one default profile; it sets the navigation menu and start board"},
    {"default_also_additional", Severity::Warning,
     [](FmModel& m, const Args& a) {
       return fmt::format("user {} has the default profile '{}' as an additional profile too",
                          id_of(m, m.user, a[0]), m.text(m.user, row(a[0]), "default_profile"));
     },
     "an additional profile only adds its system groups; remove it from additional_profiles"},
    {"no_direct_group", Severity::Error,
     [](FmModel& m, const Args& a) {
       return fmt::format("user {} has no directly assigned system group", id_of(m, m.user, a[0]));
     },
     "every user needs at least one to use the system; give back '9. access' (access_9)"},
    {"access_9_removed", Severity::Warning,
     [](FmModel& m, const Args& a) {
       return fmt::format("user {} lacks the default system group '9. access'",
                          id_of(m, m.user, a[0]));
     },
     "it is given to every user automatically; do not remove it (access_9)"},
    {"inactive_assignment", Severity::Error,
     [](FmModel& m, const Args& a) {
       return fmt::format("user {} is assigned system group {} through {}, but its module {} "
                          "is not active",
                          id_of(m, m.user, a[0]), id_of(m, m.group, a[1]), sources(m, a[0], a[1]),
                          module_of(m, a[1]));
     },
     "a system group can be assigned once its module is activated (setting active_modules)"},
    {"inactive_in_profile", Severity::Error,
     [](FmModel& m, const Args& a) {
       return fmt::format("profile {} contains system group {}, but its module {} is not active",
                          id_of(m, m.profile, a[0]), id_of(m, m.group, a[1]), module_of(m, a[1]));
     },
     "a system group can be assigned once its module is activated (setting active_modules)"},
    {"license_exceeded", Severity::Warning,
     [](FmModel& m, const Args& a) {
       return fmt::format("user {} has license {} but system group {} (via {}) needs license {}",
                          id_of(m, m.user, a[0]), m.text(m.user, row(a[0]), "license"),
                          id_of(m, m.group, a[1]), sources(m, a[0], a[1]),
                          m.text(m.group, row(a[1]), "min_license"));
     },
     "the group still yields what the license allows (setting over_license_level); raise the "
     "license or remove the group"},
    {"context_not_allowed", Severity::Error,
     [](FmModel& m, const Args& a) {
       return fmt::format("contextual assignment {} gives user '{}' system group '{}', which "
                          "cannot be given in a context",
                          id_of(m, m.assignment, a[0]), m.text(m.assignment, row(a[0]), "user"),
                          m.text(m.assignment, row(a[0]), "group"));
     },
     "only groups marked contextual (view/edit of buildings, areas, assets) can be"},
    {"context_ignored", Severity::Warning,
     [](FmModel& m, const Args& a) {
       return fmt::format("contextual assignment {} (user '{}', group '{}' at '{}') has no effect: "
                          "contextual access is off",
                          id_of(m, m.assignment, a[0]), m.text(m.assignment, row(a[0]), "user"),
                          m.text(m.assignment, row(a[0]), "group"),
                          m.text(m.assignment, row(a[0]), "context"));
     },
     "turn on the module setting: set contextual_access = true"},
    {"context_never_applies", Severity::Warning,
     [](FmModel& m, const Args& a) {
       int32_t at = m.ref(m.assignment, row(a[0]), "context");
       return fmt::format(
           "contextual assignment {} gives user '{}' system group '{}' at '{}' ({}), "
           "where nothing it grants applies",
           id_of(m, m.assignment, a[0]), m.text(m.assignment, row(a[0]), "user"),
           m.text(m.assignment, row(a[0]), "group"), m.id(m.location, at),
           m.text(m.location, at, "kind"));
     },
     "a subject applies to the kinds of location it lists (location_kinds): give the group on a "
     "building or area that holds such places"},
    {"context_inactive", Severity::Error,
     [](FmModel& m, const Args& a) {
       int32_t g = m.ref(m.assignment, row(a[0]), "group");
       return fmt::format("contextual assignment {} gives system group '{}', but its module {} "
                          "is not active",
                          id_of(m, m.assignment, a[0]), m.id(m.group, g),
                          module_of(m, FmModel::ent(m.group, g)));
     },
     "a system group can be assigned once its module is activated (setting active_modules)"},
    {"admin_outside_baseline", Severity::Warning,
     [](FmModel& m, const Args& a) {
       return fmt::format("profile {} is an administrator profile but not the baseline one",
                          id_of(m, m.profile, a[0]));
     },
     "the baseline administrator profile is the only one with its own start board"},
    {"baseline_edited", Severity::Warning,
     [](FmModel& m, const Args& a) {
       return fmt::format("the baseline profile {} was edited: it lists system groups",
                          id_of(m, m.profile, a[0]));
     },
     "baseline profiles hold every active group and are not edited; make a customer profile"},
    {"redundant_in_profile", Severity::Warning,
     [](FmModel& m, const Args& a) {
       // The model decides redundancy over the whole profile; name a single
       // group that covers it when there is one.
       std::string by;
       for (int32_t h : m.rows("profile_groups", {a[0]}))
         if (by.empty() && m.test("subsumes", {FmModel::ent(m.group, h), a[1]}))
           by = m.id(m.group, h);
       return fmt::format("profile {}: system group {} is redundant, {} at least as much under "
                          "every license",
                          id_of(m, m.profile, a[0]), id_of(m, m.group, a[1]),
                          by.empty() ? "the profile's other groups together yield"
                                     : "'" + by + "' yields");
     },
     "least privilege: give a profile only the groups it needs"},
    {"default_tab_unavailable", Severity::Warning,
     [](FmModel& m, const Args& a) {
       return fmt::format("user {} has default tab '{}' but does not see it among several tabs",
                          id_of(m, m.user, a[0]), m.text(m.user, row(a[0]), "default_tab"));
     },
     "a default tab can be chosen only among two or more visible start-board tabs"},
    {"misplaced_location", Severity::Warning,
     [](FmModel& m, const Args& a) {
       std::string in = m.text(m.location, row(a[0]), "inside");
       return fmt::format("location {} ({}) is {}", id_of(m, m.location, a[0]),
                          m.text(m.location, row(a[0]), "kind"),
                          in.empty() ? "not inside anything" : "inside '" + in + "'");
     },
     "buildings are the top; areas lie in buildings; assets in areas or buildings"},
    {"missing_description", Severity::Warning,
     [](FmModel& m, const Args& a) {
       return fmt::format("system group {} has no description", id_of(m, m.group, a[0]));
     },
     "each system group describes the access it gives"},
    {"required_unassigned", Severity::Warning,
     [](FmModel& m, const Args& a) {
       return fmt::format("required system group {} (module {}) is in no profile",
                          id_of(m, m.group, a[0]), module_of(m, a[0]));
     },
     "once profiles are set up, no required group may be left out, or workflows break"},
};

// Every combination of instances of the action's (entity) parameters.
void each_combination(FmModel& m, const ir::Rule& r, Args& args, size_t i,
                      const std::function<void(const Args&)>& f) {
  if (i == r.params.size()) return f(args);
  const ir::Type& t = m.policy().types[r.params[i].type];
  if (t.kind != ir::TypeKind::Entity) return; // checks take entities only
  for (int32_t row = 0; row < m.count(t.ref); ++row) {
    args[i] = FmModel::ent(t.ref, row);
    each_combination(m, r, args, i + 1, f);
  }
}

const char* severity_name(Severity s) {
  return s == Severity::Error ? "error" : s == Severity::Warning ? "warning" : "note";
}

} // namespace

std::vector<FmFinding> run_fm_checks(FmModel& m, const InstanceLocator& locator) {
  std::vector<FmFinding> out;
  for (const CheckSpec& spec : kChecks) {
    int32_t r = -1;
    for (size_t n = 0; n <= 2 && r < 0; ++n) r = m.find(spec.action, n);
    if (r < 0) continue; // a model without this check
    const ir::Rule& rule = m.rule(r);
    Args args(rule.params.size());
    each_combination(m, rule, args, 0, [&](const Args& a) {
      if (!m.test(spec.action, a)) return;
      FmFinding f;
      f.severity = spec.severity;
      f.check = spec.action;
      f.rules = rule.implements;
      f.subject = m.id(a[0].ref, row(a[0]));
      f.message = spec.message(m, a);
      f.hint = spec.hint;
      f.span = locator.find(m.policy(), a[0].ref, row(a[0]), f.subject);
      out.push_back(std::move(f));
    });
  }
  return out;
}

void add_diagnostics(const std::vector<FmFinding>& findings, Diagnostics& diags) {
  for (const auto& f : findings) {
    std::string ids;
    for (const auto& id : f.rules) ids += (ids.empty() ? "" : ", ") + id;
    std::string hint = ids.empty() ? f.hint : ids + ": " + f.hint;
    if (f.severity == Severity::Error)
      diags.error(f.span, f.message, hint);
    else
      diags.warning(f.span, f.message, hint);
  }
}

Table checks_table(const std::vector<FmFinding>& findings, const SourceManager& sources) {
  Table t;
  t.name = "checks";
  t.title = "FM-suite checks";
  t.headers = {"Severity", "Check", "Rules", "Instance", "Message", "Position"};
  for (const auto& f : findings) {
    std::string ids, pos;
    for (const auto& id : f.rules) ids += (ids.empty() ? "" : ", ") + id;
    if (f.span.valid())
      pos = fmt::format("{}:{}:{}", sources.file(f.span.file).path, f.span.line, f.span.col);
    t.rows.push_back({severity_name(f.severity), f.check, ids, f.subject, f.message, pos});
  }
  int errors = 0, warnings = 0;
  for (const auto& f : findings) (f.severity == Severity::Error ? errors : warnings)++;
  t.notes.push_back(fmt::format("{} error(s), {} warning(s)", errors, warnings));
  return t;
}

} // namespace keyplan::sim
