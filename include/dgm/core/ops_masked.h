// ops_masked.h - the masked linear layer of MADE (Germain, Gregor, Murray, Larochelle 2015, "MADE:
// Masked Autoencoder for Distribution Estimation", ICML), forward and backward in
// src/core/ops_masked.cpp.
//
//   y = x (W (.) M)^T + b        x: (B, in), W: (out, in), M: (out, in) of 0/1, b: (1, out) -> y: (B, out)
//
// (.) is the element-wise product: a weight whose mask entry is 0 is cut, so y_k does not depend
// on x_j when M_kj = 0 (MADE eq. 9-10: h(x) = g(b + (W (.) M^W) x), x^ = sigm(c + (V (.) M^V) h(x))).
// The mask is a constant (no gradient). CPU tapes only (MADE refuses --device cuda at build).
#pragma once
#include "dgm/core/tape.h"

namespace dgm {

// mask: a tensor the caller keeps alive for the tape's lifetime (a model member), shape of W.
// b may be an invalid Var (no bias).
Var masked_linear(Tape& t, Var x, Var W, const Tensor& mask, Var b);

}  // namespace dgm
