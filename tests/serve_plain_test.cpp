// keyplan serve: the plain evaluation request (serve/plain_evaluation.hpp)
// answers exactly as the general AuthZEN path does, byte for byte, and
// leaves every other request to it (fail closed: an unknown user, desk,
// type or action is the general path's deny with its reason). On the seed
// 002 worked example (DOMAIN.md F-A3: a desk's groups admit its users).
#include "serve/authzen_eval.hpp"
#include "serve/plain_evaluation.hpp"
#include "tests/serve_support.hpp"

#include <rapidcheck.h>

using namespace keyplan;
using namespace keyplan::serve_test;

namespace {

std::shared_ptr<const serve::World> worked_world() {
  std::string error;
  auto w = serve::load_world(worked_example().spec, error);
  EXPECT_TRUE(w) << error;
  return w;
}

// What the general path answers (the body text of POST /access/v1/evaluation).
std::string general(const serve::World& w, const std::string& body) {
  nlohmann::json j = nlohmann::json::parse(body, nullptr, false);
  if (j.is_discarded()) return "400";
  serve::Reply r = serve::evaluation(w, j);
  return r.text.empty() ? std::to_string(r.status) + " " + r.body.dump() : r.text;
}

// What the general path answers a batch.
std::string general_batch(const serve::World& w, const std::string& body) {
  nlohmann::json j = nlohmann::json::parse(body, nullptr, false);
  if (j.is_discarded()) return "400";
  serve::Reply r = serve::evaluations(w, j);
  return r.text.empty() ? std::to_string(r.status) + " " + r.body.dump() : r.text;
}

// What the plain path answers a batch, or "".
std::string plain_batch(const serve::World& w, std::string body) {
  serve::Reply r;
  return serve::answer_plain(w, true, body, r) ? r.text : "";
}

// What the plain path answers, or "" when it leaves the request alone.
std::string plain(const serve::World& w, std::string body) {
  serve::PlainRequest p;
  serve::Outcome o;
  if (!serve::parse_plain(body, p) || !serve::decide_plain(w, p, o)) return "";
  return serve::decision_text(o, w);
}

std::string entity(const std::string& type, const std::string& id) {
  return R"({"type":")" + type + R"(","id":")" + id + R"("})";
}

std::string plain_request(const std::string& user, const std::string& action,
                          const std::string& type, const std::string& id) {
  return R"({"subject":)" + entity("user", user) + R"(,"action":{"name":")" + action +
         R"("},"resource":)" + entity(type, id) + "}";
}

} // namespace

TEST(ServePlain, AllowsAndDeniesAsTheGeneralPath) {
  auto w = worked_world();
  ASSERT_TRUE(w);
  for (const char* user : {"mueller", "schmidt", "weber"})
    for (const char* desk : {"TABLE_1", "TABLE_2", "TABLE_3"}) {
      const std::string body = plain_request(user, "book", "desk", desk);
      const std::string answer = plain(*w, body);
      ASSERT_FALSE(answer.empty()) << body;
      EXPECT_EQ(answer, general(*w, body)) << body;
    }
  // F-A3: TABLE_1 admits IT (Müller), not Legal (Schmidt).
  EXPECT_NE(
      plain(*w, plain_request("mueller", "book", "desk", "TABLE_1")).find("\"decision\":true"),
      std::string::npos);
  EXPECT_NE(plain(*w, plain_request("schmidt", "book", "desk", "TABLE_1")).find("policy_denied"),
            std::string::npos);
  // The overload by resource type, as the general path picks it.
  for (const std::string& body :
       std::vector<std::string>{plain_request("mueller", "see", "floor", "first_floor"),
                                plain_request("mueller", "see", "building", "example_building")})
    EXPECT_EQ(plain(*w, body), general(*w, body)) << body;
}

