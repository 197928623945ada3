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

/// Schedules a row-major `out(c, r)` (c contiguous) reading `matrices` at
/// (c, r) and `vectors` at c: vectorised along c, row blocks in parallel.
void scheduleRows(Halide::Func out, Halide::Var c, Halide::Var r,
                  const std::vector<Halide::ImageParam> &matrices,
                  const std::vector<Halide::ImageParam> &vectors,
                  const Halide::Target &target);

/// Schedules `db(c) = cast(sums(c))` where `sums(c) += ...` runs over rows:
/// vectors of columns, each summed down the rows.
void scheduleColumnSums(Halide::Func db, Halide::Func sums, Halide::Var c,
                        Halide::RDom rows, const Halide::Target &target);

/// Parallel schedule for `total() += ...` over the RDom `r` (1-D: vectors
/// too; 2-D rows x cols: blocks of rows in parallel).
void scheduleSum(Halide::Func total, Halide::RDom r,
                 const Halide::Target &target);

/// Declares the buffers dense and zero-based (min 0, stride 1).
void constrainDense(const std::vector<Halide::ImageParam> &inputs);

} // namespace act

#endif // ACTC_COMPILER_HALIDE_SCHEDULE_H
