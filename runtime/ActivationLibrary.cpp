// Binding manifests to kernels, and the set of activations fmnist knows.
#include "runtime/ActivationLibrary.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"

using namespace act::runtime;

std::vector<float> Activation::defaultParams() const {
  std::vector<float> values;
  for (const ActivationParam &param : params)
    values.push_back(param.defaultValue);
  return values;
}

unsigned Activation::numLearnable() const {
  return llvm::count_if(params,
                        [](const ActivationParam &p) { return p.learnable; });
}

namespace {

/// Points `set`'s member for `kernel` at `address`.
void assignKernel(KernelSet &set, llvm::StringRef kernel, void *address) {
#define ACTC_ASSIGN_KERNEL(KIND, name, ARGS, GRADIENTS)                        \
  if (kernel == #name)                                                         \
    set.name = reinterpret_cast<actc_##name##_fn>(address);
  ACTC_KERNEL_KINDS(ACTC_ASSIGN_KERNEL)
#undef ACTC_ASSIGN_KERNEL
}

} // namespace

llvm::Expected<std::vector<Activation>>
act::runtime::bindActivations(const Manifest &manifest, SymbolResolver resolve,
                              llvm::StringRef origin, llvm::StringRef library) {
  std::vector<Activation> result;
  for (const ManifestEntry &entry : manifest.activations) {
    Activation activation;
    activation.name = entry.name;
    activation.doc = entry.doc;
    activation.params = entry.params;
    activation.library = library.str();
    auto bind = [&](const std::vector<std::string> &kernels, KernelSet &set,
                    llvm::StringRef suffix) -> llvm::Error {
      for (const std::string &kernel : kernels) {
        std::string symbol =
            "actc_" + entry.name + "_" + kernel + suffix.str() + "_p";
        void *address = resolve(symbol);
        if (!address)
          return llvm::createStringError(
              llvm::inconvertibleErrorCode(),
              "'" + origin + "': its manifest lists the " + kernel + suffix +
                  " kernel of '" + entry.name + "', but it defines no '" +
                  symbol + "'; rebuild it with this actc");
        assignKernel(set, kernel, address);
      }
      return llvm::Error::success();
    };
    if (llvm::Error error = bind(entry.kernels, activation.cpu, ""))
      return std::move(error);
    if (llvm::Error error = bind(entry.cudaKernels, activation.cuda, "_cuda"))
      return std::move(error);
    result.push_back(std::move(activation));
  }
  return result;
}

llvm::Expected<ActivationLibrary> ActivationLibrary::standard() {
  ActivationLibrary library;
  llvm::Expected<std::vector<Activation>> activations = standardActivations();
  if (!activations)
    return activations.takeError();
  for (Activation &activation : *activations)
    library.add(std::move(activation));
  return library;
}

llvm::Error ActivationLibrary::addFile(llvm::StringRef path) {
  // Recorded absolute, so that a checkpoint names it from any directory.
  llvm::SmallString<256> absolute(path);
  llvm::sys::fs::make_absolute(absolute);
  llvm::Expected<Plugin> plugin = llvm::sys::path::extension(path) == ".act"
                                      ? compileAndLoad(absolute)
                                      : loadPlugin(absolute, absolute);
  if (!plugin)
    return plugin.takeError();
  for (Activation &activation : plugin->activations)
    add(std::move(activation));
  return llvm::Error::success();
}

void ActivationLibrary::add(Activation activation) {
  activations.push_back(std::move(activation));
}

llvm::Expected<const Activation *>
ActivationLibrary::find(llvm::StringRef name) const {
  for (const Activation &activation : llvm::reverse(activations))
    if (activation.name == name)
      return &activation;
  return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                 "no activation named '" + name +
                                     "' (known: " + llvm::join(names(), ", ") +
                                     "; --act-lib adds more)");
}

std::vector<std::string> ActivationLibrary::names() const {
  std::vector<std::string> result;
  for (const Activation &activation : activations)
    if (!llvm::is_contained(result, activation.name))
      result.push_back(activation.name);
  return result;
}
