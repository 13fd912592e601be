// The declared AuthZEN mapping (serve/mapping.hpp, docs/serve.md "Writing a
// mapping"): the shipped std.desk_booking mapping loads, and a mapping that
// names what the policy does not have is refused with FILE:LINE:COL.
#include "serve/mapping.hpp"
#include "simulator/runner.hpp"

#include <fstream>
#include <gtest/gtest.h>
#include <sstream>

namespace {

const keyplan::ir::Policy& desk_booking() {
  static keyplan::sim::Tenant t = [] {
    keyplan::sim::Tenant t;
    EXPECT_TRUE(keyplan::sim::load_tenant(t, KEYPLAN_TEST_DATA "/runtime/worked_example.kp", {}));
    return t;
  }();
  return *t.compiled->policy;
}

std::string parse_error(const std::string& text) {
  keyplan::serve::Mapping m;
  std::string error;
  EXPECT_FALSE(keyplan::serve::parse_mapping(text, "m.yaml", desk_booking(), m, error));
  return error;
}

} // namespace

TEST(ServeMapping, ShippedDeskBookingMappingCoversTheEndUserAndRoleActions) {
  std::ifstream in(KEYPLAN_SOURCE_DIR "/policies/std/desk_booking.authzen.yaml");
  std::stringstream ss;
  ss << in.rdbuf();
  keyplan::serve::Mapping m;
  std::string error;
  ASSERT_TRUE(keyplan::serve::parse_mapping(ss.str(), "desk_booking.authzen.yaml", desk_booking(),
                                            m, error))
      << error;
  for (const char* a : {"book", "see", "see_status", "book_for", "manage_bookings", "edit_object",
                        "edit_plan", "grant_role", "admin_area", "global_settings"})
    EXPECT_NE(m.find(a), nullptr) << a;
  const auto* book = m.find("book");
  ASSERT_NE(book, nullptr);
  EXPECT_EQ(book->subject, "user");
  EXPECT_EQ(book->resource, "object");
  ASSERT_EQ(book->params.size(), 1u);
  EXPECT_EQ(book->params[0].param, "on");
  EXPECT_EQ(book->params[0].sources,
            (std::vector<std::string>{"context.date", "resource.properties.date"}));
}

TEST(ServeMapping, UnknownEntityActionParameterOrSourceIsAnErrorWithPosition) {
  EXPECT_EQ(parse_error("types: {user: Person}\nactions: {}\n"),
            "m.yaml:1:15: type 'user': the policy has no entity 'Person'");
  EXPECT_NE(parse_error("types: {user: User}\nactions:\n  fly: {subject: user}\n")
                .find("m.yaml:3:3: the policy has no action 'fly'"),
            std::string::npos);
  EXPECT_NE(parse_error("types: {user: User}\nactions:\n  book: {subject: nobody}\n")
                .find("has no entity parameter 'nobody'"),
            std::string::npos);
  EXPECT_NE(parse_error(
                "types: {user: User}\nactions:\n  book: {subject: user, params: {on: body.date}}\n")
                .find("source 'body.date'"),
            std::string::npos);
  EXPECT_NE(
      parse_error(
          "types: {user: User}\nactions:\n  book: {subject: user, params: {when: context.date}}\n")
          .find("has no parameter 'when'"),
      std::string::npos);
  EXPECT_NE(parse_error("types: [user]\n").find("m.yaml:"), std::string::npos);
  EXPECT_NE(parse_error("types: {a: User, a: User}\nactions: {}\n").find("m.yaml"),
            std::string::npos);
}
