// actc-accuracy: measures generated kernels against a double-precision
// reference, and derived derivatives against central differences.
//
// The kernel under test is the one `actc --eval` runs (JIT-compiled forward,
// or backward's dx with dy = 1). The reference interprets the same optimised
// act IR in double precision with the C library's math (Interpreter.h), so it
// checks the float32 lowering and the math library, independently of both.
// Bounds (the accuracy contract):
//   forward   |computed - exact| <= 2 ulp(max(|exact|, 2^-126))
//   backward  |computed - exact| <= 4 ulp(|exact|) + 2^-24
#include "compiler/halide/Evaluate.h"
#include "compiler/halide/Library.h"
#include "compiler/mlir/Interpreter.h"
#include "compiler/passes/Passes.h"

#include "mlir/IR/MLIRContext.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/raw_ostream.h"

#include <cfloat>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <thread>

namespace cl = llvm::cl;
using namespace act;

namespace {

cl::OptionCategory category("actc-accuracy options");
cl::opt<std::string> inputFile(cl::Positional, cl::desc("<FILE.act>"),
                               cl::Required, cl::cat(category));
cl::list<std::string> actNames("act", cl::desc("Only these activations"),
                               cl::value_desc("NAME[,NAME]"),
                               cl::CommaSeparated, cl::cat(category));
cl::opt<bool> backward("grad",
                       cl::desc("Measure f'(x) (backward) instead of f"),
                       cl::cat(category));
cl::opt<bool> exhaustive("exhaustive",
                         cl::desc("Every one of the 2^32 float32 inputs"),
                         cl::cat(category));
cl::opt<unsigned> samples("samples",
                          cl::desc("Inputs spread evenly over the float32 "
                                   "bit patterns (default 2^24)"),
                          cl::init(1u << 24), cl::cat(category));
cl::opt<bool> gradcheck("gradcheck",
                        cl::desc("Check derived derivatives against central "
                                 "differences, in double precision"),
                        cl::cat(category));
cl::opt<bool> check("check", cl::desc("Exit 1 if any bound is exceeded"),
                    cl::cat(category));
cl::opt<bool> specials("specials", cl::desc("Print the special-value table"),
                       cl::cat(category));

constexpr double kForwardUlps = 2;
constexpr double kBackwardUlps = 4;
const double kBackwardAbsolute = std::ldexp(1.0, -24);

float fromBits(uint32_t bits) {
  float value;
  std::memcpy(&value, &bits, sizeof value);
  return value;
}

/// The float32 ulp at magnitude |v| (2^-149 below the normal range).
double ulp(double v) {
  v = std::fabs(v);
  if (v < FLT_MIN)
    return std::ldexp(1.0, -149);
  if (v > FLT_MAX)
    v = FLT_MAX;
  int exponent;
  std::frexp(v, &exponent);
  return std::ldexp(1.0, exponent - 24);
}

/// How far `computed` is from `exact`: in ulps (forward) or as a fraction of
/// the backward bound. 0 when both are the same non-finite value; infinite
/// when only one is.
struct Error {
  double ulps;  // |c - e| / ulp(max(|e|, 2^-126))
  double bound; // the fraction of the contract's bound used (<= 1 passes)
};

Error measure(float computed, double exact) {
  const double inf = INFINITY;
  if (std::isnan(exact) || std::isnan(computed))
    return std::isnan(exact) && std::isnan(computed) ? Error{0, 0}
                                                     : Error{inf, inf};
  // Beyond FLT_MAX (by more than half an ulp) the float32 answer is inf.
  double overflow = FLT_MAX + ulp(FLT_MAX) / 2;
  if (std::fabs(exact) >= overflow || std::isinf(computed)) {
    bool same = std::isinf(computed) && std::fabs(exact) >= overflow &&
                std::signbit(computed) == std::signbit(exact);
    return same ? Error{0, 0} : Error{inf, inf};
  }
  double difference = std::fabs(double(computed) - exact);
  double ulps = difference / ulp(std::max(std::fabs(exact), double(FLT_MIN)));
  double bound =
      backward ? difference / (kBackwardUlps * ulp(exact) + kBackwardAbsolute)
               : ulps / kForwardUlps;
  return {ulps, bound};
}

struct Worst {
  double ulps = 0, bound = 0;
  float atX = 0, computed = 0;
  double exact = 0;
  uint64_t count = 0;

