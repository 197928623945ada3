// The IDX reader: gzip'd and plain files, and a one-line error naming the
// file and the fix for each way the data can be missing or corrupt.
#include "TestSupport.h"

#include "runtime/Dataset.h"

#include <gtest/gtest.h>
#include <zlib.h>

#include <fstream>

using namespace act::runtime;

namespace {

std::string bigEndian(uint32_t value) {
  return {char(value >> 24), char(value >> 16), char(value >> 8), char(value)};
}

/// An IDX file's bytes: magic, dimensions, data.
std::string idx(uint32_t magic, std::vector<uint32_t> dims,
                const std::string &data) {
  std::string bytes = bigEndian(magic);
  for (uint32_t dim : dims)
    bytes += bigEndian(dim);
  return bytes + data;
}

void writeFile(const std::string &path, const std::string &bytes, bool gzip) {
  if (gzip) {
    gzFile file = gzopen((path + ".gz").c_str(), "wb");
    ASSERT_NE(file, nullptr);
    ASSERT_EQ(gzwrite(file, bytes.data(), bytes.size()), int(bytes.size()));
    gzclose(file);
  } else {
    std::ofstream(path, std::ios::binary) << bytes;
  }
}

/// A test split of `count` images (pixel i of image n is n + i mod 256) and
/// labels n mod 10, which each test then breaks in one way.
struct SplitFiles {
  std::string images = idx(0x803, {3, 28, 28}, pixels(3));
  std::string labels = idx(0x801, {3}, std::string("\x00\x01\x02", 3));

  static std::string pixels(int count) {
    std::string data;
    for (int n = 0; n < count; ++n)
      for (int i = 0; i < 784; ++i)
        data += char((n + i) % 256);
    return data;
  }
  void write(const ScratchDirectory &dir, bool gzip) const {
    writeFile(dir.file("t10k-images-idx3-ubyte"), images, gzip);
    writeFile(dir.file("t10k-labels-idx1-ubyte"), labels, gzip);
  }
};

/// The error of loading the test split from `dir`; fails if it loads.
std::string loadError(const ScratchDirectory &dir) {
  llvm::Expected<Dataset> data = loadSplit(dir.path(), Split::Test);
  if (data) {
    ADD_FAILURE() << "the data loaded";
    return "";
  }
  std::string message = llvm::toString(data.takeError());
  EXPECT_EQ(message.find('\n'), std::string::npos) << "one line: " << message;
  EXPECT_NE(message.find("--data DIR"), std::string::npos)
      << "says what to do: " << message;
  return message;
}

TEST(Dataset, ReadsGzipAndPlainFilesAlike) {
  for (bool gzip : {true, false}) {
    ScratchDirectory dir;
    SplitFiles().write(dir, gzip);
    llvm::Expected<Dataset> data = loadSplit(dir.path(), Split::Test);
    ASSERT_TRUE(bool(data)) << llvm::toString(data.takeError());
    EXPECT_EQ(data->count, 3);
    EXPECT_EQ(data->labels, (std::vector<uint8_t>{0, 1, 2}));
    EXPECT_EQ(data->pixels[784 + 5], 6) << "image 1, pixel 5";
  }
}

TEST(Dataset, LimitReadsTheFirstExamples) {
  ScratchDirectory dir;
  SplitFiles().write(dir, true);
  llvm::Expected<Dataset> data = loadSplit(dir.path(), Split::Test, 2);
  ASSERT_TRUE(bool(data)) << llvm::toString(data.takeError());
  EXPECT_EQ(data->count, 2);
  EXPECT_EQ(data->labels, (std::vector<uint8_t>{0, 1}));
}

TEST(Dataset, MissingDirectoryNamesThePackage) {
  ScratchDirectory dir;
  llvm::Expected<Dataset> data = loadSplit(dir.file("nowhere"), Split::Train);
  ASSERT_FALSE(bool(data));
  std::string message = llvm::toString(data.takeError());
  EXPECT_NE(message.find("nowhere' does not exist"), std::string::npos)
      << message;
  EXPECT_NE(message.find("dataset-fashion-mnist"), std::string::npos)
      << message;
}

TEST(Dataset, MissingFileIsNamed) {
  ScratchDirectory dir;
  writeFile(dir.file("t10k-images-idx3-ubyte"), SplitFiles().images, true);
  EXPECT_NE(loadError(dir).find("t10k-labels-idx1-ubyte.gz' not found"),
            std::string::npos);
}

TEST(Dataset, WrongMagicNumber) {
  ScratchDirectory dir;
  SplitFiles files;
  files.images = idx(0x801, {3, 28, 28}, SplitFiles::pixels(3));
  files.write(dir, true);
  std::string message = loadError(dir);
  EXPECT_NE(message.find("t10k-images-idx3-ubyte.gz' is not a valid"),
            std::string::npos)
      << message;
  EXPECT_NE(message.find("magic number 0x00000801, not 0x00000803"),
            std::string::npos)
      << message;
}

TEST(Dataset, WrongImageSize) {
  ScratchDirectory dir;
  SplitFiles files;
  files.images = idx(0x803, {3, 32, 28}, SplitFiles::pixels(3));
  files.write(dir, false);
  EXPECT_NE(loadError(dir).find("images have 32 rows, not 28"),
            std::string::npos);
}

TEST(Dataset, TruncatedPixels) {
  for (bool gzip : {true, false}) {
    ScratchDirectory dir;
    SplitFiles files;
    files.images.resize(files.images.size() - 100);
    files.write(dir, gzip);
    EXPECT_NE(loadError(dir).find("ends early, in its pixels"),
              std::string::npos);
  }
}

TEST(Dataset, TruncatedHeader) {
  ScratchDirectory dir;
  SplitFiles files;
  files.labels = bigEndian(0x801).substr(0, 3);
  files.write(dir, true);
  EXPECT_NE(loadError(dir).find("ends early, in its header"),
            std::string::npos);
}

TEST(Dataset, CorruptGzipStream) {
  ScratchDirectory dir;
  SplitFiles().write(dir, true);
  // Keep gzip's header, overwrite the deflate stream after it.
  std::string path = dir.file("t10k-images-idx3-ubyte.gz");
  std::fstream file(path, std::ios::in | std::ios::out | std::ios::binary);
  file.seekp(12);
  file << std::string(64, '\xff');
  file.close();
  EXPECT_NE(loadError(dir).find("cannot be decompressed"), std::string::npos);
}

TEST(Dataset, CountsMustAgree) {
  ScratchDirectory dir;
  SplitFiles files;
  files.labels = idx(0x801, {2}, std::string("\x00\x01", 2));
  files.write(dir, true);
  EXPECT_NE(loadError(dir).find("holds 3 images but"), std::string::npos);
}

TEST(Dataset, LabelsMustBeClasses) {
  ScratchDirectory dir;
  SplitFiles files;
  files.labels = idx(0x801, {3}, std::string("\x00\x0c\x02", 3));
  files.write(dir, false);
  EXPECT_NE(loadError(dir).find("label 1 is 12, not a class 0..9"),
            std::string::npos);
}

TEST(Dataset, AbsurdCountIsRefusedBeforeAllocating) {
  ScratchDirectory dir;
  SplitFiles files;
  files.images = idx(0x803, {0xffffffff, 28, 28}, "");
  files.labels = idx(0x801, {0xffffffff}, "");
  files.write(dir, true);
  EXPECT_NE(loadError(dir).find("claims 4294967295 examples"),
            std::string::npos);
}

} // namespace
