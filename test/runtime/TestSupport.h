// Helpers shared by the runtime tests.
#ifndef ACTC_TEST_RUNTIME_TESTSUPPORT_H
#define ACTC_TEST_RUNTIME_TESTSUPPORT_H

#include "runtime/ActivationLibrary.h"
#include "runtime/Dataset.h"

#include <string>

namespace act::runtime {

/// The standard library, loaded once; fails the test on error.
const ActivationLibrary &stdLibrary();
/// Its activation `name`.
const Activation &stdActivation(llvm::StringRef name);

/// A fresh directory under the system's temporary directory, removed with
/// everything in it when the object goes.
class ScratchDirectory {
public:
  ScratchDirectory();
  ~ScratchDirectory();
  const std::string &path() const { return directory; }
  std::string file(llvm::StringRef name) const;

private:
  std::string directory;
};

/// `count` random 28 x 28 images with labels that depend on them (the mean
/// brightness of one of ten bands), so that a network can learn something.
Dataset syntheticData(int64_t count, uint64_t seed);

/// The Fashion-MNIST directory if its files are there, else empty.
std::string fashionMnistDirectory();

} // namespace act::runtime

#endif // ACTC_TEST_RUNTIME_TESTSUPPORT_H
