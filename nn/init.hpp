// init.hpp — initialisers that fill a tensor in place, as torch.nn.init does.
// Every random draw comes from the caller's Generator, element by element in
// row-major order, so the same seed gives bit-identical weights. They write the
// value directly (nothing is recorded): do not re-initialise a tensor that a
// recorded op still needs for its backward.
// Shape legend: a weight is (out, in) or (out, in, k1, k2, ...) — PyTorch's layout.
#pragma once

#include <cstddef>
#include <string_view>

#include "../autodiff/random.hpp"
#include "../autodiff/tensor.hpp"

namespace xgrad::nn::init {

// fan_in = in * k1 * k2 ...   fan_out = out * k1 * k2 ...   (the receptive field multiplies both)
// ShapeError "init: fan_in and fan_out need a weight of at least 2 axes (out, in, ...), got (5,)".
std::size_t fan_in(const Shape& weight_shape);
std::size_t fan_out(const Shape& weight_shape);

// The gain that keeps activations at unit scale through a nonlinearity:
//   "linear", "identity", "sigmoid": 1    "tanh": 5/3    "relu": √2
//   "leaky_relu": √(2 / (1 + slope²)), slope = param    "selu": 3/4
// std::invalid_argument for any other name.
float calculate_gain(std::string_view nonlinearity, float param = 0.01f);

// Plain fills.
void normal_(Tensor& t, Generator& gen, float mean = 0.0f, float std = 1.0f);  // N(mean, std²)
void uniform_(Tensor& t, Generator& gen, float lo = 0.0f, float hi = 1.0f);    // U[lo, hi)
void constant_(Tensor& t, float value);
void zeros_(Tensor& t);
void ones_(Tensor& t);

// Glorot & Bengio (2010): keep the variance of activations and of gradients.
//   xavier_uniform_: U(-b, b),  b = gain √(6 / (fan_in + fan_out))
//   xavier_normal_:  N(0, s²),  s = gain √(2 / (fan_in + fan_out))
void xavier_uniform_(Tensor& t, Generator& gen, float gain = 1.0f);
void xavier_normal_(Tensor& t, Generator& gen, float gain = 1.0f);

// He et al. (2015): s = gain / √fan, gain = calculate_gain(nonlinearity, a), fan by `mode`.
//   kaiming_uniform_: U(-b, b), b = √3 s      kaiming_normal_: N(0, s²)
// `a` is the negative slope of a leaky ReLU (0 = a plain ReLU).
enum class FanMode { fan_in, fan_out };
void kaiming_uniform_(Tensor& t, Generator& gen, float a = 0.0f, FanMode mode = FanMode::fan_in,
                      std::string_view nonlinearity = "leaky_relu");
void kaiming_normal_(Tensor& t, Generator& gen, float a = 0.0f, FanMode mode = FanMode::fan_in,
                     std::string_view nonlinearity = "leaky_relu");

// PyTorch's default for nn.Linear: weight (out, in) and bias (out) both from
// U(-1/√in, 1/√in) (kaiming_uniform_ with a = √5 gives that bound). The weight is
// drawn first, then the bias; an empty (default-constructed) bias is skipped.
void linear_default_(Tensor& weight, Tensor& bias, Generator& gen);

}  // namespace xgrad::nn::init
