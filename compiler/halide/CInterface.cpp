// Raw-pointer C wrappers around the Halide kernels, emitted as an object file.
//
// Halide kernels take halide_buffer_t descriptors; the C interface takes
// plain pointers and sizes. The wrappers are built with LLVM's IRBuilder and
// compiled by LLVM into an object that joins Halide's in the library, so actc
// needs no C compiler and the library's users no Halide header. Field offsets
// come from HalideRuntime.h itself, so the layout cannot drift. The wrappers
// call each kernel's `_argv` entry point, whose LLVM type is the same in both
// objects.
#include "compiler/halide/CInterface.h"

#include "HalideRuntime.h"

#include "llvm/IR/LegacyPassManager.h"
#include "llvm/IR/IRBuilder.h"
#include "llvm/IR/LLVMContext.h"
#include "llvm/IR/Module.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/IR/Verifier.h"
#include "llvm/MC/TargetRegistry.h"
#include "llvm/Support/TargetSelect.h"
#include "llvm/Target/TargetMachine.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/raw_ostream.h"

#include <cmath>
#include <cstddef>
#include <utility>

using namespace act;

namespace {

/// Halide extents are int32; larger arrays are processed in chunks of this
/// many elements (a multiple of every vector width and task size).
constexpr int64_t kMaxChunk = int64_t(1) << 30;

/// How the wrappers reach the Halide kernels of one device: the CPU
/// targets' functions (chosen at run time) or the CUDA ones.
struct Variants {
  /// The Halide functions' name suffix per target, in order of preference.
  std::vector<std::string> suffixes;
  /// The targets, to test the CPU's features against (CPU only).
  std::vector<Halide::Target> targets;
  /// CUDA: arrays are device pointers, wrapped for Halide's CUDA runtime.
  bool cuda = false;
};

class WrapperBuilder {
public:
  WrapperBuilder(llvm::LLVMContext &context, llvm::Module &module,
                 Variants variants)
      : context(context), module(module), b(context),
        variants(std::move(variants)) {}

  void build(const Kernel &kernel) {
    switch (kernel.kind) {
    case KernelKind::Forward:
      return buildForward(kernel);
    case KernelKind::Backward:
      return buildBackward(kernel);
    case KernelKind::BiasForward:
      return buildBiasForward(kernel);
    case KernelKind::BiasBackward:
      return buildBiasBackward(kernel);
    case KernelKind::LinearForward:
      return buildLinearForward(kernel);
    }
  }

  /// `NAME_p`: the typed wrapper `NAME` with its float parameters read from
  /// an array and its gradient outputs (backward kernels) from another, so
  /// that a runtime can call any activation through one signature.
  void buildPacked(const Kernel &kernel) {
    llvm::Function *typed = module.getFunction(cName(kernel));
    size_t numParams = kernel.params.size();
    size_t numGradients = hasGradientOutputs(kernel.kind)
                              ? kernel.learnedParams.size() : 0;
    size_t numFixed = typed->arg_size() - numParams - numGradients;
    llvm::Type *f32Ptr = llvm::Type::getFloatPtrTy(context);
    std::vector<llvm::Type *> argTypes;
    for (size_t i = 0; i < numFixed; ++i)
      argTypes.push_back(typed->getArg(i)->getType());
    argTypes.push_back(f32Ptr);
    if (hasGradientOutputs(kernel.kind))
      argTypes.push_back(f32Ptr);
    llvm::Function *packed = defineFunction(cName(kernel) + "_p", argTypes);
    llvm::Value *params = packed->getArg(numFixed);
    std::vector<llvm::Value *> args = arguments(packed, 0, numFixed);
    if (numParams != 0)
      branchToErrorIf(packed, b.CreateIsNull(params), kErrorNullPointer);
    for (size_t i = 0; i < numParams; ++i)
      args.push_back(b.CreateLoad(
          b.getFloatTy(), b.CreateConstGEP1_64(b.getFloatTy(), params, i)));
    if (numGradients != 0) {
      llvm::Value *gradients = packed->getArg(numFixed + 1);
      branchToErrorIf(packed, b.CreateIsNull(gradients), kErrorNullPointer);
      for (size_t j = 0; j < numGradients; ++j)
        args.push_back(b.CreateConstGEP1_64(b.getFloatTy(), gradients, j));
    }
    b.CreateRet(b.CreateCall(typed, args));
  }

  void buildForward(const Kernel &kernel) {
    llvm::Type *f32Ptr = llvm::Type::getFloatPtrTy(context);
    std::vector<llvm::Type *> argTypes{f32Ptr, f32Ptr, b.getInt64Ty()};
    argTypes.insert(argTypes.end(), kernel.params.size(), b.getFloatTy());
    llvm::Function *wrapper = defineFunction(cName(kernel), argTypes);
    llvm::Value *x = wrapper->getArg(0), *y = wrapper->getArg(1),
                *n = wrapper->getArg(2);
    std::vector<llvm::Value *> params = arguments(wrapper, 3, kernel.params.size());
    llvm::Value *xBuffer = allocaBuffer(1), *yBuffer = allocaBuffer(1);
    checkArguments(wrapper, n, {x, y});

    // for (offset = 0; offset < n; offset += chunk) kernel(x + offset, ...)
    ChunkLoop loop = beginChunkLoop(wrapper, n);
    fillVector(xBuffer, x, loop);
    fillVector(yBuffer, y, loop);
    llvm::Value *status = callKernel(kernel.functions[0].name,
                                     concat({xBuffer}, params, {yBuffer}));
    endChunkLoop(wrapper, loop, status);
    returnSuccess();
  }

