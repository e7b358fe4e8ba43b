// kernel_table.cpp - the CPU kernel table: which kernel runs each op on a CPU tape, each optimizer
// step and each parameter-store loop on CPU memory (dgm/backend/kernels.h); and kernels_for(),
// which gives a device's table (Tape's constructor, src/core/tape.cpp, the optimizer and the
// parameter store ask it).
//
// The CPU table: the fast kernels of src/backend/cpu_kernels.cpp (dgm::cpu) where the reference
// loop was too slow (the products, the element-wise functions, the Bernoulli NLL), the op file's
// reference (dgm::ref) where that loop is already what the CPU runs (batch normalization and the
// convolutions' per-channel bias among them); conv's im2col + gemm kernels (src/backend/conv.cpp).
// The CUDA table is in src/backend/cuda.cu.
#include "dgm/core/check.h"
#include "dgm/core/ops_ref.h"
#include "dgm/core/tape.h"

namespace dgm {

const Kernels& cpu_kernels() {
  static const Kernels table = [] {
    Kernels k;
    k.device = "cpu";
    k.host_loops = true;
    k.gemm = cpu::gemm;
    k.bias_grad = cpu::bias_grad;
    k.arith_forward = ref::arith_forward;
    k.arith_backward = ref::arith_backward;
    k.affine_forward = ref::affine_forward;
    k.affine_backward = ref::affine_backward;
#define DGM_CPU_ENTRY(name) k.name = {cpu::name##_forward, cpu::name##_backward};
    DGM_UNARY_KERNELS(DGM_CPU_ENTRY)
#undef DGM_CPU_ENTRY
    k.reduce_forward = ref::reduce_forward;
    k.reduce_backward = ref::reduce_backward;
    k.copy_cols = ref::copy_cols;
    k.add_cols = ref::add_cols;
    k.bce_forward = cpu::bce_forward;
    k.bce_backward = cpu::bce_backward;
    k.gaussian_nll_forward = ref::gaussian_nll_forward;
    k.gaussian_nll_backward = ref::gaussian_nll_backward;
    k.kl_forward = ref::kl_forward;
    k.kl_backward = ref::kl_backward;
    k.softmax_ce_forward = ref::softmax_ce_forward;
    k.softmax_ce_backward = ref::softmax_ce_backward;
    k.conv2d_forward = conv2d_forward;
    k.conv2d_backward_data = conv2d_backward_data;
    k.conv2d_backward_weight = conv2d_backward_weight;
    k.channel_bias_forward = ref::channel_bias_forward;
    k.channel_bias_backward = ref::channel_bias_backward;
    k.batch_norm_forward = ref::batch_norm_forward;
    k.batch_norm_backward = ref::batch_norm_backward;
    k.add_at = cpu::add_at;
    k.sgd_step = ref::sgd_step;
    k.adagrad_step = ref::adagrad_step;
    k.rmsprop_step = ref::rmsprop_step;
    k.adam_step = cpu::adam_step;
    k.sum_squares = ref::sum_squares;
    k.clamp = ref::clamp;
    return k;
  }();
  return table;
}

const Kernels& kernels_for(Device d) {
  if (d == Device::CPU) return cpu_kernels();
  const Kernels* k = cuda_kernels();
  DGM_CHECK(k != nullptr, "no kernels for the %s device in this build (rebuild with make CUDA=1)", device_name(d));
  return *k;
}

}  // namespace dgm
