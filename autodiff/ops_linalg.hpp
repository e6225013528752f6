// ops_linalg.hpp — matrix product (OpenBLAS sgemm), the fused linear layer, and the transpose.
// Shape legend: a (M, K), b (K, N), out (M, N).
#pragma once

#include <cstddef>
#include <vector>

#include "tensor.hpp"

namespace xgrad {

// out = a · b for 2-D a, b, computed by cblas_sgemm.
//   da = g · bᵀ (M, K)     db = aᵀ · g (K, N)   (sgemm with transpose flags, no copies)
// ShapeError "matmul: shape mismatch (64, 784) x (100, 128)"; both must be 2-D.
Tensor matmul(const Tensor& a, const Tensor& b);

// The fully connected layer in one op (torch.nn.functional.linear):
//   y = x · wᵀ + b      x (N, in)   w (out, in)   b (out,) or empty   y (N, out)
//   dx = g · w (N, in)    dw = gᵀ · x (out, in)    db = Σ_n g[n] (out,)
// One sgemm forward (it reads w transposed in place and adds onto rows already
// holding b), one sgemm per weight-side gradient backward; no transpose is ever
// built. The same as matmul(x, transpose(w)) + b, which nn::linear_reference
// spells out op by op (the test compares the two).
// ShapeError "linear: x (64, 100) does not fit weight (128, 784): expected 784 features";
// both must be 2-D; b, when given, must be (out,).
Tensor linear(const Tensor& x, const Tensor& w, const Tensor& b = Tensor());

// Reverse the axes (the matrix transpose for 2-D): permute(x, {r-1, ..., 1, 0}),
// so it records `permute`. For any other order of the axes, see permute (ops_shape.hpp).
Tensor transpose(const Tensor& x);

}  // namespace xgrad
