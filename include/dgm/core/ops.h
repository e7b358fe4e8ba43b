// ops.h - the differentiable operations. Each returns a new node on the tape.
//
// Shapes are given as (rows, cols): a tensor's last dimension is its columns and the product of
// the others its rows. Reductions say what they sum or average over. Each op's forward loop and
// backward loop sit side by side in one file under src/, with the local derivative as a comment;
// docs/math.md lists them all.
//   src/core/ops_linalg.cpp       matmul, linear
//   src/core/ops_arith.cpp        add, sub, mul, div (with broadcast), scale, add_scalar
//   src/core/ops_pointwise.cpp    exp, log, sqrt, square, relu, leaky_relu, sigmoid, tanh, softplus, log_sigmoid
//   src/core/ops_reduce.cpp       sum, mean, row_sum, row_mean
//   src/core/ops_shape.cpp        concat_cols, slice_cols, stop_gradient
//   src/core/ops_loss.cpp         bce_with_logits, gaussian_nll, kl_normal_std, softmax_cross_entropy
//   src/core/ops_seq.cpp          (declared in ops_seq.h) embedding, softmax_cross_entropy_ids, lstm_cell, slice_rows
// The convolutional ops (conv2d, conv_transpose2d, batch_norm, to_images) are in dgm/core/ops_conv.h.
#pragma once
#include "dgm/core/tape.h"

namespace dgm {

// ---- linear algebra (src/core/ops_linalg.cpp) ----
// C = op(A) op(B), op(X) = X or X^T. A: (M,K) or, if trans_a, (K,M); B: (K,N) or, if trans_b, (N,K).
Var matmul(Tape& t, Var a, Var b, bool trans_a = false, bool trans_b = false);
// y = x W^T + b.  x: (B, in), W: (out, in), b: (1, out) or invalid Var for no bias -> y: (B, out)
Var linear(Tape& t, Var x, Var W, Var b);

// ---- arithmetic with broadcasting (src/core/ops_arith.cpp) ----
// b may have a's shape, be one row (1, cols) added to every row (a bias), be one column
// (rows, 1) applied across each row, or be a single element.
Var add(Tape& t, Var a, Var b);
Var sub(Tape& t, Var a, Var b);
Var mul(Tape& t, Var a, Var b);
Var div(Tape& t, Var a, Var b);
Var scale(Tape& t, Var a, float s);       // s * a
Var add_scalar(Tape& t, Var a, float c);  // a + c

// ---- element-wise functions (src/core/ops_pointwise.cpp) ----
Var exp(Tape& t, Var a);
Var log(Tape& t, Var a);
Var sqrt(Tape& t, Var a);
Var square(Tape& t, Var a);
Var relu(Tape& t, Var a);
Var leaky_relu(Tape& t, Var a, float slope = 0.2f);
Var sigmoid(Tape& t, Var a);
Var tanh(Tape& t, Var a);
Var softplus(Tape& t, Var a);     // log(1 + e^a), computed stably
Var log_sigmoid(Tape& t, Var a);  // log sigmoid(a) = -softplus(-a), computed stably

// ---- reductions (src/core/ops_reduce.cpp) ----
Var sum(Tape& t, Var a);       // sum of all elements -> (1)
Var mean(Tape& t, Var a);      // mean of all elements -> (1)
Var row_sum(Tape& t, Var a);   // sum over columns, per row -> (rows, 1)
Var row_mean(Tape& t, Var a);  // mean over columns, per row -> (rows, 1)

// ---- shape (src/core/ops_shape.cpp) ----
Var concat_cols(Tape& t, Var a, Var b);           // (r, ca) | (r, cb) -> (r, ca + cb)
Var slice_cols(Tape& t, Var a, int begin, int end);  // columns [begin, end) -> (r, end - begin)
Var stop_gradient(Tape& t, Var a);                // same value; no gradient flows back

// ---- losses, each summed over the columns of a row -> (rows, 1) (src/core/ops_loss.cpp) ----
// Bernoulli negative log-likelihood from logits l and targets x in [0,1]:
//   sum_j -[x_j log sigmoid(l_j) + (1 - x_j) log(1 - sigmoid(l_j))] = sum_j softplus(l_j) - x_j l_j
Var bce_with_logits(Tape& t, Var logits, Var targets);
Var bce_with_logits(Tape& t, Var logits, float target);  // every target equal (GAN labels 0 / 1)
// Gaussian negative log-likelihood with log-variance:
//   sum_j 1/2 [log(2 pi) + logvar_j + (x_j - mu_j)^2 exp(-logvar_j)]
Var gaussian_nll(Tape& t, Var x, Var mu, Var logvar);
// KL(N(mu, sigma^2) || N(0, I)) in closed form with logvar = log sigma^2:
//   -1/2 sum_j (1 + logvar_j - mu_j^2 - exp(logvar_j))
Var kl_normal_std(Tape& t, Var mu, Var logvar);
// Categorical negative log-likelihood from logits and one-hot (or soft) targets y:
//   -sum_j y_j log softmax(l)_j, with log-sum-exp computed stably
Var softmax_cross_entropy(Tape& t, Var logits, Var targets);

}  // namespace dgm
