// PyTorch 1.13 (Debian's libtorch) as a benchmark anchor: the aten kernel of
// each std.act activation, with the out= variants so that no allocation is
// timed where PyTorch has one (it has for all but prelu and mish's backward),
// and the autograd formula's kernels for the backward pass; and the user
// activations of bench/user.act as PyTorch eager ops with autograd.
#include "TorchEltwise.h"

#include <ATen/ATen.h>
#include <ATen/Parallel.h>
#include <torch/torch.h>

namespace bench {
namespace {

at::Tensor wrap(const float *data, int64_t n) {
  return at::from_blob(const_cast<float *>(data), {n},
                       at::TensorOptions().dtype(at::kFloat));
}

/// Scratch tensors for the compositions PyTorch runs as several kernels
/// (softsign, tanhshrink): allocated once, as a caching allocator would.
at::Tensor scratch(int64_t n) { return at::empty({n}, at::kFloat); }

} // namespace

void setTorchThreads(int threads) { at::set_num_threads(threads); }

bool TorchEltwise::backwardReadsOutput(const std::string &name) {
  return name == "sigmoid" || name == "tanh" || name == "relu";
}

std::optional<TorchEltwise> TorchEltwise::forward(const std::string &name,
                                                  const std::vector<float> &p,
                                                  const float *xp, float *yp,
                                                  int64_t n) {
  at::Tensor x = wrap(xp, n), y = wrap(yp, n);
  auto make = [](std::function<void()> run, std::string what) {
    return std::optional<TorchEltwise>(TorchEltwise(std::move(run), what));
  };
  if (name == "relu") // relu's kernel is clamp_min(x, 0)
    return make([=]() mutable { at::clamp_min_out(y, x, 0); }, "clamp_min_out");
  if (name == "relu6")
    return make([=]() mutable { at::hardtanh_out(y, x, 0, 6); },
                "hardtanh_out");
  if (name == "leaky_relu")
    return make([=]() mutable { at::leaky_relu_out(y, x, p[0]); },
                "leaky_relu_out");
  if (name == "prelu") {
    at::Tensor weight = at::full({1}, p[0]);
    return make([=]() mutable { y.copy_(at::prelu(x, weight)); }, "prelu");
  }
  if (name == "rrelu") // evaluation mode: leaky_relu with the mean slope
    return make([=]() mutable { at::leaky_relu_out(y, x, (p[0] + p[1]) / 2); },
                "leaky_relu_out");
  if (name == "elu")
    return make([=]() mutable { at::elu_out(y, x, p[0], 1, 1); }, "elu_out");
  if (name == "selu")
    return make(
        [=]() mutable {
          at::elu_out(y, x, 1.6732632423543772, 1.0507009873554805, 1);
        },
        "elu_out");
  if (name == "celu")
    return make([=]() mutable { at::elu_out(y, x, p[0], 1, 1 / p[0]); },
                "elu_out");
  if (name == "gelu")
    return make([=]() mutable { at::gelu_out(y, x, "none"); }, "gelu_out");
  if (name == "gelu_tanh")
    return make([=]() mutable { at::gelu_out(y, x, "tanh"); }, "gelu_out");
  if (name == "silu")
    return make([=]() mutable { at::silu_out(y, x); }, "silu_out");
  if (name == "mish")
    return make([=]() mutable { at::mish_out(y, x); }, "mish_out");
  if (name == "softplus")
    return make([=]() mutable { at::softplus_out(y, x, p[0], p[1]); },
                "softplus_out");
  if (name == "sigmoid")
    return make([=]() mutable { at::sigmoid_out(y, x); }, "sigmoid_out");
  if (name == "tanh")
    return make([=]() mutable { at::tanh_out(y, x); }, "tanh_out");
  if (name == "hardtanh")
    return make([=]() mutable { at::hardtanh_out(y, x, p[0], p[1]); },
                "hardtanh_out");
  if (name == "hardsigmoid")
    return make([=]() mutable { at::hardsigmoid_out(y, x); },
                "hardsigmoid_out");
  if (name == "hardswish")
    return make([=]() mutable { at::hardswish_out(y, x); }, "hardswish_out");
  if (name == "hardshrink")
    return make([=]() mutable { at::hardshrink_out(y, x, p[0]); },
                "hardshrink_out");
  if (name == "softshrink")
    return make([=]() mutable { at::softshrink_out(y, x, p[0]); },
                "softshrink_out");
  if (name == "softsign") { // F.softsign: x / (|x| + 1), three kernels
    at::Tensor t = scratch(n);
    return make(
        [=]() mutable {
          at::abs_out(t, x);
          t.add_(1);
          at::div_out(y, x, t);
        },
        "abs_out, add_, div_out");
  }
  if (name == "tanhshrink") { // F.tanhshrink: x - tanh(x), two kernels
    at::Tensor t = scratch(n);
    return make(
        [=]() mutable {
          at::tanh_out(t, x);
          at::sub_out(y, x, t);
        },
        "tanh_out, sub_out");
  }
  if (name == "logsigmoid") {
    at::Tensor buffer = scratch(n);
    return make([=]() mutable { at::log_sigmoid_forward_out(y, buffer, x); },
                "log_sigmoid_forward_out");
  }
  if (name == "threshold")
    return make([=]() mutable { at::threshold_out(y, x, p[0], p[1]); },
                "threshold_out");
  return std::nullopt;
}

std::optional<TorchEltwise>
TorchEltwise::backward(const std::string &name, const std::vector<float> &p,
                       const float *xp, const float *yp, const float *dyp,
                       float *dxp, int64_t n) {
  at::Tensor x = wrap(xp, n), y = wrap(yp, n), dy = wrap(dyp, n),
             dx = wrap(dxp, n);
  auto make = [](std::function<void()> run, std::string what) {
    return std::optional<TorchEltwise>(TorchEltwise(std::move(run), what));
  };
  if (name == "relu") // autograd: threshold_backward(grad, result, 0)
    return make([=]() mutable { at::threshold_backward_out(dx, dy, y, 0); },
                "threshold_backward_out (y)");
  if (name == "relu6")
    return make([=]() mutable { at::hardtanh_backward_out(dx, dy, x, 0, 6); },
                "hardtanh_backward_out");
  if (name == "leaky_relu")
    return make(
        [=]() mutable { at::leaky_relu_backward_out(dx, dy, x, p[0], false); },
        "leaky_relu_backward_out");
  if (name == "prelu") {
    at::Tensor weight = at::full({1}, p[0]);
    return make(
        [=]() mutable {
          dx.copy_(std::get<0>(at::prelu_backward(dy, x, weight)));
        },
        "prelu_backward");
  }
  if (name == "rrelu")
    return make(
        [=]() mutable {
          at::leaky_relu_backward_out(dx, dy, x, (p[0] + p[1]) / 2, false);
        },
        "leaky_relu_backward_out");
  if (name == "elu")
    return make(
        [=]() mutable { at::elu_backward_out(dx, dy, p[0], 1, 1, false, x); },
        "elu_backward_out");
  if (name == "selu")
    return make(
        [=]() mutable {
          at::elu_backward_out(dx, dy, 1.6732632423543772, 1.0507009873554805,
                               1, false, x);
        },
        "elu_backward_out");
  if (name == "celu")
    return make(
        [=]() mutable {
          at::elu_backward_out(dx, dy, p[0], 1, 1 / p[0], false, x);
        },
        "elu_backward_out");
  if (name == "gelu")
    return make([=]() mutable { at::gelu_backward_out(dx, dy, x, "none"); },
                "gelu_backward_out");
  if (name == "gelu_tanh")
    return make([=]() mutable { at::gelu_backward_out(dx, dy, x, "tanh"); },
                "gelu_backward_out");
  if (name == "silu")
    return make([=]() mutable { at::silu_backward_out(dx, dy, x); },
                "silu_backward_out");
  if (name == "mish") // no out= variant in 1.13
    return make([=]() mutable { dx.copy_(at::mish_backward(dy, x)); },
                "mish_backward");
  if (name == "softplus")
    return make(
        [=]() mutable { at::softplus_backward_out(dx, dy, x, p[0], p[1]); },
        "softplus_backward_out");
  if (name == "sigmoid")
    return make([=]() mutable { at::sigmoid_backward_out(dx, dy, y); },
                "sigmoid_backward_out (y)");
  if (name == "tanh")
    return make([=]() mutable { at::tanh_backward_out(dx, dy, y); },
                "tanh_backward_out (y)");
  if (name == "hardtanh")
    return make(
        [=]() mutable { at::hardtanh_backward_out(dx, dy, x, p[0], p[1]); },
        "hardtanh_backward_out");
  if (name == "hardsigmoid")
    return make([=]() mutable { at::hardsigmoid_backward_out(dx, dy, x); },
                "hardsigmoid_backward_out");
  if (name == "hardswish")
    return make([=]() mutable { at::hardswish_backward_out(dx, dy, x); },
                "hardswish_backward_out");
  if (name == "hardshrink")
    return make([=]() mutable { at::hardshrink_backward_out(dx, dy, x, p[0]); },
                "hardshrink_backward_out");
  if (name == "softshrink")
    return make([=]() mutable { at::softshrink_backward_out(dx, dy, x, p[0]); },
                "softshrink_backward_out");
  if (name == "softsign") { // dy / (|x| + 1)^2: autograd runs more kernels
    at::Tensor t = scratch(n);
    return make(
        [=]() mutable {
          at::abs_out(t, x);
          t.add_(1);
          t.mul_(t);
          at::div_out(dx, dy, t);
        },
        "abs_out, add_, mul_, div_out");
  }
  if (name == "tanhshrink") { // dy tanh(x)^2
    at::Tensor t = scratch(n);
    return make(
        [=]() mutable {
          at::tanh_out(t, x);
          t.mul_(t);
          at::mul_out(dx, dy, t);
        },
        "tanh_out, mul_, mul_out");
  }
  if (name == "logsigmoid") {
    at::Tensor buffer = scratch(n), out = scratch(n);
    at::log_sigmoid_forward_out(out, buffer, x);
    return make(
        [=]() mutable { at::log_sigmoid_backward_out(dx, dy, x, buffer); },
        "log_sigmoid_backward_out");
  }
  if (name == "threshold")
    return make([=]() mutable { at::threshold_backward_out(dx, dy, x, p[0]); },
                "threshold_backward_out");
  return std::nullopt;
}

std::optional<TorchEltwise> TorchEltwise::eager(const std::string &name,
                                                bool backward, const float *xp,
                                                const float *dyp, float *outp,
                                                int64_t n) {
  using torch::Tensor;
  std::function<Tensor(const Tensor &)> f;
  std::string ops;
  if (name == "serf") {
    f = [](const Tensor &x) { return x * torch::erf(torch::softplus(x)); };
    ops = "3 ops";
  } else if (name == "smish") {
    f = [](const Tensor &x) {
      return x * torch::tanh(torch::log(1 + torch::sigmoid(x)));
    };
    ops = "5 ops";
  } else if (name == "squareplus") {
    f = [](const Tensor &x) { return (x + torch::sqrt(x * x + 4)) / 2; };
    ops = "5 ops";
  } else if (name == "snake") {
    f = [](const Tensor &x) { return x + torch::sin(x).pow(2); };
    ops = "3 ops";
  } else if (name == "isru") {
    f = [](const Tensor &x) { return x * torch::rsqrt(1 + x * x); };
    ops = "4 ops";
  } else {
    return std::nullopt;
  }
  at::Tensor x = wrap(xp, n), dy = wrap(dyp, n), out = wrap(outp, n);
  if (!backward)
    return TorchEltwise(
        [=]() mutable {
          torch::NoGradGuard noGrad;
          out.copy_(f(x));
        },
        "eager, " + ops);
  return TorchEltwise(
      [=]() mutable {
        Tensor leaf = x.detach().requires_grad_(true);
        Tensor y = f(leaf);
        y.backward(dy);
        out.copy_(leaf.grad());
      },
      "eager, " + ops + " + autograd");
}

} // namespace bench
