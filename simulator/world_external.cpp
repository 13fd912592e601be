#include "simulator/world_external.hpp"

#include "simulator/directory_model.hpp"
#include "simulator/scenario.hpp"
#include "simulator/text.hpp"
#include "simulator/world.hpp"

#include <algorithm>
#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

namespace keyplan::sim {
namespace {

// The model's users and groups, by their directory annotations
// (simulator/directory_model.hpp): external groups need @membership and
// @identity_provider.
struct Model : DirectoryModel {
  bool ok() const { return user >= 0 && group >= 0 && groups >= 0 && external >= 0; }
  const std::string& entity_name(const ir::Policy& p, int32_t e) const {
    return p.entities[static_cast<size_t>(e)].name;
  }
  const std::string& attr_name(const ir::Policy& p, int32_t e, int32_t a) const {
    return attr(p, e, a).name;
  }
};

Model model_of(const ir::Policy& p) {
  return Model{directory_model(p)};
}

bool is_external(const rt::Snapshot& snap, const Model& m, int32_t row) {
  ir::Value k = snap.get(m.group, row, m.kind);
  return k.tag == ir::Value::Tag::Enum && k.num == m.external;
}

// Where the edit states `entity` `id`: its `attr` key, else its entry.
Span entry_span(const DataEdit& edit, const SourceManager& sm, const std::string& entity,
                const std::string& id, const std::string& attr) {
  YAML::Node root;
  int fid = edit.file_id;
  try {
    if (edit.inline_data) {
      root = *edit.inline_data;
    } else {
      for (int i = sm.count() - 1; i >= 0 && fid < 0; --i)
        if (sm.file(i).path == edit.file) fid = i;
      if (fid < 0) return Span{};
      root = YAML::Load(sm.file(fid).text);
    }
  } catch (const YAML::Exception&) {
    return Span{};
  }
  if (!root.IsMap() || !root[entity] || !root[entity].IsSequence()) return Span{};
  for (const auto& item : root[entity]) {
    if (!item.IsMap() || !item["id"] || !item["id"].IsScalar() || item["id"].Scalar() != id)
      continue;
    for (const auto& kv : item)
      if (kv.first.IsScalar() && kv.first.Scalar() == attr) return node_span(kv.first, fid);
    return node_span(item, fid);
  }
  return Span{};
}

} // namespace

ExternalMembership external_membership(const rt::Snapshot& snap) {
  ExternalMembership out;
  Model m = model_of(snap.policy());
  if (!m.ok()) return out;
  for (int32_t g = 0; g < snap.count(m.group); ++g)
    if (is_external(snap, m, g)) out.external.insert(g);
  out.per_user.resize(static_cast<size_t>(snap.count(m.user)));
  for (int32_t u = 0; u < snap.count(m.user); ++u)
    for (const auto& e : snap.get(m.user, u, m.groups).elems)
      if (out.external.count(static_cast<int32_t>(e.num)))
        out.per_user[static_cast<size_t>(u)].insert(static_cast<int32_t>(e.num));
  return out;
}

void check_external_unchanged(const rt::Snapshot& snap, const ExternalMembership& before,
                              const DataEdit& edit, const SourceManager& sm, Diagnostics& diags) {
  Model m = model_of(snap.policy());
  if (!m.ok() || before.external.empty()) return;
  auto names = [&](const std::set<int32_t>& rows) {
    std::vector<std::string> ids;
    for (int32_t r : rows) ids.push_back(snap.id(m.group, r));
    return fmt::format("{}", fmt::join(ids, ", "));
  };
  for (int32_t g : before.external)
    if (g < snap.count(m.group) && !is_external(snap, m, g)) {
      const std::string& id = snap.id(m.group, g);
      const ir::Policy& p = snap.policy();
      diags.error(
          entry_span(edit, sm, m.entity_name(p, m.group), id, m.attr_name(p, m.group, m.kind)),
          fmt::format("the what-if changes the kind of the external group '{}': it is "
                      "synchronised from the identity provider (F-G2)",
                      id),
          fmt::format("state `detach: [{}]` in the what-if to make it internal", id));
    }
  for (int32_t u = 0; u < snap.count(m.user); ++u) {
    std::set<int32_t> now;
    for (const auto& e : snap.get(m.user, u, m.groups).elems)
      if (before.external.count(static_cast<int32_t>(e.num)))
        now.insert(static_cast<int32_t>(e.num));
    static const std::set<int32_t> none;
    const auto& was = static_cast<size_t>(u) < before.per_user.size()
                          ? before.per_user[static_cast<size_t>(u)]
                          : none;
    if (now == was) continue;
    std::set<int32_t> changed;
    std::set_symmetric_difference(now.begin(), now.end(), was.begin(), was.end(),
                                  std::inserter(changed, changed.end()));
    const std::string& id = snap.id(m.user, u);
    diags.error(
        entry_span(edit, sm, m.entity_name(snap.policy(), m.user), id,
                   m.attr_name(snap.policy(), m.user, m.groups)),
        fmt::format("the what-if changes the membership of user '{}' in the external group{} "
                    "{}: members of external groups are read-only (F-G2, synchronised from the "
                    "identity provider)",
                    id, changed.size() == 1 ? "" : "s", names(changed)),
        fmt::format("state `detach: [{}]` in the what-if first (the group becomes internal)",
                    names(changed)));
  }
}

void detach_groups(rt::Snapshot& snap, const std::vector<Detach>& detach, Diagnostics& diags) {
  if (detach.empty()) return;
  Model m = model_of(snap.policy());
  if (!m.ok() || m.internal < 0) {
    diags.error(detach.front().span,
                "detach needs a model whose groups declare @identity_provider(external, "
                "internal) (F-G2), as std.desk_booking's do",
                directory_missing(snap.policy(), m, kNeedExternal));
    return;
  }
  const ir::TypeId kind_t = snap.policy()
                                .entities[static_cast<size_t>(m.group)]
                                .attributes[static_cast<size_t>(m.kind)]
                                .type;
  for (const auto& d : detach) {
    int32_t row = snap.find(m.group, d.group);
    if (row < 0) {
      std::string hint = did_you_mean(d.group, snap.table(m.group).ids);
      diags.error(d.span, fmt::format("detach: unknown group '{}'", terminal_safe(d.group)), hint);
      continue;
    }
    if (!is_external(snap, m, row)) {
      diags.error(d.span, fmt::format("detach: the group '{}' is not external ({}): only an "
                                      "external group can be detached (F-G2)",
                                      d.group, snap.format(snap.get(m.group, row, m.kind))));
      continue;
    }
    snap.set(m.group, row, m.kind,
             ir::Value::enumerator(snap.policy().types[kind_t].ref, m.internal));
  }
}

} // namespace keyplan::sim