  void add(float x, float c, double e) {
    Error error = measure(c, e);
    ++count;
    if (error.bound > bound || (error.bound == bound && error.ulps > ulps)) {
      bound = error.bound;
      ulps = error.ulps;
      atX = x;
      computed = c;
      exact = e;
    }
  }
  void merge(const Worst &other) {
    if (other.bound > bound || (other.bound == bound && other.ulps > ulps)) {
      uint64_t total = count + other.count;
      *this = other;
      count = total;
    } else {
      count += other.count;
    }
  }
};

/// The target `actc --eval` uses by default (host, strict float).
KernelTarget hostTarget() {
  std::string error;
  return *parseTarget({}, error);
}

/// One activation under test: its kernel and its reference, both computing
/// f, or f' with --grad.
struct Subject {
  std::string name;           // the activation's
  JitEvaluator kernel;        // the value in float32
  Interpreter reference;      // the value in double
  std::vector<double> params; // the defaults
};

/// Measures the kernel against the reference on `inputs`. The kernel runs
/// on all of them at once (Halide parallelises it); the reference and the
/// comparison are split across the machine's cores.
bool measureBatch(const Subject &subject, const std::vector<float> &inputs,
                  Worst &worst) {
  auto computed = subject.kernel(inputs);
  if (mlir::failed(computed))
    return false;
  unsigned threads = std::max(1u, std::thread::hardware_concurrency());
  size_t chunk = (inputs.size() + threads - 1) / threads;
  std::vector<Worst> worsts(threads);
  std::vector<std::thread> pool;
  for (unsigned t = 0; t < threads; ++t)
    pool.emplace_back([&, t] {
      size_t begin = std::min(inputs.size(), t * chunk);
      size_t end = std::min(inputs.size(), begin + chunk);
      llvm::ArrayRef<float> xs(inputs.data() + begin, end - begin);
      std::vector<double> exact(xs.size());
      subject.reference.evaluate(xs, subject.params, exact);
      for (size_t i = 0; i < xs.size(); ++i)
        worsts[t].add(xs[i], (*computed)[begin + i], exact[i]);
    });
  for (std::thread &thread : pool)
    thread.join();
  for (const Worst &w : worsts)
    worst.merge(w);
  return true;
}

/// Values where activations and their math change behaviour.
std::vector<float> specialValues() {
  std::vector<float> values = {
      0.0f,    -0.0f,    INFINITY,     -INFINITY,     NAN,  FLT_MIN, -FLT_MIN,
      FLT_MAX, -FLT_MAX, FLT_TRUE_MIN, -FLT_TRUE_MIN, 1.0f, -1.0f};
  return values;
}

std::vector<float> boundaryValues() {
  std::vector<float> values = specialValues();
  // Every integer and half-integer in [-120, 120] and the float neighbours
  // of each: thresholds and range-reduction boundaries sit there.
  for (int i = -240; i <= 240; ++i) {
    float v = i / 2.0f;
    values.push_back(v);
    values.push_back(std::nextafter(v, INFINITY));
    values.push_back(std::nextafter(v, -INFINITY));
  }
  return values;
}

bool sweep(const Subject &subject, Worst &worst) {
  if (!measureBatch(subject, boundaryValues(), worst))
    return false;
  uint64_t total = exhaustive ? (uint64_t(1) << 32) : samples.getValue();
  uint64_t stride = (uint64_t(1) << 32) / total;
  constexpr uint64_t kBatch = uint64_t(1) << 24;
  std::vector<float> inputs;
  for (uint64_t first = 0; first < total; first += kBatch) {
    inputs.clear();
    for (uint64_t i = first; i < std::min(total, first + kBatch); ++i)
      // An odd offset keeps the sample off the powers of two that the
      // boundary values already cover.
      inputs.push_back(
          fromBits(uint32_t(i * stride + (stride > 1 ? stride / 2 + 1 : 0))));
    if (!measureBatch(subject, inputs, worst))
      return false;
    // An exhaustive sweep takes minutes per activation: say how far it got.
    if (exhaustive)
      llvm::errs() << llvm::format(
          "\r%s %s: %3u%%", subject.name.c_str(),
          backward ? "backward" : "forward",
          unsigned(100 * (first + inputs.size()) / total));
  }
  if (exhaustive)
    llvm::errs() << "\n";
  return true;
}

void printSpecials(const Subject &subject) {
  std::vector<float> inputs = specialValues();
  auto computed = subject.kernel(inputs);
  if (mlir::failed(computed))
    return;
  llvm::outs() << "  x              computed         reference\n";
  for (size_t i = 0; i < inputs.size(); ++i) {
    double exact = subject.reference(inputs[i], subject.params);
    llvm::outs() << llvm::format(
        "  %-14.9g %-16.9g %-16.9g%s\n", inputs[i], (*computed)[i], exact,
        measure((*computed)[i], exact).bound <= 1 ? ""
                                                  : "  <- exceeds the bound");
  }
}

/// Derived derivative vs (f(x+h) - f(x-h)) / 2h, both in double. Points
/// where f is not smooth (a select's switch, a kink) are skipped: there the
/// one-sided differences disagree and no derivative is well defined.
bool gradientCheck(ActivationOp activation, ActivationOp derivative,
                   const std::vector<double> &params, double &worstError,
                   double &worstX) {
  auto f = Interpreter::build(activation);
  auto df = Interpreter::build(derivative);
  if (mlir::failed(f) || mlir::failed(df))
    return false;
  worstError = 0;
  for (int i = -20000; i <= 20000; ++i) {
    double x = i * 1e-3 + 1.234567e-4; // Off the grid of likely kinks.
    double h = 1e-6 * std::max(1.0, std::fabs(x));
    double left = ((*f)(x, params) - (*f)(x - h, params)) / h;
    double right = ((*f)(x + h, params) - (*f)(x, params)) / h;
    double central = ((*f)(x + h, params) - (*f)(x - h, params)) / (2 * h);
    if (std::fabs(left - right) > 1e-3 * (1 + std::fabs(central)))
      continue;
    double derived = (*df)(x, params);
    double error = std::fabs(derived - central) / (1 + std::fabs(central));
    if (!(error <= worstError)) {
      worstError = error;
      worstX = x;
    }
  }
  return true;
}

} // namespace

