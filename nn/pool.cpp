// pool.cpp — each layer is one call to its core op (autodiff/ops_pool.cpp).
#include "pool.hpp"

#include "../autodiff/ops_pool.hpp"

namespace xgrad::nn {

MaxPool2d::MaxPool2d(Size2 kernel, Size2 stride, Size2 padding) : kernel_(kernel), stride_(stride), padding_(padding) {}
MaxPool2d::MaxPool2d(Size2 kernel) : MaxPool2d(kernel, kernel) {}
Tensor MaxPool2d::forward(const Tensor& x) { return max_pool2d(x, kernel_, stride_, padding_); }

AvgPool2d::AvgPool2d(Size2 kernel, Size2 stride, Size2 padding) : kernel_(kernel), stride_(stride), padding_(padding) {}
AvgPool2d::AvgPool2d(Size2 kernel) : AvgPool2d(kernel, kernel) {}
Tensor AvgPool2d::forward(const Tensor& x) { return avg_pool2d(x, kernel_, stride_, padding_); }

Upsample::Upsample(Size2 scale) : scale_(scale) {}
Tensor Upsample::forward(const Tensor& x) { return upsample_nearest2d(x, scale_); }

}  // namespace xgrad::nn
