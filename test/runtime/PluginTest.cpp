// Loading kernels from plugins and .act files: what loads, and a one-line
// error, never a crash, for each way a library can be wrong.
#include "TestSupport.h"

#include "runtime/ActivationLibrary.h"

#include <gtest/gtest.h>

#include <cmath>
#include <fstream>

using namespace act::runtime;

namespace {

/// The error of adding `path` to a library; fails the test if it loads.
std::string addError(const std::string &path) {
  ActivationLibrary library;
  llvm::Error error = library.addFile(path);
  if (!error) {
    ADD_FAILURE() << path << " loaded";
    return "";
  }
  std::string message = llvm::toString(std::move(error));
  EXPECT_EQ(message.find('\n'), std::string::npos) << "one line: " << message;
  return message;
}

bool contains(const std::string &text, const std::string &part) {
  return text.find(part) != std::string::npos;
}

TEST(Plugin, MissingFile) {
  EXPECT_TRUE(contains(addError("/nonexistent/lib.so"), "no such file"));
}

TEST(Plugin, NotASharedObject) {
  ScratchDirectory dir;
  std::string path = dir.file("text.so");
  std::ofstream(path) << "not an ELF file\n";
  EXPECT_TRUE(contains(addError(path), "cannot be loaded as a plugin ("));
}

TEST(Plugin, WithoutManifest) {
  EXPECT_TRUE(contains(addError(BROKEN_PLUGIN_NO_MANIFEST),
                       "it defines no actc_manifest(); is it a plugin made "
                       "by actc --emit=plugin?"));
}

TEST(Plugin, MalformedManifest) {
  EXPECT_TRUE(contains(addError(BROKEN_PLUGIN_BAD_JSON),
                       "its manifest is not valid JSON"));
}

TEST(Plugin, NullManifest) {
  EXPECT_TRUE(contains(addError(BROKEN_PLUGIN_NULL_MANIFEST),
                       "its actc_manifest() returned null"));
}

TEST(Plugin, OtherAbiVersion) {
  EXPECT_TRUE(contains(addError(BROKEN_PLUGIN_OTHER_ABI),
                       "it was built for ABI version 7, this runtime reads "
                       "version 1"));
}

TEST(Plugin, ListedKernelMissing) {
  EXPECT_TRUE(contains(addError(BROKEN_PLUGIN_MISSING_KERNEL),
                       "its manifest lists the backward kernel of 'half', "
                       "but it defines no 'actc_half_backward_p'"));
}

// --- Real libraries: a plugin made by actc, and the same .act compiled at
// run time (Inputs/custom.act).

/// f at a few points through the forward kernel, with `params`.
std::vector<float> forward(const Activation &activation,
                           std::vector<float> params) {
  std::vector<float> xs{-2.0f, -0.5f, 0.0f, 1.5f}, ys(xs.size());
  EXPECT_EQ(activation.cpu.forward(xs.data(), ys.data(), xs.size(),
                                   params.empty() ? nullptr : params.data()),
            0);
  return ys;
}

void expectCustomActivations(const ActivationLibrary &library,
                             const std::string &source) {
  const Activation *halfabs = llvm::cantFail(library.find("halfabs"));
  ASSERT_EQ(halfabs->params.size(), 1u);
  EXPECT_EQ(halfabs->params[0].name, "scale");
  EXPECT_EQ(halfabs->params[0].defaultValue, 0.5f);
  EXPECT_FALSE(halfabs->params[0].learnable);
  EXPECT_EQ(halfabs->library, source);
  EXPECT_TRUE(halfabs->cpu.forward && halfabs->cpu.backward &&
              halfabs->cpu.bias_forward && halfabs->cpu.bias_backward);
  EXPECT_EQ(forward(*halfabs, {0.5f}),
            (std::vector<float>{1.0f, 0.25f, 0.0f, 0.75f}));
  EXPECT_EQ(forward(*halfabs, {2.0f}),
            (std::vector<float>{4.0f, 1.0f, 0.0f, 3.0f}));

  const Activation *swish = llvm::cantFail(library.find("swish_beta"));
  ASSERT_EQ(swish->numLearnable(), 1u);
  // d/dbeta of x sigmoid(beta x) at beta = 1 is x^2 s (1 - s), s = sigmoid(x).
  float x = 1.5f, dy = 1.0f, dx = 0, dBeta = 0, beta = 1.0f;
  ASSERT_EQ(swish->cpu.backward(&x, &dy, &dx, 1, &beta, &dBeta), 0);
  double s = 1 / (1 + std::exp(-1.5));
  EXPECT_NEAR(dBeta, 1.5 * 1.5 * s * (1 - s), 1e-6);

  // The library's relu hides the standard one.
  const Activation *relu = llvm::cantFail(library.find("relu"));
  EXPECT_EQ(forward(*relu, {}), (std::vector<float>{0.0f, 0.0f, 0.0f, 3.0f}));
}

TEST(Plugin, LoadsWhatActcEmits) {
  ActivationLibrary library = llvm::cantFail(ActivationLibrary::standard());
  llvm::Error error = library.addFile(CUSTOM_PLUGIN);
  ASSERT_FALSE(bool(error)) << llvm::toString(std::move(error));
  expectCustomActivations(library, CUSTOM_PLUGIN);
  EXPECT_TRUE(bool(library.find("gelu"))) << "std is still there";
}

TEST(ActFile, CompilesAndLoads) {
  ActivationLibrary library = llvm::cantFail(ActivationLibrary::standard());
  llvm::Error error = library.addFile(CUSTOM_ACT);
  ASSERT_FALSE(bool(error)) << llvm::toString(std::move(error));
  expectCustomActivations(library, CUSTOM_ACT);
}

TEST(ActFile, ErrorsShowTheDiagnostics) {
  testing::internal::CaptureStderr();
  std::string message = addError(BROKEN_ACT);
  std::string diagnostics = testing::internal::GetCapturedStderr();
  EXPECT_TRUE(contains(message, "cannot be compiled (see the errors above)"))
      << message;
  EXPECT_TRUE(contains(diagnostics, "error: unknown function 'tahn'; did you "
                                    "mean 'tanh'?"))
      << diagnostics;
}

TEST(ActFile, WithoutActivations) {
  testing::internal::CaptureStderr();
  std::string message = addError(EMPTY_ACT);
  std::string diagnostics = testing::internal::GetCapturedStderr();
  EXPECT_TRUE(contains(message, "cannot be compiled")) << message;
  EXPECT_TRUE(contains(diagnostics, "defines no activation")) << diagnostics;
}

TEST(ActFile, MissingFile) {
  EXPECT_TRUE(contains(addError("/nonexistent/f.act"), "no such file"));
}

} // namespace