int main(int argc, char **argv) {
  cl::HideUnrelatedOptions(category);
  cl::ParseCommandLineOptions(argc, argv,
                              "actc-accuracy: the error of generated kernels "
                              "against double precision\n");
  mlir::MLIRContext context;
  llvm::SourceMgr sourceMgr;
  mlir::OwningOpRef<mlir::ModuleOp> module =
      compileFile(inputFile, context, sourceMgr);
  if (!module)
    return 1;

  std::vector<ActivationOp> activations;
  for (ActivationOp op : module->getOps<ActivationOp>())
    if (!op.derivative_of() &&
        (actNames.empty() || llvm::is_contained(actNames, op.sym_name())))
      activations.push_back(op);

  bool allPass = true;
  for (ActivationOp activation : activations) {
    std::vector<double> params;
    for (unsigned i = 0; i < activation.getNumParams(); ++i)
      params.push_back(activation.getParamDefault(i));
    auto derivative = module->lookupSymbol<ActivationOp>(derivativeName(
        activation.sym_name(),
        activation.param_names()[0].cast<mlir::StringAttr>().getValue()));

    if (gradcheck) {
      double error = 0, at = 0;
      if (!gradientCheck(activation, derivative, params, error, at))
        return 1;
      // Central differences in double are good to ~1e-9 here.
      bool pass = error <= 1e-6;
      allPass &= pass;
      llvm::outs() << llvm::format(
          "%-14s gradcheck  max error %.3g at x = %.9g  %s\n",
          activation.sym_name().str().c_str(), error, at,
          pass ? "ok" : "FAILED");
      continue;
    }

    ActivationOp measured = backward ? derivative : activation;
    auto reference = Interpreter::build(measured);
    if (mlir::failed(reference))
      return 1;
    auto kernel = JitEvaluator::build(activation, backward, {}, hostTarget());
    if (mlir::failed(kernel))
      return 1;
    Subject subject{activation.sym_name().str(), *kernel, *reference, params};
    Worst worst;
    if (!sweep(subject, worst))
      return 1;
    bool pass = worst.bound <= 1;
    allPass &= pass;
    llvm::outs() << llvm::format(
        "%-14s %-8s max %6.3f ulp  bound %5.1f%%  at x = %-15.9g computed "
        "%-15.9g exact %-15.9g (%llu inputs)  %s\n",
        activation.sym_name().str().c_str(), backward ? "backward" : "forward",
        worst.ulps, 100 * worst.bound, worst.atX, worst.computed, worst.exact,
        static_cast<unsigned long long>(worst.count), pass ? "ok" : "FAILED");
    llvm::outs().flush(); // One line per activation as it completes.
    if (specials)
      printSpecials(subject);
  }
  return check && !allPass ? 1 : 0;
}
