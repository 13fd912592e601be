#include "bench/desk_bench.hpp"

#include "compiler/codegen/jit.hpp"
#include "compiler/compile.hpp"
#include "runtime/bitset.hpp"
#include "runtime/data_loader.hpp"
#include "runtime/interpreter.hpp"

#include <algorithm>
#include <chrono>
#include <fmt/format.h>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <sys/resource.h>

namespace keyplan::sim {

namespace {

using Clock = std::chrono::steady_clock;
double ms_since(Clock::time_point t) {
  return std::chrono::duration<double, std::milli>(Clock::now() - t).count();
}

int32_t need_entity(const ir::Policy& p, const char* name) {
  int32_t t = p.find_entity(name);
  if (t < 0) throw std::runtime_error(fmt::format("the policy has no entity type {}", name));
  return t;
}

const rt::Column& need_column(const rt::Snapshot& s, int32_t type, const char* attr) {
  int32_t a = s.policy().entities[static_cast<size_t>(type)].find_attribute(attr);
  if (a < 0) throw std::runtime_error(fmt::format("no attribute {}", attr));
  return s.table(type).columns[static_cast<size_t>(a)];
}

const ir::Value& need_setting(const rt::Snapshot& s, const char* name) {
  int32_t i = s.policy().find_setting(name);
  if (i < 0) throw std::runtime_error(fmt::format("no setting {}", name));
  return s.setting(i);
}

int64_t enum_member(const ir::Policy& p, const char* type, const char* member) {
  int32_t e = p.find_enum(type);
  if (e < 0) throw std::runtime_error(fmt::format("no enum {}", type));
  const auto& ms = p.enums[static_cast<size_t>(e)].members;
  auto it = std::find(ms.begin(), ms.end(), member);
  if (it == ms.end()) throw std::runtime_error(fmt::format("no member {}", member));
  return it - ms.begin();
}

} // namespace

HandBook::HandBook(const rt::Snapshot& s) {
  const ir::Policy& p = s.policy();
  int32_t user = need_entity(p, "User"), group = need_entity(p, "Group"),
          building = need_entity(p, "Building"), floor = need_entity(p, "Floor"),
          object = need_entity(p, "Object");
  auto bits = [&](int32_t t, const char* a, int64_t& stride) {
    const rt::Column& c = need_column(s, t, a);
    stride = c.stride;
    return c.words.data();
  };
  user_groups_ = bits(user, "groups", user_stride_);
  building_groups_ = bits(building, "groups", building_stride_);
  floor_groups_ = bits(floor, "groups", floor_stride_);
  object_groups_ = bits(object, "groups", object_stride_);
  building_published_ = need_column(s, building, "published").scalars.data();
  floor_published_ = need_column(s, floor, "published").scalars.data();
  floor_building_ = need_column(s, floor, "building").scalars.data();
  object_floor_ = need_column(s, object, "floor").scalars.data();
  object_kind_ = need_column(s, object, "kind").scalars.data();
  object_status_ = need_column(s, object, "status").scalars.data();
  object_window_ = need_column(s, object, "ignore_groups_within").scalars.data();
  all_row_ = s.find(group, "ALL");
  flexible_ = enum_member(p, "ObjectStatus", "flexible");
  home_office_kind_ = enum_member(p, "ObjectKind", "home_office");
  all_is_everyone_ = need_setting(s, "all_is_everyone").num != 0;
  floor_needs_building_ = need_setting(s, "floor_needs_building").num != 0;
  home_office_enabled_ = need_setting(s, "home_office_enabled").num != 0;
  group_words_ = rt::bits::words_for(static_cast<size_t>(s.count(group)));
  home_office_groups_.assign(std::max<uint32_t>(group_words_, 1), 0);
  for (const auto& g : need_setting(s, "home_office_groups").elems)
    rt::bits::set(home_office_groups_.data(), static_cast<size_t>(g.num));
}

// groups_of(u) meets whitelist, groups_of(u) = u.groups (union [ALL] when all_is_everyone).
bool HandBook::admitted(int64_t user, const uint64_t* wl) const {
  if (all_is_everyone_ && all_row_ >= 0 && rt::bits::test(wl, static_cast<size_t>(all_row_)))
    return true;
  return rt::bits::intersects(user_groups_ + user * user_stride_, wl, group_words_);
}

bool HandBook::book(int64_t u, int64_t o, int64_t on, int64_t today) const {
  int64_t f = object_floor_[o];
  int64_t b = floor_building_[f];
  // see(user, object.floor)
  if (!floor_published_[f] || !building_published_[b]) return false;
  if (!admitted(u, floor_groups_ + f * floor_stride_)) return false;
  if (floor_needs_building_ && !admitted(u, building_groups_ + b * building_stride_)) return false;
  if (object_status_[o] != flexible_) return false;
  if (object_kind_[o] == home_office_kind_ &&
      !(home_office_enabled_ && admitted(u, home_office_groups_.data())))
    return false;
  if (admitted(u, object_groups_ + o * object_stride_)) return true;
  return on >= today && static_cast<int64_t>(static_cast<uint64_t>(on) -
                                             static_cast<uint64_t>(today)) < object_window_[o];
}

double peak_rss_mb() {
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  return static_cast<double>(ru.ru_maxrss) / 1024.0; // Linux: KiB
}

namespace {

struct Timed {
  std::vector<double> batch_ns; // ns per decision of each batch
  double total_ns = 0;
};

template <typename F>
EngineResult time_engine(const char* name, const std::vector<std::pair<int64_t, int64_t>>& reqs,
                         int64_t batch, std::vector<uint8_t>& out, F&& decide) {
  EngineResult r;
  r.name = name;
  out.assign(reqs.size(), 0);
  std::vector<double> batches;
  auto start = Clock::now();
  for (size_t i = 0; i < reqs.size(); i += static_cast<size_t>(batch)) {
    size_t end = std::min(reqs.size(), i + static_cast<size_t>(batch));
    auto t0 = Clock::now();
    for (size_t k = i; k < end; ++k) out[k] = decide(reqs[k].first, reqs[k].second) ? 1 : 0;
    batches.push_back(std::chrono::duration<double, std::nano>(Clock::now() - t0).count() /
                      static_cast<double>(end - i));
  }
  double total = std::chrono::duration<double, std::nano>(Clock::now() - start).count();
  r.mean_ns = reqs.empty() ? 0 : total / static_cast<double>(reqs.size());
  if (!batches.empty()) {
    std::sort(batches.begin(), batches.end());
    r.median_ns = batches[batches.size() / 2];
    r.p99_ns = batches[std::min(batches.size() - 1, batches.size() * 99 / 100)];
  }
  for (uint8_t d : out) r.allowed += d;
  return r;
}

bool read_file(const std::string& path, std::string& out) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  std::ostringstream ss;
  ss << in.rdbuf();
  out = ss.str();
  return true;
}

} // namespace

