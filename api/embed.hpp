// A C++ face of the C ABI in keyplan.h: RAII, exceptions, std::string.
//
//   keyplan::Engine e("std.desk_booking", {"tenant.yaml"});
//   e.set_today("2026-11-23");
//   bool ok = e.decide("book", {{"user", "u1"}, {"object", "b0_f0_d0"}});
//
// Decisions are thread-safe; changes (load_data, set_setting, set_today) are not.
#pragma once

#include "api/keyplan.h"

#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace keyplan {

// Verify mode found the JIT and the interpreter disagreeing (a keyplan bug).
struct Disagreement : std::runtime_error {
  using std::runtime_error::runtime_error;
};

class Engine {
public:
  using Args = std::vector<std::pair<std::string, std::string>>;

  Engine(const std::string& policy, const std::vector<std::string>& data_files = {}) {
    std::vector<const char*> files;
    for (const auto& f : data_files) files.push_back(f.c_str());
    char* err = nullptr;
    e_ = kp_open(policy.c_str(), files.data(), files.size(), &err);
    if (!e_) throw std::runtime_error(take(err));
  }
  ~Engine() { kp_close(e_); }
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  void load_data(const std::string& yaml) { check(kp_load_data(e_, yaml.c_str(), &err_)); }
  void set_setting(const std::string& name, const std::string& value) {
    check(kp_set_setting(e_, name.c_str(), value.c_str(), &err_));
  }
  void set_today(const std::string& date) { check(kp_set_today(e_, date.c_str(), &err_)); }
  bool native(const std::string& action) const { return kp_is_native(e_, action.c_str()) == 1; }
  // The C handle, for the functions of keyplan.h this class does not wrap.
  kp_engine* handle() const { return e_; }
  // Verify mode (keyplan.h): decisions throw Disagreement when the engines differ.
  void set_verify(bool on) { kp_set_verify(e_, on ? 1 : 0); }

  // Allow or deny; a request that does not resolve is a deny, with the reason
  // in *why when given. Throws Disagreement in verify mode (keyplan.h).
  bool decide(const std::string& action, const Args& args, std::string* why = nullptr) const {
    std::vector<const char*> names, values;
    for (const auto& [n, v] : args) {
      names.push_back(n.c_str());
      values.push_back(v.c_str());
    }
    char* err = nullptr;
    int r = kp_decide(e_, action.c_str(), args.size(), names.data(), values.data(), &err);
    std::string msg = take(err);
    if (r == KP_DISAGREE) throw Disagreement(msg);
    if (why) *why = msg;
    return r == 1;
  }

  // Many requests of one action: rows[i][j] is argument names[j] of request i.
  std::vector<bool> decide_batch(const std::string& action, const std::vector<std::string>& names,
                                 const std::vector<std::vector<std::string>>& rows,
                                 int64_t* allowed = nullptr) const {
    std::vector<const char*> n, v;
    for (const auto& s : names) n.push_back(s.c_str());
    for (const auto& row : rows)
      for (size_t j = 0; j < names.size(); ++j) v.push_back(j < row.size() ? row[j].c_str() : "");
    std::vector<uint8_t> out(rows.size());
    char* err = nullptr;
    int64_t a = kp_decide_batch(e_, action.c_str(), names.size(), n.data(), rows.size(), v.data(),
                                out.data(), &err);
    std::string msg = take(err);
    if (a == KP_DISAGREE) throw Disagreement(msg);
    if (allowed) *allowed = a;
    return {out.begin(), out.end()};
  }

private:
  static std::string take(char* err) {
    std::string s = err ? err : "";
    kp_free_string(err);
    return s;
  }
  void check(int rc) {
    if (rc != 0) throw std::runtime_error(take(err_));
  }
  kp_engine* e_ = nullptr;
  char* err_ = nullptr;
};

} // namespace keyplan
