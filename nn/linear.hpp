// linear.hpp — the fully connected layer y = x · Wᵀ + b, as torch.nn.Linear.
// Shape legend: N batch, in = in_features, out = out_features.
//   x (N, in)   weight (out, in)   bias (out,)   y (N, out)
// This is the readable reference version, built from core ops (transpose,
// matmul, add), so its backward comes from theirs.
#pragma once

#include <cstddef>

#include "../autodiff/random.hpp"
#include "module.hpp"

namespace xgrad::nn {

// The function behind the layer (torch.nn.functional.linear):
//   y = x · weightᵀ + bias      dx = g · W     dW = gᵀ · x     db = Σ_n g[n]
// bias may be an empty Tensor (no bias). Shape errors come from matmul and add.
Tensor linear(const Tensor& x, const Tensor& weight, const Tensor& bias = Tensor());

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
