#include "cli/init_templates.hpp"

namespace keyplan::cli {

namespace {

const char* const kDeskPolicy =
    R"(/// The client's desk-booking policy: its groups, locations and settings.
/// The rules stay those of std.desk_booking (docs/desk-booking.md); users
/// come from tenant data (data/tenant.yaml), as from the directory.
import std.desk_booking

alias desk = Object { kind: desk }
alias meeting_room = Object { kind: meeting_room }

Group IT
Group Legal

Building hq {
  Floor ground_floor {
    desk D_01
    /// F-A3: for IT only.
    desk D_02 { groups: [IT] }
    meeting_room lisbon
  }

  /// F-A2: Legal's floor, Legal only.
  Floor legal_floor {
    groups: [Legal]
    desk L_01
  }
}
)";

const char* const kDeskData =
    R"(# The client's users, keyed by entity type (docs/scenarios.md, "Tenant data").
# No one lists ALL: with all_is_everyone = true (the default) ALL holds every
# user anyway (F-G2).
User:
  - {id: anna, name: "Anna Berg", groups: [IT]}
  - {id: ben, name: "Ben Koch", groups: [Legal]}
  - {id: cem, name: "Cem Aydın"}
)";

const char* const kDeskScenario =
    R"(# Who may book what (docs/scenarios.md). Run: keyplan simulate scenarios/booking.yaml
name: "Starter: booking rights"
policy: ../policies/client/main.kp
today: 2026-11-23
data: ../data/tenant.yaml
cases:
  - {action: book, user: anna, object: D_01, expect: allow, note: "F-A3: D_01 keeps the default ALL"}
  - {action: book, user: anna, object: D_02, expect: allow, note: "F-A3: Anna is in IT"}
  - {action: book, user: cem, object: D_02, expect: deny, note: "F-A3: Cem is not in IT", explain: true}
  - {action: book, user: ben, object: L_01, expect: allow, note: "F-A2: Legal's floor"}
  - {action: book, user: anna, object: L_01, expect: deny, note: "F-A2: Anna does not see Legal's floor"}
  - {action: book, user: cem, object: lisbon, expect: allow, note: "F-A3: a meeting room open to all"}
)";

const char* const kFmPolicy =
    R"(/// The client's FM suite policy: active modules, profiles and locations.
/// The rules stay those of std.fm_suite (docs/fm-suite.md); users come from
/// tenant data (data/tenant.yaml).
import std.fm_suite

set active_modules = [buildings_and_areas, requests, reservations]

@implements("W-19")
Profile end_user { description: "End user", system_groups: [create_requests, create_reservations] }

@implements("W-19")
Profile coordinator_profile {
  description: "Reservation coordinator"
  system_groups: [create_requests, create_reservations, reservation_coordinator]
}

// W-17: the requests module's required group must be in a profile.
@implements("W-19")
Profile service_desk_profile {
  description: "Service desk"
  system_groups: [create_requests, service_desk_employee]
}

Building hq {
  Area hq_ground
}
)";

const char* const kFmData =
    R"(# The client's users, keyed by entity type (docs/scenarios.md, "Tenant data").
User:
  - {id: anna, name: "Anna Berg", default_profile: end_user}
  - {id: carl, name: "Carl Meyer", license: full, default_profile: coordinator_profile}
)";

const char* const kFmScenario =
    R"(# Who may do what (docs/scenarios.md). Run: keyplan simulate scenarios/access.yaml
name: "Starter: access"
policy: ../policies/client/main.kp
today: 2026-11-23
data: ../data/tenant.yaml
cases:
  - {action: create, user: anna, subject: reservations, expect: allow, note: "W-19: end users create reservations"}
  - {action: edit, user: anna, subject: reservations, expect: deny, note: "W-19: but do not edit them", explain: true}
  - {action: edit, user: carl, subject: reservations, expect: allow, note: "W-12: a full coordinator edits"}
  - {action: view, user: carl, subject: reservations, expect: allow}
)";

} // namespace

std::vector<StarterFile> starter_files(const std::string& model) {
  if (model == "desk_booking")
    return {{"policies/client/main.kp", kDeskPolicy},
            {"data/tenant.yaml", kDeskData},
            {"scenarios/booking.yaml", kDeskScenario}};
  if (model == "fm_suite")
    return {{"policies/client/main.kp", kFmPolicy},
            {"data/tenant.yaml", kFmData},
            {"scenarios/access.yaml", kFmScenario}};
  return {};
}

} // namespace keyplan::cli