  /// dx = dy f'(x) chunk by chunk; each learnable parameter's gradient is
  /// summed over the chunks and stored once all succeeded.
  void buildBackward(const Kernel &kernel) {
    llvm::Type *f32Ptr = llvm::Type::getFloatPtrTy(context);
    size_t numParams = kernel.params.size(), numLearned = kernel.learnedParams.size();
    std::vector<llvm::Type *> argTypes{f32Ptr, f32Ptr, f32Ptr, b.getInt64Ty()};
    argTypes.insert(argTypes.end(), numParams, b.getFloatTy());
    argTypes.insert(argTypes.end(), numLearned, f32Ptr);
    llvm::Function *wrapper = defineFunction(cName(kernel), argTypes);
    llvm::Value *x = wrapper->getArg(0), *dy = wrapper->getArg(1),
                *dx = wrapper->getArg(2), *n = wrapper->getArg(3);
    std::vector<llvm::Value *> params = arguments(wrapper, 4, numParams);
    std::vector<llvm::Value *> gradients =
        arguments(wrapper, 4 + numParams, numLearned);
    llvm::Value *xBuffer = allocaBuffer(1), *dyBuffer = allocaBuffer(1),
                *dxBuffer = allocaBuffer(1);
    std::vector<llvm::Value *> partialBuffers, partials, totals;
    for (size_t j = 0; j < numLearned; ++j) {
      partialBuffers.push_back(allocaBuffer(0));
      partials.push_back(entryAlloca(b.getFloatTy()));
      totals.push_back(entryAlloca(b.getFloatTy()));
      b.CreateStore(llvm::ConstantFP::get(b.getFloatTy(), 0.0), totals.back());
    }
    checkArguments(wrapper, n, {x, dy, dx});
    for (llvm::Value *gradient : gradients)
      branchToErrorIf(wrapper, b.CreateIsNull(gradient), kErrorNullPointer);

    ChunkLoop loop = beginChunkLoop(wrapper, n);
    fillVector(xBuffer, x, loop);
    fillVector(dyBuffer, dy, loop);
    if (numLearned != 0) {
      // Before dx is written: dx may alias dy.
      for (size_t j = 0; j < numLearned; ++j)
        fillBuffer(partialBuffers[j], partials[j], {});
      llvm::Value *status =
          callKernel(kernel.functions[0].name,
                     concat({xBuffer, dyBuffer}, params, partialBuffers));
      checkStatus(wrapper, status);
      for (size_t j = 0; j < numLearned; ++j)
        b.CreateStore(b.CreateFAdd(b.CreateLoad(b.getFloatTy(), totals[j]),
                                   b.CreateLoad(b.getFloatTy(), partials[j])),
                      totals[j]);
    }
    fillVector(dxBuffer, dx, loop);
    llvm::Value *status =
        callKernel(kernel.functions.back().name,
                   concat({xBuffer, dyBuffer}, params, {dxBuffer}));
    endChunkLoop(wrapper, loop, status);
    for (size_t j = 0; j < numLearned; ++j)
      b.CreateStore(b.CreateLoad(b.getFloatTy(), totals[j]), gradients[j]);
    returnSuccess();
  }

  /// y = f(x + b) over rows x cols, in one call: Halide's 32-bit index
  /// arithmetic limits a matrix to 2^31 elements, larger ones are refused.
  void buildBiasForward(const Kernel &kernel) {
    llvm::Type *f32Ptr = llvm::Type::getFloatPtrTy(context);
    std::vector<llvm::Type *> argTypes{f32Ptr, f32Ptr, f32Ptr, b.getInt64Ty(),
                                       b.getInt64Ty()};
    argTypes.insert(argTypes.end(), kernel.params.size(), b.getFloatTy());
    llvm::Function *wrapper = defineFunction(cName(kernel), argTypes);
    llvm::Value *x = wrapper->getArg(0), *bias = wrapper->getArg(1),
                *y = wrapper->getArg(2), *rows = wrapper->getArg(3),
                *cols = wrapper->getArg(4);
    std::vector<llvm::Value *> params =
        arguments(wrapper, 5, kernel.params.size());
    llvm::Value *xBuffer = allocaBuffer(2), *bBuffer = allocaBuffer(1),
                *yBuffer = allocaBuffer(2);
    Shape shape = checkMatrix(wrapper, rows, cols, {x, bias, y});
    fillMatrix(xBuffer, x, shape);
    fillBuffer(bBuffer, bias, {{shape.cols, b.getInt32(1)}});
    fillMatrix(yBuffer, y, shape);
    checkStatus(wrapper, callKernel(kernel.functions[0].name,
                                    concat({xBuffer, bBuffer}, params, {yBuffer})));
    returnSuccess();
  }

  /// dx, db (and learnable parameters' gradients) over rows x cols.
  void buildBiasBackward(const Kernel &kernel) {
    llvm::Type *f32Ptr = llvm::Type::getFloatPtrTy(context);
    size_t numParams = kernel.params.size(), numLearned = kernel.learnedParams.size();
    std::vector<llvm::Type *> argTypes{f32Ptr, f32Ptr, f32Ptr, f32Ptr, f32Ptr,
                                       b.getInt64Ty(), b.getInt64Ty()};
    argTypes.insert(argTypes.end(), numParams, b.getFloatTy());
    argTypes.insert(argTypes.end(), numLearned, f32Ptr);
    llvm::Function *wrapper = defineFunction(cName(kernel), argTypes);
    llvm::Value *x = wrapper->getArg(0), *bias = wrapper->getArg(1),
                *dy = wrapper->getArg(2), *dx = wrapper->getArg(3),
                *db = wrapper->getArg(4), *rows = wrapper->getArg(5),
                *cols = wrapper->getArg(6);
    std::vector<llvm::Value *> params = arguments(wrapper, 7, numParams);
    std::vector<llvm::Value *> gradients =
        arguments(wrapper, 7 + numParams, numLearned);
    llvm::Value *xBuffer = allocaBuffer(2), *bBuffer = allocaBuffer(1),
                *dyBuffer = allocaBuffer(2), *dxBuffer = allocaBuffer(2),
                *dbBuffer = allocaBuffer(1);
    std::vector<llvm::Value *> gradientBuffers;
    for (size_t j = 0; j < numLearned; ++j)
      gradientBuffers.push_back(allocaBuffer(0));
    Shape shape = checkMatrix(wrapper, rows, cols, {x, bias, dy, dx, db});
    for (llvm::Value *gradient : gradients)
      branchToErrorIf(wrapper, b.CreateIsNull(gradient), kErrorNullPointer);
    fillMatrix(xBuffer, x, shape);
    fillBuffer(bBuffer, bias, {{shape.cols, b.getInt32(1)}});
    fillMatrix(dyBuffer, dy, shape);
    if (numLearned != 0) {
      // Before dx is written: dx may alias dy.
      for (size_t j = 0; j < numLearned; ++j)
        fillBuffer(gradientBuffers[j], gradients[j], {});
      checkStatus(wrapper,
                  callKernel(kernel.functions[0].name,
                             concat({xBuffer, bBuffer, dyBuffer}, params,
                                    gradientBuffers)));
    }
    fillMatrix(dxBuffer, dx, shape);
    fillBuffer(dbBuffer, db, {{shape.cols, b.getInt32(1)}});
    checkStatus(wrapper,
                callKernel(kernel.functions.back().name,
                           concat({xBuffer, bBuffer, dyBuffer}, params,
                                  {dxBuffer, dbBuffer})));
    returnSuccess();
  }

