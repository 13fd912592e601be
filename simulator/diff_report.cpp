#include "simulator/diff_report.hpp"

#include "simulator/text.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

namespace keyplan::sim {

namespace {

std::string note_of(const ActionDiff& a) {
  std::vector<std::string> parts;
  if (a.rule[0] < 0) parts.push_back("only in AFTER");
  if (a.rule[1] < 0) parts.push_back("only in BEFORE");
  auto defaults = [&](int s) {
    std::vector<std::string> d;
    for (const auto& [k, v] : a.defaults[s]) d.push_back(k + " = " + v);
    return fmt::format("{}", fmt::join(d, ", "));
  };
  const bool both = a.rule[0] >= 0 && a.rule[1] >= 0;
  if (both && a.defaults[0] != a.defaults[1]) {
    parts.push_back("before: " + defaults(0));
    parts.push_back("after: " + defaults(1));
  } else if (!a.defaults[a.rule[0] >= 0 ? 0 : 1].empty()) {
    parts.push_back(defaults(a.rule[0] >= 0 ? 0 : 1));
  }
  return fmt::format("{}", fmt::join(parts, "; "));
}

std::string groups_text(const ActionDiff& a, const GroupRow& g) {
  std::vector<std::string> parts;
  for (size_t i = 0; i < a.axes.size(); ++i) {
    if (g.group[i] < 0) continue;
    const DiffAxis& ax = a.axes[i];
    const std::string& v = ax.groups[static_cast<size_t>(g.group[i])];
    parts.push_back(ax.entity ? fmt::format("{}.{} = {}", ax.param, ax.group_attr, v)
                              : fmt::format("{} = {}", ax.param, v));
  }
  return fmt::format("{}", fmt::join(parts, ", "));
}

std::string members_text(const ActionDiff& a, const GroupRow& g) {
  std::vector<std::string> parts;
  for (size_t i = 0; i < a.axes.size(); ++i)
    parts.push_back(fmt::format("{} {}", g.members[i], a.axes[i].param));
  return fmt::format("{}", fmt::join(parts, " × "));
}

// Every flipped cell, in order: action, gained or lost, one label per axis.
template <typename F> void each_cell(const DiffResult& r, F&& f) {
  for (size_t ai = 0; ai < r.actions.size(); ++ai) {
    const ActionDiff& a = r.actions[ai];
    for (const FlipRow& row : a.flips)
      for (size_t wi = 0; wi < row.words(); ++wi)
        for (uint64_t word = row.gained_word(wi) | row.lost_word(wi); word; word &= word - 1) {
          uint32_t l = static_cast<uint32_t>(wi * 64 + static_cast<size_t>(std::countr_zero(word)));
          bool gained = (row.gained_word(wi) >> (l % 64)) & 1u;
          f(a, gained, cell_args(a, row, l));
        }
  }
}

std::string changed_text(const ChangedClause& c) {
  std::string out = fmt::format("{} {}: {} → {}", c.deciding ? "deciding:" : "because:", c.text,
                                c.before, c.after);
  if (!c.rule.empty()) out += fmt::format("  (in {})", c.rule);
  for (const auto& d : c.before_details) out += "\n    before: " + d;
  for (const auto& d : c.after_details) out += "\n    after:  " + d;
  return out;
}

} // namespace

std::vector<Table> diff_tables(const DiffResult& r, const DiffReportOptions& o) {
  std::vector<Table> out;
  Table sum;
  sum.name = "summary";
  sum.title =
      fmt::format("diff: {} -> {}: {} gained, {} lost", r.labels[0], r.labels[1], r.gained, r.lost);
  sum.headers = {"action", "cells", "allowed before", "allowed after", "gained", "lost", "note"};
  for (const auto& a : r.actions)
    sum.rows.push_back({a.signature, std::to_string(a.cells), std::to_string(a.allowed[0]),
                        std::to_string(a.allowed[1]), std::to_string(a.gained),
                        std::to_string(a.lost), note_of(a)});
  for (const auto& s : r.skipped) sum.notes.push_back("not compared: " + s);
  for (const auto& t : r.only_types) sum.notes.push_back(t);
  out.push_back(std::move(sum));
  if (o.summary) return out;

  Table groups;
  groups.name = "groups";
  groups.title = "gained and lost, by group";
  groups.headers = {"action", "change", "group", "instances", "cells", "summary"};
  for (const auto& g : r.groups) {
    const ActionDiff& a = r.actions[g.action];
    groups.rows.push_back({a.signature, g.gained ? "gained" : "lost", groups_text(a, g),
                           members_text(a, g), std::to_string(g.cells), group_sentence(r, g)});
  }
  out.push_back(std::move(groups));

  Table cells;
  cells.name = "cells";
  cells.title = "flipped cells";
  cells.headers = {"action", "change"};
  for (const auto& a : r.actions)
    for (const auto& ax : a.axes)
      if (std::find(cells.headers.begin() + 2, cells.headers.end(), ax.param) ==
          cells.headers.end())
        cells.headers.push_back(ax.param);
  size_t more = 0;
  each_cell(r, [&](const ActionDiff& a, bool gained,
                   const std::vector<std::pair<std::string, std::string>>& args) {
    if (o.max_cell_rows && cells.rows.size() >= o.max_cell_rows) {
      ++more;
      return;
    }
    std::vector<std::string> row(cells.headers.size());
    row[0] = a.name;
    row[1] = gained ? "gained" : "lost";
    for (const auto& [k, v] : args)
      for (size_t i = 2; i < cells.headers.size(); ++i)
        if (cells.headers[i] == k) row[i] = v;
    cells.rows.push_back(std::move(row));
  });
  if (more)
    cells.notes.push_back(fmt::format("... and {} more flipped cells (--format csv, json or xlsx "
                                      "lists them all)",
                                      more));
  out.push_back(std::move(cells));

  if (!r.only.empty()) {
    Table only;
    only.name = "instances";
    only.title = "instances in one world only";
    only.headers = {"type", "id", "only in"};
    for (const auto& i : r.only) only.rows.push_back({i.type, i.id, i.side ? "AFTER" : "BEFORE"});
    out.push_back(std::move(only));
  }
  if (!r.explained.empty()) {
    Table ex;
    ex.name = "explanations";
    ex.title = "explained cells";
    ex.headers = {"action", "change", "cell", "changed clauses", "before", "after"};
    for (const auto& c : r.explained) {
      std::vector<std::string> args, changed;
      for (const auto& [k, v] : c.args) args.push_back(k + " = " + v);
      for (const auto& ch : c.changed) changed.push_back(changed_text(ch));
      ex.rows.push_back({r.actions[c.action].name, c.gained ? "gained" : "lost",
                         fmt::format("{}", fmt::join(args, ", ")),
                         fmt::format("{}", fmt::join(changed, "\n")), c.before_text, c.after_text});
    }
    out.push_back(std::move(ex));
  }
  return out;
}

std::string diff_explanations_text(const DiffResult& r) {
  std::string out;
  for (const auto& c : r.explained) {
    std::vector<std::string> args;
    for (const auto& [k, v] : c.args) args.push_back(k + " = " + v);
    out += fmt::format("\n{} {}({})\n", c.gained ? "gained:" : "lost:", r.actions[c.action].name,
                       fmt::join(args, ", "));
    if (!c.changed.empty()) {
      out += "  changed:\n";
      for (const auto& ch : c.changed) out += indent_lines(changed_text(ch), "    ");
      if (out.back() != '\n') out += '\n';
    }
    out += "  BEFORE (" + r.labels[0] + "):\n" + indent_lines(c.before_text, "    ");
    out += "  AFTER (" + r.labels[1] + "):\n" + indent_lines(c.after_text, "    ");
  }
  return out;
}

nlohmann::json diff_json(const DiffResult& r, const DiffReportOptions& o) {
  using nlohmann::json;
  json j;
  j["before"] = r.labels[0];
  j["after"] = r.labels[1];
  j["changed"] = r.changed();
  j["gained"] = r.gained;
  j["lost"] = r.lost;
  j["cross_checked"] = r.cross_checked;
  json actions = json::array();
  for (const auto& a : r.actions) {
    json aj;
    aj["action"] = a.name;
    aj["signature"] = a.signature;
    aj["in_before"] = a.rule[0] >= 0;
    aj["in_after"] = a.rule[1] >= 0;
    aj["params"] = json::array();
    for (const auto& ax : a.axes) aj["params"].push_back(ax.param);
    aj["cells"] = a.cells;
    aj["allowed_before"] = a.allowed[0];
    aj["allowed_after"] = a.allowed[1];
    aj["gained"] = a.gained;
    aj["lost"] = a.lost;
    json defaults = json::object();
    for (int s = 0; s < 2; ++s) {
      json d = json::object();
      for (const auto& [k, v] : a.defaults[s]) d[k] = v;
      if (a.rule[s] >= 0) defaults[s ? "after" : "before"] = d;
    }
    aj["defaults"] = defaults;
    if (a.open >= 0) aj["column"] = a.axes[static_cast<size_t>(a.open)].param;
    json plan = json::object();
    for (int s = 0; s < 2; ++s)
      if (!a.plan[s].empty()) plan[s ? "after" : "before"] = a.plan[s];
    aj["plan"] = plan;
    json grouping = json::object();
    for (const auto& ax : a.axes)
      grouping[ax.param] = ax.groups.empty() ? json(nullptr)
                           : ax.entity       ? json(ax.group_attr)
                                             : json("(value)");
    aj["grouping"] = grouping;
    actions.push_back(aj);
  }
  j["actions"] = actions;
  j["skipped"] = r.skipped;
  json only = json::array();
  for (const auto& i : r.only)
    only.push_back({{"type", i.type}, {"id", i.id}, {"only_in", i.side ? "after" : "before"}});
  j["instances_one_side"] = only;
  j["types_one_side"] = r.only_types;
  if (o.summary) return j;
  json groups = json::array();
  for (const auto& g : r.groups) {
    const ActionDiff& a = r.actions[g.action];
    json gj;
    gj["action"] = a.name;
    gj["signature"] = a.signature;
    gj["change"] = g.gained ? "gained" : "lost";
    json key = json::object(), counts = json::object();
    for (size_t i = 0; i < a.axes.size(); ++i) {
      counts[a.axes[i].param] = g.members[i];
      if (g.group[i] >= 0) key[a.axes[i].param] = a.axes[i].groups[static_cast<size_t>(g.group[i])];
    }
    gj["group"] = key;
    gj["instances"] = counts;
    gj["cells"] = g.cells;
    gj["summary"] = group_sentence(r, g);
    groups.push_back(gj);
  }
  j["groups"] = groups;
  json ex = json::array();
  for (const auto& c : r.explained) {
    json args_j = json::object();
    for (const auto& [k, v] : c.args) args_j[k] = v;
    json changed = json::array();
    for (const auto& ch : c.changed)
      changed.push_back({{"text", ch.text},
                         {"deciding", ch.deciding},
                         {"rule", ch.rule},
                         {"before", ch.before},
                         {"after", ch.after},
                         {"before_details", ch.before_details},
                         {"after_details", ch.after_details}});
    ex.push_back({{"action", r.actions[c.action].name},
                  {"change", c.gained ? "gained" : "lost"},
                  {"args", args_j},
                  {"changed", changed},
                  {"before", c.before_json},
                  {"after", c.after_json}});
  }
  j["explanations"] = ex;
  return j;
}

void diff_json_write(const DiffResult& r, const DiffReportOptions& o, const WritePiece& write) {
  const auto handler = nlohmann::json::error_handler_t::replace;
  const std::string doc = diff_json(r, o).dump(2, ' ', false, handler);
  if (o.summary) {
    write(doc);
    write("\n");
    return;
  }
  // The document up to its closing brace, then the flipped cells as text,
  // one per line (millions of them as JSON values would take a kilobyte
  // each in memory), handed on in pieces of about 64 KiB.
  write(std::string_view(doc).substr(0, doc.size() - 2));
  auto str = [&](const std::string& s) { return nlohmann::json(s).dump(-1, ' ', false, handler); };
  std::string cells = ",\n  \"cells\": [";
  bool first = true;
  each_cell(r, [&](const ActionDiff& a, bool gained,
                   const std::vector<std::pair<std::string, std::string>>& args) {
    cells += first ? "\n    " : ",\n    ";
    first = false;
    cells += "{\"action\": " + str(a.name) + ", \"change\": \"" + (gained ? "gained" : "lost") +
             "\", \"args\": {";
    for (size_t i = 0; i < args.size(); ++i)
      cells += (i ? ", " : "") + str(args[i].first) + ": " + str(args[i].second);
    cells += "}}";
    if (cells.size() >= (64 << 10)) {
      write(cells);
      cells.clear();
    }
  });
  cells += first ? "]" : "\n  ]";
  write(cells);
  write(std::string_view(doc).substr(doc.size() - 2));
  write("\n");
}

std::string diff_json_text(const DiffResult& r, const DiffReportOptions& o) {
  std::string out;
  diff_json_write(r, o, [&out](std::string_view piece) { out += piece; });
  return out;
}

} // namespace keyplan::sim
