// Schedules: the "how" of each kernel, per target, with the reasons.
#include "compiler/halide/Schedule.h"

#include "compiler/halide/Target.h"

using namespace Halide;
using act::KernelTarget;

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

/// Vectors per iteration for those where the target has 32 vector registers
/// (AVX-512): four independent chains let the core overlap more of them.
/// Measured on AVX-512 (Zen 5, n = 4096, one thread, bench/README.md): 7-31 %
/// fewer cycles per element than two (mish 14.6 -> 10.0, tanh 3.35 -> 2.58,
/// gelu 5.58 -> 5.16), while eight spill more and lose again. The cheap
/// kernels, bound by memory anyway, took up to 0.2 cycles per element more
/// with four (longer guarded tails), hence the split. With 16 registers
/// (AVX2, SSE), four vectors spill a third of the loop (Zen 3: sigmoid 8.5
/// instructions per element with four, 8.0 with two, silu 11.0 and 10.5;
/// cycles within noise of each other), so those keep two.
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

/// linear_forward's register tile, in rows of y. Each step of the k loop
/// broadcasts one element of x per row and loads one vector of w per column
/// vector, then issues rows x column-vectors independent FMAs. With 6 rows and
/// 4 vectors that is 24 FMAs for 10 loads, and 24 accumulators cover the FMA
/// latency (4 cycles on 2 pipes needs 8 in flight). Measured on AVX-512 (Zen
/// 5, 128x784x256, one thread, a JIT prototype): 4 vectors x 6 rows 222 us,
/// 4x4 226, 2x6 232, 2x4 247; on AVX2, 2x6 444 us, 3x4 446, 2x4 466.
constexpr int kTileRows = 6;

/// Column vectors per tile with 32 vector registers (AVX-512, AArch64): 24
/// accumulators, 4 vectors of w and a broadcast fit. With 16 (SSE, AVX2), 2
/// vectors: 12 accumulators.
constexpr int kTileVectorsWith32Registers = 4;
constexpr int kTileVectorsWith16Registers = 2;

/// The narrow GEMM's tile: one vector of columns, 8 rows, so that 8
/// independent accumulators cover the FMA latency (4 cycles x 2 pipes).
/// Measured on AVX-512, 128x128x10: 6 rows 3.6 us, 8 rows 3.4, 12 rows 3.5.
constexpr int kNarrowTileRows = 8;

/// Multiply-adds below which the narrow GEMM runs on the calling thread:
/// about 10 us of work, well above the cost of waking the thread pool.
constexpr int kMinParallelMultiplyAdds = 1 << 20;

bool hasAvx512(const Target &target) {
  return target.features_any_of({Target::AVX512, Target::AVX512_KNL,
                                 Target::AVX512_Skylake,
                                 Target::AVX512_Cannonlake,
                                 Target::AVX512_SapphireRapids});
}

