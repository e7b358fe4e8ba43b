// ops_reduce.cpp - sum and mean, over all elements or over the columns of each row.
//
// Sums are accumulated in double in index order, so the result does not depend on threads.
#include "dgm/core/check.h"
#include "dgm/core/ops.h"
#include "dgm/core/ops_ref.h"

namespace dgm {

// Forward: y[g] = w * sum_c x[g, c] over each of `groups` groups of `len` consecutive elements,
// x (groups, len) -> y (groups).
// sum: one group of all elements, w = 1; mean: w = 1 / n; row_sum / row_mean: one group per row.
void ref::reduce_forward(float* y, const float* x, std::size_t groups, std::size_t len, float w) {
  for (std::size_t g = 0; g < groups; ++g) {
    double s = 0.0;
    for (std::size_t c = 0; c < len; ++c) s += x[g * len + c];
    y[g] = static_cast<float>(s * w);
  }
}

// Backward: dy[g]/dx[g, c] = w, so dx[g, c] += w dy[g].
void ref::reduce_backward(float* dx, const float* dy, std::size_t groups, std::size_t len, float w) {
  for (std::size_t g = 0; g < groups; ++g) {
    const float d = w * dy[g];
    for (std::size_t c = 0; c < len; ++c) dx[g * len + c] += d;
  }
}

namespace {

void reduce_backward(Tape& t, int id) {
  Node& n = t.node(id);
  Node& A = t.node(n.in[0]);
  if (!A.needs_grad) return;
  const std::size_t groups = n.value.size();
  t.kernels().reduce_backward(A.grad.data, n.grad.data, groups, A.value.size() / groups, n.f[0]);
}

Var reduce(Tape& t, Var a, bool per_row, bool average) {
  Tensor x = t.value(a);
  const std::size_t groups = per_row ? static_cast<std::size_t>(x.rows()) : 1;
  const std::size_t len = x.size() / (groups ? groups : 1);
  const float w = average ? 1.f / static_cast<float>(len) : 1.f;
  Tensor y = t.alloc(per_row ? make_shape(x.rows(), 1) : make_shape(1));
  t.kernels().reduce_forward(y.data, x.data, groups, len, w);
  Var out = t.push(y, reduce_backward, a);
  t.node(out).f[0] = w;
  return out;
}

}  // namespace

Var sum(Tape& t, Var a) { return reduce(t, a, false, false); }
Var mean(Tape& t, Var a) { return reduce(t, a, false, true); }
Var row_sum(Tape& t, Var a) { return reduce(t, a, true, false); }
Var row_mean(Tape& t, Var a) { return reduce(t, a, true, true); }

}  // namespace dgm
