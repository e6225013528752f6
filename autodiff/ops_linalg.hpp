// ops_linalg.hpp — matrix product (OpenBLAS sgemm) and transposes.
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

// Reverse the axes (the matrix transpose for 2-D).
Tensor transpose(const Tensor& x);
// Permute the axes: out.shape[i] = x.shape[perm[i]].
Tensor transpose(const Tensor& x, const std::vector<std::size_t>& perm);

}  // namespace xgrad