TEST(ServePlain, LeavesEveryOtherRequestToTheGeneralPath) {
  auto w = worked_world();
  ASSERT_TRUE(w);
  const std::string base = plain_request("mueller", "book", "desk", "TABLE_1");
  ASSERT_FALSE(plain(*w, base).empty());
  for (const std::string& body : std::vector<std::string>{
           plain_request("nobody", "book", "desk", "TABLE_1"),        // unknown subject
           plain_request("mueller", "book", "desk", "TABLE_9"),       // unknown resource
           plain_request("mueller", "teleport", "desk", "TABLE_1"),   // unknown action
           plain_request("mueller", "book", "spaceship", "TABLE_1"),  // unknown type
           plain_request("mueller", "book", "floor", "first_floor"),  // type mismatch
           plain_request("mu\\u0065ller", "book", "desk", "TABLE_1"), // an escape
           base.substr(0, base.size() - 1) + R"(,"context":{}})",     // context
           base.substr(0, base.size() - 1) + "} x",                   // trailing text
           base.substr(0, base.size() - 1),                           // truncated
           R"({"subject":{"type":"user","id":"mueller","properties":{}},"action":{"name":"book"},)"
           R"("resource":{"type":"desk","id":"TABLE_1"}})", // properties
           R"({"subject":{"type":"user","id":"mueller"},"action":{"name":"book"},)"
           R"("subject":{"type":"user","id":"schmidt"}})", // a duplicate member
           R"({"subject":{"type":"user","id":7},"action":{"name":"book"},)"
           R"("resource":{"type":"desk","id":"TABLE_1"}})", // a number id
           std::string("{\"subject\":") + entity("user", "m\xff") +
               R"(,"action":{"name":"book"},"resource":)" + entity("desk", "TABLE_1") + "}",
       })
    EXPECT_EQ(plain(*w, body), "") << body;
}

// Random requests from pools of known and unknown names, shapes and
// spacing: whatever the plain path answers is what the general path
// answers; and it does answer the plain ones that bind.
TEST(ServePlain, RandomRequestsAnswerAsTheGeneralPath) {
  auto w = worked_world();
  ASSERT_TRUE(w);
  int answered = 0, runs = 0;
  bool ok = rc::check([&] {
    // Half of them a plain request that binds (a known user books a known
    // desk); the rest from wide pools of names and shapes.
    const bool binds = *rc::gen::arbitrary<bool>();
    const auto user = binds ? *rc::gen::element<std::string>("mueller", "schmidt", "weber")
                            : *rc::gen::element<std::string>("mueller", "nobody", "");
    const auto action =
        binds ? std::string("book") : *rc::gen::element<std::string>("book", "see", "teleport");
    using Resource = std::pair<std::string, std::string>;
    const std::vector<Resource> desks = {
        {"desk", "TABLE_1"}, {"desk", "TABLE_2"}, {"desk", "TABLE_3"}};
    const std::vector<Resource> any = {
        {"desk", "TABLE_1"},     {"floor", "first_floor"}, {"building", "example_building"},
        {"desk", "first_floor"}, {"user", "mueller"},      {"x", "TABLE_1"},
        {"desk", "none"}};
    const auto [type, id] = *rc::gen::elementOf(binds ? desks : any);
    std::vector<std::string> members = {R"("subject":)" + entity("user", user),
                                        R"("action":{"name":")" + action + R"("})",
                                        R"("resource":)" + entity(type, id)};
    const int extra = binds ? 0 : *rc::gen::inRange(0, 4);
    if (extra == 1) members.push_back(R"("context":{"date":"2026-02-01"})");
    if (extra == 2) members.push_back(R"("context":{})");
    if (extra == 3) members.pop_back();
    const auto order = *rc::gen::inRange(0, 6);
    for (int i = 0; i < order; ++i) std::next_permutation(members.begin(), members.end());
    const std::string space = *rc::gen::element<std::string>("", " ", "\n\t ");
    std::string body = "{" + space;
    for (size_t i = 0; i < members.size(); ++i) body += (i ? "," + space : "") + members[i];
    body += space + "}";
    ++runs;
    const std::string answer = plain(*w, body);
    RC_ASSERT(!(binds && answer.empty())); // a plain request that binds is the plain path's
    if (answer.empty()) return;
    ++answered;
    RC_ASSERT(answer == general(*w, body));
  });
  EXPECT_TRUE(ok);
  // Worth something only if the plain path answers a good share of them.
  EXPECT_GT(answered, runs / 4) << answered << " of " << runs;
}

