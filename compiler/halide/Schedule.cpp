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

/// Rows per parallel task when summing over a matrix (learnable parameters'
/// gradients in bias_backward).
constexpr int kRowsPerSumTask = 16;

/// Vectors processed per loop iteration: two independent vectors keep the
/// FMA/ALU pipes busy across the polynomial's dependency chains.
constexpr int kVectorsPerIteration = 2;

/// Kernels with more floating-point operations per element than this (in
/// std.act: everything with exp, log, tanh, sigmoid or erf, 43 to 358;
/// piecewise-linear ones have 3 to 15) are bound by the latency of their long
/// dependency chains rather than by memory or issue width.
constexpr int kLatencyBoundArithmetic = 32;

/// Vectors per iteration for those: four independent chains let the core
/// overlap more of them. Measured on AVX-512 (Zen 5, n = 4096, one thread,
/// bench/README.md): 8-31 % fewer cycles per element than two (mish 11.8 ->
/// 8.1, tanh 2.85 -> 2.30, gelu 4.66 -> 4.26), while eight spill more and
/// lose again (gelu 5.4). The cheap kernels, bound by memory anyway, took up
/// to 0.2 cycles per element more with four (longer guarded tails), hence
/// the split.
constexpr int kVectorsPerIterationLatencyBound = 4;

/// Counts the floating-point arithmetic of an expression, each shared
/// subexpression (a MathLib let) once: a proxy for its cost per element.
class ArithmeticCount : public Halide::Internal::IRGraphVisitor {
public:
  int count = 0;

protected:
  using IRGraphVisitor::visit;
  template <typename Op> void countIfFloat(const Op *op) {
    count += op->type.is_float();
    IRGraphVisitor::visit(op);
  }
  void visit(const Halide::Internal::Add *op) override { countIfFloat(op); }
  void visit(const Halide::Internal::Sub *op) override { countIfFloat(op); }
  void visit(const Halide::Internal::Mul *op) override { countIfFloat(op); }
  void visit(const Halide::Internal::Div *op) override { countIfFloat(op); }
  void visit(const Halide::Internal::Min *op) override { countIfFloat(op); }
  void visit(const Halide::Internal::Max *op) override { countIfFloat(op); }
  void visit(const Halide::Internal::Select *op) override { countIfFloat(op); }
  void visit(const Halide::Internal::Call *op) override { countIfFloat(op); }
};

int arithmeticOf(const Func &f) {
  ArithmeticCount counter;
  for (const Expr &value : f.function().definition().values())
    value.accept(&counter);
  return counter.count;
}

} // namespace

// --- CUDA --------------------------------------------------------------------
// Memory-bound kernels: enough threads in flight to cover DRAM latency, each
// moving 16-byte vectors (ld.global.v4). Measured on an H100 with relu, silu,
// tanh and gelu (TOOLCHAIN.md): 4096 elements per block, 1024 threads of 4
// lanes reach the device's copy bandwidth.

/// Elements per CUDA block, threads per block, and lanes per thread.
constexpr int kGpuElementsPerBlock = 4096;
constexpr int kGpuLanes = 4;
/// Matrices: a block is 8 rows of 128 columns (32 threads x 4 lanes).
constexpr int kGpuTileCols = 128;
constexpr int kGpuTileRows = 8;
/// Parameter sums: each thread first sums this many elements.
constexpr int kGpuElementsPerThread = 1024;
constexpr int kGpuThreadsPerSumBlock = 128;

