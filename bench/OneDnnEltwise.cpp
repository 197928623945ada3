// oneDNN's eltwise primitive, bound to caller-owned arrays.
#include "OneDnnEltwise.h"

#include <oneapi/dnnl/dnnl.hpp>
#include <omp.h>

#include <unordered_map>

using namespace bench;

namespace {

dnnl::algorithm algorithmOf(Eltwise algorithm, bool fromDst) {
  using A = dnnl::algorithm;
  switch (algorithm) {
  case Eltwise::Relu:
    return fromDst ? A::eltwise_relu_use_dst_for_bwd : A::eltwise_relu;
  case Eltwise::ClipV2:
    return fromDst ? A::eltwise_clip_v2_use_dst_for_bwd : A::eltwise_clip_v2;
  case Eltwise::Elu:
    return fromDst ? A::eltwise_elu_use_dst_for_bwd : A::eltwise_elu;
  case Eltwise::Logistic:
    return fromDst ? A::eltwise_logistic_use_dst_for_bwd : A::eltwise_logistic;
  case Eltwise::Tanh:
    return fromDst ? A::eltwise_tanh_use_dst_for_bwd : A::eltwise_tanh;
  case Eltwise::GeluErf:
    return A::eltwise_gelu_erf;
  case Eltwise::GeluTanh:
    return A::eltwise_gelu_tanh;
  case Eltwise::Swish:
    return A::eltwise_swish;
  case Eltwise::Mish:
    return A::eltwise_mish;
  case Eltwise::SoftRelu:
    return A::eltwise_soft_relu;
  case Eltwise::Hardswish:
    return A::eltwise_hardswish;
  case Eltwise::Logsigmoid:
    return A::eltwise_logsigmoid;
  }
  return A::undef;
}

dnnl::engine &cpuEngine() {
  static dnnl::engine engine(dnnl::engine::kind::cpu, 0);
  return engine;
}

dnnl::memory::desc vectorOf(int64_t n) {
  return {{n}, dnnl::memory::data_type::f32, dnnl::memory::format_tag::a};
}

/// oneDNN wraps, never copies, the caller's arrays; its API takes them as
/// non-const handles even where it only reads them.
dnnl::memory wrap(const dnnl::memory::desc &desc, const float *data) {
  return dnnl::memory(desc, cpuEngine(), const_cast<float *>(data));
}

dnnl::eltwise_forward::primitive_desc
forwardDesc(const EltwiseSpec &spec, bool fromDst, int64_t n) {
  // forward_training: the descriptor a backward primitive is created from.
  return {{dnnl::prop_kind::forward_training, algorithmOf(spec.algorithm, fromDst),
           vectorOf(n), spec.alpha, spec.beta},
          cpuEngine()};
}

} // namespace

struct OneDnnEltwise::State {
  dnnl::primitive primitive;
  std::unordered_map<int, dnnl::memory> args;
  std::string implementation;
  dnnl::stream stream{cpuEngine()};
};

bool bench::hasDstBackward(Eltwise algorithm) {
  switch (algorithm) {
  case Eltwise::Relu:
  case Eltwise::ClipV2:
  case Eltwise::Elu:
  case Eltwise::Logistic:
  case Eltwise::Tanh:
    return true;
  default:
    return false;
  }
}

void bench::setOneDnnThreads(int threads) { omp_set_num_threads(threads); }

OneDnnEltwise OneDnnEltwise::forward(const EltwiseSpec &spec, const float *x,
                                     float *y, int64_t n) {
  auto desc = forwardDesc(spec, /*fromDst=*/false, n);
  auto state = std::make_unique<State>();
  state->primitive = dnnl::eltwise_forward(desc);
  state->args = {{DNNL_ARG_SRC, wrap(desc.src_desc(), x)},
                 {DNNL_ARG_DST, wrap(desc.dst_desc(), y)}};
  state->implementation = desc.impl_info_str();
  return OneDnnEltwise(std::move(state));
}

OneDnnEltwise OneDnnEltwise::backward(const EltwiseSpec &spec, bool fromDst,
                                      const float *xOrY, const float *dy,
                                      float *dx, int64_t n) {
  auto hint = forwardDesc(spec, fromDst, n);
  dnnl::memory::desc vector = vectorOf(n);
  dnnl::eltwise_backward::primitive_desc desc(
      {algorithmOf(spec.algorithm, fromDst), vector, vector, spec.alpha,
       spec.beta},
      cpuEngine(), hint);
  auto state = std::make_unique<State>();
  state->primitive = dnnl::eltwise_backward(desc);
  state->args = {{fromDst ? DNNL_ARG_DST : DNNL_ARG_SRC, wrap(vector, xOrY)},
                 {DNNL_ARG_DIFF_DST, wrap(vector, dy)},
                 {DNNL_ARG_DIFF_SRC, wrap(vector, dx)}};
  state->implementation = desc.impl_info_str();
  return OneDnnEltwise(std::move(state));
}

OneDnnEltwise::OneDnnEltwise(std::unique_ptr<State> state)
    : state_(std::move(state)) {}
OneDnnEltwise::OneDnnEltwise(OneDnnEltwise &&) = default;
OneDnnEltwise::~OneDnnEltwise() = default;

void OneDnnEltwise::run() {
  state_->primitive.execute(state_->stream, state_->args);
  state_->stream.wait();
}

std::string OneDnnEltwise::implementation() const {
  return state_->implementation;
}
