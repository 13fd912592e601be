// The decision log: one JSON object a line (time, endpoint, request,
// decision, reason code, policy hash). When the file passes `max_bytes`
// it is renamed to FILE.1 (replacing the previous one) and a new file is
// started, so the log takes at most about twice `max_bytes` on disk.
#pragma once

#include <cstdio>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>

namespace keyplan::serve {

class DecisionLog {
public:
  DecisionLog() = default;
  DecisionLog(const DecisionLog&) = delete;
  DecisionLog& operator=(const DecisionLog&) = delete;
  ~DecisionLog();
  // False with `error` when the file cannot be opened for appending.
  bool open(const std::string& path, uint64_t max_bytes, std::string& error);
  bool enabled() const { return file_ != nullptr; }
  void write(const nlohmann::json& entry);

private:
  void rotate();
  std::mutex mutex_;
  std::string path_;
  std::FILE* file_ = nullptr;
  uint64_t size_ = 0, max_bytes_ = 0;
};

} // namespace keyplan::serve
