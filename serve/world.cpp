#include "serve/world.hpp"

#include "compiler/value.hpp"
#include "runtime/data_loader.hpp"

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fmt/chrono.h>
#include <fmt/format.h>
#include <fstream>
#include <sstream>

namespace keyplan::serve {

std::string fnv1a_hex(const std::string& bytes) {
  uint64_t h = 14695981039346656037ull;
  for (unsigned char c : bytes) {
    h ^= c;
    h *= 1099511628211ull;
  }
  return fmt::format("{:016x}", h);
}

namespace {

bool read_file(const std::string& path, std::string& out) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  std::ostringstream ss;
  ss << in.rdbuf();
  out = ss.str();
  return !in.bad();
}

// The mapping next to the root policy file: X.kp -> X.authzen.yaml.
std::string default_mapping_path(const World& w) {
  const auto& files = w.tenant.compiled->files;
  if (files.empty()) return {};
  std::filesystem::path p = w.tenant.compiled->sources->file(files.back().file_id).path;
  p.replace_extension(".authzen.yaml");
  return p.string();
}

} // namespace

World::~World() = default;

int64_t World::today() const {
  return fixed_today >= 0 ? fixed_today : rt::current_date();
}

rt::Decision World::decide(int32_t rule, const std::vector<ir::Value>& args, int64_t day,
                           bool explain) const {
  if (!explain && jit_->native(rule)) return jit_->decide(rule, args, day, false);
  std::unique_ptr<engine::Decider> d;
  {
    std::lock_guard<std::mutex> lock(pool_mutex_);
    if (!pool_.empty()) {
      d = std::move(pool_.back());
      pool_.pop_back();
    }
  }
  if (!d)
    d = std::make_unique<engine::Decider>(policy(), snapshot(), engine::Kind::Interp, nullptr);
  rt::Decision out = d->decide(rule, args, day, explain);
  std::lock_guard<std::mutex> lock(pool_mutex_);
  pool_.push_back(std::move(d));
  return out;
}

std::shared_ptr<const World> load_world(const WorldSpec& spec, std::string& error) {
  auto w = std::make_shared<World>();
  static std::atomic<uint64_t> loads{0};
  w->serial = ++loads;
  sim::RunOptions ro;
  ro.search_path = spec.path;
  if (!sim::load_tenant(w->tenant, spec.policy, ro)) {
    error = w->tenant.compiled->diags.render_text(*w->tenant.compiled->sources, false);
    return nullptr;
  }
  std::string all; // what the world hash covers
  const SourceManager& sources = *w->tenant.compiled->sources;
  for (int i = 0; i < sources.count(); ++i) {
    w->policy_files.push_back({sources.file(i).path, fnv1a_hex(sources.file(i).text)});
    all += "policy " + w->policy_files.back().path + " " + w->policy_files.back().hash + "\n";
  }
  Diagnostics diags;
  for (const auto& f : spec.data) {
    std::string text;
    if (!read_file(f, text)) {
      error = "cannot read data file " + f;
      return nullptr;
    }
    if (!rt::load_data(*w->tenant.snapshot, text, f, diags, *w->tenant.compiled->sources)) {
      error = diags.render_text(*w->tenant.compiled->sources, false);
      return nullptr;
    }
    w->data_files.push_back({f, fnv1a_hex(text)});
    all += "data " + f + " " + w->data_files.back().hash + "\n";
  }
  for (const auto& s : spec.sets) {
    const size_t eq = s.find('=');
    std::string err;
    if (eq == std::string::npos) {
      error = "--set " + s + ": expected NAME=VALUE";
      return nullptr;
    }
    if (!w->tenant.snapshot->set_setting(s.substr(0, eq), s.substr(eq + 1), &err)) {
      error = "--set " + s + ": " + err;
      return nullptr;
    }
    w->settings.emplace_back(s.substr(0, eq), s.substr(eq + 1));
    all += "set " + s + "\n";
  }
  if (!spec.today.empty()) {
    if (!ir::parse_date(spec.today, w->fixed_today)) {
      error = "--today " + spec.today + ": expected a date YYYY-MM-DD";
      return nullptr;
    }
    all += "today " + spec.today + "\n";
  }
  const std::string mapping_path = spec.mapping.empty() ? default_mapping_path(*w) : spec.mapping;
  std::string mapping_text;
  if (!read_file(mapping_path, mapping_text)) {
    error = "cannot read the AuthZEN mapping " + mapping_path +
            (spec.mapping.empty() ? " (give one with --mapping FILE)" : "");
    return nullptr;
  }
  if (!parse_mapping(mapping_text, mapping_path, w->policy(), w->mapping, error)) return nullptr;
  w->mapping_file = {mapping_path, fnv1a_hex(mapping_text)};
  all += "mapping " + w->mapping_file.hash + "\n";
  std::string jit_error;
  w->native = jit::CompiledPolicy::compile(w->policy(), &jit_error);
  // Without the JIT the interpreter decides everything (slower, same answers).
  w->jit_ = std::make_unique<engine::Decider>(w->policy(), w->snapshot(), engine::Kind::Jit,
                                              w->native.get());
  w->hash = fnv1a_hex(all);
  w->loaded_at = fmt::format(
      "{:%Y-%m-%dT%H:%M:%SZ}",
      fmt::gmtime(std::chrono::system_clock::to_time_t(std::chrono::system_clock::now())));
  return w;
}

} // namespace keyplan::serve
