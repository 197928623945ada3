// The manifest parser and binder every kernel source goes through: what
// they accept, and a clear message for each thing they refuse.
#include "TestSupport.h"

#include "runtime/ActivationLibrary.h"
#include "runtime/Manifest.h"

#include "std.h"

#include <gtest/gtest.h>

using namespace act::runtime;

namespace {

/// A valid manifest, as `actc --emit=plugin` writes one; the tests replace
/// one piece of it with `broken`.
std::string manifest(const std::string &activation =
                         R"({"name": "elu", "doc": "ELU.",
                             "params": [{"name": "alpha", "default": 1.5,
                                         "learnable": false}],
                             "kernels": ["forward", "bias_backward"],
                             "cuda_kernels": []})",
                     const std::string &abi = "1") {
  return R"({"abi_version": )" + abi +
         R"(, "actc_version": "0.1.0", "source": "x.act",
            "targets": ["x86-64-linux-sse41"], "cuda_target": null,
            "activations": [)" +
         activation + "]}";
}

std::string parseError(const std::string &json) {
  llvm::Expected<Manifest> parsed = parseManifest(json, "lib.so");
  if (parsed)
    return "parsed";
  return llvm::toString(parsed.takeError());
}

TEST(Manifest, ParsesWhatActcWrites) {
  llvm::Expected<Manifest> parsed = parseManifest(manifest(), "lib.so");
  ASSERT_TRUE(bool(parsed)) << llvm::toString(parsed.takeError());
  EXPECT_EQ(parsed->abiVersion, 1);
  EXPECT_EQ(parsed->source, "x.act");
  EXPECT_FALSE(parsed->cudaTarget.has_value());
  ASSERT_EQ(parsed->activations.size(), 1u);
  const ManifestEntry &elu = parsed->activations[0];
  EXPECT_EQ(elu.name, "elu");
  ASSERT_EQ(elu.params.size(), 1u);
  EXPECT_EQ(elu.params[0].name, "alpha");
  EXPECT_EQ(elu.params[0].defaultValue, 1.5f);
  EXPECT_FALSE(elu.params[0].learnable);
  EXPECT_EQ(elu.kernels,
            (std::vector<std::string>{"forward", "bias_backward"}));
}

TEST(Manifest, RefusesMalformedJson) {
  EXPECT_EQ(parseError("{\"abi_version\": 1,")
                .rfind("'lib.so': its manifest is not valid JSON", 0),
            0u);
  EXPECT_EQ(parseError("[1]"), "'lib.so': its manifest is not a JSON object");
}

TEST(Manifest, RefusesAnotherAbiVersion) {
  EXPECT_EQ(parseError(manifest(
                R"({"name": "relu", "doc": "", "params": [],
                    "kernels": [], "cuda_kernels": []})",
                "2")),
            "'lib.so': it was built for ABI version 2, this runtime reads "
            "version 1; rebuild it with this actc (actc --emit=plugin)");
  EXPECT_EQ(parseError(R"({"activations": []})"),
            "'lib.so': its manifest has no integer 'abi_version'");
}

TEST(Manifest, RefusesBadActivations) {
  EXPECT_EQ(parseError(manifest(R"({"name": "2x", "doc": "", "params": [],
                                    "kernels": [], "cuda_kernels": []})")),
            "'lib.so': activation '2x' does not have a C identifier as its "
            "name");
  EXPECT_EQ(parseError(manifest(R"({"name": "a", "doc": "", "params": [],
                                    "kernels": [], "cuda_kernels": []},
                                   {"name": "a", "doc": "", "params": [],
                                    "kernels": [], "cuda_kernels": []})")),
            "'lib.so': its manifest lists activation 'a' twice");
  EXPECT_EQ(parseError(manifest(R"({"name": "a", "doc": "", "params": [],
                                    "kernels": ["sideways"],
                                    "cuda_kernels": []})")),
            "'lib.so': activation 'a' lists an unknown kernel 'sideways' "
            "(known: forward, backward, bias_forward, bias_backward, "
            "linear_forward)");
  EXPECT_EQ(parseError(manifest(R"({"name": "a", "doc": "", "params": [],
                                    "cuda_kernels": []})")),
            "'lib.so': activation 'a' has no array 'kernels'");
}

