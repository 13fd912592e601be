#include "simulator/matrix.hpp"

#include "compiler/diagnostics.hpp"
#include "runtime/bitset.hpp"

#include <algorithm>
#include <cctype>
#include <fmt/format.h>
#include <map>
#include <string_view>

namespace keyplan::sim {

namespace {

// Labels in natural order: g2 before g10 (digit runs compare as numbers).
struct NaturalLess {
  bool operator()(const std::string& a, const std::string& b) const {
    size_t i = 0, j = 0;
    while (i < a.size() && j < b.size()) {
      if (std::isdigit(static_cast<unsigned char>(a[i])) &&
          std::isdigit(static_cast<unsigned char>(b[j]))) {
        size_t ie = i, je = j;
        while (ie < a.size() && std::isdigit(static_cast<unsigned char>(a[ie]))) ++ie;
        while (je < b.size() && std::isdigit(static_cast<unsigned char>(b[je]))) ++je;
        std::string_view x(a.data() + i, ie - i), y(b.data() + j, je - j);
        while (x.size() > 1 && x[0] == '0') x.remove_prefix(1);
        while (y.size() > 1 && y[0] == '0') y.remove_prefix(1);
        if (x.size() != y.size()) return x.size() < y.size();
        if (x != y) return x < y;
        i = ie, j = je;
        continue;
      }
      if (a[i] != b[j]) return a[i] < b[j];
      ++i, ++j;
    }
    if (a.size() - i != b.size() - j) return a.size() - i < b.size() - j;
    return a < b; // equal up to leading zeros: any fixed order
  }
};

} // namespace

Matrix compute_matrix(engine::Engine& engine, const ir::Policy& policy,
                      const rt::Snapshot& snapshot, const MatrixQuery& q, Progress* progress) {
  (void)policy;
  (void)snapshot;
  engine::MatrixQuery eq;
  eq.rule = q.rule;
  eq.row_param = q.row_param;
  eq.col_param = q.col_param;
  eq.args = q.args;
  eq.today = q.today;
  engine::MatrixBits bits = engine.decide_matrix(eq, [progress](size_t done) {
    if (progress) progress->update(done);
  });
  Matrix m;
  m.rule = q.rule;
  m.row_param = q.row_param;
  m.col_param = q.col_param;
  m.row_type = bits.row_type;
  m.col_type = bits.col_type;
  m.rows = bits.rows;
  m.cols = bits.cols;
  m.stride = bits.stride;
  m.bits = std::move(bits.bits);
  m.plan = std::move(bits.plan);
  m.allowed = rt::bits::count(m.bits.data(), static_cast<uint32_t>(m.bits.size()));
  return m;
}

std::pair<int64_t, int64_t> cross_check(const Matrix& m, const MatrixQuery& q,
                                        engine::Engine& reference, size_t samples) {
  if (m.rows == 0 || m.cols == 0) return {-1, -1};
  std::vector<ir::Value> args = q.args;
  uint64_t state = 0x9e3779b97f4a7c15ull; // splitmix64: the same cells every run
  auto next = [&state]() {
    uint64_t z = (state += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
  };
  const size_t cells = m.rows * m.cols;
  for (size_t s = 0; s < std::min(samples, cells); ++s) {
    const size_t cell = samples >= cells ? s : static_cast<size_t>(next() % cells);
    const size_t r = cell / m.cols, c = cell % m.cols;
    args[static_cast<size_t>(m.row_param)] = ir::Value::entity(m.row_type, static_cast<int64_t>(r));
    args[static_cast<size_t>(m.col_param)] = ir::Value::entity(m.col_type, static_cast<int64_t>(c));
    rt::Decision d = reference.reference(m.rule, args, q.today);
    if ((d.allowed && d.error.empty()) != m.test(r, c))
      return {static_cast<int64_t>(r), static_cast<int64_t>(c)};
  }
  return {-1, -1};
}

Axis instances_axis(const rt::Snapshot& snapshot, int32_t type) {
  Axis a;
  const size_t n = static_cast<size_t>(snapshot.count(type));
  a.labels.reserve(n);
  a.members.reserve(n);
  for (size_t i = 0; i < n; ++i) {
    a.labels.push_back(snapshot.id(type, static_cast<int32_t>(i)));
    a.members.push_back({static_cast<uint32_t>(i)});
  }
  return a;
}

bool attribute_axis(const ir::Policy& policy, const rt::Snapshot& snapshot, int32_t type,
                    const std::string& path, Axis& out, std::string& error) {
  std::vector<std::string> steps;
  for (size_t from = 0;;) {
    size_t dot = path.find('.', from);
    steps.push_back(path.substr(from, dot == std::string::npos ? dot : dot - from));
    if (dot == std::string::npos) break;
    from = dot + 1;
  }
  // Resolve the path to attribute indexes, type by type.
  std::vector<std::pair<int32_t, int32_t>> hops; // (entity type, attribute)
  int32_t t = type;
  for (size_t s = 0; s < steps.size(); ++s) {
    const ir::EntityType& ent = policy.entities[static_cast<size_t>(t)];
    int32_t a = ent.find_attribute(steps[s]);
    if (a < 0) {
      std::vector<std::string> names;
      for (const auto& at : ent.attributes) names.push_back(at.name);
      std::string hint = did_you_mean(steps[s], names);
      error = fmt::format("entity '{}' has no attribute '{}'{}", ent.name, steps[s],
                          hint.empty() ? "" : " (" + hint + ")");
      return false;
    }
    hops.push_back({t, a});
    if (s + 1 < steps.size()) {
      ir::TypeId at = ent.attributes[static_cast<size_t>(a)].type;
      if (policy.types.kind(at) != ir::TypeKind::Entity) {
        error = fmt::format("'{}.{}' is not an entity: only the last step of '{}' may be a "
                            "set or a value",
                            ent.name, steps[s], path);
        return false;
      }
      t = policy.types[at].ref;
    }
  }
  const std::string kNone = "(none)";
  std::map<std::string, std::vector<uint32_t>, NaturalLess> groups;
  const size_t n = static_cast<size_t>(snapshot.count(type));
  for (size_t i = 0; i < n; ++i) {
    int32_t row = static_cast<int32_t>(i);
    ir::Value v;
    for (size_t h = 0; h < hops.size(); ++h) {
      v = snapshot.get(hops[h].first, row, hops[h].second);
      if (h + 1 < hops.size()) {
        if (v.tag != ir::Value::Tag::Entity) break; // an optional parent left empty
        row = static_cast<int32_t>(v.num);
      }
    }
    if (v.tag == ir::Value::Tag::Set) {
      if (v.elems.empty()) groups[kNone].push_back(static_cast<uint32_t>(i));
      for (const auto& e : v.elems) groups[snapshot.format(e)].push_back(static_cast<uint32_t>(i));
    } else if (v.tag == ir::Value::Tag::None) {
      groups[kNone].push_back(static_cast<uint32_t>(i));
    } else {
      groups[snapshot.format(v)].push_back(static_cast<uint32_t>(i));
    }
  }
  out = Axis{};
  out.by = path;
  for (auto& [label, members] : groups)
    if (label != kNone) {
      out.labels.push_back(label);
      out.members.push_back(std::move(members));
    }
  if (auto it = groups.find(kNone); it != groups.end()) {
    out.labels.push_back(kNone);
    out.members.push_back(std::move(it->second));
  }
  return true;
}

Axis bucket_axis(const rt::Snapshot& snapshot, int32_t type, size_t max_groups) {
  const size_t n = static_cast<size_t>(snapshot.count(type));
  if (n <= max_groups) return instances_axis(snapshot, type);
  Axis a;
  a.by = "#";
  const size_t per = (n + max_groups - 1) / max_groups;
  for (size_t from = 0; from < n; from += per) {
    size_t to = std::min(n, from + per);
    a.labels.push_back(snapshot.id(type, static_cast<int32_t>(from)) + " … " +
                       snapshot.id(type, static_cast<int32_t>(to - 1)));
    std::vector<uint32_t> members;
    for (size_t i = from; i < to; ++i) members.push_back(static_cast<uint32_t>(i));
    a.members.push_back(std::move(members));
  }
  return a;
}

CountGrid aggregate(const Matrix& m, Axis rows, Axis cols) {
  CountGrid g;
  const size_t nr = rows.labels.size(), nc = cols.labels.size();
  g.counts.assign(nr * nc, 0);
  std::vector<std::vector<uint32_t>> row_groups(m.rows); // the groups each row is in
  for (size_t i = 0; i < nr; ++i)
    for (uint32_t r : rows.members[i]) row_groups[r].push_back(static_cast<uint32_t>(i));
  // Few column groups: a row's count in a group is one AND and popcount per
  // word of the group's mask. Many: walk the row's allowed columns instead.
  const bool by_mask = nc <= 64;
  std::vector<std::vector<uint64_t>> masks;
  std::vector<std::vector<uint32_t>> col_groups;
  if (by_mask) {
    masks.assign(nc, std::vector<uint64_t>(m.stride, 0));
    for (size_t j = 0; j < nc; ++j)
      for (uint32_t c : cols.members[j]) rt::bits::set(masks[j].data(), c);
  } else {
    col_groups.resize(m.cols);
    for (size_t j = 0; j < nc; ++j)
      for (uint32_t c : cols.members[j]) col_groups[c].push_back(static_cast<uint32_t>(j));
  }
  const uint32_t words = static_cast<uint32_t>(m.stride);
  std::vector<uint64_t> per_group(nc), tmp(m.stride);
  for (size_t r = 0; r < m.rows; ++r) {
    if (row_groups[r].empty()) continue;
    const uint64_t* row = m.row(r);
    if (by_mask) {
      for (size_t j = 0; j < nc; ++j) {
        rt::bits::intersect(tmp.data(), row, masks[j].data(), words);
        per_group[j] = rt::bits::count(tmp.data(), words);
      }
    } else {
      std::fill(per_group.begin(), per_group.end(), 0);
      for (int64_t c = rt::bits::next(row, words, 0); c >= 0;
           c = rt::bits::next(row, words, static_cast<size_t>(c) + 1))
        for (uint32_t j : col_groups[static_cast<size_t>(c)]) ++per_group[j];
    }
    for (uint32_t i : row_groups[r])
      for (size_t j = 0; j < nc; ++j) g.counts[i * nc + j] += per_group[j];
  }
  g.rows = std::move(rows);
  g.cols = std::move(cols);
  return g;
}

} // namespace keyplan::sim