bool run_desk_bench(const BenchOptions& o, BenchResult& r, std::string& error) {
  auto t = Clock::now();
  CompileResult compiled = compile_policy("std.desk_booking");
  r.front_ms = ms_since(t);
  if (!compiled.policy) {
    error = "std.desk_booking does not compile:\n" + compiled.diags.render_text(*compiled.sources);
    return false;
  }
  const ir::Policy& p = *compiled.policy;
  t = Clock::now();
  auto cp = jit::CompiledPolicy::compile(p, &error);
  if (!cp) return false;
  std::vector<int32_t> books = p.find_rules("book");
  // Native code is generated per action on first use: the time to a
  // callable `book` is set-up plus book's own code generation.
  if (books.size() != 1 || !cp->compiled(books[0])) {
    error = "std.desk_booking's book is not compiled by the JIT";
    return false;
  }
  r.jit_ms = ms_since(t);
  int32_t book = books[0];

  std::string yaml;
  std::string path = o.data_file.empty() ? "<generated tenant>" : o.data_file;
  t = Clock::now();
  if (o.data_file.empty()) {
    yaml = generate_desk_tenant(o.shape);
  } else {
    // The data loader's reader: directories, NUL bytes, huge files refused.
    Diagnostics read_diags;
    if (!rt::read_data_file(o.data_file, yaml, read_diags)) {
      error = read_diags.render_text(*compiled.sources);
      return false;
    }
  }
  r.gen_ms = o.data_file.empty() ? ms_since(t) : 0;
  rt::Snapshot snap(p);
  Diagnostics diags;
  t = Clock::now();
  bool loaded = rt::load_data(snap, yaml, path, diags, *compiled.sources);
  r.load_ms = ms_since(t);
  if (!loaded) {
    error = diags.render_text(*compiled.sources);
    return false;
  }
  yaml.clear();
  yaml.shrink_to_fit();
  int32_t user_t = p.find_entity("User"), object_t = p.find_entity("Object");
  r.users = snap.count(user_t);
  r.objects = snap.count(object_t);
  if (r.users == 0 || r.objects == 0) {
    error = "the tenant has no users or no objects";
    return false;
  }
  int64_t today = 0;
  if (!ir::parse_date(o.today.empty() ? "2026-11-23" : o.today, today)) {
    error = "--today: expected YYYY-MM-DD";
    return false;
  }

  std::vector<std::pair<int64_t, int64_t>> reqs;
  if (!o.requests_file.empty()) {
    std::string csv;
    if (!read_file(o.requests_file, csv)) {
      error = "cannot read " + o.requests_file;
      return false;
    }
    std::istringstream in(csv);
    std::string line;
    for (int n = 1; std::getline(in, line); ++n) {
      if (!line.empty() && line.back() == '\r') line.pop_back();
      if (line.empty() || line[0] == '#') continue;
      auto comma = line.find(',');
      std::string u = comma == std::string::npos ? line : line.substr(0, comma);
      std::string ob = comma == std::string::npos ? "" : line.substr(comma + 1);
      int32_t ur = snap.find(user_t, u), orow = snap.find(object_t, ob);
      if (ur < 0 || orow < 0) {
        if (n == 1 && (u == "user" || ob == "object")) continue; // a header line
        error = fmt::format("{}:{}: unknown {} '{}'", o.requests_file, n,
                            ur < 0 ? "user" : "object", ur < 0 ? u : ob);
        return false;
      }
      reqs.emplace_back(ur, orow);
    }
  } else {
    SplitMix rng(o.seed);
    reqs.reserve(static_cast<size_t>(std::max<int64_t>(o.requests, 0)));
    for (int64_t i = 0; i < o.requests; ++i)
      reqs.emplace_back(static_cast<int64_t>(rng.below(static_cast<uint64_t>(r.users))),
                        static_cast<int64_t>(rng.below(static_cast<uint64_t>(r.objects))));
  }
  r.requests = static_cast<int64_t>(reqs.size());
  int64_t batch = std::max<int64_t>(1, o.batch);

  std::vector<uint8_t> d_interp, d_jit, d_hand;
  rt::Interpreter interp(p, snap);
  std::vector<rt::RtValue> args{rt::RtValue::none(), rt::RtValue::none(), rt::RtValue::date(today)};
  r.engines.push_back(time_engine("interp", reqs, batch, d_interp, [&](int64_t u, int64_t ob) {
    args[0] = rt::RtValue::entity(user_t, u);
    args[1] = rt::RtValue::entity(object_t, ob);
    return interp.call(book, args, today).truth();
  }));
  jit::Binding binding(*cp, snap);
  r.engines.push_back(time_engine("jit", reqs, batch, d_jit, [&](int64_t u, int64_t ob) {
    int64_t a[3] = {u, ob, today};
    return binding.decide(book, a, today);
  }));
  HandBook hand(snap);
  r.engines.push_back(time_engine("hand", reqs, batch, d_hand, [&](int64_t u, int64_t ob) {
    return hand.book(u, ob, today, today);
  }));
  r.peak_rss_mb = peak_rss_mb();
  for (size_t i = 0; i < reqs.size(); ++i)
    if (d_interp[i] != d_jit[i] || d_interp[i] != d_hand[i]) {
      error = fmt::format(
          "the engines disagree on book(user = {}, object = {}): interp {}, jit {}, hand {}",
          snap.id(user_t, static_cast<int32_t>(reqs[i].first)),
          snap.id(object_t, static_cast<int32_t>(reqs[i].second)), d_interp[i], d_jit[i],
          d_hand[i]);
      return false;
    }
  return true;
}

