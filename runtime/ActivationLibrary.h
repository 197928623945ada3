// The activations fmnist can train with, from three sources: the standard
// library linked in, plugins (`actc --emit=plugin`), and .act files compiled
// at run time. All three go through one manifest parser and one binder.
#ifndef ACTC_RUNTIME_ACTIVATIONLIBRARY_H
#define ACTC_RUNTIME_ACTIVATIONLIBRARY_H

#include "runtime/Activation.h"
#include "runtime/Manifest.h"

#include "llvm/ADT/STLFunctionalExtras.h"
#include "llvm/Support/Error.h"

#include <deque>
#include <string>
#include <vector>

namespace act::runtime {

/// Finds the address of a packed kernel's symbol ("actc_relu_forward_p"),
/// null when there is none.
using SymbolResolver = llvm::function_ref<void *(llvm::StringRef symbol)>;

/// Checks that every kernel `manifest` lists resolves to a symbol and builds
/// the activations' tables. `origin` names the source in messages; `library`
/// is recorded in each Activation (empty for the standard library).
llvm::Expected<std::vector<Activation>>
bindActivations(const Manifest &manifest, SymbolResolver resolve,
                llvm::StringRef origin, llvm::StringRef library);

/// A loaded shared object's activations.
struct Plugin {
  std::vector<Activation> activations;
};

/// dlopens `path`, reads `actc_manifest()` and binds its kernels; `library`
/// is what the activations record as their source. Never unloads it: the
/// plugin's Halide runtime may keep worker threads in its code.
llvm::Expected<Plugin> loadPlugin(llvm::StringRef path,
                                  llvm::StringRef library);

/// Compiles `path` (.act) into a plugin in a temporary directory with actc
/// (beside the running program, else on PATH) and loads it. actc's
/// diagnostics go to stderr.
llvm::Expected<Plugin> compileAndLoad(llvm::StringRef path);

/// The activations of the standard library linked into the runtime.
llvm::Expected<std::vector<Activation>> standardActivations();

class ActivationLibrary {
public:
  /// The standard library; fails only if the linked-in manifest is broken.
  static llvm::Expected<ActivationLibrary> standard();

  /// Adds a plugin (FILE.so) or an .act file (compiled now). Activations
  /// added later hide earlier ones of the same name.
  llvm::Error addFile(llvm::StringRef path);
  /// Adds one activation table (tests use hand-written kernels this way).
  void add(Activation activation);

  /// The activation called `name`, or an error listing the known ones. The
  /// pointer stays valid as long as the library.
  llvm::Expected<const Activation *> find(llvm::StringRef name) const;
  std::vector<std::string> names() const;

private:
  std::deque<Activation> activations; // Stable addresses for find().
};

} // namespace act::runtime

#endif // ACTC_RUNTIME_ACTIVATIONLIBRARY_H
