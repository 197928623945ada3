// Fashion-MNIST from IDX files (gzip'd or plain), checked as it is read.
#ifndef ACTC_RUNTIME_DATASET_H
#define ACTC_RUNTIME_DATASET_H

#include "llvm/Support/Error.h"

#include <cstdint>
#include <string>
#include <vector>

namespace act::runtime {

/// Images are 28 x 28 bytes; labels are classes 0..9.
constexpr int64_t kImageSide = 28;
constexpr int64_t kImagePixels = kImageSide * kImageSide;
constexpr int kNumClasses = 10;

/// Where Debian's dataset-fashion-mnist package puts the files.
constexpr const char *kDefaultDataDirectory =
    "/usr/share/datasets/fashion-mnist";

struct Dataset {
  int64_t count = 0;
  std::vector<uint8_t> pixels; // count x kImagePixels, row-major.
  std::vector<uint8_t> labels; // count.
};

enum class Split { Train, Test };

/// --data if given, else $FMNIST_DATA if set, else kDefaultDataDirectory.
std::string dataDirectory(llvm::StringRef option);

/// Reads `{train,t10k}-{images-idx3,labels-idx1}-ubyte` from `directory`,
/// each as NAME.gz or NAME (zlib reads plain files as they are). At most
/// `limit` examples are read when limit > 0 (the files' first ones). Any
/// problem (missing file, wrong magic number or dimensions, counts that
/// disagree, a label >= 10, a truncated file) is one line naming the file and
/// what to do.
llvm::Expected<Dataset> loadSplit(llvm::StringRef directory, Split split,
                                  int64_t limit = 0);

} // namespace act::runtime

#endif // ACTC_RUNTIME_DATASET_H
