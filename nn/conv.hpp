// conv.hpp — the convolution layers, as torch.nn.Conv2d and torch.nn.ConvTranspose2d
// (groups = 1). Each holds its weight and bias and runs the core op of
// autodiff/ops_conv.hpp; it checks its input first, so an error names the layer.
// Shape legend: x (N, in, H, W), y (N, out, OH, OW), kernel (kh, kw).
//   Conv2d weight (out, in, kh, kw)    ConvTranspose2d weight (in, out, kh, kw)    bias (out,)
#pragma once

#include <cstddef>
#include <string>

#include "../autodiff/random.hpp"
#include "../autodiff/shape.hpp"
#include "module.hpp"

namespace xgrad::nn {

class Conv2d : public Layer {
public:
    // Parameters "weight" (out, in, kh, kw) and "bias" (out,), PyTorch's default:
    // both from U(-1/√fan_in, 1/√fan_in), fan_in = in · kh · kw (kaiming_uniform_ with
    // a = √5 gives that bound), weight first, then bias, from gen.
    // std::invalid_argument "Conv2d(3 -> 16, kernel (3, 3)): stride (0, 1) must be positive",
    // and likewise for a kernel or dilation with a 0.
    Conv2d(std::size_t in_channels, std::size_t out_channels, Size2 kernel, Generator& gen, Size2 stride = 1,
           Size2 padding = 0, Size2 dilation = 1, bool bias = true);

    // y = conv2d(x, weight, bias, stride, padding, dilation).
    // ShapeError "Conv2d(3 -> 16, kernel (3, 3)): input (2, 4, 8, 8) has 4 channels, expected 3",
    // or "... input (8, 8) must be 4-D (N, C, H, W)"; an image too small for the kernel is conv2d's error.
    Tensor forward(const Tensor& x) override;

    std::size_t in_channels() const { return in_; }
    std::size_t out_channels() const { return out_; }
    Size2 kernel() const { return kernel_; }
    Size2 stride() const { return stride_; }
    Size2 padding() const { return padding_; }
    Size2 dilation() const { return dilation_; }
    const Tensor& weight() const { return weight_; }
    const Tensor& bias() const { return bias_; }  // empty when built with bias = false

private:
    std::size_t in_, out_;
    Size2 kernel_, stride_, padding_, dilation_;
    Tensor weight_, bias_;
};

class ConvTranspose2d : public Layer {
public:
    // Parameters "weight" (in, out, kh, kw) and "bias" (out,), PyTorch's default:
    // both from U(-1/√fan_in, 1/√fan_in) with fan_in computed from the weight as
    // PyTorch does, weight.size(1) · kh · kw = out · kh · kw; weight first, then bias.
    // std::invalid_argument for a kernel, stride or dilation with a 0, and
    // "ConvTranspose2d(16 -> 3, kernel (4, 4)): output_padding (2, 2) must be smaller than
    // stride (2, 2) or dilation (1, 1) on each axis".
    ConvTranspose2d(std::size_t in_channels, std::size_t out_channels, Size2 kernel, Generator& gen,
                    Size2 stride = 1, Size2 padding = 0, Size2 output_padding = 0, Size2 dilation = 1,
                    bool bias = true);

    // y = conv_transpose2d(x, weight, bias, stride, padding, output_padding, dilation).
    // ShapeError "ConvTranspose2d(16 -> 3, kernel (4, 4)): input (2, 8, 7, 7) has 8 channels, expected 16",
    // or "... must be 4-D (N, C, H, W)".
    Tensor forward(const Tensor& x) override;

    std::size_t in_channels() const { return in_; }
    std::size_t out_channels() const { return out_; }
    Size2 kernel() const { return kernel_; }
    Size2 stride() const { return stride_; }
    Size2 padding() const { return padding_; }
    Size2 output_padding() const { return output_padding_; }
    Size2 dilation() const { return dilation_; }
    const Tensor& weight() const { return weight_; }
    const Tensor& bias() const { return bias_; }  // empty when built with bias = false

private:
    std::size_t in_, out_;
    Size2 kernel_, stride_, padding_, output_padding_, dilation_;
    Tensor weight_, bias_;
};

}  // namespace xgrad::nn