  /// y = f(x·w + b) with x m x k and w k x n, in one call: as in the bias
  /// kernels, each matrix must have fewer than 2^31 elements.
  void buildLinearForward(const Kernel &kernel) {
    llvm::Type *f32Ptr = llvm::Type::getFloatPtrTy(context);
    std::vector<llvm::Type *> argTypes{f32Ptr,         f32Ptr,
                                       f32Ptr,         f32Ptr,
                                       b.getInt64Ty(), b.getInt64Ty(),
                                       b.getInt64Ty()};
    argTypes.insert(argTypes.end(), kernel.params.size(), b.getFloatTy());
    llvm::Function *wrapper = defineFunction(cName(kernel), argTypes);
    llvm::Value *x = wrapper->getArg(0), *w = wrapper->getArg(1),
                *bias = wrapper->getArg(2), *y = wrapper->getArg(3),
                *m = wrapper->getArg(4), *k = wrapper->getArg(5),
                *n = wrapper->getArg(6);
    std::vector<llvm::Value *> params =
        arguments(wrapper, 7, kernel.params.size());
    llvm::Value *xBuffer = allocaBuffer(2), *wBuffer = allocaBuffer(2),
                *bBuffer = allocaBuffer(1), *yBuffer = allocaBuffer(2);

    llvm::Value *zero = b.getInt64(0);
    branchToErrorIf(wrapper,
                    b.CreateOr(b.CreateOr(b.CreateICmpSLT(m, zero),
                                          b.CreateICmpSLT(k, zero)),
                               b.CreateICmpSLT(n, zero)),
                    kErrorNegativeSize);
    // Each size below 2^31 first, so that the products cannot overflow.
    llvm::Value *limit = b.getInt64(int64_t(1) << 31);
    llvm::Value *tooLarge = b.getFalse();
    for (llvm::Value *size : {m, k, n, b.CreateMul(m, k), b.CreateMul(k, n),
                              b.CreateMul(m, n)})
      tooLarge = b.CreateOr(tooLarge, b.CreateICmpSGE(size, limit));
    branchToErrorIf(wrapper, tooLarge, kErrorTooLarge);
    // An array may be null only if it has no elements (k = 0: x and w).
    llvm::Value *nullWithElements = b.getFalse();
    for (auto [array, elements] :
         {std::pair{x, b.CreateMul(m, k)}, std::pair{w, b.CreateMul(k, n)},
          std::pair{bias, n}, std::pair{y, b.CreateMul(m, n)}})
      nullWithElements = b.CreateOr(
          nullWithElements, b.CreateAnd(b.CreateIsNull(array),
                                        b.CreateICmpSGT(elements, zero)));
    branchToErrorIf(wrapper, nullWithElements, kErrorNullPointer);
    returnIf(wrapper, b.CreateICmpEQ(b.CreateMul(m, n), zero), 0);

    // With k = 0, x and w have no elements and may be null; Halide would take
    // a buffer without memory for a bounds query and compute nothing. Point
    // them at y, which is not null here and never read through them.
    x = b.CreateSelect(b.CreateIsNull(x), y, x);
    w = b.CreateSelect(b.CreateIsNull(w), y, w);
    llvm::Value *m32 = b.CreateTrunc(m, b.getInt32Ty()),
                *k32 = b.CreateTrunc(k, b.getInt32Ty()),
                *n32 = b.CreateTrunc(n, b.getInt32Ty());
    fillMatrix(xBuffer, x, {m32, k32});
    fillMatrix(wBuffer, w, {k32, n32});
    fillBuffer(bBuffer, bias, {{n32, b.getInt32(1)}});
    fillMatrix(yBuffer, y, {m32, n32});
    // Fewer columns than a vector: the function that pads w (Kernels.h).
    std::vector<llvm::Value *> args =
        concat({xBuffer, wBuffer, bBuffer}, params, {yBuffer});
    auto *narrow = llvm::BasicBlock::Create(context, "narrow", wrapper, errorBlock);
    auto *wide = llvm::BasicBlock::Create(context, "wide", wrapper, errorBlock);
    b.CreateCondBr(b.CreateICmpSLT(n, b.getInt64(kLinearNarrowColumns)), narrow,
                   wide);
    for (auto [block, function] : {std::pair{narrow, &kernel.functions[1]},
                                   std::pair{wide, &kernel.functions[0]}}) {
      b.SetInsertPoint(block);
      checkStatus(wrapper, callKernel(function->name, args));
      b.CreateRet(b.getInt32(0));
    }
  }

private:
  llvm::LLVMContext &context;
  llvm::Module &module;
  llvm::IRBuilder<> b;
  Variants variants;
  llvm::BasicBlock *errorBlock = nullptr;
  llvm::PHINode *errorCode = nullptr;
  /// CUDA: the buffers of the current call that wrap device pointers, and
  /// the host scalars (parameter gradients) Halide computes on the device.
  std::vector<llvm::Value *> deviceBuffers, hostScalars;

  struct ChunkLoop {
    llvm::PHINode *offset;
    llvm::Value *extent; // i32 elements in this chunk
    llvm::Value *n;
    llvm::BasicBlock *done;
  };

  std::string cName(const Kernel &kernel) const {
    return cFunctionName(kernel, variants.cuda);
  }

  static std::vector<llvm::Value *> arguments(llvm::Function *f, unsigned first,
                                              size_t count) {
    std::vector<llvm::Value *> args;
    for (size_t i = 0; i < count; ++i)
      args.push_back(f->getArg(first + i));
    return args;
  }

  static std::vector<llvm::Value *>
  concat(std::vector<llvm::Value *> a, llvm::ArrayRef<llvm::Value *> b,
         llvm::ArrayRef<llvm::Value *> c) {
    a.insert(a.end(), b.begin(), b.end());
    a.insert(a.end(), c.begin(), c.end());
    return a;
  }

  llvm::AllocaInst *entryAlloca(llvm::Type *type) {
    llvm::Function *f = b.GetInsertBlock()->getParent();
    llvm::IRBuilder<> eb(&f->getEntryBlock(), f->getEntryBlock().begin());
    return eb.CreateAlloca(type);
  }

  struct Shape {
    llvm::Value *rows, *cols; // i32
  };

  /// rows, cols >= 0 with rows * cols < 2^31; arrays non-null unless empty.
  Shape checkMatrix(llvm::Function *f, llvm::Value *rows, llvm::Value *cols,
                    llvm::ArrayRef<llvm::Value *> arrays) {
    llvm::Value *negative = b.CreateOr(b.CreateICmpSLT(rows, b.getInt64(0)),
                                       b.CreateICmpSLT(cols, b.getInt64(0)));
    branchToErrorIf(f, negative, kErrorNegativeSize);
    llvm::Value *limit = b.getInt64(int64_t(1) << 31);
    llvm::Value *tooLarge = b.CreateOr(
        b.CreateOr(b.CreateICmpSGE(rows, limit), b.CreateICmpSGE(cols, limit)),
        b.CreateICmpSGE(b.CreateMul(rows, cols), limit));
    branchToErrorIf(f, tooLarge, kErrorTooLarge);
    llvm::Value *anyNull = b.getFalse();
    for (llvm::Value *array : arrays)
      anyNull = b.CreateOr(anyNull, b.CreateIsNull(array));
    llvm::Value *nonEmpty = b.CreateICmpSGT(b.CreateMul(rows, cols), b.getInt64(0));
    branchToErrorIf(f, b.CreateAnd(anyNull, nonEmpty), kErrorNullPointer);
    return {b.CreateTrunc(rows, b.getInt32Ty()), b.CreateTrunc(cols, b.getInt32Ty())};
  }

  void fillMatrix(llvm::Value *buffer, llvm::Value *array, const Shape &shape) {
    fillBuffer(buffer, array, {{shape.cols, b.getInt32(1)}, {shape.rows, shape.cols}});
  }

  /// The chunk [offset, offset + extent) of a float array.
  void fillVector(llvm::Value *buffer, llvm::Value *array, const ChunkLoop &loop) {
    fillBuffer(buffer, b.CreateGEP(b.getFloatTy(), array, loop.offset),
               {{loop.extent, b.getInt32(1)}});
  }

