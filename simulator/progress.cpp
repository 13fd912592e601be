#include "simulator/progress.hpp"

#include "simulator/text.hpp"

#include <cstdio>
#include <fmt/format.h>
#include <unistd.h>

namespace keyplan::sim {

Progress::Progress(std::string what, size_t total) : Progress(std::move(what), total, isatty(2)) {}

Progress::Progress(std::string what, size_t total, bool enabled)
    : what_(terminal_safe(what)), total_(total), enabled_(enabled),
      start_(std::chrono::steady_clock::now()), last_(start_) {}

Progress::~Progress() {
  if (drawn_) std::fputs("\r\033[K", stderr);
}

void Progress::update(size_t done) {
  if (!enabled_) return;
  auto now = std::chrono::steady_clock::now();
  if (now - start_ < std::chrono::seconds(1)) return;
  if (drawn_ && now - last_ < std::chrono::milliseconds(100)) return;
  last_ = now;
  drawn_ = true;
  double pct = total_ ? 100.0 * static_cast<double>(done) / static_cast<double>(total_) : 100.0;
  double secs = std::chrono::duration<double>(now - start_).count();
  std::string line =
      fmt::format("\r\033[K{}: {}/{} ({:.0f}%, {:.1f} s)", what_, done, total_, pct, secs);
  std::fputs(line.c_str(), stderr);
  std::fflush(stderr);
}

} // namespace keyplan::sim
