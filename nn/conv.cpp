// conv.cpp — the convolution layers: PyTorch's default initialisation, the checks
// that let an error name the layer, and one call to the core op.
#include "conv.hpp"

#include <cmath>
#include <stdexcept>

#include "../autodiff/ops_conv.hpp"
#include "init.hpp"

namespace xgrad::nn {

namespace {

// "Conv2d(3 -> 16, kernel (3, 3))": how errors name the layer.
std::string layer_name(const char* type, std::size_t in, std::size_t out, Size2 kernel) {
    return std::string(type) + "(" + std::to_string(in) + " -> " + std::to_string(out) + ", kernel " +
           size2_str(kernel) + ")";
}

// Kernel, stride and dilation are at least 1 on both axes.
void check_sizes(const std::string& layer, Size2 kernel, Size2 stride, Size2 dilation) {
    const auto positive = [&layer](const char* what, Size2 s) {
        if (s.h == 0 || s.w == 0)
            throw std::invalid_argument(layer + ": " + what + " " + size2_str(s) + " must be positive");
    };
    positive("kernel", kernel);
    positive("stride", stride);
    positive("dilation", dilation);
}

// x is (N, in_channels, H, W).
void check_input(const std::string& layer, const Tensor& x, std::size_t in_channels) {
    if (x.dim() != 4) throw ShapeError(layer + ": input " + shape_str(x.shape()) + " must be 4-D (N, C, H, W)");
    if (x.shape()[1] != in_channels)
        throw ShapeError(layer + ": input " + shape_str(x.shape()) + " has " + std::to_string(x.shape()[1]) +
                         " channels, expected " + std::to_string(in_channels));
}

// PyTorch's reset_parameters for both layers: kaiming_uniform_(weight, a = √5), whose
// bound gain · √3 / √fan_in with gain = √(2 / (1 + 5)) is 1/√fan_in; then the bias from
// U(-1/√fan_in, 1/√fan_in). fan_in is weight.size(1) · kh · kw.
void conv_default_(Tensor& weight, Tensor& bias, Generator& gen) {
    init::kaiming_uniform_(weight, gen, std::sqrt(5.0f));
    if (!bias.defined()) return;
    const std::size_t fan_in = init::fan_in(weight.shape());
    const float b = fan_in > 0 ? 1.0f / std::sqrt(static_cast<float>(fan_in)) : 0.0f;
    init::uniform_(bias, gen, -b, b);
}

}  // namespace

Conv2d::Conv2d(std::size_t in_channels, std::size_t out_channels, Size2 kernel, Generator& gen, Size2 stride,
               Size2 padding, Size2 dilation, bool bias)
    : in_(in_channels),
      out_(out_channels),
      kernel_(kernel),
      stride_(stride),
      padding_(padding),
      dilation_(dilation) {
    check_sizes(layer_name("Conv2d", in_, out_, kernel_), kernel_, stride_, dilation_);
    weight_ = register_parameter("weight", Tensor(Array::from_shape({out_, in_, kernel_.h, kernel_.w})));
    if (bias) bias_ = register_parameter("bias", Tensor(Array::from_shape({out_})));
    conv_default_(weight_, bias_, gen);
}

Tensor Conv2d::forward(const Tensor& x) {
    check_input(layer_name("Conv2d", in_, out_, kernel_), x, in_);
    return conv2d(x, weight_, bias_, stride_, padding_, dilation_);
}

ConvTranspose2d::ConvTranspose2d(std::size_t in_channels, std::size_t out_channels, Size2 kernel, Generator& gen,
                                 Size2 stride, Size2 padding, Size2 output_padding, Size2 dilation, bool bias)
    : in_(in_channels),
      out_(out_channels),
      kernel_(kernel),
      stride_(stride),
      padding_(padding),
      output_padding_(output_padding),
      dilation_(dilation) {
    const std::string layer = layer_name("ConvTranspose2d", in_, out_, kernel_);
    check_sizes(layer, kernel_, stride_, dilation_);
    const Size2 op = output_padding_;
    if (!(op.h < stride.h || op.h < dilation.h) || !(op.w < stride.w || op.w < dilation.w))
        throw std::invalid_argument(layer + ": output_padding " + size2_str(op) + " must be smaller than stride " +
                                    size2_str(stride) + " or dilation " + size2_str(dilation) + " on each axis");
    weight_ = register_parameter("weight", Tensor(Array::from_shape({in_, out_, kernel_.h, kernel_.w})));
    if (bias) bias_ = register_parameter("bias", Tensor(Array::from_shape({out_})));
    conv_default_(weight_, bias_, gen);
}

Tensor ConvTranspose2d::forward(const Tensor& x) {
    check_input(layer_name("ConvTranspose2d", in_, out_, kernel_), x, in_);
    return conv_transpose2d(x, weight_, bias_, stride_, padding_, output_padding_, dilation_);
}

}  // namespace xgrad::nn
