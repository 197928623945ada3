// Parsing --target= into KernelTargets: CPU variants and an optional CUDA one.
#include "compiler/halide/Target.h"

#include "compiler/halide/Schedule.h"

using namespace act;

KernelTarget::KernelTarget(const Halide::Target &target)
    : Halide::Target(target),
      device(target.has_feature(Halide::Target::CUDA) ? Device::CUDA
                                                      : Device::CPU),
      fma(hasFusedMultiplyAdd(target)) {}

/// Adds StrictFloat: IEEE semantics everywhere. Without it, Halide and LLVM
/// rewrite x * 0 to 0 and x - x to 0 (wrong for inf and NaN) and lose -0.
static Halide::Target strict(const Halide::Target &target) {
  return target.with_feature(Halide::Target::StrictFloat);
}

/// The CUDA capability actc compiles for unless a target names one: the
/// newest Halide 14 knows; newer GPUs JIT its PTX.
constexpr Halide::Target::Feature kDefaultCudaCapability =
    Halide::Target::CUDACapability86;

static bool isCudaFeature(Halide::Target::Feature feature) {
  return feature == Halide::Target::CUDA ||
         llvm::StringRef(Halide::Target::feature_to_name(feature))
             .startswith("cuda_capability");
}

static bool hasCudaCapability(const Halide::Target &target) {
  for (int f = 0; f < Halide::Target::FeatureEnd; ++f) {
    auto feature = static_cast<Halide::Target::Feature>(f);
    if (feature != Halide::Target::CUDA && isCudaFeature(feature) &&
        target.has_feature(feature))
      return true;
  }
  return false;
}

/// `target` without its GPU features: the host part of "host-cuda".
static Halide::Target withoutGpu(Halide::Target target) {
  for (int f = 0; f < Halide::Target::FeatureEnd; ++f) {
    auto feature = static_cast<Halide::Target::Feature>(f);
    if (isCudaFeature(feature))
      target = target.without_feature(feature);
  }
  return target;
}

mlir::FailureOr<TargetSet>
act::parseTargets(llvm::ArrayRef<std::string> targets, std::string &error) {
  std::vector<Halide::Target> cpu;
  std::optional<Halide::Target> cuda;
  bool wantCuda = false;
  for (const std::string &name : targets) {
    if (name == "cuda") {
      wantCuda = true;
      continue;
    }
    if (!Halide::Target::validate_target_string(name)) {
      error = "unknown target '" + name + "'";
      return mlir::failure();
    }
    Halide::Target target(name);
    if (target.has_gpu_feature() && !target.has_feature(Halide::Target::CUDA)) {
      error = "target '" + name + "': only CUDA is supported among GPU targets";
      return mlir::failure();
    }
    if (target.has_feature(Halide::Target::CUDA)) {
      if (cuda) {
        error = "more than one CUDA target";
        return mlir::failure();
      }
      cuda = target;
      target = withoutGpu(target);
    }
    cpu.push_back(strict(target));
  }
  if (cpu.empty())
    cpu.push_back(strict(Halide::get_host_target()));
  for (const Halide::Target &target : cpu)
    if (target.os != cpu.front().os || target.arch != cpu.front().arch ||
        target.bits != cpu.front().bits) {
      error = "CPU targets '" + cpu.front().to_string() + "' and '" +
              target.to_string() + "' differ in OS or architecture";
      return mlir::failure();
    }
  if (wantCuda && !cuda)
    cuda = cpu.back().with_feature(Halide::Target::CUDA);
  TargetSet set;
  for (const Halide::Target &target : cpu)
    set.cpu.emplace_back(target);
  if (cuda) {
    if (!hasCudaCapability(*cuda))
      cuda = cuda->with_feature(kDefaultCudaCapability);
    set.cuda.emplace(strict(*cuda));
  }
  return set;
}

mlir::FailureOr<KernelTarget>
act::parseTarget(llvm::ArrayRef<std::string> targets, std::string &error) {
  mlir::FailureOr<TargetSet> set = parseTargets(targets, error);
  if (mlir::failed(set))
    return mlir::failure();
  return set->cpu.front();
}

Halide::Target act::runtimeTarget(const TargetSet &targets) {
  Halide::Target target = targets.cpu.back();
  if (targets.cuda)
    for (int f = 0; f < Halide::Target::FeatureEnd; ++f) {
      auto feature = static_cast<Halide::Target::Feature>(f);
      if (isCudaFeature(feature) && targets.cuda->has_feature(feature))
        target = target.with_feature(feature);
    }
  return target;
}
