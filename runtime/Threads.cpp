// Thread counts for OpenBLAS and Halide.
#include "runtime/Threads.h"

#include "HalideRuntime.h"

#include <cblas.h>

#include <algorithm>
#include <cstdlib>
#include <string>
#include <thread>

using namespace act::runtime;

int act::runtime::resolveThreads(int requested) {
  if (requested > 0)
    return requested;
  return static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
}

void act::runtime::setThreads(int threads) {
  openblas_set_num_threads(threads);
  halide_set_num_threads(threads);
  // A plugin exports only its kernels and manifest, not its Halide runtime.
  setenv("HL_NUM_THREADS", std::to_string(threads).c_str(), /*overwrite=*/1);
}