  /// Returns the kernel's code if it failed.
  void checkStatus(llvm::Function *f, llvm::Value *status) {
    auto *next = llvm::BasicBlock::Create(context, "ok", f, errorBlock);
    errorCode->addIncoming(status, b.GetInsertBlock());
    b.CreateCondBr(b.CreateICmpNE(status, b.getInt32(0)), errorBlock, next);
    b.SetInsertPoint(next);
  }

  llvm::Function *defineFunction(const std::string &name,
                                 llvm::ArrayRef<llvm::Type *> argTypes) {
    auto *type = llvm::FunctionType::get(b.getInt32Ty(), argTypes, false);
    auto *function = llvm::Function::Create(
        type, llvm::Function::ExternalLinkage, name, module);
    function->addFnAttr(llvm::Attribute::NoUnwind);
    b.SetInsertPoint(llvm::BasicBlock::Create(context, "entry", function));
    // Every failure branches here with its code.
    errorBlock = llvm::BasicBlock::Create(context, "error", function);
    llvm::IRBuilder<> eb(errorBlock);
    errorCode = eb.CreatePHI(b.getInt32Ty(), 4, "code");
    eb.CreateRet(errorCode);
    return function;
  }

  /// Returns `value` (success) if `condition` holds; continues otherwise.
  void returnIf(llvm::Function *f, llvm::Value *condition, int value) {
    auto *done = llvm::BasicBlock::Create(context, "done", f, errorBlock);
    auto *next = llvm::BasicBlock::Create(context, "ok", f, errorBlock);
    b.CreateCondBr(condition, done, next);
    b.SetInsertPoint(done);
    b.CreateRet(b.getInt32(value));
    b.SetInsertPoint(next);
  }

  void branchToErrorIf(llvm::Function *f, llvm::Value *condition, int code) {
    auto *next = llvm::BasicBlock::Create(context, "ok", f, errorBlock);
    errorCode->addIncoming(b.getInt32(code), b.GetInsertBlock());
    b.CreateCondBr(condition, errorBlock, next);
    b.SetInsertPoint(next);
  }

  /// n < 0 is an error; null arrays are an error unless n == 0.
  void checkArguments(llvm::Function *f, llvm::Value *n,
                      llvm::ArrayRef<llvm::Value *> arrays) {
    branchToErrorIf(f, b.CreateICmpSLT(n, b.getInt64(0)), kErrorNegativeSize);
    llvm::Value *anyNull = b.getFalse();
    for (llvm::Value *array : arrays)
      anyNull = b.CreateOr(anyNull, b.CreateIsNull(array));
    llvm::Value *nonEmpty = b.CreateICmpSGT(n, b.getInt64(0));
    branchToErrorIf(f, b.CreateAnd(anyNull, nonEmpty), kErrorNullPointer);
  }

  /// Zeroed storage for a halide_buffer_t and its dimensions, in the entry
  /// block so that loops reuse it.
  llvm::Value *allocaBuffer(int dimensions) {
    llvm::IRBuilder<> eb(&b.GetInsertBlock()->getParent()->getEntryBlock(),
                         b.GetInsertBlock()->getParent()->getEntryBlock().begin());
    auto *bufferType = llvm::ArrayType::get(b.getInt8Ty(), sizeof(halide_buffer_t));
    auto *dimType = llvm::ArrayType::get(b.getInt8Ty(),
                                         sizeof(halide_dimension_t) * dimensions);
    llvm::AllocaInst *buffer = eb.CreateAlloca(bufferType, nullptr, "buffer");
    llvm::AllocaInst *dims = eb.CreateAlloca(dimType, nullptr, "dims");
    buffer->setAlignment(llvm::Align(8));
    dims->setAlignment(llvm::Align(8));
    llvm::Value *bufferPtr = eb.CreateBitCast(buffer, eb.getInt8PtrTy());
    llvm::Value *dimsPtr = eb.CreateBitCast(dims, eb.getInt8PtrTy());
    eb.CreateMemSet(bufferPtr, eb.getInt8(0), sizeof(halide_buffer_t),
                    llvm::MaybeAlign(8));
    store(eb, bufferPtr, offsetof(halide_buffer_t, dim), dimsPtr);
    store(eb, bufferPtr, offsetof(halide_buffer_t, dimensions),
          eb.getInt32(dimensions));
    store(eb, bufferPtr, offsetof(halide_buffer_t, type) +
                             offsetof(halide_type_t, code),
          eb.getInt8(halide_type_float));
    store(eb, bufferPtr, offsetof(halide_buffer_t, type) +
                             offsetof(halide_type_t, bits),
          eb.getInt8(32));
    store(eb, bufferPtr, offsetof(halide_buffer_t, type) +
                             offsetof(halide_type_t, lanes),
          eb.getInt16(1));
    return bufferPtr;
  }

  static void store(llvm::IRBuilder<> &builder, llvm::Value *base,
                    size_t offset, llvm::Value *value) {
    llvm::Value *address = builder.CreateConstGEP1_64(builder.getInt8Ty(),
                                                      base, offset);
    address = builder.CreateBitCast(address,
                                    value->getType()->getPointerTo());
    builder.CreateStore(value, address);
  }

  /// Points the buffer at `host` with the given (extent, stride) per
  /// dimension, innermost first; every min is 0. For CUDA, arrays are device
  /// pointers: the buffer wraps them instead (and scalars stay on the host).
  void fillBuffer(llvm::Value *buffer, llvm::Value *host,
                  llvm::ArrayRef<std::pair<llvm::Value *, llvm::Value *>> shape) {
    bool onDevice = variants.cuda && !shape.empty();
    store(b, buffer, offsetof(halide_buffer_t, host),
          onDevice ? llvm::ConstantPointerNull::get(b.getInt8PtrTy())
                   : b.CreateBitCast(host, b.getInt8PtrTy()));
    if (variants.cuda && shape.empty())
      hostScalars.push_back(buffer);
    llvm::Value *dimsAddress = b.CreateBitCast(
        b.CreateConstGEP1_64(b.getInt8Ty(), buffer,
                             offsetof(halide_buffer_t, dim)),
        b.getInt8PtrTy()->getPointerTo());
    if (!shape.empty()) {
      llvm::Value *dims = b.CreateLoad(b.getInt8PtrTy(), dimsAddress);
      for (size_t d = 0; d < shape.size(); ++d) {
        size_t base = d * sizeof(halide_dimension_t);
        store(b, dims, base + offsetof(halide_dimension_t, min), b.getInt32(0));
        store(b, dims, base + offsetof(halide_dimension_t, extent),
              shape[d].first);
        store(b, dims, base + offsetof(halide_dimension_t, stride),
              shape[d].second);
      }
    }
    if (onDevice) {
      // A buffer wrapped in an earlier chunk is released first (releasing
      // an unwrapped one does nothing).
      llvm::Value *null = llvm::ConstantPointerNull::get(b.getInt8PtrTy());
      b.CreateCall(runtimeFunction("halide_cuda_detach_device_ptr",
                                   {b.getInt8PtrTy(), b.getInt8PtrTy()}),
                   {null, buffer});
      llvm::Value *status = b.CreateCall(
          runtimeFunction("halide_cuda_wrap_device_ptr",
                          {b.getInt8PtrTy(), b.getInt8PtrTy(), b.getInt64Ty()}),
          {null, buffer, b.CreatePtrToInt(host, b.getInt64Ty())});
      if (llvm::find(deviceBuffers, buffer) == deviceBuffers.end())
        deviceBuffers.push_back(buffer);
      checkStatus(b.GetInsertBlock()->getParent(), status);
    }
  }

