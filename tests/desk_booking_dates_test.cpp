// Booking dates in the past (docs/desk-booking.md, "Bookings in the past").
// The seeds are silent; every booking product refuses a booking date before
// today, so `book` and `book_for` deny one unless the setting
// allow_past_bookings says otherwise. F-A4's priority window is unaffected.
// Decided on the office of the role tests (tests/roles_fixture.hpp), with
// today = 2026-11-23.
#include "tests/roles_fixture.hpp"

namespace {

bool books(Office& o, const std::string& user, const std::string& object, const std::string& on) {
  return o.may("book", {{"user", user}, {"object", object}, {"on", on}});
}

bool books_for(Office& o, const std::string& actor, const std::string& user,
               const std::string& object, const std::string& on) {
  return o.may("book_for", {{"actor", actor}, {"user", user}, {"object", object}, {"on", on}});
}

} // namespace

TEST(DeskBooking, PastDates_BookRefusesADateBeforeToday) {
  Office o;
  ASSERT_TRUE(o.ok());
  EXPECT_EQ(o.snap->format(o.snap->setting(o.policy().find_setting("allow_past_bookings"))),
            "false");
  EXPECT_TRUE(books(o, "nina", "it_desk", "2026-11-23"));  // today
  EXPECT_TRUE(books(o, "nina", "it_desk", "2026-11-24"));  // tomorrow
  EXPECT_FALSE(books(o, "nina", "it_desk", "2026-11-22")); // yesterday
  EXPECT_FALSE(books(o, "nina", "it_desk", "2025-11-23")); // a year ago
  // Not even inside what would be a priority window (F-A4) of an earlier today.
  o.load("Object:\n  - {id: it_desk, ignore_groups_within: 30}\n");
  EXPECT_FALSE(books(o, "hanna", "it_desk", "2026-11-22"));
  EXPECT_TRUE(books(o, "hanna", "it_desk", "2026-11-23"));
}

TEST(DeskBooking, PastDates_BookForRefusesADateBeforeTodayForEveryRole) {
  // F-R1..F-R5: whoever books on behalf of whom, never in the past.
  Office o;
  ASSERT_TRUE(o.ok());
  struct Case {
    const char* actor;
    const char* user;
    const char* object;
  };
  for (const Case& c : {Case{"nina", "nina", "it_desk"}, Case{"gustav", "nina", "it_desk"},
                        Case{"lotte", "leo", "m1_desk"}, Case{"luis", "hanna", "hr_desk"},
                        Case{"adam", "leo", "it_desk"}, Case{"sofia", "hanna", "m2_desk"}}) {
    EXPECT_TRUE(books_for(o, c.actor, c.user, c.object, "2026-11-23")) << c.actor;
    EXPECT_FALSE(books_for(o, c.actor, c.user, c.object, "2026-11-22")) << c.actor;
  }
}

TEST(DeskBooking, PastDates_AllowPastBookingsAcceptsThem) {
  Office o;
  ASSERT_TRUE(o.ok());
  o.set("allow_past_bookings", "true");
  EXPECT_TRUE(books(o, "nina", "it_desk", "2026-11-22"));
  EXPECT_TRUE(books_for(o, "adam", "leo", "it_desk", "2026-11-22"));
  EXPECT_TRUE(books_for(o, "gustav", "nina", "it_desk", "2026-11-22"));
  // Everything else still applies.
  EXPECT_FALSE(books(o, "leo", "it_desk", "2026-11-22"));
  EXPECT_FALSE(books(o, "nina", "blocked_it_desk", "2026-11-22"));
  EXPECT_FALSE(books_for(o, "gustav", "hanna", "it_desk", "2026-11-22"));
}

TEST(DeskBooking, PastDates_TheReasonNamesTheDateAndToday) {
  Office o;
  ASSERT_TRUE(o.ok());
  rt::EvalOptions eo;
  eo.today = day(kToday);
  eo.explain = true;
  for (const char* action : {"book", "book_for"}) {
    std::map<std::string, std::string> args = {
        {"user", "nina"}, {"object", "it_desk"}, {"on", "2026-11-20"}};
    if (std::string(action) == "book_for") args["actor"] = "nina";
    auto d = rt::decide(o.policy(), *o.snap, action, args, eo);
    ASSERT_TRUE(d.error.empty()) << d.error;
    EXPECT_FALSE(d.allowed) << action;
    ASSERT_TRUE(d.explanation) << action;
    bool named = false;
    for (const auto& r : d.explanation->reasons)
      named = named || (r.change.find("on >= today") != std::string::npos &&
                        r.change.find("2026-11-20") != std::string::npos &&
                        r.change.find("2026-11-23") != std::string::npos);
    EXPECT_TRUE(named) << action;
  }
}
