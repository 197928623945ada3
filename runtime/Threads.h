// One thread count for everything that runs in parallel: OpenBLAS's GEMMs
// and every Halide runtime's thread pool.
#ifndef ACTC_RUNTIME_THREADS_H
#define ACTC_RUNTIME_THREADS_H

namespace act::runtime {

/// `requested`, or every core when it is 0.
int resolveThreads(int requested);

/// Sets the thread count of OpenBLAS and of every Halide runtime: the
/// standard library's directly, and each plugin's, which is private to it,
/// through HL_NUM_THREADS, read by its thread pool when it starts; so call
/// this before the first plugin kernel runs. With the same count, seed and
/// device, runs are bit-identical: OpenBLAS splits a GEMM by thread count
/// alone, and Halide's reductions (bias_backward's column sums) have a fixed
/// order.
void setThreads(int threads);

} // namespace act::runtime

#endif // ACTC_RUNTIME_THREADS_H