  llvm::FunctionCallee runtimeFunction(llvm::StringRef name,
                                       llvm::ArrayRef<llvm::Type *> argTypes) {
    return module.getOrInsertFunction(
        name, llvm::FunctionType::get(b.getInt32Ty(), argTypes, false));
  }

  /// CUDA: after a kernel, its results in host scalars are copied back and
  /// their device copies freed. Returns the first failure among the
  /// kernel's status and these.
  llvm::Value *finishDeviceCall(llvm::Value *status) {
    llvm::Value *null = llvm::ConstantPointerNull::get(b.getInt8PtrTy());
    auto firstFailure = [&](llvm::Value *next) {
      status = b.CreateSelect(b.CreateICmpNE(status, b.getInt32(0)), status, next);
    };
    for (llvm::Value *scalar : hostScalars) {
      firstFailure(b.CreateCall(
          runtimeFunction("halide_copy_to_host", {b.getInt8PtrTy(), b.getInt8PtrTy()}),
          {null, scalar}));
      firstFailure(b.CreateCall(
          runtimeFunction("halide_device_free", {b.getInt8PtrTy(), b.getInt8PtrTy()}),
          {null, scalar}));
    }
    hostScalars.clear();
    return status;
  }

  /// Returns 0, first releasing (CUDA) the caller's device pointers from
  /// the buffers that wrapped them.
  void returnSuccess() {
    llvm::Value *null = llvm::ConstantPointerNull::get(b.getInt8PtrTy());
    for (llvm::Value *buffer : deviceBuffers)
      b.CreateCall(runtimeFunction("halide_cuda_detach_device_ptr",
                                   {b.getInt8PtrTy(), b.getInt8PtrTy()}),
                   {null, buffer});
    deviceBuffers.clear();
    b.CreateRet(b.getInt32(0));
  }

  ChunkLoop beginChunkLoop(llvm::Function *f, llvm::Value *n) {
    llvm::BasicBlock *preheader = b.GetInsertBlock();
    auto *header = llvm::BasicBlock::Create(context, "chunk", f, errorBlock);
    auto *body = llvm::BasicBlock::Create(context, "body", f, errorBlock);
    auto *done = llvm::BasicBlock::Create(context, "done", f, errorBlock);
    b.CreateBr(header);
    b.SetInsertPoint(header);
    llvm::PHINode *offset = b.CreatePHI(b.getInt64Ty(), 2, "offset");
    offset->addIncoming(b.getInt64(0), preheader);
    b.CreateCondBr(b.CreateICmpSLT(offset, n), body, done);
    b.SetInsertPoint(body);
    llvm::Value *remaining = b.CreateSub(n, offset);
    llvm::Value *chunk = b.CreateSelect(
        b.CreateICmpSLT(remaining, b.getInt64(kMaxChunk)), remaining,
        b.getInt64(kMaxChunk));
    return {offset, b.CreateTrunc(chunk, b.getInt32Ty()), n, done};
  }

  /// Fails with the kernel's code, or moves to the next chunk; continues
  /// after the loop.
  void endChunkLoop(llvm::Function *f, ChunkLoop &loop, llvm::Value *status) {
    checkStatus(f, status);
    llvm::Value *nextOffset =
        b.CreateAdd(loop.offset, b.CreateZExt(loop.extent, b.getInt64Ty()));
    loop.offset->addIncoming(nextOffset, b.GetInsertBlock());
    b.CreateBr(loop.offset->getParent());
    b.SetInsertPoint(loop.done);
  }

  /// Calls the kernel through Halide's `NAME_argv(void **args)` entry point,
  /// whose type is the same in every module: each argument is passed by
  /// address (buffers as their descriptor, scalars as a stack slot). With
  /// several CPU targets, the variant the CPU supports is called.
  llvm::Value *callKernel(const std::string &name,
                          llvm::ArrayRef<llvm::Value *> args) {
    llvm::Type *bytePtr = b.getInt8PtrTy();
    llvm::Function *f = b.GetInsertBlock()->getParent();
    llvm::IRBuilder<> eb(&f->getEntryBlock(), f->getEntryBlock().begin());
    llvm::AllocaInst *argv = eb.CreateAlloca(
        llvm::ArrayType::get(bytePtr, args.size()), nullptr, "argv");
    for (size_t i = 0; i < args.size(); ++i) {
      llvm::Value *address = args[i];
      if (!args[i]->getType()->isPointerTy()) {
        llvm::AllocaInst *slot = eb.CreateAlloca(args[i]->getType());
        b.CreateStore(args[i], slot);
        address = slot;
      }
      b.CreateStore(b.CreateBitCast(address, bytePtr),
                    b.CreateConstInBoundsGEP2_64(argv->getAllocatedType(),
                                                 argv, 0, i));
    }
    auto *type = llvm::FunctionType::get(b.getInt32Ty(),
                                         {bytePtr->getPointerTo()}, false);
    llvm::Value *argvPtr =
        b.CreateConstInBoundsGEP2_64(argv->getAllocatedType(), argv, 0, 0);
    auto call = [&](const std::string &suffix) {
      return b.CreateCall(module.getOrInsertFunction(name + suffix + "_argv", type),
                          {argvPtr});
    };
    const std::vector<std::string> &suffixes = variants.suffixes;
    if (suffixes.size() == 1) {
      llvm::Value *status = call(suffixes.front());
      return variants.cuda ? finishDeviceCall(status) : status;
    }
    // switch (actc_cpu_variant()) { case i: status = NAME_i(argv); ... }
    llvm::Value *index = b.CreateCall(cpuVariantFunction());
    auto *join = llvm::BasicBlock::Create(context, "called", f, errorBlock);
    auto *last = llvm::BasicBlock::Create(context, "variant", f, join);
    llvm::SwitchInst *dispatch = b.CreateSwitch(index, last, suffixes.size() - 1);
    llvm::IRBuilder<> jb(join);
    llvm::PHINode *status = jb.CreatePHI(b.getInt32Ty(), suffixes.size());
    for (size_t i = 0; i < suffixes.size(); ++i) {
      llvm::BasicBlock *block =
          i + 1 == suffixes.size()
              ? last
              : llvm::BasicBlock::Create(context, "variant", f, last);
      if (i + 1 != suffixes.size())
        dispatch->addCase(b.getInt32(i), block);
      b.SetInsertPoint(block);
      status->addIncoming(call(suffixes[i]), block);
      b.CreateBr(join);
    }
    b.SetInsertPoint(join);
    return status;
  }

