// linear.cpp — the Linear layer: its parameters, and a forward that checks x's
// shape first (so the error speaks of the layer, not of the op inside it) and
// then runs the fused core op xgrad::linear.
#include "linear.hpp"

#include <string>

#include "../autodiff/ops_linalg.hpp"
#include "init.hpp"

namespace xgrad::nn {

Linear::Linear(std::size_t in_features, std::size_t out_features, Generator& gen, bool bias)
    : in_(in_features), out_(out_features) {
    weight_ = register_parameter("weight", Tensor(Array::from_shape({out_, in_})));
    if (bias) bias_ = register_parameter("bias", Tensor(Array::from_shape({out_})));
    init::linear_default_(weight_, bias_, gen);
}

Tensor Linear::forward(const Tensor& x) {
    if (x.dim() != 2 || x.shape()[1] != in_) {
        const std::string layer = "Linear(" + std::to_string(in_) + " -> " + std::to_string(out_) + "): input ";
        if (x.dim() != 2) throw ShapeError(layer + shape_str(x.shape()) + " must be 2-D (batch, features)");
        throw ShapeError(layer + shape_str(x.shape()) + " has " + std::to_string(x.shape()[1]) +
                         " features, expected " + std::to_string(in_));
    }
    return xgrad::linear(x, weight_, bias_);  // the fused core op
}

}  // namespace xgrad::nn
