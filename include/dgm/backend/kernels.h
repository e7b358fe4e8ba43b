// kernels.h - the kernel table: every array kernel an op runs, one entry each, chosen once per tape.
//
// The op files (src/core/ops_*.cpp) hold the reference: each op's forward beside its backward,
// plain loops with the slide's symbols (dgm::ref, declared in dgm/core/ops_ref.h). What actually
// runs is the entry of the tape's table (`Tape::kernels()`), fetched once per op call, never per
// element:
//   the CPU table   src/core/kernel_table.cpp: the fast kernels of src/backend/cpu_kernels.cpp
//                   (blocked, vectorized, threaded: namespace dgm::cpu, below) where there are
//                   some, the op file's reference loop where that is already the CPU kernel;
//   the CUDA table  src/backend/cuda.cu (`cuda_kernels()`, the dgm::gpu kernels of gpu.h).
// A null entry is an op that device has no kernel for: the op stops there with one message
// (`Tape::need`). test/test_kernels.cpp runs every CPU entry that is not the reference itself
// against the reference on random inputs; test/test_cuda.cpp and test/mock_cuda.sh the CUDA table.
//
// Conventions: outputs first, then inputs, then sizes; row-major (rows, cols); gradients
// accumulate (+=); a gradient pointer may be null (that input wants none).
#pragma once
#include <cstddef>

#include "dgm/backend/conv.h"
#include "dgm/backend/device.h"
#include "dgm/backend/pcg.h"

namespace dgm {

// y (n) = f(x);  dx (n) += dy f'(x), given x and y = f(x) (each kernel reads the one it needs).
using UnaryForward = void (*)(float* y, const float* x, std::size_t n, float arg);
using UnaryBackward = void (*)(float* dx, const float* dy, const float* x, const float* y, std::size_t n, float arg);
struct UnaryKernels {
  UnaryForward forward = nullptr;
  UnaryBackward backward = nullptr;
};

// The element-wise functions (ops_pointwise.cpp), each a UnaryKernels entry of the table below:
// X(name) for each. Every kernel set (dgm::ref, dgm::cpu, dgm::gpu) has name_forward and
// name_backward with UnaryForward's and UnaryBackward's signatures: DGM_DECLARE_UNARY declares
// them, and each table sets its entries from this one list.
#define DGM_UNARY_KERNELS(X) X(exp) X(log) X(sqrt) X(square) X(relu) X(leaky_relu) X(sigmoid) X(tanh) X(softplus) X(log_sigmoid)
#define DGM_DECLARE_UNARY(name)                                             \
  void name##_forward(float* y, const float* x, std::size_t n, float arg); \
  void name##_backward(float* dx, const float* dy, const float* x, const float* y, std::size_t n, float arg);

// Adam's constants for step t (Kingma & Ba 2015, Algorithm 1; src/core/optim.cpp): the decay
// rates, eps, and the bias corrections folded into two numbers, lr_t = lr / (1 - b1^t) (so that
// lr_t m = lr m_hat) and inv_c2 = 1 / (1 - b2^t) (so that v inv_c2 = v_hat).
struct AdamStep {
  float b1, b2, eps;
  float lr_t, inv_c2;
};

struct Kernels {
  const char* device = "";  // "cpu" or "cuda", for messages
  // The loss forwards sum each row's terms; the CUDA kernels write the terms into `terms`, a
  // (rows, cols) scratch the op allocates when this is true (it passes null otherwise).
  bool loss_terms = false;
  // Ops written only as loops over host memory in their op file, with no kernel of their own
  // (masked_linear, embedding, slice_rows, softmax_cross_entropy_ids, lstm_cell, lstm_layer):
  // true where they may run.
  bool host_loops = false;

