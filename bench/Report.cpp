// Collects Google Benchmark's runs for the harnesses' ratio tables.
#include "Report.h"

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iostream>
#include <tuple>

using namespace bench;

bool Key::operator<(const Key &other) const {
  return std::tie(name, n, threads) <
         std::tie(other.name, other.n, other.threads);
}

/// The benchmark's arguments "n/threads" (Google Benchmark joins them by
/// '/'); a benchmark without both is not one of ours and is not kept.
static std::optional<Key> keyOf(const benchmark::BenchmarkReporter::Run &run) {
  const std::string &args = run.run_name.args;
  size_t slash = args.find('/');
  if (slash == std::string::npos)
    return std::nullopt;
  char *end = nullptr;
  int64_t n = std::strtoll(args.c_str(), &end, 10);
  int64_t threads = std::strtoll(args.c_str() + slash + 1, &end, 10);
  return Key{run.run_name.function_name, n, threads};
}

void Collector::ReportRuns(const std::vector<Run> &runs) {
  for (const Run &run : runs) {
    if (run.run_type != Run::RT_Iteration || run.error_occurred ||
        run.iterations == 0)
      continue;
    std::optional<Key> key = keyOf(run);
    if (!key)
      continue;
    if (!run.report_label.empty())
      labels_[key->name] = run.report_label;
    double seconds = run.real_accumulated_time / run.iterations;
    double cpuSeconds = run.cpu_accumulated_time / run.iterations;
    auto [it, inserted] =
        results_.try_emplace(*key, Result{seconds, cpuSeconds, {}});
    if (!inserted) {
      it->second.seconds = std::min(it->second.seconds, seconds);
      it->second.cpuSeconds = std::min(it->second.cpuSeconds, cpuSeconds);
    }
    for (const auto &[name, value] : run.counters)
      it->second.counters[name] = value.value;
  }
  ConsoleReporter::ReportRuns(runs);
}

std::optional<double> Collector::seconds(const Key &key, bool cpu) const {
  auto it = results_.find(key);
  if (it == results_.end())
    return std::nullopt;
  return cpu ? it->second.cpuSeconds : it->second.seconds;
}

std::optional<double> Collector::counter(const Key &key,
                                         const std::string &name) const {
  auto it = results_.find(key);
  if (it == results_.end())
    return std::nullopt;
  auto counter = it->second.counters.find(name);
  if (counter == it->second.counters.end())
    return std::nullopt;
  return counter->second;
}

std::string Collector::label(const std::string &name) const {
  auto it = labels_.find(name);
  return it == labels_.end() ? "" : it->second;
}

double bench::gigabytesPerSecond(int64_t n, int bytesPerElement,
                                 double seconds) {
  return static_cast<double>(n) * bytesPerElement / seconds * 1e-9;
}

std::string bench::takeMarkdownFlag(int &argc, char **argv) {
  std::string markdown;
  int kept = 1;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg.rfind("--markdown=", 0) == 0)
      markdown = arg.substr(std::strlen("--markdown="));
    else
      argv[kept++] = argv[i];
  }
  argc = kept;
  return markdown;
}

bool bench::writeTables(const std::string &text, const std::string &path,
                        const char *program) {
  std::cout << text;
  if (path.empty())
    return true;
  std::ofstream file(path);
  file << text;
  if (!file) {
    std::cerr << program << ": cannot write " << path << "\n";
    return false;
  }
  return true;
}
