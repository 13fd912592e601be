// keyplan serve: the AuthZEN Authorization API 1.0 endpoints over loopback
// HTTP (docs/serve.md), on the seed 002 worked example (DOMAIN.md F-A3:
// a desk's groups admit its users).
#include "tests/serve_support.hpp"

using namespace keyplan::serve_test;

TEST(ServeAuthzen, EvaluationAllowsAndDeniesWithReasonAndPolicyHash) {
  Running s(worked_example());
  auto c = s.client();
  auto r = c.Post("/access/v1/evaluation", request("mueller", "book", "desk", "TABLE_1").dump(),
                  "application/json");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  json j = json::parse(r->body);
  EXPECT_EQ(j["decision"], true);
  EXPECT_EQ(j["context"]["policy_hash"], s.server.world()->hash);
  EXPECT_EQ(r->get_header_value("X-Keyplan-Policy-Hash"), s.server.world()->hash);
  auto [status, deny] =
      s.post("/access/v1/evaluation", request("schmidt", "book", "desk", "TABLE_1"));
  EXPECT_EQ(status, 200);
  EXPECT_EQ(deny["decision"], false);
  EXPECT_EQ(deny["context"]["reason_code"], "policy_denied");
  EXPECT_TRUE(deny["context"]["reason_admin"]["en"].is_string());
}

TEST(ServeAuthzen, UnknownSubjectResourceOrActionIsADenyWithReason) {
  Running s(worked_example());
  auto code = [&](const json& req) {
    auto [status, j] = s.post("/access/v1/evaluation", req);
    EXPECT_EQ(status, 200) << j.dump();
    EXPECT_EQ(j["decision"], false) << j.dump();
    return j["context"]["reason_code"].get<std::string>();
  };
  EXPECT_EQ(code(request("nobody", "book", "desk", "TABLE_1")), "unknown_subject");
  EXPECT_EQ(code(request("mueller", "book", "desk", "TABLE_9")), "unknown_resource");
  EXPECT_EQ(code(request("mueller", "teleport", "desk", "TABLE_1")), "unknown_action");
  EXPECT_EQ(code(request("mueller", "book", "spaceship", "TABLE_1")), "unknown_resource_type");
  // A floor is not what `book` takes: the mapping's types must fit the parameter.
  EXPECT_EQ(code(request("mueller", "book", "floor", "first_floor")), "type_mismatch");
}

TEST(ServeAuthzen, ContextFillsTheDateParameter) {
  Running s(worked_example()); // today is 2026-01-15; past bookings are refused
  auto decide = [&](json ctx) {
    return s.post("/access/v1/evaluation", request("mueller", "book", "desk", "TABLE_1", ctx))
        .second;
  };
  EXPECT_EQ(decide({{"date", "2026-02-01"}})["decision"], true);
  EXPECT_EQ(decide({{"date", "2025-12-01"}})["decision"], false);
  json bad = decide({{"date", "not a date"}});
  EXPECT_EQ(bad["decision"], false);
  EXPECT_EQ(bad["context"]["reason_code"], "bad_parameter");
}

TEST(ServeAuthzen, ResourceTypePicksTheOverload) {
  Running s(worked_example());
  EXPECT_EQ(s.post("/access/v1/evaluation", request("mueller", "see", "floor", "first_floor"))
                .second["decision"],
            true);
  EXPECT_EQ(
      s.post("/access/v1/evaluation", request("mueller", "see", "building", "example_building"))
          .second["decision"],
      true);
}

TEST(ServeAuthzen, BatchUsesTopLevelDefaultsAndEvaluationSemantics) {
  Running s(worked_example());
  json body = {{"subject", {{"type", "user"}, {"id", "mueller"}}},
               {"action", {{"name", "book"}}},
               {"evaluations",
                {{{"resource", {{"type", "desk"}, {"id", "TABLE_2"}}}},
                 {{"resource", {{"type", "desk"}, {"id", "TABLE_1"}}}},
                 {{"resource", {{"type", "desk"}, {"id", "TABLE_2"}}},
                  {"subject", {{"type", "user"}, {"id", "schmidt"}}}}}}};
  auto decisions = [&](const std::string& semantic) {
    json b = body;
    if (!semantic.empty()) b["options"] = {{"evaluations_semantic", semantic}};
    auto [status, j] = s.post("/access/v1/evaluations", b);
    EXPECT_EQ(status, 200) << j.dump();
    std::vector<bool> out;
    for (const auto& e : j["evaluations"]) out.push_back(e["decision"].get<bool>());
    return out;
  };
  EXPECT_EQ(decisions(""), (std::vector<bool>{false, true, true}));
  EXPECT_EQ(decisions("execute_all"), (std::vector<bool>{false, true, true}));
  EXPECT_EQ(decisions("deny_on_first_deny"), (std::vector<bool>{false}));
  EXPECT_EQ(decisions("permit_on_first_permit"), (std::vector<bool>{false, true}));
  EXPECT_EQ(s.post("/access/v1/evaluations", json{{"options", {{"evaluations_semantic", "maybe"}}},
                                                  {"evaluations", {json::object()}}})
                .first,
            400);
  // Without an evaluations array the request is one evaluation.
  json single = request("mueller", "book", "desk", "TABLE_1");
  auto [status, j] = s.post("/access/v1/evaluations", single);
  EXPECT_EQ(status, 200);
  EXPECT_EQ(j["decision"], true);
}

