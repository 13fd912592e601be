// The AuthZEN Authorization API 1.0 on a World, independent of HTTP:
// request JSON in, status and response JSON out (docs/serve.md). Access
// evaluation (one and batch, with the evaluations_semantic options), the
// subject/resource/action searches (through the column engine, paginated),
// the metadata document and keyplan's explain.
#pragma once

#include "serve/world.hpp"

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace keyplan::serve {

// One decision, what the metrics and the decision log record.
struct Outcome {
  std::string action; // the AuthZEN action.name
  bool allowed = false;
  std::string reason_code; // "" on allow; why on deny (fail closed)
  std::string reason;      // for people
  nlohmann::json explanation;
};

struct Reply {
  int status = 200;
  nlohmann::json body;
  std::string text;              // the body already serialised (batches), sent instead of `body`
  std::vector<Outcome> outcomes; // the decisions made (evaluation endpoints)
};

// An error reply: {"error": {"status", "code", "message"}}.
Reply error_reply(int status, const std::string& code, const std::string& message);

// Maximum evaluations in one batch request.
constexpr size_t kMaxBatch = 10000;

Reply evaluation(const World& w, const nlohmann::json& body);
Reply evaluations(const World& w, const nlohmann::json& body);
// keyplan's own: an evaluation request answered with the explanation.
Reply explain(const World& w, const nlohmann::json& body);

enum class SearchKind { Subject, Resource, Action };
Reply search(const World& w, SearchKind kind, const nlohmann::json& body);

// GET /.well-known/authzen-configuration for a service at `base`
// (e.g. "http://127.0.0.1:8181").
nlohmann::json configuration(const std::string& base);

} // namespace keyplan::serve
