// The checkpoint file: little-endian fields in a fixed order, then a CRC-32.
#include "runtime/Checkpoint.h"

#include "support/AtomicFile.h"

#include "llvm/ADT/bit.h"
#include "llvm/Support/Endian.h"
#include "llvm/Support/MemoryBuffer.h"

#include <zlib.h>

#include <cstring>

using namespace act::runtime;
namespace endian = llvm::support::endian;

namespace {

/// Appends little-endian fields to a byte string.
class Writer {
public:
  void u8(uint8_t value) { bytes.push_back(static_cast<char>(value)); }
  void u32(uint32_t value) { put<uint32_t>(value); }
  void i64(int64_t value) { put<uint64_t>(static_cast<uint64_t>(value)); }
  void u64(uint64_t value) { put<uint64_t>(value); }
  void f32(float value) { u32(llvm::bit_cast<uint32_t>(value)); }
  void string(llvm::StringRef text) {
    u32(static_cast<uint32_t>(text.size()));
    bytes.append(text.begin(), text.end());
  }
  void floats(const std::vector<float> &values) {
    i64(static_cast<int64_t>(values.size()));
    for (float value : values)
      f32(value);
  }
  std::string bytes;

private:
  template <typename T> void put(T value) {
    char buffer[sizeof(T)];
    endian::write<T, llvm::support::little, 1>(buffer, value);
    bytes.append(buffer, sizeof(T));
  }
};

/// Reads them back, failing (once, sticky) on any read past the end.
class Reader {
public:
  explicit Reader(llvm::StringRef bytes) : bytes(bytes) {}

  uint8_t u8() { return take(1) ? static_cast<uint8_t>(bytes[offset - 1]) : 0; }
  uint32_t u32() { return get<uint32_t>(); }
  int64_t i64() { return static_cast<int64_t>(get<uint64_t>()); }
  uint64_t u64() { return get<uint64_t>(); }
  float f32() { return llvm::bit_cast<float>(u32()); }
  std::string string() {
    uint32_t size = u32();
    if (!take(size))
      return {};
    return bytes.substr(offset - size, size).str();
  }
  std::vector<float> floats() {
    int64_t size = i64();
    // Each float takes 4 bytes: a count beyond what is left is corrupt, and
    // refusing it avoids allocating what it claims.
    if (size < 0 || static_cast<uint64_t>(size) > (bytes.size() - offset) / 4) {
      failed = true;
      return {};
    }
    std::vector<float> values(size);
    for (float &value : values)
      value = f32();
    return values;
  }
  bool ok() const { return !failed; }
  bool atEnd() const { return offset == bytes.size(); }

private:
  bool take(size_t size) {
    if (failed || size > bytes.size() - offset) {
      failed = true;
      return false;
    }
    offset += size;
    return true;
  }
  template <typename T> T get() {
    if (!take(sizeof(T)))
      return 0;
    return endian::read<T, llvm::support::little, 1>(bytes.data() + offset -
                                                     sizeof(T));
  }

  llvm::StringRef bytes;
  size_t offset = 0;
  bool failed = false;
};

constexpr size_t kCrcSize = 4;

llvm::Error checkpointError(llvm::StringRef path, const llvm::Twine &why) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                 "checkpoint '" + path + "': " + why);
}

void writeConfig(Writer &out, const TrainConfig &config) {
  out.string(config.activation);
  out.string(config.activationLibrary);
  out.u32(static_cast<uint32_t>(config.hidden.size()));
  for (int64_t width : config.hidden)
    out.i64(width);
  out.i64(config.epochs);
  out.i64(config.batch);
  out.f32(config.learningRate);
  out.u8(static_cast<uint8_t>(config.optimizer));
  out.u64(config.seed);
  out.u8(static_cast<uint8_t>(config.device));
  out.u32(static_cast<uint32_t>(config.threads));
  out.i64(config.trainLimit);
  out.i64(config.testLimit);
}

