// Collects Google Benchmark's runs so that a harness can print ratios
// between benchmarks of one run (ours against an anchor, against a copy).
#ifndef ACTC_BENCH_REPORT_H
#define ACTC_BENCH_REPORT_H

#include <benchmark/benchmark.h>

#include <map>
#include <optional>
#include <string>

namespace bench {

/// Benchmarks are named "<group>/<kernel>/<variant>" and take the arguments
/// {n, threads}; a Key names one measurement.
struct Key {
  std::string name; ///< "<group>/<kernel>/<variant>", e.g. "actc/gelu/forward"
  int64_t n;
  int64_t threads;
  bool operator<(const Key &other) const;
};

/// Prints each run as the console reporter does, and keeps the fastest
/// repetition of each benchmark: on a shared machine the minimum is the
/// least disturbed measurement, and every kernel is measured the same way.
class Collector : public benchmark::ConsoleReporter {
public:
  void ReportRuns(const std::vector<Run> &runs) override;

  /// Seconds per call, fastest repetition; none if it was not run (filtered
  /// out, not built, or it failed). Wall-clock time, or with `cpu` the
  /// benchmark thread's CPU time: on a shared machine the time the thread
  /// actually ran, which for single-threaded work excludes the other
  /// processes' turns.
  std::optional<double> seconds(const Key &key, bool cpu = false) const;
  /// A user counter of that benchmark's last run (set once, not per
  /// iteration, e.g. an accuracy check).
  std::optional<double> counter(const Key &key, const std::string &name) const;
  /// The label a benchmark set (State::SetLabel), "" if none.
  std::string label(const std::string &name) const;

private:
  struct Result {
    double seconds;
    double cpuSeconds;
    std::map<std::string, double> counters;
  };
  std::map<Key, Result> results_;
  std::map<std::string, std::string> labels_;
};

/// Bytes per second for `bytesPerElement * n` bytes moved in `seconds`, in
/// GB/s (10^9).
double gigabytesPerSecond(int64_t n, int bytesPerElement, double seconds);

/// Takes --markdown=FILE out of argv (Google Benchmark rejects flags it does
/// not know); returns FILE, or "" if the flag is absent.
std::string takeMarkdownFlag(int &argc, char **argv);

/// Prints the tables to stdout and, when `path` is not empty, writes them
/// there too; false, with a message naming `program`, if it cannot.
bool writeTables(const std::string &text, const std::string &path,
                 const char *program);

} // namespace bench

#endif // ACTC_BENCH_REPORT_H