// Batch answers are written without a JSON tree per item (serve/authzen.cpp
// batch_text): each item must read exactly as that request's single
// evaluation does, minus the policy hash the batch names once; reasons that
// quote a client's id (quotes, backslashes, newlines) stay valid JSON.
TEST(ServeAuthzen, BatchItemsAnswerAsTheirSingleEvaluations) {
  Running s(worked_example());
  const std::vector<json> reqs = {request("mueller", "book", "desk", "TABLE_1"),
                                  request("schmidt", "book", "desk", "TABLE_1"),
                                  request("no\"b\\dy\n\u00e9", "book", "desk", "TABLE_1"),
                                  request("mueller", "teleport", "desk", "TABLE_1"),
                                  request("mueller", "book", "desk", "TABLE_9")};
  json items = json::array();
  for (const json& r : reqs) items.push_back(r);
  auto [status, batch] = s.post("/access/v1/evaluations", json{{"evaluations", items}});
  ASSERT_EQ(status, 200) << batch.dump();
  EXPECT_EQ(batch["context"], json({{"policy_hash", s.server.world()->hash}}));
  ASSERT_EQ(batch["evaluations"].size(), reqs.size());
  for (size_t i = 0; i < reqs.size(); ++i) {
    json single = s.post("/access/v1/evaluation", reqs[i]).second;
    single["context"].erase("policy_hash");
    if (single["context"].empty()) single.erase("context");
    EXPECT_EQ(batch["evaluations"][i], single) << i;
  }
  EXPECT_EQ(batch["evaluations"][2]["context"]["reason_code"], "unknown_subject");
}

// Items that share the batch's subject, action and context and name a
// resource by type and id are bound once per batch (serve/authzen.cpp
// BatchBinding): each must still answer as its single evaluation, also when
// the resource is unknown, of another type, has properties, or the item
// brings its own subject or context (F-A3: who may book which table).
TEST(ServeAuthzen, BatchBoundOnceAnswersEachItemAsItsSingleEvaluation) {
  Running s(worked_example());
  for (const std::string action : {"book", "see"}) {
    const json subject = {{"type", "user"}, {"id", "schmidt"}};
    const json act = {{"name", action}};
    const json context = {{"date", "2026-01-20"}};
    auto desk = [](const std::string& id) { return json{{"type", "desk"}, {"id", id}}; };
    json items = json::array(
        {{{"resource", desk("TABLE_1")}},
         {{"resource", desk("TABLE_2")}},
         {{"resource", desk("TABLE_9")}},
         {{"resource", desk("TABLE_3")}},
         {{"resource", {{"type", "floor"}, {"id", "first_floor"}}}},
         {{"resource", desk("TABLE_2")}},
         {{"resource",
           {{"type", "desk"}, {"id", "TABLE_2"}, {"properties", {{"date", "2020-01-01"}}}}}},
         {{"resource", desk("TABLE_1")}, {"subject", {{"type", "user"}, {"id", "mueller"}}}},
         {{"resource", desk("TABLE_2")}, {"context", {{"date", "2020-01-01"}}}},
         {{"resource", desk("TABLE_2")}}});
    auto [status, batch] = s.post(
        "/access/v1/evaluations",
        json{{"subject", subject}, {"action", act}, {"context", context}, {"evaluations", items}});
    ASSERT_EQ(status, 200) << batch.dump();
    ASSERT_EQ(batch["evaluations"].size(), items.size());
    size_t allowed = 0;
    for (size_t i = 0; i < items.size(); ++i) {
      const json& it = items[i];
      json one = {{"subject", it.value("subject", subject)},
                  {"action", act},
                  {"resource", it["resource"]},
                  {"context", it.value("context", context)}};
      json single = s.post("/access/v1/evaluation", one).second;
      single["context"].erase("policy_hash");
      if (single["context"].empty()) single.erase("context");
      EXPECT_EQ(batch["evaluations"][i], single) << action << " " << i;
      allowed += single["decision"] == true;
    }
    // Both answers occur: the items are not all decided alike.
    EXPECT_GT(allowed, 0u) << action;
    EXPECT_LT(allowed, items.size()) << action;
  }
}

