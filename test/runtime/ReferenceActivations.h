// Activations written out by hand in double precision: the reference the
// network's generated kernels are checked against. Each gives f(x), f'(x)
// and, for a learnable parameter, df/dp, with the parameters in the order
// std.act declares them.
#ifndef ACTC_TEST_RUNTIME_REFERENCEACTIVATIONS_H
#define ACTC_TEST_RUNTIME_REFERENCEACTIVATIONS_H

#include <cmath>
#include <string>
#include <vector>

namespace act::runtime::reference {

struct ReferenceActivation {
  std::string name;
  double (*f)(double x, const double *params);
  double (*df)(double x, const double *params);
  /// df/dp for the first learnable parameter; null if there is none.
  double (*dfdp)(double x, const double *params);
};

inline const std::vector<ReferenceActivation> &referenceActivations() {
  constexpr double kInvSqrt2 = 0.70710678118654752440;
  constexpr double kInvSqrt2Pi = 0.39894228040143267794;
  static const std::vector<ReferenceActivation> all = {
      {"relu", [](double x, const double *) { return x < 0 ? 0.0 : x; },
       [](double x, const double *) { return x <= 0 ? 0.0 : 1.0; }, nullptr},
      {"gelu",
       [](double x, const double *) {
         return 0.5 * x * std::erfc(-x * kInvSqrt2);
       },
       [](double x, const double *) {
         return 0.5 * std::erfc(-x * kInvSqrt2) +
                x * kInvSqrt2Pi * std::exp(-0.5 * x * x);
       },
       nullptr},
      // elu(x, alpha)
      {"elu",
       [](double x, const double *p) {
         return x <= 0 ? p[0] * std::expm1(x) : x;
       },
       [](double x, const double *p) {
         return x <= 0 ? p[0] * std::exp(x) : 1.0;
       },
       nullptr},
      // softplus(x, beta, threshold)
      {"softplus",
       [](double x, const double *p) {
         double bx = p[0] * x;
         return bx > p[1] ? x : std::log1p(std::exp(bx)) / p[0];
       },
       [](double x, const double *p) {
         double bx = p[0] * x;
         return bx > p[1] ? 1.0 : 1.0 / (1.0 + std::exp(-bx));
       },
       nullptr},
      // prelu(x, learn a)
      {"prelu", [](double x, const double *p) { return x > 0 ? x : p[0] * x; },
       [](double x, const double *p) { return x > 0 ? 1.0 : p[0]; },
       [](double x, const double *) { return x > 0 ? 0.0 : x; }},
  };
  return all;
}

} // namespace act::runtime::reference

#endif // ACTC_TEST_RUNTIME_REFERENCEACTIVATIONS_H
