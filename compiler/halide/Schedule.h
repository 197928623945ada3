// How the kernels run on each target: vector width, threads, tiling.
#ifndef ACTC_COMPILER_HALIDE_SCHEDULE_H
#define ACTC_COMPILER_HALIDE_SCHEDULE_H

#include "Halide.h"

#include <vector>

namespace act {

/// Schedules a 1-D elementwise `out(i)` reading `inputs` at i.
void scheduleElementwise(Halide::Func out, Halide::Var i,
                         const std::vector<Halide::ImageParam> &inputs,
                         const Halide::Target &target);

/// Parallel, vectorised schedule for `total() += ...` over the 1-D RDom `r`.
void scheduleSum(Halide::Func total, Halide::RDom r,
                 const Halide::Target &target);

/// Declares the buffers dense and zero-based (min 0, stride 1).
void constrainDense(const std::vector<Halide::ImageParam> &inputs);

} // namespace act

#endif // ACTC_COMPILER_HALIDE_SCHEDULE_H
