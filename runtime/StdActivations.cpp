// The standard library's activations, linked in: the build compiles
// dsl/std.act with actc into std.a + std.h (the actc_std target), whose
// manifest and kernel list (ACTC_STD_MANIFEST, ACTC_STD_KERNELS) this file
// binds.
#include "runtime/ActivationLibrary.h"

#include "std.h"

#include "llvm/ADT/StringMap.h"

using namespace act::runtime;

namespace {

struct StdSymbol {
  const char *name;
  void *address;
};

#define ACTC_RUNTIME_STD_SYMBOL(activation, kernel)                            \
  {"actc_" #activation "_" #kernel "_p",                                       \
   reinterpret_cast<void *>(&actc_##activation##_##kernel##_p)},
const StdSymbol kStdSymbols[] = {ACTC_STD_KERNELS(ACTC_RUNTIME_STD_SYMBOL)};
#undef ACTC_RUNTIME_STD_SYMBOL

} // namespace

llvm::Expected<std::vector<Activation>> act::runtime::standardActivations() {
  constexpr const char *kOrigin = "the standard library";
  llvm::Expected<Manifest> manifest = parseManifest(ACTC_STD_MANIFEST, kOrigin);
  if (!manifest)
    return manifest.takeError();
  // The symbols the linker resolved, looked up by name as dlsym would.
  llvm::StringMap<void *> symbols;
  for (const StdSymbol &symbol : kStdSymbols)
    symbols[symbol.name] = symbol.address;
  auto resolve = [&](llvm::StringRef name) -> void * {
    return symbols.lookup(name);
  };
  return bindActivations(*manifest, resolve, kOrigin, "");
}
