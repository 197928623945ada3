// The IDX reader: a big-endian header of magic number and dimensions, then
// unsigned bytes (LeCun's MNIST format, which Fashion-MNIST keeps).
#include "runtime/Dataset.h"

#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"

#include <zlib.h>

#include <cstdlib>

using namespace act::runtime;

namespace {

/// IDX magic numbers: two zero bytes, the element type (0x08: unsigned
/// byte) and the number of dimensions.
constexpr uint32_t kImagesMagic = 0x00000803;
constexpr uint32_t kLabelsMagic = 0x00000801;
/// More than any MNIST-like set; a larger count is a corrupt header, and
/// refusing it avoids allocating what it claims.
constexpr uint32_t kMaxExamples = 10'000'000;

constexpr const char *kHowToFix =
    "install the Debian package dataset-fashion-mnist, or pass --data DIR "
    "(or set FMNIST_DATA) naming a directory with the Fashion-MNIST files";

llvm::Error dataError(const llvm::Twine &message) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(), message);
}

/// One IDX file, opened through zlib.
class IdxFile {
public:
  ~IdxFile() {
    if (file)
      gzclose(file);
  }

  /// Opens DIR/NAME.gz, else DIR/NAME.
  llvm::Error open(llvm::StringRef directory, llvm::StringRef name) {
    llvm::SmallString<256> plain(directory), gzipped(directory);
    llvm::sys::path::append(plain, name);
    llvm::sys::path::append(gzipped, name + ".gz");
    path = llvm::sys::fs::exists(gzipped) ? gzipped.str() : plain.str();
    if (!llvm::sys::fs::exists(path))
      return dataError("'" + gzipped + "' not found (nor '" + name +
                       "' uncompressed); " + kHowToFix);
    file = gzopen(path.c_str(), "rb");
    if (!file)
      return dataError("cannot open '" + path + "'; " + kHowToFix);
    return llvm::Error::success();
  }

  /// Reads `size` bytes, or fails naming what was being read.
  llvm::Error read(void *buffer, size_t size, llvm::StringRef what) {
    auto *bytes = static_cast<unsigned char *>(buffer);
    while (size > 0) {
      // gzread takes an unsigned count: read in pieces below 2^31.
      unsigned piece = static_cast<unsigned>(std::min<size_t>(size, 1u << 30));
      int got = gzread(file, bytes, piece);
      if (got < 0) {
        int code = 0;
        return corrupt(llvm::Twine("it cannot be decompressed (") +
                       gzerror(file, &code) + ")");
      }
      if (got == 0)
        return corrupt("it ends early, in its " + what);
      bytes += got;
      size -= static_cast<size_t>(got);
    }
    return llvm::Error::success();
  }

  llvm::Expected<uint32_t> readBigEndian(llvm::StringRef what) {
    unsigned char bytes[4];
    if (llvm::Error error = read(bytes, sizeof bytes, what))
      return std::move(error);
    return uint32_t(bytes[0]) << 24 | uint32_t(bytes[1]) << 16 |
           uint32_t(bytes[2]) << 8 | uint32_t(bytes[3]);
  }

  llvm::Error corrupt(const llvm::Twine &why) const {
    return dataError("'" + path + "' is not a valid Fashion-MNIST IDX file: " +
                     why + "; " + kHowToFix);
  }

  const std::string &name() const { return path; }

private:
  std::string path;
  gzFile file = nullptr;
};

llvm::Expected<uint32_t> readHeader(IdxFile &file, uint32_t magic,
                                    llvm::StringRef kind) {
  llvm::Expected<uint32_t> found = file.readBigEndian("header");
  if (!found)
    return found.takeError();
  if (*found != magic) {
    char text[64];
    std::snprintf(text, sizeof text, "magic number 0x%08x, not 0x%08x (%s)",
                  *found, magic, kind.str().c_str());
    return file.corrupt(text);
  }
  llvm::Expected<uint32_t> count = file.readBigEndian("header");
  if (!count)
    return count.takeError();
  if (*count > kMaxExamples)
    return file.corrupt("its header claims " + llvm::Twine(*count) +
                        " examples");
  return *count;
}

} // namespace

std::string act::runtime::dataDirectory(llvm::StringRef option) {
  if (!option.empty())
    return option.str();
  if (const char *environment = std::getenv("FMNIST_DATA");
      environment && *environment)
    return environment;
  return kDefaultDataDirectory;
}

llvm::Expected<Dataset> act::runtime::loadSplit(llvm::StringRef directory,
                                                Split split, int64_t limit) {
  if (!llvm::sys::fs::is_directory(directory))
    return dataError("data directory '" + directory + "' does not exist; " +
                     kHowToFix);
  llvm::StringRef prefix = split == Split::Train ? "train" : "t10k";

  IdxFile images, labels;
  if (llvm::Error error =
          images.open(directory, (prefix + "-images-idx3-ubyte").str()))
    return std::move(error);
  if (llvm::Error error =
          labels.open(directory, (prefix + "-labels-idx1-ubyte").str()))
    return std::move(error);

  llvm::Expected<uint32_t> imageCount =
      readHeader(images, kImagesMagic, "unsigned bytes in 3 dimensions");
  if (!imageCount)
    return imageCount.takeError();
  for (const char *dimension : {"rows", "columns"}) {
    llvm::Expected<uint32_t> side = images.readBigEndian("header");
    if (!side)
      return side.takeError();
    if (*side != kImageSide)
      return images.corrupt("its images have " + llvm::Twine(*side) + " " +
                            dimension + ", not 28");
  }
  llvm::Expected<uint32_t> labelCount =
      readHeader(labels, kLabelsMagic, "unsigned bytes in 1 dimension");
  if (!labelCount)
    return labelCount.takeError();
  if (*imageCount != *labelCount)
    return dataError("'" + images.name() + "' holds " +
                     llvm::Twine(*imageCount) + " images but '" +
                     labels.name() + "' " + llvm::Twine(*labelCount) +
                     " labels; " + kHowToFix);

  Dataset data;
  data.count = limit > 0 ? std::min<int64_t>(limit, *imageCount) : *imageCount;
  data.pixels.resize(data.count * kImagePixels);
  data.labels.resize(data.count);
  if (llvm::Error error =
          images.read(data.pixels.data(), data.pixels.size(), "pixels"))
    return std::move(error);
  if (llvm::Error error =
          labels.read(data.labels.data(), data.labels.size(), "labels"))
    return std::move(error);
  for (int64_t i = 0; i < data.count; ++i)
    if (data.labels[i] >= kNumClasses)
      return labels.corrupt("label " + llvm::Twine(i) + " is " +
                            llvm::Twine(unsigned(data.labels[i])) +
                            ", not a class 0..9");
  return data;
}
