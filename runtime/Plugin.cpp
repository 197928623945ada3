// Loading a plugin made by `actc --emit=plugin`: dlopen, then the manifest.
#include "runtime/ActivationLibrary.h"

#include "llvm/Support/FileSystem.h"

#include <dlfcn.h>

using namespace act::runtime;

static llvm::Error pluginError(llvm::StringRef path, const llvm::Twine &why) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                 "'" + path + "': " + why);
}

/// The manifest and kernels of the plugin opened as `handle`.
static llvm::Expected<Plugin> readPlugin(void *handle, llvm::StringRef path,
                                         llvm::StringRef library) {
  using ManifestFn = const char *(*)();
  auto manifestFn =
      reinterpret_cast<ManifestFn>(dlsym(handle, "actc_manifest"));
  if (!manifestFn)
    return pluginError(path, "it defines no actc_manifest(); is it a plugin "
                             "made by actc --emit=plugin?");
  const char *text = manifestFn();
  if (!text)
    return pluginError(path, "its actc_manifest() returned null");
  llvm::Expected<Manifest> manifest = parseManifest(text, path);
  if (!manifest)
    return manifest.takeError();
  if (manifest->activations.empty())
    return pluginError(path, "its manifest lists no activation");
  auto resolve = [&](llvm::StringRef symbol) {
    return dlsym(handle, symbol.str().c_str());
  };
  llvm::Expected<std::vector<Activation>> activations =
      bindActivations(*manifest, resolve, path, library);
  if (!activations)
    return activations.takeError();
  Plugin plugin;
  plugin.activations = std::move(*activations);
  return plugin;
}

llvm::Expected<Plugin> act::runtime::loadPlugin(llvm::StringRef path,
                                                llvm::StringRef library) {
  if (!llvm::sys::fs::exists(path))
    return pluginError(path, "no such file");
  // dlopen searches the library path for a name without a slash; a plugin is
  // always a file, so make the name a path.
  std::string file = path.contains('/') ? path.str() : "./" + path.str();
  // RTLD_LOCAL: two plugins may define the same kernels (and each carries a
  // Halide runtime); each is reached only through its own handle.
  void *handle = dlopen(file.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (!handle)
    return pluginError(path, llvm::Twine("cannot be loaded as a plugin (") +
                                 dlerror() + ")");
  llvm::Expected<Plugin> plugin = readPlugin(handle, path, library);
  // Nothing of a rejected plugin has run but its initialisers, so unloading
  // it is safe (an accepted one stays loaded, see the header).
  if (!plugin)
    dlclose(handle);
  return plugin;
}
