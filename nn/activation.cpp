// activation.cpp — each layer is one call to its core op (ops_elementwise.cpp).
#include "activation.hpp"

#include "../autodiff/ops_elementwise.hpp"

namespace xgrad::nn {

Tensor ReLU::forward(const Tensor& x) { return relu(x); }
Tensor LeakyReLU::forward(const Tensor& x) { return leaky_relu(x, slope_); }
Tensor Sigmoid::forward(const Tensor& x) { return sigmoid(x); }
Tensor Tanh::forward(const Tensor& x) { return tanh(x); }

}  // namespace xgrad::nn