namespace {

void scheduleElementwiseGpu(Func out, Var i) {
  Var block("block"), thread("thread"), lane("lane"), inner("inner");
  out.split(i, block, inner, kGpuElementsPerBlock, TailStrategy::GuardWithIf)
      .split(inner, thread, lane, kGpuLanes, TailStrategy::GuardWithIf)
      .gpu_blocks(block)
      .gpu_threads(thread)
      .vectorize(lane);
}

void scheduleRowsGpu(Func out, Var c, Var r) {
  Var cb("cb"), rb("rb"), ct("ct"), rt("rt"), lane("lane");
  out.split(c, c, lane, kGpuLanes, TailStrategy::GuardWithIf)
      .gpu_tile(c, r, cb, rb, ct, rt, kGpuTileCols / kGpuLanes, kGpuTileRows,
                TailStrategy::GuardWithIf)
      .vectorize(lane);
}

/// One thread per column, walking down the rows (adjacent threads read
/// adjacent columns: coalesced).
void scheduleColumnSumsGpu(Func db, Func sums, Var c) {
  Var block("block"), thread("thread");
  db.gpu_tile(c, block, thread, kGpuTileCols, TailStrategy::GuardWithIf);
  sums.compute_at(db, thread);
}

/// Partial sums per thread (rfactor), then one thread adds the partials.
void scheduleSumGpu(Func total, RDom r) {
  RVar outer("outer"), inner("inner");
  Var partial("partial"), block("block"), thread("thread");
  if (r.dimensions() == 2)
    total.update().split(r.y, outer, inner, 1);
  else
    total.update().split(r.x, outer, inner, kGpuElementsPerThread);
  Func partials = total.update().rfactor(outer, partial);
  partials.compute_root().gpu_tile(partial, block, thread,
                                   kGpuThreadsPerSumBlock,
                                   TailStrategy::GuardWithIf);
  partials.update().gpu_tile(partial, block, thread, kGpuThreadsPerSumBlock,
                             TailStrategy::GuardWithIf);
  total.gpu_single_thread();
  total.update().gpu_single_thread();
}

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
  if (target.has_gpu_feature())
    return scheduleElementwiseGpu(out, i);

  const int vectors = arithmeticOf(out) > kLatencyBoundArithmetic
                          ? kVectorsPerIterationLatencyBound
                          : kVectorsPerIteration;
  const int lanes = target.natural_vector_size<float>() * vectors;
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

/// Row-major matrices: c is contiguous, rows are `cols` apart. The row
/// stride names the row length by a plain variable, which Halide binds to the
/// buffer's: `matrix.dim(0).extent()` would also hold the buffer's parameter,
/// and a parameter constrained by itself is a reference cycle that Halide
/// never frees (LeakSanitizer reported it for every bias kernel).
static void constrainRowMajor(OutputImageParam matrix) {
  Expr cols = Halide::Internal::Variable::make(Halide::Int(32),
                                               matrix.name() + ".extent.0");
  matrix.dim(0).set_min(0).set_stride(1);
  matrix.dim(1).set_min(0).set_stride(cols);
}

void act::scheduleRows(Func out, Var c, Var r,
                       const std::vector<ImageParam> &matrices,
                       const std::vector<ImageParam> &vectors,
                       const Target &target) {
  constrainRowMajor(out.output_buffer());
  for (const ImageParam &matrix : matrices)
    constrainRowMajor(matrix);
  constrainDense(vectors);
  if (target.has_gpu_feature())
    return scheduleRowsGpu(out, c, r);

  const int lanes = target.natural_vector_size<float>() * kVectorsPerIteration;
  Expr cols = out.output_buffer().dim(0).extent();
  Expr rows = out.output_buffer().dim(1).extent();
  // Tasks of about kElementsPerTask elements, whatever the row length.
  Expr rowsPerTask = Halide::max(1, kElementsPerTask / Halide::max(cols, 1));
  Var task("task"), inTask("in_task");
  out.vectorize(c, lanes, TailStrategy::GuardWithIf);
  out.specialize(rows * cols >= kMinParallelElements)
      .split(r, task, inTask, rowsPerTask, TailStrategy::GuardWithIf)
      .parallel(task);
}

void act::scheduleColumnSums(Func db, Func sums, Var c, RDom rows,
                             const Target &target) {
  db.output_buffer().dim(0).set_min(0).set_stride(1);
  if (target.has_gpu_feature())
    return scheduleColumnSumsGpu(db, sums, c);
  const int lanes = target.natural_vector_size<float>();
  Var block("block"), lane("lane");
  db.split(c, block, lane, lanes, TailStrategy::GuardWithIf).vectorize(lane);
  sums.compute_at(db, block).vectorize(c, lanes, TailStrategy::GuardWithIf);
  // Columns innermost: each row contributes one contiguous vector.
  sums.update().reorder(c, rows.x).vectorize(c, lanes, TailStrategy::GuardWithIf);
}

void act::scheduleSum(Func total, RDom r, const Target &target) {
  if (target.has_gpu_feature())
    return scheduleSumGpu(total, r);
  if (r.dimensions() == 2) {
    RVar block("block"), inBlock("in_block");
    Var task("task");
    total.update().split(r.y, block, inBlock, kRowsPerSumTask);
    Func perTask = total.update().rfactor(block, task);
    perTask.compute_root().update().parallel(task);
    return;
  }
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
