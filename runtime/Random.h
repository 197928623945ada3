// The runtime's random numbers: SplitMix64, reproducible on every platform.
//
// std::uniform_real_distribution and std::shuffle are implementation-defined,
// so the same seed would give other weights with another standard library;
// these few lines give the same bits everywhere.
#ifndef ACTC_RUNTIME_RANDOM_H
#define ACTC_RUNTIME_RANDOM_H

#include <cstdint>
#include <vector>

namespace act::runtime {

/// Steele, Lea and Flood's SplitMix64 (2014): a 64-bit state advanced by the
/// golden-ratio increment and a strong output mix.
class SplitMix64 {
public:
  explicit SplitMix64(uint64_t seed) : state(seed) {}

  uint64_t next() {
    state += 0x9e3779b97f4a7c15ULL;
    return mix(state);
  }

  /// Uniform in [0, 1): the top 24 bits scaled by 2^-24, so every value is an
  /// exact float and the conversion involves no rounding.
  float uniform() { return static_cast<float>(next() >> 40) * 0x1p-24f; }

  /// Uniform in [-bound, bound).
  float uniform(float bound) { return (2.0f * uniform() - 1.0f) * bound; }

  /// Uniform in [0, n), unbiased (Lemire's multiply-and-reject, 2019).
  uint64_t below(uint64_t n);

  /// The output function, also used to derive independent streams.
  static uint64_t mix(uint64_t z) {
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }

private:
  uint64_t state;
};

/// The stream for one purpose of one run: weight initialisation (stream 0),
/// the data order of epoch e (stream e + 1). Streams depend only on (seed,
/// stream), so epoch e's order is the same whether or not the run was
/// resumed in between, and a checkpoint's random state is (seed, epoch).
SplitMix64 streamFor(uint64_t seed, uint64_t stream);

/// The order in which epoch `epoch` (0-based) visits `count` examples: a
/// Fisher-Yates shuffle from the epoch's stream.
void shuffledOrder(uint64_t seed, uint64_t epoch, std::vector<uint32_t> &order);

} // namespace act::runtime

#endif // ACTC_RUNTIME_RANDOM_H
