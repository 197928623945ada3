// SplitMix64 streams and the per-epoch shuffle.
#include "runtime/Random.h"

#include <cstddef>
#include <numeric>
#include <utility>

using namespace act::runtime;

uint64_t SplitMix64::below(uint64_t n) {
  // The high half of a 128-bit product maps 64 random bits onto [0, n); the
  // few products whose low half falls below 2^64 mod n are redrawn, which
  // removes the bias of a plain modulo.
  unsigned __int128 product = static_cast<unsigned __int128>(next()) * n;
  uint64_t low = static_cast<uint64_t>(product);
  if (low < n) {
    uint64_t threshold = (0 - n) % n;
    while (low < threshold) {
      product = static_cast<unsigned __int128>(next()) * n;
      low = static_cast<uint64_t>(product);
    }
  }
  return static_cast<uint64_t>(product >> 64);
}

SplitMix64 act::runtime::streamFor(uint64_t seed, uint64_t stream) {
  return SplitMix64(SplitMix64::mix(seed) ^ SplitMix64::mix(~stream));
}

void act::runtime::shuffledOrder(uint64_t seed, uint64_t epoch,
                                 std::vector<uint32_t> &order) {
  std::iota(order.begin(), order.end(), 0u);
  SplitMix64 random = streamFor(seed, epoch + 1);
  for (size_t i = order.size(); i > 1; --i)
    std::swap(order[i - 1], order[random.below(i)]);
}
