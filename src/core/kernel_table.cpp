// kernel_table.cpp - the CPU kernel table: which kernel runs each op on a CPU tape
// (dgm/backend/kernels.h; Tape's constructor, src/core/tape.cpp, chooses a table).
//
// The CPU table: the fast kernels of src/backend/cpu_kernels.cpp (dgm::cpu) where the reference
// loop was too slow (the products, the element-wise functions, the Bernoulli NLL), the op file's
// reference (dgm::ref) where that loop is already what the CPU runs; conv's im2col + gemm kernels
// (src/backend/conv.cpp). The CUDA table is in src/backend/cuda.cu.
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
    k.exp = {cpu::exp_forward, cpu::exp_backward};
    k.log = {cpu::log_forward, cpu::log_backward};
    k.sqrt = {cpu::sqrt_forward, cpu::sqrt_backward};
    k.square = {cpu::square_forward, cpu::square_backward};
    k.relu = {cpu::relu_forward, cpu::relu_backward};
    k.leaky_relu = {cpu::leaky_relu_forward, cpu::leaky_relu_backward};
    k.sigmoid = {cpu::sigmoid_forward, cpu::sigmoid_backward};
    k.tanh = {cpu::tanh_forward, cpu::tanh_backward};
    k.softplus = {cpu::softplus_forward, cpu::softplus_backward};
    k.log_sigmoid = {cpu::log_sigmoid_forward, cpu::log_sigmoid_backward};
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
    k.add_at = cpu::add_at;
    return k;
  }();
  return table;
}

}  // namespace dgm