// Random batches: the request's subject and action as defaults or not,
// items that take them or name their own, the three semantics (and a
// wrong one), a context now and then. Whatever the plain path answers is
// what the general path answers (BatchItemsAnswerAsTheirSingleEvaluations
// ties that to single evaluations).
TEST(ServePlain, RandomBatchesAnswerAsTheGeneralPath) {
  auto w = worked_world();
  ASSERT_TRUE(w);
  int answered = 0, runs = 0;
  bool ok = rc::check([&] {
    const bool binds = *rc::gen::arbitrary<bool>();
    auto user = [&] {
      return binds ? *rc::gen::element<std::string>("mueller", "schmidt", "weber")
                   : *rc::gen::element<std::string>("mueller", "schmidt", "nobody");
    };
    auto desk = [&] {
      return binds ? *rc::gen::element<std::string>("TABLE_1", "TABLE_2", "TABLE_3")
                   : *rc::gen::element<std::string>("TABLE_1", "TABLE_9", "first_floor");
    };
    const std::string book = R"("action":{"name":"book"})";
    const bool top_subject = *rc::gen::arbitrary<bool>(), top_action = *rc::gen::arbitrary<bool>();
    std::vector<std::string> members;
    if (top_subject) members.push_back(R"("subject":)" + entity("user", user()));
    if (top_action) members.push_back(book);
    const int n = *rc::gen::inRange(1, 9);
    std::string items;
    for (int i = 0; i < n; ++i) {
      std::vector<std::string> own = {R"("resource":)" + entity("desk", desk())};
      if (!top_subject || *rc::gen::arbitrary<bool>())
        own.push_back(R"("subject":)" + entity("user", user()));
      if (!top_action || *rc::gen::arbitrary<bool>()) own.push_back(book);
      if (!binds && *rc::gen::inRange(0, 8) == 0) own.push_back(R"("context":{})");
      if (!binds && *rc::gen::inRange(0, 8) == 0) own.erase(own.begin());
      std::string item = "{";
      for (size_t k = 0; k < own.size(); ++k) item += (k ? "," : "") + own[k];
      items += (i ? "," : "") + item + "}";
    }
    members.push_back(R"("evaluations":[)" + items + "]");
    const int semantic = *rc::gen::inRange(0, binds ? 4 : 5);
    const char* names[] = {"execute_all", "deny_on_first_deny", "permit_on_first_permit", "maybe"};
    if (semantic > 0)
      members.push_back(std::string(R"("options":{"evaluations_semantic":")") +
                        names[semantic - 1] + R"("})");
    if (!binds && *rc::gen::inRange(0, 6) == 0) members.push_back(R"("context":{})");
    const auto order = *rc::gen::inRange(0, 4);
    for (int i = 0; i < order; ++i) std::next_permutation(members.begin(), members.end());
    std::string body = "{";
    for (size_t k = 0; k < members.size(); ++k) body += (k ? "," : "") + members[k];
    body += "}";
    ++runs;
    const std::string answer = plain_batch(*w, body);
    RC_ASSERT(!(binds && answer.empty()));
    if (answer.empty()) return;
    ++answered;
    RC_ASSERT(answer == general_batch(*w, body));
  });
  EXPECT_TRUE(ok);
  EXPECT_GT(answered, runs / 4) << answered << " of " << runs;
}

TEST(ServePlain, DecisionTextIsTheDumpOfDecisionJson) {
  auto w = worked_world();
  ASSERT_TRUE(w);
  serve::Outcome allow;
  allow.allowed = true;
  serve::Outcome deny;
  deny.reason_code = "policy_denied";
  deny.reason = "quotes \" and \\ and a newline\n and \xc3\xa9 and invalid \xff";
  for (const serve::Outcome& o : {allow, deny})
    EXPECT_EQ(
        serve::decision_text(o, *w),
        serve::decision_json(o, *w).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
}
