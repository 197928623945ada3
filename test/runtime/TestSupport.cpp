// Helpers shared by the runtime tests.
#include "TestSupport.h"

#include "runtime/Random.h"

#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"

#include <gtest/gtest.h>

using namespace act::runtime;

const ActivationLibrary &act::runtime::stdLibrary() {
  static ActivationLibrary library =
      llvm::cantFail(ActivationLibrary::standard());
  return library;
}

const Activation &act::runtime::stdActivation(llvm::StringRef name) {
  return *llvm::cantFail(stdLibrary().find(name));
}

ScratchDirectory::ScratchDirectory() {
  llvm::SmallString<128> path;
  if (std::error_code ec =
          llvm::sys::fs::createUniqueDirectory("actc-runtime-test", path))
    ADD_FAILURE() << "cannot create a temporary directory: " << ec.message();
  directory = std::string(path);
}

ScratchDirectory::~ScratchDirectory() {
  llvm::sys::fs::remove_directories(directory);
}

std::string ScratchDirectory::file(llvm::StringRef name) const {
  llvm::SmallString<256> path(directory);
  llvm::sys::path::append(path, name);
  return std::string(path);
}

Dataset act::runtime::syntheticData(int64_t count, uint64_t seed) {
  Dataset data;
  data.count = count;
  data.pixels.resize(count * kImagePixels);
  data.labels.resize(count);
  SplitMix64 random(seed);
  constexpr int64_t kBandRows = 28 / kNumClasses + 1;
  for (int64_t i = 0; i < count; ++i) {
    uint8_t label = static_cast<uint8_t>(random.below(kNumClasses));
    data.labels[i] = label;
    uint8_t *image = data.pixels.data() + i * kImagePixels;
    for (int64_t p = 0; p < kImagePixels; ++p) {
      bool inBand = p / kImageSide / kBandRows == label;
      image[p] = static_cast<uint8_t>(random.below(inBand ? 256 : 96));
    }
  }
  return data;
}

std::string act::runtime::fashionMnistDirectory() {
  std::string directory = dataDirectory("");
  llvm::SmallString<256> probe(directory);
  llvm::sys::path::append(probe, "t10k-labels-idx1-ubyte.gz");
  llvm::SmallString<256> plain(directory);
  llvm::sys::path::append(plain, "t10k-labels-idx1-ubyte");
  if (llvm::sys::fs::exists(probe) || llvm::sys::fs::exists(plain))
    return directory;
  return "";
}