TEST(Manifest, RefusesBadParameters) {
  EXPECT_EQ(parseError(manifest(
                R"({"name": "a", "doc": "",
                    "params": [{"name": "p", "learnable": false}],
                    "kernels": [], "cuda_kernels": []})")),
            "'lib.so': parameter 'p' of activation 'a' has no number "
            "'default'");
  EXPECT_EQ(parseError(manifest(
                R"({"name": "a", "doc": "",
                    "params": [{"name": "p", "default": 1, "learnable": 0}],
                    "kernels": [], "cuda_kernels": []})")),
            "'lib.so': parameter 'p' of activation 'a' has no boolean "
            "'learnable'");
  EXPECT_EQ(parseError(manifest(
                R"({"name": "a", "doc": "",
                    "params": [{"name": "p", "default": 1, "learnable": true},
                               {"name": "p", "default": 2, "learnable": true}],
                    "kernels": [], "cuda_kernels": []})")),
            "'lib.so': activation 'a' lists parameter 'p' twice");
}

int dummyForward(const float *, float *, int64_t, const float *) { return 0; }

TEST(Bind, ResolvesEveryListedKernel) {
  Manifest parsed = llvm::cantFail(
      parseManifest(manifest(R"({"name": "elu", "doc": "", "params": [],
                   "kernels": ["forward"], "cuda_kernels": []})"),
                    "lib.so"));
  std::vector<std::string> asked;
  auto resolve = [&](llvm::StringRef symbol) -> void * {
    asked.push_back(symbol.str());
    return reinterpret_cast<void *>(&dummyForward);
  };
  std::vector<Activation> bound =
      llvm::cantFail(bindActivations(parsed, resolve, "lib.so", "/x/lib.so"));
  EXPECT_EQ(asked, std::vector<std::string>{"actc_elu_forward_p"});
  ASSERT_EQ(bound.size(), 1u);
  EXPECT_EQ(bound[0].cpu.forward, &dummyForward);
  EXPECT_EQ(bound[0].cpu.backward, nullptr);
  EXPECT_EQ(bound[0].library, "/x/lib.so");
}

TEST(Bind, MissingSymbolIsNamed) {
  Manifest parsed = llvm::cantFail(parseManifest(manifest(), "lib.so"));
  auto resolve = [](llvm::StringRef symbol) -> void * {
    return symbol == "actc_elu_forward_p"
               ? reinterpret_cast<void *>(&dummyForward)
               : nullptr;
  };
  llvm::Expected<std::vector<Activation>> bound =
      bindActivations(parsed, resolve, "lib.so", "");
  ASSERT_FALSE(bool(bound));
  EXPECT_EQ(llvm::toString(bound.takeError()),
            "'lib.so': its manifest lists the bias_backward kernel of 'elu', "
            "but it defines no 'actc_elu_bias_backward_p'; rebuild it with "
            "this actc");
}

} // namespace

namespace {

/// Every kernel std.h's manifest lists, CPU and CUDA, is bound to its
/// symbol in the linked-in standard library.
TEST(StdLibrary, BindsEveryListedKernel) {
  Manifest manifest = llvm::cantFail(parseManifest(ACTC_STD_MANIFEST, "std.h"));
  std::vector<Activation> activations = llvm::cantFail(standardActivations());
  ASSERT_EQ(activations.size(), manifest.activations.size());
  auto bound = [](const KernelSet &set, llvm::StringRef kernel) {
#define ACTC_IS_BOUND(KIND, name, ARGS, GRADIENTS)                             \
  if (kernel == #name)                                                         \
    return set.name != nullptr;
    ACTC_KERNEL_KINDS(ACTC_IS_BOUND)
#undef ACTC_IS_BOUND
    return false;
  };
  for (size_t i = 0; i < activations.size(); ++i) {
    const ManifestEntry &entry = manifest.activations[i];
    EXPECT_EQ(activations[i].name, entry.name);
    EXPECT_EQ(activations[i].library, "") << "std records no library path";
    for (const std::string &kernel : entry.kernels)
      EXPECT_TRUE(bound(activations[i].cpu, kernel))
          << entry.name << " " << kernel;
    for (const std::string &kernel : entry.cudaKernels)
      EXPECT_TRUE(bound(activations[i].cuda, kernel))
          << entry.name << " " << kernel << "_cuda";
    for (const char *kernel :
         {"forward", "backward", "bias_forward", "bias_backward"})
      EXPECT_TRUE(bound(activations[i].cpu, kernel))
          << entry.name << " lacks " << kernel << ", which training needs";
  }
  const Activation &prelu = stdActivation("prelu");
  ASSERT_EQ(prelu.params.size(), 1u);
  EXPECT_EQ(prelu.params[0].name, "a");
  EXPECT_EQ(prelu.params[0].defaultValue, 0.25f);
  EXPECT_TRUE(prelu.params[0].learnable);
}

} // namespace
