// Schedules: the "how" of each kernel, per target, with the reasons.
#include "compiler/halide/Schedule.h"

using namespace Halide;

namespace {

/// Elements per parallel task: 64 KiB of input, large enough that a task's
/// work dwarfs the thread pool's dispatch cost (~1-2 us), small enough that 2
/// to 16 cores share 1M elements evenly.
constexpr int kElementsPerTask = 16384;

/// Below this many elements the kernel runs on the calling thread: waking the
/// pool costs more than it saves for data that fits in L2.
constexpr int kMinParallelElements = 4 * kElementsPerTask;

/// Vectors processed per loop iteration: two independent vectors keep the
/// FMA/ALU pipes busy across the polynomial's dependency chains.
constexpr int kVectorsPerIteration = 2;

} // namespace

void act::constrainDense(const std::vector<ImageParam> &inputs) {
  for (const ImageParam &input : inputs)
    input.dim(0).set_min(0).set_stride(1);
}

void act::scheduleElementwise(Func out, Var i,
                              const std::vector<ImageParam> &inputs,
                              const Target &target) {
  // Dense, zero-based arrays: this lets Halide index with plain offsets.
  OutputImageParam output = out.output_buffer();
  output.dim(0).set_min(0).set_stride(1);
  constrainDense(inputs);

  const int lanes = target.natural_vector_size<float>() * kVectorsPerIteration;
  Expr n = output.dim(0).extent();
  Var task("task"), inner("inner");
  // GuardWithIf everywhere, never ShiftInwards or RoundUp: the output may
  // alias the input, so no element may be computed twice or past the end.
  out.specialize(n >= kMinParallelElements)
      .split(i, task, inner, kElementsPerTask, TailStrategy::GuardWithIf)
      .parallel(task)
      .vectorize(inner, lanes, TailStrategy::GuardWithIf);
  out.vectorize(i, lanes, TailStrategy::GuardWithIf);
}

void act::scheduleSum(Func total, RDom r, const Target &target) {
  // Each task sums one block of elements, vector lanes apart; the tasks'
  // partial sums are then added serially. rfactor makes both splits legal
  // for a reduction (Halide reassociates the double-precision sum).
  const int lanes = target.natural_vector_size<double>();
  RVar block("block"), inBlock("in_block"), group("group"), lane("lane");
  Var task("task"), laneVar("lane_var");
  total.update().split(r.x, block, inBlock, kElementsPerTask);
  Func perTask = total.update().rfactor(block, task);
  perTask.compute_root().update().parallel(task);
  perTask.update().split(inBlock, group, lane, lanes);
  Func perLane = perTask.update().rfactor(lane, laneVar);
  perLane.compute_at(perTask, task).vectorize(laneVar);
  perLane.update().vectorize(laneVar);
}
