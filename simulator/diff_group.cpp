// Grouping a diff's flipped cells: each enumerated parameter is grouped by an
// attribute of its type (an entity parameter) or by its own value (an enum or
// bool parameter), and every group of cells is counted with the distinct
// instances of each parameter ("groups Legal: 2 users gain `book` on 1 object
// of floor first_floor"). No model names: the attribute is chosen from the
// type's declaration (docs/what-if.md "diff").
#include "simulator/diff.hpp"

#include "runtime/bitset.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <map>
#include <unordered_map>

namespace keyplan::sim {

namespace {

// The automatic grouping attribute of an entity type: its parent (an object
// by its floor), else its first set of entities (a user by groups), else its
// first entity, enum or bool attribute; -1 when it has none of these.
int32_t auto_attr(const ir::Policy& p, const ir::EntityType& e) {
  if (e.parent_attr >= 0) return e.parent_attr;
  auto first = [&](auto pred) {
    for (size_t i = 0; i < e.attributes.size(); ++i)
      if (pred(e.attributes[i].type)) return static_cast<int32_t>(i);
    return int32_t{-1};
  };
  auto kind = [&](ir::TypeId t) { return p.types.kind(p.types.strip_optional(t)); };
  int32_t a = first([&](ir::TypeId t) {
    return p.types.is_set(t) && p.types.kind(p.types[t].elem) == ir::TypeKind::Entity;
  });
  if (a < 0) a = first([&](ir::TypeId t) { return kind(t) == ir::TypeKind::Entity; });
  if (a < 0)
    a = first([&](ir::TypeId t) {
      return kind(t) == ir::TypeKind::Enum ||
             (p.types.is_set(t) && p.types.kind(p.types[t].elem) == ir::TypeKind::Enum);
    });
  if (a < 0) a = first([&](ir::TypeId t) { return kind(t) == ir::TypeKind::Bool; });
  return a;
}

int32_t find_attr(const ir::EntityType& e, const std::string& name) {
  for (size_t i = 0; i < e.attributes.size(); ++i)
    if (e.attributes[i].name == name) return static_cast<int32_t>(i);
  return -1;
}

// Fills the group values of an entity axis by attribute `name` in both worlds.
void group_by_attr(DiffAxis& ax, const World* w[2], const std::string& name) {
  ax.group_attr = name;
  std::unordered_map<std::string, uint32_t> index;
  auto intern = [&](const std::string& g) {
    auto [it, fresh] = index.emplace(g, static_cast<uint32_t>(ax.groups.size()));
    if (fresh) ax.groups.push_back(g);
    return it->second;
  };
  for (int s = 0; s < 2; ++s) {
    ax.group_of[s].assign(ax.labels.size(), {});
    if (ax.type_ref[s] < 0) continue;
    const ir::Policy& p = w[s]->policy();
    const rt::Snapshot& snap = *w[s]->snapshot;
    int32_t attr = find_attr(p.entities[static_cast<size_t>(ax.type_ref[s])], name);
    for (size_t l = 0; l < ax.labels.size(); ++l) {
      int64_t row = ax.side_value[s][l];
      if (row < 0) continue;
      if (attr < 0) {
        ax.group_of[s][l].push_back(intern("(no " + name + ")"));
        continue;
      }
      ir::Value v = snap.get(ax.type_ref[s], static_cast<int32_t>(row), attr);
      if (v.tag == ir::Value::Tag::Set) {
        if (v.elems.empty()) ax.group_of[s][l].push_back(intern("[]"));
        for (const auto& e : v.elems) ax.group_of[s][l].push_back(intern(snap.format(e)));
      } else {
        ax.group_of[s][l].push_back(intern(snap.format(v)));
      }
    }
    // A set member that every instance holds (a group like ALL) tells the
    // groups apart no more than no grouping does: it is left out of the
    // instances that have other members, so that each cell is not counted
    // once more under it.
    std::vector<size_t> holders(ax.groups.size(), 0);
    size_t present = 0;
    for (size_t l = 0; l < ax.labels.size(); ++l) {
      if (ax.side_value[s][l] < 0) continue;
      ++present;
      for (uint32_t g : ax.group_of[s][l]) ++holders[g];
    }
    if (present < 2) continue;
    for (size_t l = 0; l < ax.labels.size(); ++l) {
      auto& gs = ax.group_of[s][l];
      if (gs.size() < 2) continue;
      std::vector<uint32_t> kept;
      for (uint32_t g : gs)
        if (holders[g] < present) kept.push_back(g);
      if (!kept.empty()) gs = std::move(kept);
    }
  }
}

} // namespace

bool assign_groups(DiffResult& r, const World* w[2], const std::vector<std::string>& specs,
                   std::string& error) {
  bool none = false;
  std::map<std::string, std::string> by_param; // param -> attr ("" = not grouped)
  std::vector<std::string> attrs;              // for every parameter that has it
  for (const auto& s : specs) {
    if (s == "none") {
      none = true;
      continue;
    }
    size_t eq = s.find('=');
    if (eq == std::string::npos)
      attrs.push_back(s);
    else
      by_param[s.substr(0, eq)] = s.substr(eq + 1);
  }
  std::map<std::string, bool> used; // each spec must apply somewhere
  for (auto& a : r.actions)
    for (auto& ax : a.axes) {
      if (!ax.entity) { // an enum or bool: its own value
        ax.groups = ax.labels;
        for (int s = 0; s < 2; ++s) {
          ax.group_of[s].assign(ax.labels.size(), {});
          for (size_t l = 0; l < ax.labels.size(); ++l)
            ax.group_of[s][l].push_back(static_cast<uint32_t>(l));
        }
        continue;
      }
      const int s0 = ax.type_ref[1] >= 0 ? 1 : 0;
      const ir::Policy& p = w[s0]->policy();
      const ir::EntityType& e = p.entities[static_cast<size_t>(ax.type_ref[s0])];
      auto has = [&](const std::string& n) {
        for (int s = 0; s < 2; ++s)
          if (ax.type_ref[s] >= 0 &&
              find_attr(w[s]->policy().entities[static_cast<size_t>(ax.type_ref[s])], n) >= 0)
            return true;
        return false;
      };
      std::string chosen;
      bool explicit_choice = false;
      if (auto it = by_param.find(ax.param); it != by_param.end()) {
        explicit_choice = true;
        if (!it->second.empty() && has(it->second)) {
          chosen = it->second;
          used["=" + ax.param] = true;
        } else if (it->second.empty()) {
          used["=" + ax.param] = true;
        }
      }
      for (const auto& at : attrs)
        if (!explicit_choice && chosen.empty() && has(at)) {
          chosen = at;
          used[at] = true;
        }
      if (chosen.empty() && !explicit_choice && !none) {
        int32_t at = auto_attr(p, e);
        if (at >= 0) chosen = e.attributes[static_cast<size_t>(at)].name;
      }
      if (!chosen.empty()) group_by_attr(ax, w, chosen);
    }
  for (const auto& at : attrs)
    if (!used[at]) {
      error = fmt::format("--group {}: no parameter of the compared actions has a type with "
                          "the attribute '{}'",
                          at, at);
      return false;
    }
  for (const auto& [param, at] : by_param)
    if (!used["=" + param]) {
      error = fmt::format("--group {}={}: no compared action has a parameter '{}' whose type "
                          "has the attribute '{}'",
                          param, at, param, at);
      return false;
    }
  return true;
}

void compute_groups(DiffResult& r) {
  for (size_t ai = 0; ai < r.actions.size(); ++ai) {
    const ActionDiff& a = r.actions[ai];
    const size_t k = a.axes.size();
    struct Entry {
      std::vector<std::vector<uint64_t>> members; // per axis, over its labels
      uint64_t cells = 0;
    };
    for (int change = 0; change < 2; ++change) { // 0 gained (AFTER's groups), 1 lost (BEFORE's)
      const int side = change == 0 ? 1 : 0;
      std::map<std::vector<int64_t>, Entry> entries;
      auto entry = [&](const std::vector<int64_t>& key) -> Entry& {
        auto [it, fresh] = entries.try_emplace(key);
        if (fresh)
          for (size_t i = 0; i < k; ++i)
            it->second.members.emplace_back(rt::bits::words_for(a.axes[i].labels.size()), 0);
        return it->second;
      };
      auto groups_of = [&](size_t axis, uint32_t label) {
        const DiffAxis& ax = a.axes[axis];
        if (ax.groups.empty()) return std::vector<int64_t>{-1};
        std::vector<int64_t> g(ax.group_of[side][label].begin(), ax.group_of[side][label].end());
        if (g.empty()) g.push_back(-1); // (an instance has at least one group value)
        return g;
      };
      const DiffAxis* open_axis = a.open >= 0 ? &a.axes[static_cast<size_t>(a.open)] : nullptr;
      const size_t open_slots = (open_axis ? open_axis->groups.size() : 0) + 1;
      std::vector<std::vector<uint32_t>> slot_labels(open_slots);
      std::vector<size_t> touched;
      // An open axis that is not grouped is counted and collected a word at
      // a time (millions of flipped cells in a tenant-wide what-if).
      const bool plain = !open_axis || open_axis->groups.empty();
      for (const FlipRow& row : a.flips) {
        const auto& bits = change == 0 ? row.gained : row.lost;
        // The row's cells per group of the open axis, with their labels
        // (slot `open_slots - 1` is "not grouped"): no allocation per cell.
        touched.clear();
        uint64_t plain_cells = 0;
        if (plain) {
          plain_cells = rt::bits::count(bits.data(), static_cast<uint32_t>(bits.size()));
          if (plain_cells) touched.push_back(open_slots - 1);
        }
        for (size_t wi = 0; !plain && wi < bits.size(); ++wi)
          for (uint64_t word = bits[wi]; word; word &= word - 1) {
            const uint32_t l =
                static_cast<uint32_t>(wi * 64 + static_cast<size_t>(std::countr_zero(word)));
            auto add = [&](size_t slot) {
              if (slot_labels[slot].empty()) touched.push_back(slot);
              slot_labels[slot].push_back(l);
            };
            if (open_axis && !open_axis->groups.empty())
              for (uint32_t g : open_axis->group_of[side][l]) add(g);
            else
              add(open_slots - 1);
          }
        std::vector<std::pair<int64_t, std::vector<uint32_t>>> open_groups;
        for (size_t slot : touched) {
          open_groups.emplace_back(slot == open_slots - 1 ? -1 : static_cast<int64_t>(slot),
                                   std::move(slot_labels[slot]));
          slot_labels[slot].clear();
        }
        if (open_groups.empty()) continue;
        // Every combination of the iterated axes' groups.
        std::vector<std::vector<int64_t>> lists;
        for (size_t i = 0; i < k; ++i)
          lists.push_back(static_cast<int>(i) == a.open ? std::vector<int64_t>{-1}
                                                        : groups_of(i, row.tuple[i]));
        std::vector<size_t> pick(k, 0);
        for (;;) {
          std::vector<int64_t> key(k, -1);
          for (size_t i = 0; i < k; ++i)
            if (static_cast<int>(i) != a.open) key[i] = lists[i][pick[i]];
          for (const auto& [g, og] : open_groups) {
            if (a.open >= 0) key[static_cast<size_t>(a.open)] = g;
            Entry& e = entry(key);
            e.cells += plain ? plain_cells : og.size();
            for (size_t i = 0; i < k; ++i)
              if (static_cast<int>(i) != a.open) rt::bits::set(e.members[i].data(), row.tuple[i]);
            if (a.open >= 0 && plain) {
              auto& m = e.members[static_cast<size_t>(a.open)];
              for (size_t wi = 0; wi < std::min(m.size(), bits.size()); ++wi) m[wi] |= bits[wi];
            } else if (a.open >= 0) {
              for (uint32_t l : og) rt::bits::set(e.members[static_cast<size_t>(a.open)].data(), l);
            }
          }
          size_t i = k;
          for (; i-- > 0;) {
            if (++pick[i] < lists[i].size()) break;
            pick[i] = 0;
          }
          if (i == static_cast<size_t>(-1)) break;
        }
      }
      std::vector<GroupRow> rows;
      for (auto& [key, e] : entries) {
        GroupRow g;
        g.action = ai;
        g.gained = change == 0;
        g.group = key;
        g.cells = e.cells;
        for (const auto& m : e.members)
          g.members.push_back(rt::bits::count(m.data(), static_cast<uint32_t>(m.size())));
        rows.push_back(std::move(g));
      }
      std::stable_sort(rows.begin(), rows.end(),
                       [](const GroupRow& x, const GroupRow& y) { return x.cells > y.cells; });
      r.groups.insert(r.groups.end(), rows.begin(), rows.end());
    }
  }
}

std::string group_sentence(const DiffResult& r, const GroupRow& g) {
  const ActionDiff& a = r.actions[g.action];
  auto noun = [](uint64_t n, const std::string& word) {
    return fmt::format("{} {}{}", n, word, n == 1 ? "" : "s");
  };
  // The subject is the first entity parameter; other entity parameters are
  // objects ("on 1 object of floor f3"), enums and bools a condition ("with
  // role = administrator").
  int subject = -1;
  std::vector<std::string> objects, with;
  for (size_t i = 0; i < a.axes.size(); ++i) {
    const DiffAxis& ax = a.axes[i];
    const std::string value =
        g.group[i] < 0 ? std::string{} : ax.groups[static_cast<size_t>(g.group[i])];
    if (!ax.entity) {
      with.push_back(fmt::format("{} = {}", ax.param, value.empty() ? "*" : value));
    } else if (subject < 0) {
      subject = static_cast<int>(i);
    } else {
      objects.push_back(noun(g.members[i], ax.param) +
                        (value.empty() ? "" : " of " + ax.group_attr + " " + value));
    }
  }
  std::string out;
  if (subject < 0) {
    out = fmt::format("`{}` is {}", a.name, g.gained ? "gained" : "lost");
  } else {
    const size_t s = static_cast<size_t>(subject);
    if (g.group[s] >= 0)
      out += a.axes[s].group_attr + " " + a.axes[s].groups[static_cast<size_t>(g.group[s])] + ": ";
    out += fmt::format("{} {}{} `{}`", noun(g.members[s], a.axes[s].param),
                       g.gained ? "gain" : "lose", g.members[s] == 1 ? "s" : "", a.name);
    if (!objects.empty()) out += fmt::format(" on {}", fmt::join(objects, ", "));
  }
  if (!with.empty()) out += fmt::format(" with {}", fmt::join(with, ", "));
  return out;
}

} // namespace keyplan::sim
