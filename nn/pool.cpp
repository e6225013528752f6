// pool.cpp — each layer checks that its input is a batch of images, so the error
// names the layer, then is one call to its core op (autodiff/ops_pool.cpp), which
// checks the rest (the window against the image, the settings).
#include "pool.hpp"

#include <string>

#include "../autodiff/ops_pool.hpp"

namespace xgrad::nn {

namespace {

void check_images(const char* layer, const Tensor& x) {
    if (x.dim() != 4)
        throw ShapeError(std::string(layer) + ": input " + shape_str(x.shape()) + " must be 4-D (N, C, H, W)");
}

}  // namespace

Tensor MaxPool2d::forward(const Tensor& x) {
    check_images("MaxPool2d", x);
    return max_pool2d(x, kernel_, stride_, padding_);
}

Tensor AvgPool2d::forward(const Tensor& x) {
    check_images("AvgPool2d", x);
    return avg_pool2d(x, kernel_, stride_, padding_);
}

Upsample::Upsample(Size2 scale) : scale_(scale) {}
Tensor Upsample::forward(const Tensor& x) {
    check_images("Upsample", x);
    return upsample_nearest2d(x, scale_);
}

}  // namespace xgrad::nn