  /// `i32 actc_cpu_variant()`: the index of the first CPU target whose
  /// features the running CPU has (Halide's runtime tests them), the last
  /// one otherwise. Computed once; a race only computes it twice.
  llvm::Function *cpuVariantFunction() {
    if (llvm::Function *existing = module.getFunction("actc_cpu_variant"))
      return existing;
    auto *type = llvm::FunctionType::get(b.getInt32Ty(), {}, false);
    auto *f = llvm::Function::Create(type, llvm::Function::InternalLinkage,
                                     "actc_cpu_variant", module);
    auto *cache = new llvm::GlobalVariable(
        module, b.getInt32Ty(), false, llvm::GlobalValue::InternalLinkage,
        b.getInt32(-1), "actc_cpu_variant_index");
    llvm::IRBuilder<> fb(llvm::BasicBlock::Create(context, "entry", f));
    llvm::LoadInst *cached = fb.CreateLoad(b.getInt32Ty(), cache);
    cached->setAtomic(llvm::AtomicOrdering::Monotonic);
    cached->setAlignment(llvm::Align(4));
    auto *known = llvm::BasicBlock::Create(context, "known", f);
    auto *probe = llvm::BasicBlock::Create(context, "probe", f);
    fb.CreateCondBr(fb.CreateICmpSGE(cached, fb.getInt32(0)), known, probe);
    fb.SetInsertPoint(known);
    fb.CreateRet(cached);

    constexpr int kWords = (halide_target_feature_end + 63) / 64;
    auto *wordsType = llvm::ArrayType::get(b.getInt64Ty(), kWords);
    llvm::FunctionCallee canUse = module.getOrInsertFunction(
        "halide_can_use_target_features",
        llvm::FunctionType::get(b.getInt32Ty(),
                                {b.getInt32Ty(), b.getInt64Ty()->getPointerTo()},
                                false));
    fb.SetInsertPoint(probe);
    size_t count = variants.targets.size();
    for (size_t i = 0; i + 1 < count; ++i) {
      std::vector<llvm::Constant *> words;
      for (int w = 0; w < kWords; ++w) {
        uint64_t bits = 0;
        for (int bit = 0; bit < 64; ++bit) {
          int feature = w * 64 + bit;
          if (feature < halide_target_feature_end &&
              variants.targets[i].has_feature(
                  static_cast<Halide::Target::Feature>(feature)))
            bits |= uint64_t(1) << bit;
        }
        words.push_back(fb.getInt64(bits));
      }
      auto *features = new llvm::GlobalVariable(
          module, wordsType, true, llvm::GlobalValue::PrivateLinkage,
          llvm::ConstantArray::get(wordsType, words), "actc_target_features");
      llvm::Value *usable = fb.CreateCall(
          canUse, {fb.getInt32(kWords),
                   fb.CreateConstInBoundsGEP2_64(wordsType, features, 0, 0)});
      auto *chosen = llvm::BasicBlock::Create(context, "chosen", f);
      auto *next = llvm::BasicBlock::Create(context, "next", f);
      fb.CreateCondBr(fb.CreateICmpNE(usable, fb.getInt32(0)), chosen, next);
      fb.SetInsertPoint(chosen);
      storeVariant(fb, cache, i);
      fb.SetInsertPoint(next);
    }
    storeVariant(fb, cache, count - 1);
    return f;
  }

