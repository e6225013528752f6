// ops_reduce.hpp — reductions. Backward spreads g back over the reduced axes.
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

}  // namespace xgrad