/// Reads what writeConfig wrote; false on an impossible value.
bool readConfig(Reader &in, TrainConfig &config) {
  config.activation = in.string();
  config.activationLibrary = in.string();
  uint32_t layers = in.u32();
  // Fewer than a few thousand hidden layers: more is a corrupt count.
  constexpr uint32_t kMaxHiddenLayers = 1024;
  if (layers > kMaxHiddenLayers)
    return false;
  config.hidden.resize(layers);
  for (int64_t &width : config.hidden)
    width = in.i64();
  config.epochs = in.i64();
  config.batch = in.i64();
  config.learningRate = in.f32();
  uint8_t optimizer = in.u8();
  config.seed = in.u64();
  uint8_t device = in.u8();
  config.threads = static_cast<int>(in.u32());
  config.trainLimit = in.i64();
  config.testLimit = in.i64();
  if (optimizer > uint8_t(OptimizerKind::SGD) || device > uint8_t(Device::CUDA))
    return false;
  config.optimizer = static_cast<OptimizerKind>(optimizer);
  config.device = static_cast<Device>(device);
  return true;
}

} // namespace

llvm::Error act::runtime::writeCheckpoint(llvm::StringRef path,
                                          const Checkpoint &checkpoint) {
  Writer out;
  out.bytes.append(kCheckpointMagic, sizeof kCheckpointMagic);
  out.u32(kCheckpointVersion);
  writeConfig(out, checkpoint.config);
  out.u32(static_cast<uint32_t>(checkpoint.activationParams.size()));
  for (const ActivationParam &param : checkpoint.activationParams) {
    out.string(param.name);
    out.f32(param.defaultValue);
    out.u8(param.learnable);
  }
  out.i64(checkpoint.epochsDone);
  out.i64(checkpoint.optimizerSteps);
  out.u32(static_cast<uint32_t>(checkpoint.tensors.size()));
  for (const std::vector<float> &tensor : checkpoint.tensors)
    out.floats(tensor);
  out.floats(checkpoint.optimizerState);
  out.u32(static_cast<uint32_t>(
      crc32(0, reinterpret_cast<const Bytef *>(out.bytes.data()),
            static_cast<uInt>(out.bytes.size()))));

  return writeFileAtomically(path, out.bytes);
}

llvm::Expected<Checkpoint> act::runtime::readCheckpoint(llvm::StringRef path) {
  llvm::ErrorOr<std::unique_ptr<llvm::MemoryBuffer>> file =
      llvm::MemoryBuffer::getFile(path, /*IsText=*/false,
                                  /*RequiresNullTerminator=*/false);
  if (!file)
    return checkpointError(path,
                           "cannot read it: " + file.getError().message());
  llvm::StringRef bytes = (*file)->getBuffer();
  if (bytes.size() < sizeof kCheckpointMagic + 4 + kCrcSize ||
      std::memcmp(bytes.data(), kCheckpointMagic, sizeof kCheckpointMagic) != 0)
    return checkpointError(path, "not an fmnist checkpoint");
  llvm::StringRef contents = bytes.drop_back(kCrcSize);
  uint32_t stored = endian::read<uint32_t, llvm::support::little, 1>(
      bytes.data() + contents.size());
  uint32_t computed = static_cast<uint32_t>(
      crc32(0, reinterpret_cast<const Bytef *>(contents.data()),
            static_cast<uInt>(contents.size())));

  Reader in(contents.drop_front(sizeof kCheckpointMagic));
  uint32_t version = in.u32();
  if (version != kCheckpointVersion)
    return checkpointError(path, "format version " + llvm::Twine(version) +
                                     ", this fmnist reads version " +
                                     llvm::Twine(kCheckpointVersion));
  if (stored != computed)
    return checkpointError(path, "it is corrupt (checksum mismatch)");

  Checkpoint checkpoint;
  bool valid = readConfig(in, checkpoint.config);
  uint32_t numParams = in.u32();
  // An activation has a handful of parameters; more is a corrupt count.
  constexpr uint32_t kMaxActivationParams = 1024;
  valid &= numParams <= kMaxActivationParams;
  for (uint32_t i = 0; valid && i < numParams; ++i) {
    ActivationParam param;
    param.name = in.string();
    param.defaultValue = in.f32();
    param.learnable = in.u8() != 0;
    checkpoint.activationParams.push_back(std::move(param));
  }
  checkpoint.epochsDone = in.i64();
  checkpoint.optimizerSteps = in.i64();
  uint32_t numTensors = in.u32();
  for (uint32_t i = 0; valid && in.ok() && i < numTensors; ++i)
    checkpoint.tensors.push_back(in.floats());
  checkpoint.optimizerState = in.floats();
  if (!valid || !in.ok() || !in.atEnd())
    return checkpointError(path, "it is corrupt (bad field sizes)");
  return checkpoint;
}
