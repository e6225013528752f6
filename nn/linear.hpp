// linear.hpp — the fully connected layer y = x · Wᵀ + b, as torch.nn.Linear.
// Shape legend: N batch, in = in_features, out = out_features.
//   x (N, in)   weight (out, in)   bias (out,)   y (N, out)
// The layer runs the core op xgrad::linear (autodiff/ops_linalg.hpp: one sgemm
// each way, no transpose built, with linear_reference beside it); without a
// module, call that function directly.
#pragma once

#include <cstddef>

#include "../autodiff/random.hpp"
#include "module.hpp"

namespace xgrad::nn {

class Linear : public Layer {
public:
    // Parameters "weight" (out, in) and "bias" (out,), both drawn from
    // U(-1/√in, 1/√in) (PyTorch's default), weight first, from gen.
    Linear(std::size_t in_features, std::size_t out_features, Generator& gen, bool bias = true);

    // ShapeError "Linear(784 -> 128): input (64, 100) has 100 features, expected 784".
    Tensor forward(const Tensor& x) override;

    std::size_t in_features() const { return in_; }
    std::size_t out_features() const { return out_; }
    const Tensor& weight() const { return weight_; }
    const Tensor& bias() const { return bias_; }  // empty when built with bias = false

private:
    std::size_t in_, out_;
    Tensor weight_, bias_;
};

}  // namespace xgrad::nn
