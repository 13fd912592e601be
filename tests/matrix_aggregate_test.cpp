// simulator/matrix.hpp aggregation: the grouped counts equal a brute-force
// count over the cells, for overlapping groups, groups missing instances, and
// both ways of counting (column masks for few column groups, walking the
// allowed columns for many).
#include "simulator/matrix.hpp"
#include "tests/test_support.hpp"

#include <gtest/gtest.h>

namespace {

using keyplan::sim::Axis;
using keyplan::sim::Matrix;

Axis random_axis(size_t n, size_t groups) {
  Axis a;
  a.by = "attr";
  for (size_t g = 0; g < groups; ++g) {
    a.labels.push_back("g" + std::to_string(g));
    std::vector<uint32_t> members;
    for (uint32_t i = 0; i < n; ++i)
      if (*rc::gen::inRange(0, 3) == 0) members.push_back(i); // overlapping, some in none
    a.members.push_back(std::move(members));
  }
  return a;
}

} // namespace

TEST(MatrixAggregate, GroupCountsEqualBruteForce) {
  keyplan::testing_support::check_bounded(
      [] {
        const size_t rows = *rc::gen::inRange<size_t>(0, 90);
        const size_t cols = *rc::gen::inRange<size_t>(0, 150);
        Matrix m;
        m.rows = rows;
        m.cols = cols;
        m.stride = (cols + 63) / 64;
        m.bits.assign(rows * m.stride, 0);
        for (size_t r = 0; r < rows; ++r)
          for (size_t c = 0; c < cols; ++c)
            if (*rc::gen::inRange(0, 2)) m.bits[r * m.stride + c / 64] |= uint64_t{1} << (c % 64);
        // Up to 100 column groups: both the mask path (<= 64) and the walk.
        Axis ra = random_axis(rows, *rc::gen::inRange<size_t>(0, 8));
        Axis ca = random_axis(cols, *rc::gen::inRange<size_t>(0, 100));
        auto g = keyplan::sim::aggregate(m, ra, ca);
        for (size_t i = 0; i < ra.labels.size(); ++i)
          for (size_t j = 0; j < ca.labels.size(); ++j) {
            uint64_t want = 0;
            for (uint32_t r : ra.members[i])
              for (uint32_t c : ca.members[j]) want += m.test(r, c);
            RC_ASSERT(g.at(i, j) == want);
            RC_ASSERT(g.cells(i, j) == ra.members[i].size() * ca.members[j].size());
          }
      },
      60, 50);
}