std::string bench_text(const BenchResult& r) {
  std::string out = fmt::format("tenant: {} users, {} objects; {} book requests\n", r.users,
                                r.objects, r.requests);
  out += fmt::format("compile: front end {:.1f} ms, JIT {:.1f} ms, total {:.1f} ms\n", r.front_ms,
                     r.jit_ms, r.front_ms + r.jit_ms);
  out += fmt::format("tenant: generated in {:.0f} ms, loaded in {:.0f} ms; peak RSS {:.1f} MB\n",
                     r.gen_ms, r.load_ms, r.peak_rss_mb);
  out += fmt::format("{:<8} {:>10} {:>12} {:>10} {:>10}\n", "engine", "mean ns", "median ns",
                     "p99 ns", "allowed");
  for (const auto& e : r.engines)
    out += fmt::format("{:<8} {:>10.1f} {:>12.1f} {:>10.1f} {:>10}\n", e.name, e.mean_ns,
                       e.median_ns, e.p99_ns, e.allowed);
  if (r.engines.size() == 3 && r.engines[1].mean_ns > 0 && r.engines[2].mean_ns > 0)
    out += fmt::format("jit is {:.1f}x faster than interp; {:.2f}x the hand-written function\n",
                       r.engines[0].mean_ns / r.engines[1].mean_ns,
                       r.engines[1].mean_ns / r.engines[2].mean_ns);
  return out;
}

nlohmann::json bench_json(const BenchResult& r) {
  nlohmann::json j;
  j["users"] = r.users;
  j["objects"] = r.objects;
  j["requests"] = r.requests;
  j["compile_ms"] = {
      {"front_end", r.front_ms}, {"jit", r.jit_ms}, {"total", r.front_ms + r.jit_ms}};
  j["tenant_ms"] = {{"generate", r.gen_ms}, {"load", r.load_ms}};
  j["peak_rss_mb"] = r.peak_rss_mb;
  for (const auto& e : r.engines)
    j["engines"][e.name] = {{"mean_ns", e.mean_ns},
                            {"median_ns", e.median_ns},
                            {"p99_ns", e.p99_ns},
                            {"allowed", e.allowed}};
  if (r.engines.size() == 3 && r.engines[1].mean_ns > 0 && r.engines[2].mean_ns > 0) {
    j["jit_speedup_over_interp"] = r.engines[0].mean_ns / r.engines[1].mean_ns;
    j["jit_over_hand"] = r.engines[1].mean_ns / r.engines[2].mean_ns;
  }
  return j;
}

} // namespace keyplan::sim
