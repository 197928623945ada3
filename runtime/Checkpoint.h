// Checkpoints: everything a run needs to continue bit for bit, written
// atomically after each epoch (format in runtime/README.md).
#ifndef ACTC_RUNTIME_CHECKPOINT_H
#define ACTC_RUNTIME_CHECKPOINT_H

#include "runtime/Activation.h"
#include "runtime/TrainConfig.h"

#include "llvm/Support/Error.h"

#include <cstdint>
#include <string>
#include <vector>

namespace act::runtime {

/// "ACTCFMCK", then the format version.
constexpr char kCheckpointMagic[8] = {'A', 'C', 'T', 'C', 'F', 'M', 'C', 'K'};
constexpr uint32_t kCheckpointVersion = 1;

struct Checkpoint {
  TrainConfig config;
  /// The activation's parameters as declared (names, defaults, learnable),
  /// to check that the activation loaded for eval or resume is the same.
  std::vector<ActivationParam> activationParams;
  /// Epochs completed; the data order of the next one follows from
  /// (config.seed, epochsDone), which is the whole random state.
  int64_t epochsDone = 0;
  int64_t optimizerSteps = 0;
  /// Network::parameters() in order, then the optimiser's state.
  std::vector<std::vector<float>> tensors;
  std::vector<float> optimizerState;
};

/// Writes to a temporary file beside `path`, then renames it over `path`
/// (writeFileAtomically), so that a crash leaves the previous checkpoint
/// intact.
llvm::Error writeCheckpoint(llvm::StringRef path, const Checkpoint &checkpoint);
/// Reads and checks magic, version, sizes and the CRC-32 of the contents.
llvm::Expected<Checkpoint> readCheckpoint(llvm::StringRef path);

} // namespace act::runtime

#endif // ACTC_RUNTIME_CHECKPOINT_H