int vectorRegisters(const Target &target) {
  if (target.arch == Target::ARM && target.bits == 64)
    return 32;
  return hasAvx512(target) ? 32 : 16;
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

bool act::hasFusedMultiplyAdd(const Target &target) {
  // Every CUDA GPU has fma.rn.f32. (NVPTX also contracts a * b + c on its
  // own, strict_float or not, which would break Veltkamp's split in Dekker's
  // products: with this, CUDA code never uses them.)
  if (target.has_feature(Target::CUDA))
    return true;
  if (target.arch == Target::ARM && target.bits == 64)
    return true;
  // LLVM's avx512f implies FMA.
  return target.arch == Target::X86 &&
         (target.has_feature(Target::FMA) || hasAvx512(target));
}

void act::constrainDense(const std::vector<ImageParam> &inputs) {
  for (const ImageParam &input : inputs)
    input.dim(0).set_min(0).set_stride(1);
}

void act::scheduleElementwise(Func out, Var i,
                              const std::vector<ImageParam> &inputs,
                              const KernelTarget &target) {
  // Dense, zero-based arrays: this lets Halide index with plain offsets.
  OutputImageParam output = out.output_buffer();
  output.dim(0).set_min(0).set_stride(1);
  constrainDense(inputs);
  if (target.isCuda())
    return scheduleElementwiseGpu(out, i);

  const int vectors = vectorRegisters(target) >= 32 &&
                              arithmeticOf(out) > kLatencyBoundArithmetic
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

/// A matrix kernel's layouts: its output and `matrices` row-major, `vectors`
/// dense.
static void constrainLayouts(OutputImageParam output,
                             const std::vector<ImageParam> &matrices,
                             const std::vector<ImageParam> &vectors) {
  constrainRowMajor(output);
  for (const ImageParam &matrix : matrices)
    constrainRowMajor(matrix);
  act::constrainDense(vectors);
}

void act::scheduleRows(Func out, Var c, Var r,
                       const std::vector<ImageParam> &matrices,
                       const std::vector<ImageParam> &vectors,
                       const KernelTarget &target) {
  constrainLayouts(out.output_buffer(), matrices, vectors);
  if (target.isCuda())
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
                             const KernelTarget &target) {
  db.output_buffer().dim(0).set_min(0).set_stride(1);
  if (target.isCuda())
    return scheduleColumnSumsGpu(db, sums, c);
  const int lanes = target.natural_vector_size<float>();
  Var block("block"), lane("lane");
  db.split(c, block, lane, lanes, TailStrategy::GuardWithIf).vectorize(lane);
  sums.compute_at(db, block).vectorize(c, lanes, TailStrategy::GuardWithIf);
  // Columns innermost: each row contributes one contiguous vector.
  sums.update().reorder(c, rows.x).vectorize(c, lanes, TailStrategy::GuardWithIf);
}

void act::scheduleSum(Func total, RDom r, const KernelTarget &target) {
  if (target.isCuda())
    return scheduleSumGpu(total, r);
  if (r.dimensions() == 2) {
    RVar block("block"), inBlock("in_block");
    Var task("task");
    total.update().split(r.y, block, inBlock, kRowsPerSumTask);
    Func perTask = total.update().rfactor(block, task);
    perTask.compute_root().update().parallel(task);
    return;
  }
  // Vector lanes first: lane l sums the elements l, l + lanes, ... Only that
  // split has a tail, and its guard (element < n) sits on the innermost,
  // vectorised loop, where Halide peels it off into an epilogue. Tasks then
  // take blocks of those vector steps in parallel, and their partial sums are
  // added serially. (Split the other way round, a block guard on every vector
  // step made each element of a short array take ~150 cycles.) rfactor makes
  // both splits legal for a reduction (Halide reassociates the double sum).
  const int lanes = target.natural_vector_size<double>();
  RVar step("step"), lane("lane"), block("block"), inBlock("in_block");
  Var laneVar("lane_var"), task("task");
  total.update().split(r.x, step, lane, lanes);
  Func perLane = total.update().rfactor(lane, laneVar);
  perLane.update().split(step, block, inBlock, kElementsPerTask / lanes);
  Func perTask = perLane.update().rfactor(block, task);
  perLane.compute_root().vectorize(laneVar);
  perLane.update().vectorize(laneVar);
  perTask.compute_root().vectorize(laneVar);
  perTask.update().parallel(task).vectorize(laneVar);
}

// The GEMM. Each task takes a block of kTileRows rows of y and walks its
// column tiles; per tile, `product` is computed in registers (k the innermost
// loop, the tile's rows and column vectors unrolled inside it), then the bias
// and activation run on the tile and it is stored: y is written once and never
// read back, product never reaches memory. Parallel over row blocks: a task
// reads its rows of x (6 x k floats, L1) and all of w, which at the network's
// sizes (784 x 256 floats, 800 KiB) stays in L2; a larger w would want k
// blocking and packing as BLAS does.
//
// Edges. Rows: a block past the last row stores only the rows that exist
// (GuardWithIf) but computes all of its product tile, whose rows past the last
// read the last row of x (see matrixProduct); Halide would otherwise shrink
// the last tile to the rows left, a variable size that cannot live in
// registers. Columns cannot be clamped so cheaply (a clamped vector index is a
// gather), so a tile that would cross the last column is shifted inward to
// end at it (TailStrategy::ShiftInwards) and recomputes columns the previous
// tile of the same task already stored, with the same bits. (GuardWithIf does
// not help there: Halide computes a vectorised producer over the whole tile,
// past the end of w.) Shifting needs a matrix at least one tile wide, so
// narrower ones take a one-vector tile; narrower still is an error here, the
// C wrapper sends those to the narrow function. `product` gets the same
// widths as y under the same conditions, so in each of y's branches Halide's
// simplifier proves the other width dead and product's tile has a constant
// size: a register tile, not a stack array. (Each width is another copy of
// the kernel; compile time grows with their number.)
//
// Each element's sum runs over k in order in whichever tile holds it (the k
// loop is never split), so neither the tiling nor the thread count changes
// the result.
void act::scheduleGemm(Func y, Func product, Var c, Var r, RDom k,
                       const std::vector<ImageParam> &matrices,
                       const std::vector<ImageParam> &vectors,
                       const KernelTarget &target) {
  constrainLayouts(y.output_buffer(), matrices, vectors);

  const int lanes = target.natural_vector_size<float>();
  const int tileVectors = vectorRegisters(target) >= 32
                              ? kTileVectorsWith32Registers
                              : kTileVectorsWith16Registers;
  Expr cols = y.output_buffer().dim(0).extent();
  Var tileCol("tile_c"), tileRow("tile_r"), inCol("in_c"), inRow("in_r");
  product.compute_at(y, tileCol).bound_extent(r, kTileRows);
  for (int width : {tileVectors * lanes, lanes}) {
    Stage tile = y.specialize(cols >= width);
    tile.tile({c, r}, {tileCol, tileRow}, {inCol, inRow}, {width, kTileRows},
              {TailStrategy::ShiftInwards, TailStrategy::GuardWithIf})
        .vectorize(inCol, lanes);
    if (width > lanes)
      tile.parallel(tileRow);

    // product's last width is its default schedule.
    Stage init = width > lanes ? product.specialize(cols >= width) : product;
    Stage update = width > lanes ? product.update().specialize(cols >= width)
                                 : product.update();
    init.vectorize(c, lanes).unroll(c).unroll(r);
    update.reorder(c, r, k.x).vectorize(c, lanes).unroll(c).unroll(r);
  }
  y.specialize_fail("linear_forward: fewer columns than a vector go to the "
                    "narrow function");
}

// The narrow GEMM: tiles of one vector of columns by kNarrowTileRows rows,
// computed whole on the padded w and b (materialised once: a few KiB) and
// stored with a masked vector store (GuardWithIf) of the real columns. Rows
// past the last are handled as in scheduleGemm. Row blocks run in parallel
// once the work pays for the thread pool; the last layer of the network
// (128 x 128 x 10) does not.
void act::scheduleNarrowGemm(Func y, Func padded, Func product,
                             const std::vector<Func> &padding, Var c, Var r,
                             RDom k, const std::vector<ImageParam> &matrices,
                             const std::vector<ImageParam> &vectors,
                             const KernelTarget &target) {
  constrainLayouts(y.output_buffer(), matrices, vectors);

  const int lanes = target.natural_vector_size<float>();
  Expr rows = y.output_buffer().dim(1).extent();
  Var tileCol("tile_c"), tileRow("tile_r"), inCol("in_c"), inRow("in_r");
  y.tile(c, r, tileCol, tileRow, inCol, inRow, lanes, kNarrowTileRows,
         TailStrategy::GuardWithIf)
      .vectorize(inCol);
  Expr work = Halide::cast<int64_t>(rows) * k.x.extent() * lanes;
  y.specialize(work >= kMinParallelMultiplyAdds).parallel(tileRow);
  padded.compute_at(y, tileCol)
      .bound_extent(c, lanes)
      .bound_extent(r, kNarrowTileRows)
      .vectorize(c);
  product.compute_at(y, tileCol).vectorize(c).unroll(r);
  product.update().reorder(c, r, k.x).vectorize(c).unroll(r);
  // All of the padding, zeros included (Halide would compute only the columns
  // y stores and leave the rest of the vectors uninitialised); scalar, as a
  // vectorised clamped load would be a gather per vector.
  Expr cols = y.output_buffer().dim(0).extent();
  for (Func f : padding)
    f.compute_root().bound(c, 0, (cols + lanes - 1) / lanes * lanes);
}
