// simulator/progress.hpp: quiet for short runs and when disabled (stderr not
// a terminal), drawn once a run has taken more than a second.
#include "simulator/progress.hpp"

#include <gtest/gtest.h>
#include <thread>

using keyplan::sim::Progress;

TEST(Progress, ShortRunsStayQuiet) {
  Progress p("short", 10, true);
  for (size_t i = 1; i <= 10; ++i) p.update(i);
  EXPECT_FALSE(p.shown());
}

TEST(Progress, DisabledNeverDraws) {
  Progress p("off", 10, false);
  std::this_thread::sleep_for(std::chrono::milliseconds(1100));
  p.update(5);
  EXPECT_FALSE(p.shown());
}

TEST(Progress, LongRunsDrawWhenEnabled) {
  Progress p("long", 10, true);
  std::this_thread::sleep_for(std::chrono::milliseconds(1100));
  p.update(5);
  EXPECT_TRUE(p.shown());
}
