#include "simulator/fm_model.hpp"

#include <fmt/format.h>

namespace keyplan::sim {

namespace {

// What the reports and checks call: every one must exist.
const char* const kRequired[][2] = {
    {"keys", "1"},
    {"profiles_granting", "2"},
    {"direct_of", "1"},
    {"group_level", "2"},
    {"yield_level", "3"},
    {"level", "3"},
    {"needed_license", "1"},
    {"navigation_menu", "1"},
    {"profile_menu", "1"},
    {"profile_start_board", "1"},
    {"listed", "1"},
    {"required_unassigned", "1"},
    {"optional_unassigned", "1"},
    {"on_dashboard", "1"},
    {"active", "1"},
    {"holds_at", "2"},
    {"can_use_system", "1"},
    {"subsumes", "2"},
    {"profile_groups", "1"},
    {"contexts_granting", "2"},
    {"applies_in", "2"},
    {"inactive_in_profile", "2"},
};

} // namespace

FmModel::FmModel(const ir::Policy& policy, const rt::Snapshot& snapshot, int64_t today)
    : policy_(policy), snapshot_(snapshot), interp_(policy, snapshot), today_(today) {
  for (size_t i = 0; i < policy.rules.size(); ++i)
    rules_[policy.rules[i].name].push_back(static_cast<int32_t>(i));
}

std::unique_ptr<FmModel> FmModel::open(const ir::Policy& policy, const rt::Snapshot& snapshot,
                                       int64_t today, std::string* error) {
  std::unique_ptr<FmModel> m(new FmModel(policy, snapshot, today));
  struct {
    int32_t* slot;
    const char* name;
  } types[] = {{&m->user, "User"},         {&m->group, "SystemGroup"},
               {&m->profile, "Profile"},   {&m->subject, "Subject"},
               {&m->location, "Location"}, {&m->assignment, "ContextAssignment"},
               {&m->module, "Module"}};
  for (auto& t : types) {
    *t.slot = policy.find_entity(t.name);
    if (*t.slot < 0) {
      if (error)
        *error = fmt::format("the policy has no entity type '{}': FM-suite reports need a policy "
                             "that imports std.fm_suite",
                             t.name);
      return nullptr;
    }
  }
  for (const auto& r : kRequired)
    if (m->find(r[0], static_cast<size_t>(std::stoi(r[1]))) < 0) {
      if (error)
        *error = fmt::format("the policy has no rule '{}' with {} parameter(s): FM-suite reports "
                             "need a policy that imports std.fm_suite",
                             r[0], r[1]);
      return nullptr;
    }
  return m;
}

ir::Value FmModel::attr(int32_t type, int32_t row, const std::string& name) const {
  int32_t a = policy_.entities[static_cast<size_t>(type)].find_attribute(name);
  if (a < 0) return ir::Value::none();
  return snapshot_.get(type, row, a);
}

std::string FmModel::text(int32_t type, int32_t row, const std::string& name) const {
  ir::Value v = attr(type, row, name);
  if (v.tag == ir::Value::Tag::String) return v.str;
  if (v.tag == ir::Value::Tag::None) return "";
  return snapshot_.format(v);
}

int32_t FmModel::ref(int32_t type, int32_t row, const std::string& name) const {
  ir::Value v = attr(type, row, name);
  return v.tag == ir::Value::Tag::Entity ? static_cast<int32_t>(v.num) : -1;
}

int32_t FmModel::find(const std::string& rule, size_t arity) const {
  auto it = rules_.find(rule);
  if (it == rules_.end()) return -1;
  for (int32_t r : it->second)
    if (policy_.rules[static_cast<size_t>(r)].params.size() == arity) return r;
  return -1;
}

rt::RtValue FmModel::call(const std::string& rule, const std::vector<rt::RtValue>& args) {
  int32_t r = find(rule, args.size());
  if (r < 0) return rt::RtValue::none();
  return interp_.call(r, args, today_);
}

bool FmModel::test(const std::string& rule, const std::vector<rt::RtValue>& args) {
  rt::RtValue v = call(rule, args);
  return v.kind == rt::RtKind::Bool && v.truth();
}

std::vector<int32_t> FmModel::rows(const std::string& rule, const std::vector<rt::RtValue>& args) {
  std::vector<int32_t> out;
  rt::RtValue v = call(rule, args);
  int32_t r = find(rule, args.size());
  if (r < 0 || !v.is_set()) return out;
  ir::TypeId elem = policy_.types[policy_.rules[static_cast<size_t>(r)].result].elem;
  rt::rt_for_each(v, elem, snapshot_, [&](const rt::RtValue& e) {
    out.push_back(static_cast<int32_t>(e.num));
    return true;
  });
  return out;
}

std::string FmModel::setting(const std::string& name) const {
  int32_t s = policy_.find_setting(name);
  return s < 0 ? "" : snapshot_.format(snapshot_.setting(s));
}

} // namespace keyplan::sim
