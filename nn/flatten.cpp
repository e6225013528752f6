// flatten.cpp — each layer is one call to its core op (ops_shape.cpp).
#include "flatten.hpp"

#include "../autodiff/ops_shape.hpp"

namespace xgrad::nn {

Tensor Flatten::forward(const Tensor& x) { return flatten(x, start_dim_, end_dim_); }
Tensor Unflatten::forward(const Tensor& x) { return unflatten(x, dim_, sizes_); }

}  // namespace xgrad::nn
