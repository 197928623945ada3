// The reference copies. This file is compiled with
// -fno-tree-loop-distribute-patterns: GCC would otherwise turn the copy loop
// into a call to memcpy.
#include "Copy.h"

#include "HalideRuntime.h"

#include <cstring>

namespace {

struct Piece {
  const float *in;
  float *out;
  int64_t n;
  int pieces;
  void (*copy)(const float *in, float *out, int64_t n);
};

int copyPiece(void *, int index, uint8_t *closure) {
  const auto *p = reinterpret_cast<const Piece *>(closure);
  int64_t begin = p->n * index / p->pieces;
  int64_t end = p->n * (index + 1) / p->pieces;
  p->copy(p->in + begin, p->out + begin, end - begin);
  return 0;
}

void split(const float *in, float *out, int64_t n, int threads,
           void (*copy)(const float *, float *, int64_t)) {
  Piece piece{in, out, n, threads, copy};
  halide_do_par_for(nullptr, copyPiece, 0, threads,
                    reinterpret_cast<uint8_t *>(&piece));
}

void memcpyFloats(const float *in, float *out, int64_t n) {
  std::memcpy(out, in, n * sizeof(float));
}

__attribute__((target_clones("avx512f", "avx2", "default"))) void
loopFloats(const float *__restrict in, float *__restrict out, int64_t n) {
  for (int64_t i = 0; i < n; ++i)
    out[i] = in[i];
}

} // namespace

void bench::copyByMemcpy(const float *in, float *out, int64_t n, int threads) {
  split(in, out, n, threads, memcpyFloats);
}

void bench::copyByLoop(const float *in, float *out, int64_t n, int threads) {
  split(in, out, n, threads, loopFloats);
}
