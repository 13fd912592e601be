// keyplan_bench: repeats `keyplan bench` N times on one tenant shape and
// reports every run plus the median of the runs (the machine is noisy:
// compare ratios). JSON output: one object with "runs" and "median".
#include "bench/desk_bench.hpp"

#include <CLI/CLI.hpp>
#include <algorithm>
#include <iostream>

using namespace keyplan;

namespace {
double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v.empty() ? 0 : v[v.size() / 2];
}
} // namespace

int main(int argc, char** argv) {
  CLI::App app{"keyplan_bench: book decisions, interpreter vs JIT vs hand-written C++"};
  sim::BenchOptions o;
  int repeat = 3;
  std::string format = "text";
  app.add_option("--seed", o.shape.seed, "Tenant seed");
  app.add_option("--users", o.shape.users, "Users");
  app.add_option("--groups", o.shape.groups, "Groups");
  app.add_option("--buildings", o.shape.buildings, "Buildings");
  app.add_option("--floors", o.shape.floors, "Floors per building");
  app.add_option("--desks", o.shape.desks, "Desks per floor");
  app.add_option("--data", o.data_file, "Tenant data (YAML) instead of a generated tenant");
  app.add_option("--requests", o.requests, "Random requests per run");
  app.add_option("--requests-file", o.requests_file, "CSV of user,object pairs");
  app.add_option("--repeat", repeat, "Runs (default 3)")->check(CLI::PositiveNumber);
  app.add_option("--format", format, "text or json")->check(CLI::IsMember({"text", "json"}));
  CLI11_PARSE(app, argc, argv);

  nlohmann::json runs = nlohmann::json::array();
  std::vector<sim::BenchResult> results;
  for (int i = 0; i < repeat; ++i) {
    sim::BenchResult r;
    std::string error;
    try {
      if (!sim::run_desk_bench(o, r, error)) {
        std::cerr << "keyplan_bench: " << error << "\n";
        return 2;
      }
    } catch (const std::exception& e) {
      std::cerr << "keyplan_bench: " << e.what() << "\n";
      return 2;
    }
    if (format == "text") std::cout << "run " << (i + 1) << "\n" << sim::bench_text(r) << "\n";
    runs.push_back(sim::bench_json(r));
    results.push_back(std::move(r));
  }
  // The median run of each figure.
  sim::BenchResult m = results.front();
  auto med = [&](auto get) {
    std::vector<double> v;
    for (auto& r : results) v.push_back(get(r));
    return median(v);
  };
  m.front_ms = med([](sim::BenchResult& r) { return r.front_ms; });
  m.jit_ms = med([](sim::BenchResult& r) { return r.jit_ms; });
  m.load_ms = med([](sim::BenchResult& r) { return r.load_ms; });
  m.gen_ms = med([](sim::BenchResult& r) { return r.gen_ms; });
  for (size_t e = 0; e < m.engines.size(); ++e) {
    m.engines[e].mean_ns = med([&](sim::BenchResult& r) { return r.engines[e].mean_ns; });
    m.engines[e].median_ns = med([&](sim::BenchResult& r) { return r.engines[e].median_ns; });
    m.engines[e].p99_ns = med([&](sim::BenchResult& r) { return r.engines[e].p99_ns; });
  }
  m.peak_rss_mb = sim::peak_rss_mb();
  if (format == "json")
    std::cout << nlohmann::json{{"runs", runs}, {"median", sim::bench_json(m)}}.dump(2) << "\n";
  else
    std::cout << "median of " << repeat << " runs\n" << sim::bench_text(m);
  return 0;
}
