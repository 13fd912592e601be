#include "serve/decision_log.hpp"

#include <cstdio>
#include <sys/stat.h>

namespace keyplan::serve {

DecisionLog::~DecisionLog() {
  if (file_) std::fclose(file_);
}

bool DecisionLog::open(const std::string& path, uint64_t max_bytes, std::string& error) {
  std::FILE* f = std::fopen(path.c_str(), "a");
  if (!f) {
    error = "cannot open the decision log " + path;
    return false;
  }
  struct stat st {};
  size_ = ::fstat(fileno(f), &st) == 0 ? static_cast<uint64_t>(st.st_size) : 0;
  path_ = path;
  file_ = f;
  max_bytes_ = max_bytes;
  return true;
}

void DecisionLog::rotate() {
  std::fclose(file_);
  std::rename(path_.c_str(), (path_ + ".1").c_str());
  file_ = std::fopen(path_.c_str(), "a");
  size_ = 0;
}

void DecisionLog::write(const nlohmann::json& entry) {
  const std::string line =
      entry.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
  std::lock_guard<std::mutex> lock(mutex_);
  if (!file_) return;
  if (size_ > 0 && size_ + line.size() > max_bytes_) {
    rotate();
    if (!file_) return;
  }
  std::fwrite(line.data(), 1, line.size(), file_);
  std::fflush(file_);
  size_ += line.size();
}

} // namespace keyplan::serve
