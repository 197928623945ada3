// The copies the kernels are measured against, split over Halide's thread
// pool (the kernels' own) in one contiguous piece per thread.
#ifndef ACTC_BENCH_COPY_H
#define ACTC_BENCH_COPY_H

#include <cstdint>

namespace bench {

/// glibc's memcpy: it streams (non-temporal stores, no read-for-ownership of
/// the destination) above a few MiB.
void copyByMemcpy(const float *in, float *out, int64_t n, int threads);

/// A vector loop with plain stores, at the machine's widest vectors (AVX-512,
/// AVX2 or SSE2, picked at load time): the copy as our kernels store.
void copyByLoop(const float *in, float *out, int64_t n, int threads);

} // namespace bench

#endif // ACTC_BENCH_COPY_H