  // ---- linear algebra (ops_linalg.cpp) ----
  // C (M, N) = [bias row +] op(A) op(B), or C += op(A) op(B) if accumulate (dgm/backend/gemm.h);
  // bias (N) or null, used only when accumulate is false.
  void (*gemm)(bool trans_a, bool trans_b, int M, int N, int K, const float* A, int lda, const float* B, int ldb,
               float* C, int ldc, bool accumulate, const float* bias) = nullptr;
  // db (n) += sum_r dy[r, :], dy (rows, n), rows in increasing order
  void (*bias_grad)(float* db, const float* dy, std::size_t rows, std::size_t n) = nullptr;

  // ---- arithmetic (ops_arith.cpp); op: 0 add 1 sub 2 mul 3 div; k: 0 same 1 row 2 col 3 scalar ----
  // y (rows, cols) = a op b[k];  da += dy dy/da, db[k] += dy dy/db (summed where b is broadcast)
  void (*arith_forward)(int op, int k, float* y, const float* a, const float* b, std::size_t rows,
                        std::size_t cols) = nullptr;
  void (*arith_backward)(int op, int k, float* da, float* db, const float* dy, const float* a, const float* b,
                         std::size_t rows, std::size_t cols) = nullptr;
  void (*affine_forward)(float* y, const float* x, std::size_t n, float s, float c) = nullptr;  // y = s x + c
  void (*affine_backward)(float* dx, const float* dy, std::size_t n, float s) = nullptr;        // dx += s dy

  // ---- element-wise (ops_pointwise.cpp) ----
  UnaryKernels exp, log, sqrt, square, relu, leaky_relu, sigmoid, tanh, softplus, log_sigmoid;  // DGM_UNARY_KERNELS

  // ---- reductions (ops_reduce.cpp): y[g] = w sum_c x[g, c] (double, in order); dx[g, c] += w dy[g] ----
  void (*reduce_forward)(float* y, const float* x, std::size_t groups, std::size_t len, float w) = nullptr;
  void (*reduce_backward)(float* dx, const float* dy, std::size_t groups, std::size_t len, float w) = nullptr;

  // ---- shape (ops_shape.cpp): a (rows, w) block between row strides src_ld and dst_ld ----
  void (*copy_cols)(float* dst, std::size_t dst_ld, const float* src, std::size_t src_ld, std::size_t rows,
                    std::size_t w) = nullptr;  // dst = src
  void (*add_cols)(float* dst, std::size_t dst_ld, const float* src, std::size_t src_ld, std::size_t rows,
                   std::size_t w) = nullptr;  // dst += src

  // ---- losses (ops_loss.cpp): (rows, cols) -> y (rows, 1), each a sum over the row's columns ----
  // y_r = sum_j softplus(l_j) - x_j l_j, sig = sigmoid(l) saved;  x null: every x_j = target
  void (*bce_forward)(float* y, float* sig, float* terms, const float* l, const float* x, float target,
                      std::size_t rows, std::size_t cols) = nullptr;
  // dl += dy_r (sig - x);  dx -= dy_r l
  void (*bce_backward)(float* dl, float* dx, const float* sig, const float* l, const float* x, float target,
                       const float* dy, std::size_t rows, std::size_t cols) = nullptr;
  // y_r = sum_j 1/2 [log 2 pi + v_j + (x_j - mu_j)^2 e^-v_j]
  void (*gaussian_nll_forward)(float* y, float* terms, const float* x, const float* mu, const float* v,
                               std::size_t rows, std::size_t cols) = nullptr;
  // dx += dy_r (x - mu) e^-v;  dmu -= dy_r (x - mu) e^-v;  dv += dy_r 1/2 (1 - (x - mu)^2 e^-v)
  void (*gaussian_nll_backward)(float* dx, float* dmu, float* dv, const float* dy, const float* x, const float* mu,
                                const float* v, std::size_t rows, std::size_t cols) = nullptr;
  // y_r = -1/2 sum_j (1 + v_j - mu_j^2 - e^v_j)
  void (*kl_forward)(float* y, float* terms, const float* mu, const float* v, std::size_t rows,
                     std::size_t cols) = nullptr;
  // dmu += dy_r mu;  dv += dy_r 1/2 (e^v - 1)
  void (*kl_backward)(float* dmu, float* dv, const float* dy, const float* mu, const float* v, std::size_t rows,
                      std::size_t cols) = nullptr;
  // y_r = sum_j t_j (lse(l) - l_j), lse (rows, 1) saved
  void (*softmax_ce_forward)(float* y, float* lse, const float* l, const float* t, std::size_t rows,
                             std::size_t cols) = nullptr;
  // dl += dy_r (e^{l - lse} sum_k t_k - t);  dt += dy_r (lse - l)
  void (*softmax_ce_backward)(float* dl, float* dt, const float* dy, const float* lse, const float* l,
                              const float* t, std::size_t rows, std::size_t cols) = nullptr;