  static void storeVariant(llvm::IRBuilder<> &fb, llvm::GlobalVariable *cache,
                           size_t index) {
    llvm::StoreInst *store = fb.CreateStore(fb.getInt32(index), cache);
    store->setAtomic(llvm::AtomicOrdering::Monotonic);
    store->setAlignment(llvm::Align(4));
    fb.CreateRet(fb.getInt32(index));
  }
};

/// Names that a parameter must not take in the header: the kernels' own
/// arguments, and C and C++ keywords (a .act parameter may be called `default`
/// or `int`).
bool isReservedInC(llvm::StringRef name) {
  static const llvm::StringSet<> reserved = {
      // The fixed arguments of the five kernels.
      "x", "y", "n", "b", "w", "m", "k", "dy", "dx", "db", "rows", "cols",
      // C11 and C++17 keywords.
      "auto", "break", "case", "char", "const", "continue", "default", "do",
      "double", "else", "enum", "extern", "float", "for", "goto", "if",
      "inline", "int", "long", "register", "restrict", "return", "short",
      "signed", "sizeof", "static", "struct", "switch", "typedef", "union",
      "unsigned", "void", "volatile", "while", "alignas", "alignof", "and",
      "and_eq", "asm", "bitand", "bitor", "bool", "catch", "class", "compl",
      "concept", "const_cast", "constexpr", "decltype", "delete",
      "dynamic_cast", "explicit", "export", "false", "friend", "mutable",
      "namespace", "new", "noexcept", "not", "not_eq", "nullptr", "operator",
      "or", "or_eq", "private", "protected", "public", "reinterpret_cast",
      "requires", "static_assert", "static_cast", "template", "this",
      "thread_local", "throw", "true", "try", "typeid", "typename", "using",
      "virtual", "wchar_t", "xor", "xor_eq", "int64_t"};
  return reserved.contains(name);
}

/// The C names of the kernel's parameters, then of its gradient outputs
/// (`d_p` for each learnable p): the .act names, with `_` appended until
/// each is neither reserved nor taken.
std::vector<std::string> cArgumentNames(const Kernel &kernel) {
  llvm::StringSet<> taken;
  std::vector<std::string> names;
  auto claim = [&](std::string name) {
    while (isReservedInC(name) || taken.contains(name))
      name += '_';
    taken.insert(name);
    names.push_back(name);
  };
  for (const std::string &name : kernel.paramNames)
    claim(name);
  for (unsigned index : kernel.learnedParams)
    claim("d_" + kernel.paramNames[index]);
  return names;
}

/// `, float p` for each parameter.
std::string cParamList(const Kernel &kernel) {
  std::vector<std::string> names = cArgumentNames(kernel);
  std::string list;
  for (size_t i = 0; i < kernel.paramNames.size(); ++i)
    list += ", float " + names[i];
  return list;
}

/// `, float *d_p` for each learnable parameter p.
std::string cGradientList(const Kernel &kernel) {
  std::vector<std::string> names = cArgumentNames(kernel);
  std::string list;
  for (size_t i = kernel.paramNames.size(); i < names.size(); ++i)
    list += ", float *" + names[i];
  return list;
}

/// The LLVM triple of a Halide CPU target, for the targets actc supports.
std::string llvmTriple(const Halide::Target &target) {
  std::string os = target.os == Halide::Target::OSX ? "apple-macosx"
                                                    : "unknown-linux-gnu";
  if (target.arch == Halide::Target::X86 && target.bits == 64)
    return "x86_64-" + os;
  if (target.arch == Halide::Target::ARM && target.bits == 64)
    return "aarch64-" + os;
  return "";
}

/// A machine for the wrapper's target: generic CPU (the wrappers are scalar
/// glue), position-independent so the object also fits a shared library.
std::unique_ptr<llvm::TargetMachine> targetMachine(const Halide::Target &target,
                                                   std::string &error) {
  std::string triple = llvmTriple(target);
  if (triple.empty()) {
    error = "no C interface for target '" + target.to_string() + "'";
    return nullptr;
  }
  llvm::InitializeAllTargetInfos();
  llvm::InitializeAllTargets();
  llvm::InitializeAllTargetMCs();
  llvm::InitializeAllAsmPrinters();
  const llvm::Target *llvmTarget =
      llvm::TargetRegistry::lookupTarget(triple, error);
  if (!llvmTarget)
    return nullptr;
  return std::unique_ptr<llvm::TargetMachine>(llvmTarget->createTargetMachine(
      triple, "", "", llvm::TargetOptions(), llvm::Reloc::PIC_));
}

/// `const char *actc_manifest(void)` returning `json`.
void defineManifest(llvm::Module &module, llvm::StringRef json) {
  llvm::LLVMContext &context = module.getContext();
  llvm::IRBuilder<> b(context);
  llvm::Constant *text = llvm::ConstantDataArray::getString(context, json);
  auto *global = new llvm::GlobalVariable(module, text->getType(), true,
                                          llvm::GlobalValue::PrivateLinkage,
                                          text, "actc_manifest_json");
  auto *manifestFn = llvm::Function::Create(
      llvm::FunctionType::get(b.getInt8PtrTy(), {}, false),
      llvm::Function::ExternalLinkage, "actc_manifest", module);
  b.SetInsertPoint(llvm::BasicBlock::Create(context, "entry", manifestFn));
  b.CreateRet(b.CreateConstInBoundsGEP2_64(text->getType(), global, 0, 0));
}

/// `void halide_error(void *user_context, const char *message)`, replacing
/// the Halide runtime's, whose default handler calls abort(): the C
/// interface reports failures as return codes (CLI.md), so a runtime error
/// (no CUDA driver, out of memory) is written to stderr and the kernel
/// returns its code. Weak, like the runtime's: programs may link several
/// actc libraries. The linker keeps the first weak definition it meets, and
/// it meets this object first (it defines the functions the program calls;
/// the runtime object is pulled in only for the symbols this one needs).
void defineErrorHandler(llvm::Module &module) {
  llvm::LLVMContext &context = module.getContext();
  llvm::IRBuilder<> b(context);
  llvm::Type *sizeType = b.getInt64Ty();
  auto *errorFn = llvm::Function::Create(
      llvm::FunctionType::get(b.getVoidTy(),
                              {b.getInt8PtrTy(), b.getInt8PtrTy()}, false),
      llvm::Function::WeakAnyLinkage, "halide_error", module);
  b.SetInsertPoint(llvm::BasicBlock::Create(context, "entry", errorFn));
  llvm::FunctionCallee strlenFn = module.getOrInsertFunction(
      "strlen", llvm::FunctionType::get(sizeType, {b.getInt8PtrTy()}, false));
  llvm::FunctionCallee writeFn = module.getOrInsertFunction(
      "write", llvm::FunctionType::get(sizeType,
                                       {b.getInt32Ty(), b.getInt8PtrTy(), sizeType},
                                       false));
  llvm::Value *message = errorFn->getArg(1);
  llvm::Value *prefix = b.CreateGlobalStringPtr("actc: Halide runtime error: ");
  // Halide's messages end with a newline.
  for (llvm::Value *text : {prefix, message})
    b.CreateCall(writeFn, {b.getInt32(2), text, b.CreateCall(strlenFn, {text})});
  b.CreateRetVoid();
}

} // namespace

bool act::hasGradientOutputs(KernelKind kind) {
  return kind == KernelKind::Backward || kind == KernelKind::BiasBackward;
}

mlir::FailureOr<std::string>
act::compileCWrappers(llvm::ArrayRef<TargetKernels> built,
                      llvm::StringRef pluginManifest, std::string &error) {
  Variants cpu, cuda;
  const std::vector<Kernel> *cpuKernels = nullptr, *cudaKernels = nullptr;
  for (const TargetKernels &set : built) {
    if (set.target.has_gpu_feature()) {
      cuda.suffixes.push_back(set.suffix);
      cuda.cuda = true;
      cudaKernels = &set.kernels;
      continue;
    }
    cpu.suffixes.push_back(set.suffix);
    cpu.targets.push_back(set.target);
    cpuKernels = &set.kernels;
  }
  std::unique_ptr<llvm::TargetMachine> machine =
      targetMachine(cpu.targets.front(), error);
  if (!machine)
    return mlir::failure();
  llvm::LLVMContext context;
  llvm::Module module("actc_c_interface", context);
  module.setTargetTriple(machine->getTargetTriple().str());
  module.setDataLayout(machine->createDataLayout());
  {
    WrapperBuilder builder(context, module, cpu);
    for (const Kernel &kernel : *cpuKernels) {
      builder.build(kernel);
      builder.buildPacked(kernel);
    }
  }
  if (cudaKernels) {
    WrapperBuilder builder(context, module, cuda);
    for (const Kernel &kernel : *cudaKernels) {
      builder.build(kernel);
      builder.buildPacked(kernel);
    }
  }
  defineErrorHandler(module);
  if (!pluginManifest.empty())
    defineManifest(module, pluginManifest);
  if (llvm::verifyModule(module, &llvm::errs()))
    llvm::report_fatal_error("actc built an invalid C wrapper module");

  llvm::SmallString<0> object;
  llvm::raw_svector_ostream os(object);
  llvm::legacy::PassManager passes;
  if (machine->addPassesToEmitFile(passes, os, nullptr,
                                   llvm::CGFT_ObjectFile)) {
    error = "LLVM cannot emit objects for '" + cpu.targets.front().to_string() + "'";
    return mlir::failure();
  }
  passes.run(module);
  return std::string(object.str());
}

std::vector<std::string> act::exportedNames(llvm::ArrayRef<TargetKernels> built) {
  std::vector<std::string> names{"actc_manifest"};
  bool seenCpu = false;
  for (const TargetKernels &set : built) {
    bool cuda = set.target.has_gpu_feature();
    if (!cuda && std::exchange(seenCpu, true))
      continue; // Every CPU target shares one set of wrappers.
    for (const Kernel &kernel : set.kernels) {
      names.push_back(cFunctionName(kernel, cuda));
      names.push_back(cFunctionName(kernel, cuda) + "_p");
    }
  }
  return names;
}

std::string act::cFunctionName(const Kernel &kernel, bool cuda) {
  return "actc_" + kernel.activation + "_" + kernelName(kernel.kind).str() +
         (cuda ? "_cuda" : "");
}

