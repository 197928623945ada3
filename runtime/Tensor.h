// A row-major float matrix with aligned storage, the runtime's only tensor.
#ifndef ACTC_RUNTIME_TENSOR_H
#define ACTC_RUNTIME_TENSOR_H

#include <cassert>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <new>

namespace act::runtime {

/// A rows x cols float matrix. Storage is allocated once for `capacityRows`
/// rows; `setRows` shrinks or regrows the view within it, so the last, shorter
/// batch of an epoch reuses the buffers of the full ones (no allocation in the
/// training loop).
class Matrix {
public:
  /// Cache-line (and AVX-512 vector) alignment for the kernels' loads.
  static constexpr size_t kAlignment = 64;

  Matrix() = default;
  Matrix(int64_t rows, int64_t cols)
      : rowCount(rows), colCount(cols), capacityRows(rows),
        storage(allocate(rows * cols)) {
    zero();
  }

  int64_t rows() const { return rowCount; }
  int64_t cols() const { return colCount; }
  int64_t size() const { return rowCount * colCount; }
  int64_t capacity() const { return capacityRows; }

  float *data() { return storage.get(); }
  const float *data() const { return storage.get(); }
  float *row(int64_t r) { return data() + r * colCount; }
  const float *row(int64_t r) const { return data() + r * colCount; }
  float &at(int64_t r, int64_t c) { return data()[r * colCount + c]; }
  float at(int64_t r, int64_t c) const { return data()[r * colCount + c]; }

  /// Uses the first `rows` rows of the storage (rows <= capacity()).
  void setRows(int64_t rows) {
    assert(rows >= 0 && rows <= capacityRows && "rows beyond the capacity");
    rowCount = rows;
  }

  void zero() {
    if (storage)
      std::memset(data(), 0, sizeof(float) * capacityRows * colCount);
  }

private:
  struct Free {
    void operator()(float *p) const { std::free(p); }
  };

  static std::unique_ptr<float[], Free> allocate(int64_t count) {
    // aligned_alloc wants a size that is a multiple of the alignment.
    size_t bytes = sizeof(float) * static_cast<size_t>(count);
    bytes = (bytes + kAlignment - 1) / kAlignment * kAlignment;
    if (bytes == 0)
      bytes = kAlignment;
    auto *memory = static_cast<float *>(std::aligned_alloc(kAlignment, bytes));
    if (!memory)
      throw std::bad_alloc();
    return std::unique_ptr<float[], Free>(memory);
  }

  int64_t rowCount = 0, colCount = 0, capacityRows = 0;
  std::unique_ptr<float[], Free> storage;
};

} // namespace act::runtime

#endif // ACTC_RUNTIME_TENSOR_H
