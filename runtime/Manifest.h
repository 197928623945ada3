// The JSON manifest a generated library describes itself with (see the
// packed ABI): parsed and checked before any of its kernels is called.
#ifndef ACTC_RUNTIME_MANIFEST_H
#define ACTC_RUNTIME_MANIFEST_H

#include "runtime/Activation.h"

#include "llvm/Support/Error.h"

#include <optional>
#include <string>
#include <vector>

namespace act::runtime {

/// One activation as the manifest lists it.
struct ManifestEntry {
  std::string name;
  std::string doc;
  std::vector<ActivationParam> params;
  /// Kernel names, as actc/abi.h spells the kinds; `cudaKernels` the same
  /// names for the `_cuda` variants.
  std::vector<std::string> kernels;
  std::vector<std::string> cudaKernels;
};

struct Manifest {
  int64_t abiVersion = 0;
  std::string actcVersion;
  std::string source;
  std::vector<std::string> targets;
  std::optional<std::string> cudaTarget;
  std::vector<ManifestEntry> activations;
};

/// The kernel names the packed ABI defines, in header order.
const std::vector<std::string> &knownKernelNames();

/// Parses `json` and checks its shape: every field present with its type,
/// abi_version == ACTC_ABI_VERSION, names that are C identifiers and unique,
/// known kernel names. `origin` (a file name, or "the standard library")
/// starts every error message.
llvm::Expected<Manifest> parseManifest(llvm::StringRef json,
                                       llvm::StringRef origin);

} // namespace act::runtime

#endif // ACTC_RUNTIME_MANIFEST_H
