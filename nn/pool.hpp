// pool.hpp — pooling and upsampling layers over (N, C, H, W) images, as
// torch.nn.MaxPool2d, AvgPool2d and Upsample(mode = "nearest"). None has
// parameters; each is one call to its core op (autodiff/ops_pool.hpp). A layer
// checks that its input is 4-D itself (ShapeError "MaxPool2d: input (4, 3) must be
// 4-D (N, C, H, W)"); the op checks the settings and the window against the image. A non-square kernel alone is written
// MaxPool2d(Size2(2, 3)): MaxPool2d({2, 3}) could also mean kernel 2, stride 3.
#pragma once

#include "../autodiff/shape.hpp"
#include "module.hpp"

namespace xgrad::nn {

// What the two pooling layers share: the window (kernel, stride, padding) they
// hand to their op. stride = kernel when not given, as in PyTorch.
class Pool2d : public Layer {
public:
    Size2 kernel() const { return kernel_; }
    Size2 stride() const { return stride_; }
    Size2 padding() const { return padding_; }

protected:
    Pool2d(Size2 kernel, Size2 stride, Size2 padding) : kernel_(kernel), stride_(stride), padding_(padding) {}
    Size2 kernel_, stride_, padding_;
};

// The largest element of each kernel window (ties: the first, in row-major order).
class MaxPool2d : public Pool2d {
public:
    MaxPool2d(Size2 kernel, Size2 stride, Size2 padding = 0) : Pool2d(kernel, stride, padding) {}
    explicit MaxPool2d(Size2 kernel) : Pool2d(kernel, kernel, 0) {}
    Tensor forward(const Tensor& x) override;
};

// The mean of each kernel window, padding counted as zeros (count_include_pad = true).
class AvgPool2d : public Pool2d {
public:
    AvgPool2d(Size2 kernel, Size2 stride, Size2 padding = 0) : Pool2d(kernel, stride, padding) {}
    explicit AvgPool2d(Size2 kernel) : Pool2d(kernel, kernel, 0) {}
    Tensor forward(const Tensor& x) override;
};

// Nearest-neighbour upsampling by integer factors: (N, C, H, W) -> (N, C, H·sh, W·sw).
class Upsample : public Layer {
public:
    explicit Upsample(Size2 scale);
    Tensor forward(const Tensor& x) override;

    Size2 scale() const { return scale_; }

private:
    Size2 scale_;
};

}  // namespace xgrad::nn
