// Progress of a long run on stderr: shown only when stderr is a terminal and
// the run has taken more than a second (short runs and pipes stay quiet),
// redrawn at most ten times a second, erased when done.
#pragma once

#include <chrono>
#include <cstddef>
#include <string>

namespace keyplan::sim {

class Progress {
public:
  // `what` names the work ("matrix book"); `total` steps.
  Progress(std::string what, size_t total);
  // `enabled` overrides the terminal test (tests; --quiet).
  Progress(std::string what, size_t total, bool enabled);
  ~Progress();
  Progress(const Progress&) = delete;
  Progress& operator=(const Progress&) = delete;

  void update(size_t done);
  bool shown() const { return drawn_; }

private:
  std::string what_;
  size_t total_;
  bool enabled_;
  bool drawn_ = false;
  std::chrono::steady_clock::time_point start_, last_;
};

} // namespace keyplan::sim
