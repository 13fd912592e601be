#include "bench/load_bench.hpp"

#include "bench/desk_bench.hpp"
#include "compiler/compile.hpp"
#include "runtime/data_file.hpp"
#include "runtime/data_loader.hpp"
#include "runtime/snapshot_compare.hpp"

#include <chrono>
#include <fmt/format.h>
#include <fstream>
#include <sys/resource.h>
#include <unistd.h>

namespace keyplan::sim {

namespace {

using Clock = std::chrono::steady_clock;

// CPU time of this process (user + system), in ms: the machine is shared,
// so wall time alone says little.
double cpu_ms() {
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  auto ms = [](const timeval& t) { return t.tv_sec * 1e3 + t.tv_usec / 1e3; };
  return ms(ru.ru_utime) + ms(ru.ru_stime);
}

struct Timed {
  bool ok = false, fast_path = false;
  double wall_ms = 0, cpu_ms = 0;
};

// `text` is given up by the measured load (moved into `sources`, as
// load_data_file does), kept by the reference loader.
Timed timed_load(bool reference, rt::Snapshot& snap, std::string& text, const std::string& path,
                 Diagnostics& diags, SourceManager& sources) {
  Timed t;
  rt::LoadInfo info;
  double c0 = cpu_ms();
  auto w0 = Clock::now();
  t.ok = reference ? rt::load_data_reference(snap, text, path, diags, sources)
                   : rt::load_data(snap, std::move(text), path, diags, sources, &info);
  t.wall_ms = std::chrono::duration<double, std::milli>(Clock::now() - w0).count();
  t.cpu_ms = cpu_ms() - c0;
  t.fast_path = info.fast_path;
  return t;
}

// The process's peak resident set in bytes (Linux reports KiB).
int64_t peak_rss_bytes() {
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  return static_cast<int64_t>(ru.ru_maxrss) * 1024;
}

// The resident set now (not its peak), from /proc/self/statm.
double rss_now_mb() {
  std::ifstream in("/proc/self/statm");
  long pages = 0, resident = 0;
  in >> pages >> resident;
  return static_cast<double>(resident) * static_cast<double>(sysconf(_SC_PAGESIZE)) / 1048576.0;
}

double round1(double x) {
  return static_cast<double>(static_cast<int64_t>(x * 10 + 0.5)) / 10;
}

} // namespace

bool run_load_bench(const LoadBenchOptions& o, LoadBenchResult& r, std::string& error) {
  if (o.loader != "fast" && o.loader != "reference") {
    error = "--loader: expected fast or reference";
    return false;
  }
  CompileResult compiled = compile_policy("std.desk_booking");
  if (!compiled.policy) {
    error = "std.desk_booking does not compile:\n" + compiled.diags.render_text(*compiled.sources);
    return false;
  }
  const ir::Policy& p = *compiled.policy;
  std::string text, path = o.data_file.empty() ? "<generated tenant>" : o.data_file;
  if (o.data_file.empty()) {
    text = generate_desk_tenant(o.shape);
  } else {
    Diagnostics read_diags; // the data loader's reader: directories, NUL bytes, huge files
    if (!rt::read_data_file(o.data_file, text, read_diags)) {
      error = read_diags.render_text(*compiled.sources);
      return false;
    }
  }
  const double base_rss = peak_rss_mb();
  const size_t bytes = text.size();
  const bool reference = o.loader == "reference";
  auto snap = std::make_unique<rt::Snapshot>(p);
  Diagnostics diags;
  Timed m = timed_load(reference, *snap, text, path, diags, *compiled.sources);
  // The process's peak so far (getrusage: the whole process, text and
  // policy included), taken before anything else allocates: with --no-check
  // it is the peak of the whole run (`/usr/bin/time -f %M`).
  const int64_t peak_bytes = peak_rss_bytes();
  const double peak = static_cast<double>(peak_bytes) / 1048576.0;
  const double after = rss_now_mb();
  if (!m.ok) {
    error = diags.render_text(*compiled.sources);
    return false;
  }
  nlohmann::json& j = r.json;
  j["data"] = path;
  j["bytes"] = bytes;
  j["loader"] = o.loader;
  j["fast_path"] = m.fast_path;
  int64_t instances = 0;
  for (int32_t t = 0; t < snap->entity_count(); ++t)
    instances += snap->count(t) - snap->table(t).declared;
  int32_t user_t = p.find_entity("User"), object_t = p.find_entity("Object");
  j["users"] = user_t >= 0 ? snap->count(user_t) : 0;
  j["objects"] = object_t >= 0 ? snap->count(object_t) : 0;
  j["instances"] = instances;
  j["load_ms"] = round1(m.wall_ms);
  j["load_cpu_ms"] = round1(m.cpu_ms);
  j["base_rss_mb"] = round1(base_rss);
  j["peak_rss_mb"] = round1(peak); // MiB, as every *_mb figure here
  j["peak_rss_bytes"] = peak_bytes;
  j["rss_after_mb"] = round1(after);
  if (!o.check) return true;
  // The text moved into the sources: the check reads a copy (after the
  // measured peak; the check's own figures include it).
  if (text.empty() && bytes > 0) text = compiled.sources->file(compiled.sources->count() - 1).text;
  // The other loader, into its own snapshot; its figures are for the ratio
  // (its peak memory includes the first snapshot, so it is not reported).
  rt::Snapshot other(p);
  Diagnostics other_diags;
  Timed c = timed_load(!reference, other, text, path, other_diags, *compiled.sources);
  nlohmann::json& check = j["check"];
  check["loader"] = reference ? "fast" : "reference";
  check["load_ms"] = round1(c.wall_ms);
  check["load_cpu_ms"] = round1(c.cpu_ms);
  if (!c.ok) {
    r.equal = false;
    check["snapshot_equal"] = false;
    check["difference"] =
        "the other loader refused the data:\n" + other_diags.render_text(*compiled.sources);
    return true;
  }
  std::string diff = rt::snapshot_difference(*snap, other);
  r.equal = diff.empty();
  check["snapshot_equal"] = r.equal;
  if (!r.equal) check["difference"] = diff;
  // How many times faster the fast loader is than the reference (CPU time).
  double fast_cpu = reference ? c.cpu_ms : m.cpu_ms, ref_cpu = reference ? m.cpu_ms : c.cpu_ms;
  check["speedup_cpu"] = fast_cpu > 0 ? round1(ref_cpu / fast_cpu) : 0.0;
  return true;
}

std::string load_bench_text(const nlohmann::json& j) {
  std::string out = fmt::format(
      "data        {} ({} bytes)\nloader      {}{}\ninstances   {} ({} users, {} objects)\n"
      "load        {} ms wall, {} ms CPU\npeak RSS    {} MiB = {:.1f} MB (before loading: {} "
      "MiB)\n",
      j["data"].get<std::string>(), j["bytes"].get<int64_t>(), j["loader"].get<std::string>(),
      j["fast_path"].get<bool>() ? " (fast path)" : "", j["instances"].get<int64_t>(),
      j["users"].get<int64_t>(), j["objects"].get<int64_t>(), j["load_ms"].get<double>(),
      j["load_cpu_ms"].get<double>(), j["peak_rss_mb"].get<double>(),
      static_cast<double>(j.value("peak_rss_bytes", int64_t{0})) / 1e6,
      j["base_rss_mb"].get<double>());
  if (j.contains("check")) {
    const auto& c = j["check"];
    out += fmt::format("check       {} loader: {} ms wall, {} ms CPU; snapshot {}\n",
                       c["loader"].get<std::string>(), c["load_ms"].get<double>(),
                       c["load_cpu_ms"].get<double>(),
                       c["snapshot_equal"].get<bool>() ? "equal cell for cell"
                                                       : "DIFFERS: " + c.value("difference", ""));
    if (c.contains("speedup_cpu"))
      out += fmt::format("speedup     {}x (reference CPU / fast CPU)\n",
                         c["speedup_cpu"].get<double>());
  }
  return out;
}

} // namespace keyplan::sim
