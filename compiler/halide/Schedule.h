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

} // namespace act

#endif // ACTC_COMPILER_HALIDE_SCHEDULE_H