std::string act::cDeclaration(const Kernel &kernel, bool cuda) {
  std::string name = cFunctionName(kernel, cuda);
  switch (kernel.kind) {
  case KernelKind::Forward:
    return "int " + name + "(const float *x, float *y, int64_t n" +
           cParamList(kernel) + ")";
  case KernelKind::Backward:
    return "int " + name + "(const float *x, const float *dy, float *dx, " +
           "int64_t n" + cParamList(kernel) + cGradientList(kernel) + ")";
  case KernelKind::BiasForward:
    return "int " + name + "(const float *x, const float *b, float *y, " +
           "int64_t rows, int64_t cols" + cParamList(kernel) + ")";
  case KernelKind::BiasBackward:
    return "int " + name + "(const float *x, const float *b, " +
           "const float *dy, float *dx, float *db, int64_t rows, " +
           "int64_t cols" + cParamList(kernel) + cGradientList(kernel) + ")";
  case KernelKind::LinearForward:
    return "int " + name + "(const float *x, const float *w, const float *b, " +
           "float *y, int64_t m, int64_t k, int64_t n" + cParamList(kernel) + ")";
  }
  llvm_unreachable("unknown kernel kind");
}

std::string act::cPackedDeclaration(const Kernel &kernel, bool cuda) {
  std::string typed = cDeclaration(kernel, cuda);
  // The typed declaration up to its parameters, then the two arrays.
  std::string prefix = typed.substr(0, typed.size() - 1 -
                                           cParamList(kernel).size() -
                                           (hasGradientOutputs(kernel.kind)
                                                ? cGradientList(kernel).size()
                                                : 0));
  std::string name = cFunctionName(kernel, cuda);
  prefix.replace(prefix.find(name), name.size(), name + "_p");
  return prefix + ", const float *params" +
         (hasGradientOutputs(kernel.kind) ? ", float *d_params" : "") + ")";
}

/// `value` as an exact C float expression: a hexadecimal literal.
static std::string cFloatLiteral(float value) {
  if (std::isinf(value))
    return value > 0 ? "__builtin_inff()" : "(-__builtin_inff())";
  if (std::isnan(value))
    return "__builtin_nanf(\"\")";
  return llvm::formatv("{0}f", llvm::format("%a", static_cast<double>(value))).str();
}

/// `text` as a C string literal.
static std::string cStringLiteral(llvm::StringRef text) {
  std::string literal = "\"";
  for (char c : text) {
    if (c == '"' || c == '\\')
      literal += '\\';
    if (c == '\n') {
      literal += "\\n";
      continue;
    }
    literal += c;
  }
  return literal + "\"";
}

std::string act::cHeader(llvm::ArrayRef<TargetKernels> built,
                         llvm::ArrayRef<ActivationOp> activations,
                         llvm::StringRef guard, llvm::StringRef macroPrefix,
                         llvm::StringRef source, llvm::StringRef manifest) {
  const std::vector<Kernel> &kernels = built.front().kernels;
  const std::vector<Kernel> *cudaKernels = nullptr;
  for (const TargetKernels &set : built)
    if (set.target.has_gpu_feature())
      cudaKernels = &set.kernels;

  std::string text;
  llvm::raw_string_ostream os(text);
  os << "/* Generated by actc from " << source << "; do not edit.\n"
     << " * Arrays are float32, contiguous, matrices row-major (rows x cols); y\n"
     << " * may alias x and dx may alias dy (linear_forward's y must not overlap\n"
     << " * x, w or b). backward kernels store in *d_p the gradient of each\n"
     << " * learnable parameter p summed over all elements.\n"
     << " * Each function returns 0 on success, nonzero on failure (1: negative\n"
     << " * size, 2: null array, 3: a matrix of 2^31 elements or more, <0: the\n"
     << " * kernel failed).\n"
     << " * NAME_p: the same kernel with the parameters in one array `params`\n"
     << " * (declaration order) and the learnable ones' gradients in `d_params`.\n";
  if (cudaKernels)
    os << " * NAME_cuda: the kernel on the GPU (Halide's CUDA runtime; arrays are\n"
       << " * device pointers, d_p host pointers); it runs asynchronously on Halide's\n"
       << " * CUDA context and stream (define halide_cuda_acquire_context to share\n"
       << " * yours), and needs libcuda.so (dlopen \"libcuda.so.1\" RTLD_GLOBAL first).\n";
  os << " */\n"
     << "#ifndef " << guard << "\n#define " << guard << "\n\n"
     << "#include <stdint.h>\n\n"
     << "#ifdef __cplusplus\nextern \"C\" {\n#endif\n";
  for (ActivationOp activation : activations) {
    os << "\n/* " << activation.sym_name();
    if (auto doc = activation->getAttrOfType<mlir::StringAttr>("doc"))
      os << ": " << doc.getValue();
    os << " */\n";
    for (unsigned i = 0; i < activation.getNumParams(); ++i)
      os << "/*   " << activation.getParamName(i) << ": default "
         << llvm::format("%.9g", activation.getParamDefault(i))
         << (activation.isLearnable(i) ? ", learnable" : "") << " */\n";
    auto declare = [&](const std::vector<Kernel> &set, bool cuda) {
      for (const Kernel &kernel : set)
        if (kernel.activation == activation.sym_name())
          os << cDeclaration(kernel, cuda) << ";\n"
             << cPackedDeclaration(kernel, cuda) << ";\n";
    };
    declare(kernels, false);
    if (cudaKernels)
      declare(*cudaKernels, true);
  }

  // The registry: every packed function, for runtimes that load by name.
  os << "\n/* ACTC_" << macroPrefix << "_KERNELS(X) expands X(activation, kernel) "
     << "for each NAME_p above;\n * ACTC_" << macroPrefix
     << "_MANIFEST is the JSON a plugin's actc_manifest() returns. */\n"
     << "#define ACTC_ABI_VERSION " << kAbiVersion << "\n"
     << "#define ACTC_" << macroPrefix << "_KERNELS(X)";
  auto entries = [&](const std::vector<Kernel> &set, llvm::StringRef suffix) {
    for (const Kernel &kernel : set)
      os << " \\\n  X(" << kernel.activation << ", " << kernelName(kernel.kind)
         << suffix << ")";
  };
  entries(kernels, "");
  if (cudaKernels)
    entries(*cudaKernels, "_cuda");
  os << "\n/* ACTC_" << macroPrefix << "_ACTIVATIONS(X) expands X(activation, "
     << "parameters, learnable,\n * defaults...) for each activation. */\n"
     << "#define ACTC_" << macroPrefix << "_ACTIVATIONS(X)";
  for (ActivationOp activation : activations) {
    unsigned learnable = 0;
    for (unsigned i = 0; i < activation.getNumParams(); ++i)
      learnable += activation.isLearnable(i);
    os << " \\\n  X(" << activation.sym_name() << ", " << activation.getNumParams()
       << ", " << learnable;
    for (unsigned i = 0; i < activation.getNumParams(); ++i)
      os << ", " << cFloatLiteral(static_cast<float>(activation.getParamDefault(i)));
    os << ")";
  }
  os << "\n#define ACTC_" << macroPrefix << "_MANIFEST " << cStringLiteral(manifest)
     << "\n";
  os << "\n#ifdef __cplusplus\n} /* extern \"C\" */\n#endif\n\n#endif /* "
     << guard << " */\n";
  return os.str();
}