  // ---- convolution (ops_conv.cpp; dgm/backend/conv.h), each += into its output; `work` holds
  // conv_workspace_floats(s) floats. conv2d_forward leaves the patches of x (im2col, its first
  // C kh kw N Ho Wo floats) in work; backward_weight given patches_ready reuses them ----
  void (*conv2d_forward)(float* y, const float* x, const float* w, const ConvShape& s, float* work) = nullptr;
  void (*conv2d_backward_data)(float* dx, const float* dy, const float* w, const ConvShape& s,
                               float* work) = nullptr;
  void (*conv2d_backward_weight)(float* dw, const float* dy, const float* x, const ConvShape& s,
                                 float* work, bool patches_ready) = nullptr;
  // the per-channel bias of conv2d / conv_transpose2d, y (N, C, HW):
  // y[n,c,k] += b[c];  db[c] += sum_{n,k} dy[n,c,k] (double, in (n, k) order)
  void (*channel_bias_forward)(float* y, const float* b, int N, int C, int HW) = nullptr;
  void (*channel_bias_backward)(float* db, const float* dy, int N, int C, int HW) = nullptr;
  // batch normalization (Ioffe & Szegedy 2015, Algorithm 1), x, y, xhat (N, C, HW); the others (C):
  // training: mu_c, var_c over the N HW elements of channel c (double, in (n, k) order), the
  //   running statistics moved towards them (momentum; running_var by the unbiased var);
  //   evaluation: mu, var = running_mean, running_var (read only);
  // inv_std = 1 / sqrt(var + eps);  xhat = (x - mu) inv_std;  y = gamma xhat + beta
  void (*batch_norm_forward)(float* y, float* xhat, float* inv_std, float* running_mean, float* running_var,
                             const float* x, const float* gamma, const float* beta, int N, int C, int HW,
                             bool training, float momentum, float eps) = nullptr;
  // dbeta_c += sum dy;  dgamma_c += sum dy xhat;  dx += gamma_c inv_std_c / M (M dy - sum dy - xhat
  // sum dy xhat) in training (M = N HW), gamma_c inv_std_c dy in evaluation
  void (*batch_norm_backward)(float* dx, float* dgamma, float* dbeta, const float* dy, const float* xhat,
                              const float* inv_std, const float* gamma, int N, int C, int HW, bool training) = nullptr;

  // ---- the tape (tape.cpp) ----
  void (*add_at)(float* p, float v) = nullptr;  // p[0] += v (the seed d loss / d loss = 1)

