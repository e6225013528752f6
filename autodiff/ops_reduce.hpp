// ops_reduce.hpp — reductions. Backward spreads g back over the reduced axes.
// argmax, which only reads, is here too.
// Shape legend: x (d0, ..., dk); reducing axis a removes d_a (or keeps it as 1).
#pragma once

#include <cstddef>

#include "tensor.hpp"

namespace xgrad {

Tensor sum(const Tensor& x);                                          // all axes -> shape ()
Tensor sum(const Tensor& x, std::ptrdiff_t axis, bool keepdims = false);
Tensor mean(const Tensor& x);                                         // all axes -> shape ()
Tensor mean(const Tensor& x, std::ptrdiff_t axis, bool keepdims = false);
// Maximum along one axis (used by maxout). The gradient goes to the first
// maximal element of each slice.
Tensor max(const Tensor& x, std::ptrdiff_t axis, bool keepdims = false);

// The position of the maximum along one axis, for each of the other elements:
// out[o * inner + i] = k*, the first maximal k of x[o, k, i] (a NaN counts as the
// maximum, as in max). The result lists the remaining axes in row-major order,
// so argmax of logits (N, C) along 1 is each row's predicted class. Not
// differentiable: it returns integers and records nothing.
Indices argmax(const Tensor& x, std::ptrdiff_t axis);

}  // namespace xgrad
