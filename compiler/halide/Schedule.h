// How the kernels run on each target: vector width, threads, tiling.
#ifndef ACTC_COMPILER_HALIDE_SCHEDULE_H
#define ACTC_COMPILER_HALIDE_SCHEDULE_H

#include "Halide.h"

#include <vector>

namespace act {

struct KernelTarget;

/// Schedules a 1-D elementwise `out(i)` reading `inputs` at i.
void scheduleElementwise(Halide::Func out, Halide::Var i,
                         const std::vector<Halide::ImageParam> &inputs,
                         const KernelTarget &target);

/// Schedules a row-major `out(c, r)` (c contiguous) reading `matrices` at
/// (c, r) and `vectors` at c: vectorised along c, row blocks in parallel.
void scheduleRows(Halide::Func out, Halide::Var c, Halide::Var r,
                  const std::vector<Halide::ImageParam> &matrices,
                  const std::vector<Halide::ImageParam> &vectors,
                  const KernelTarget &target);

/// Schedules `db(c) = cast(sums(c))` where `sums(c) += ...` runs over rows:
/// vectors of columns, each summed down the rows.
void scheduleColumnSums(Halide::Func db, Halide::Func sums, Halide::Var c,
                        Halide::RDom rows, const KernelTarget &target);

/// Parallel schedule for `total() += ...` over the RDom `r` (1-D: vectors
/// too; 2-D rows x cols: blocks of rows in parallel).
void scheduleSum(Halide::Func total, Halide::RDom r,
                 const KernelTarget &target);

/// Schedules linear_forward's `y(c, r) = f(product(c, r) + b(c))`, where
/// `product(c, r)` sums x(k, r) w(c, k) over `k`: register tiles of the
/// product, k innermost, bias and activation applied to each tile before it
/// is stored, blocks of rows in parallel.
void scheduleGemm(Halide::Func y, Halide::Func product, Halide::Var c,
                  Halide::Var r, Halide::RDom k,
                  const std::vector<Halide::ImageParam> &matrices,
                  const std::vector<Halide::ImageParam> &vectors,
                  const KernelTarget &target);

/// Schedules linear_forward's narrow function: `y(c, r) = padded(c, r)`, where
/// `padded` is the activation over `product`, whose w (and b) are `padding`
/// Funcs extended with zero columns to whole vectors. One vector of columns
/// per tile; only y's real columns are stored.
void scheduleNarrowGemm(Halide::Func y, Halide::Func padded,
                        Halide::Func product,
                        const std::vector<Halide::Func> &padding,
                        Halide::Var c, Halide::Var r, Halide::RDom k,
                        const std::vector<Halide::ImageParam> &matrices,
                        const std::vector<Halide::ImageParam> &vectors,
                        const KernelTarget &target);

/// Whether `target` computes a * b + c in one instruction (math::fma); what
/// KernelTarget::fma holds.
bool hasFusedMultiplyAdd(const Halide::Target &target);

/// Declares the buffers dense and zero-based (min 0, stride 1).
void constrainDense(const std::vector<Halide::ImageParam> &inputs);

} // namespace act

#endif // ACTC_COMPILER_HALIDE_SCHEDULE_H