TEST(ServeAuthzen, SearchEndpointsAnswerThroughTheColumnEnginePaginated) {
  Running s(worked_example());
  // Which desks may Müller (ALL, IT) book? TABLE_1 (IT) and TABLE_3 (IT, Legal).
  json rs = {{"subject", {{"type", "user"}, {"id", "mueller"}}},
             {"action", {{"name", "book"}}},
             {"resource", {{"type", "desk"}}}};
  auto [st, all] = s.post("/access/v1/search/resource", rs);
  ASSERT_EQ(st, 200) << all.dump();
  EXPECT_EQ(all["results"],
            json::parse(R"([{"type":"desk","id":"TABLE_1"},{"type":"desk","id":"TABLE_3"}])"));
  EXPECT_EQ(all["page"]["total"], 2);
  EXPECT_EQ(all["page"]["next_token"], "");
  rs["page"] = {{"limit", 1}};
  json p1 = s.post("/access/v1/search/resource", rs).second;
  EXPECT_EQ(p1["results"].size(), 1u);
  EXPECT_EQ(p1["results"][0]["id"], "TABLE_1");
  ASSERT_EQ(p1["page"]["next_token"], "1");
  rs["page"]["token"] = "1";
  json p2 = s.post("/access/v1/search/resource", rs).second;
  EXPECT_EQ(p2["results"][0]["id"], "TABLE_3");
  EXPECT_EQ(p2["page"]["next_token"], "");
  rs["page"]["token"] = "x1";
  EXPECT_EQ(s.post("/access/v1/search/resource", rs).first, 400);
  // Who may book TABLE_2 (Legal)? Schmidt and Weber.
  json ss = {{"subject", {{"type", "user"}}},
             {"action", {{"name", "book"}}},
             {"resource", {{"type", "desk"}, {"id", "TABLE_2"}}}};
  json who = s.post("/access/v1/search/subject", ss).second;
  EXPECT_EQ(who["results"],
            json::parse(R"([{"type":"user","id":"schmidt"},{"type":"user","id":"weber"}])"));
  // What may Müller do with TABLE_1?
  json as = {{"subject", {{"type", "user"}, {"id", "mueller"}}},
             {"resource", {{"type", "desk"}, {"id", "TABLE_1"}}}};
  json what = s.post("/access/v1/search/action", as).second;
  std::vector<std::string> names;
  for (const auto& r : what["results"]) names.push_back(r["name"]);
  EXPECT_NE(std::find(names.begin(), names.end(), "book"), names.end()) << what.dump();
  EXPECT_NE(std::find(names.begin(), names.end(), "see_status"), names.end()) << what.dump();
  EXPECT_EQ(std::find(names.begin(), names.end(), "edit_object"), names.end()) << what.dump();
}

TEST(ServeAuthzen, WellKnownConfigurationListsTheEndpoints) {
  Running s(worked_example());
  auto [status, body] = s.get("/.well-known/authzen-configuration");
  ASSERT_EQ(status, 200);
  json j = json::parse(body);
  const std::string base = "http://127.0.0.1:" + std::to_string(s.server.port());
  EXPECT_EQ(j["policy_decision_point"], base);
  EXPECT_EQ(j["access_evaluation_endpoint"], base + "/access/v1/evaluation");
  EXPECT_EQ(j["access_evaluations_endpoint"], base + "/access/v1/evaluations");
  EXPECT_EQ(j["search_subject_endpoint"], base + "/access/v1/search/subject");
  EXPECT_EQ(j["search_resource_endpoint"], base + "/access/v1/search/resource");
  EXPECT_EQ(j["search_action_endpoint"], base + "/access/v1/search/action");
}

TEST(ServeAuthzen, ExplainAnswersWithTheInterpretersExplanation) {
  Running s(worked_example());
  auto [status, j] = s.post("/v1/explain", request("schmidt", "book", "desk", "TABLE_1"));
  ASSERT_EQ(status, 200) << j.dump();
  EXPECT_EQ(j["decision"], false);
  EXPECT_TRUE(j["explanation"].is_object()) << j.dump();
  EXPECT_FALSE(j["explanation"].empty());
}

TEST(ServeAuthzen, PolicyEndpointNamesFilesAndHashesWithoutContents) {
  Running s(worked_example());
  auto [status, body] = s.get("/v1/policy");
  ASSERT_EQ(status, 200);
  json j = json::parse(body);
  EXPECT_EQ(j["policy_hash"], s.server.world()->hash);
  EXPECT_EQ(j["data"][0]["path"], data("runtime/tenant.yaml"));
  EXPECT_EQ(j["data"][0]["hash"].get<std::string>().size(), 16u);
  EXPECT_EQ(j["mapping"]["path"], mapping_file());
  EXPECT_EQ(body.find("Herr M"), std::string::npos); // never file contents
}