  // ---- optimizers (optim.cpp): one step on the n parameters w, given their gradients g and the
  // optimizer's state beside them; g is set to 0 after use when zero_g ----
  // SGD with momentum mu: v <- mu v + g;  w <- w - lr v
  void (*sgd_step)(float* w, float* g, float* v, std::size_t n, float lr, float mu, bool zero_g) = nullptr;
  // Adagrad: G <- G + g^2;  w <- w - lr g / (sqrt(G) + eps)
  void (*adagrad_step)(float* w, float* g, float* G, std::size_t n, float lr, float eps, bool zero_g) = nullptr;
  // RMSProp: r <- alpha r + (1 - alpha) g^2;  w <- w - lr g / (sqrt(r) + eps)
  void (*rmsprop_step)(float* w, float* g, float* r, std::size_t n, float lr, float alpha, float eps,
                       bool zero_g) = nullptr;
  // Adam at step t: m <- b1 m + (1 - b1) g;  v <- b2 v + (1 - b2) g^2;
  //   m_hat = m / (1 - b1^t);  v_hat = v / (1 - b2^t);  w <- w - lr m_hat / (sqrt(v_hat) + eps)
  void (*adam_step)(float* w, float* g, float* m, float* v, std::size_t n, const AdamStep& a, bool zero_g) = nullptr;

  // ---- parameter stores (params.cpp) ----
  double (*sum_squares)(const float* x, std::size_t n) = nullptr;  // sum_i x_i^2 in double (|g|^2)
  void (*clamp)(float* w, std::size_t n, float lo, float hi) = nullptr;  // w = min(hi, max(lo, w))

  // ---- random fills of device memory (Rng::fill_uniform, fill_normal in rng.cpp) ----
  // y[j] = element j of the Rng's own fill started at *s (uniform: lo + (hi - lo) u_j; normal:
  // mean + stddev n_j), and *s advanced past the fill as that loop would have left it. CPU: null,
  // the Rng's loop is the kernel (src/core/rng.cpp); CUDA: one thread per element (kernels_hd.h).
  void (*fill_uniform)(float* y, std::size_t n, RngState* s, float lo, float hi) = nullptr;
  void (*fill_normal)(float* y, std::size_t n, RngState* s, float mean, float stddev) = nullptr;
};

// The table for tensors on device d: the CPU table, or the CUDA table (a CUDA build's; in any
// other build there is none, and asking for it stops with a message). src/core/kernel_table.cpp.
const Kernels& kernels_for(Device d);

// The CUDA table (src/backend/cuda.cu); null in a build without CUDA (src/backend/device.cpp).
const Kernels* cuda_kernels();

// The CPU's fast kernels (src/backend/cpu_kernels.cpp), each the entry of the same name of the
// CPU table: blocked for vectorization (for_blocks, dgm/backend/vecmath.h) and split over threads
// by a fixed partition (parallel_chunks), so results do not depend on the thread count.
namespace cpu {
void gemm(bool trans_a, bool trans_b, int M, int N, int K, const float* A, int lda, const float* B, int ldb,
          float* C, int ldc, bool accumulate, const float* bias);
void bias_grad(float* db, const float* dy, std::size_t rows, std::size_t n);
DGM_UNARY_KERNELS(DGM_DECLARE_UNARY)
void bce_forward(float* y, float* sig, float* terms, const float* l, const float* x, float target, std::size_t rows,
                 std::size_t cols);
void bce_backward(float* dl, float* dx, const float* sig, const float* l, const float* x, float target,
                  const float* dy, std::size_t rows, std::size_t cols);
void add_at(float* p, float v);
void adam_step(float* w, float* g, float* m, float* v, std::size_t n, const AdamStep& a, bool zero_g);
// The RBM's conditionals and draws (src/models/rbm.cpp; not table entries, the RBM has no tape):
// x (rows, cols) = sigmoid(s x + bias) in place, bias (cols); and out_i = 1 if u_i < p_i else 0
// for i < n (out may be p), u_i the i-th uniform after *s (Rng::uniform's 24 bits: the numbers of
// rng.uniform() called n times), *s advanced past the n draws.
void sigmoid_rows(float* x, const float* bias, float s, std::size_t rows, std::size_t cols);
void bernoulli(float* out, const float* p, std::size_t n, RngState* s);
}  // namespace cpu

}  // namespace dgm
