// linear.hpp — the fully connected layer y = x · Wᵀ + b, as torch.nn.Linear.
// Shape legend: N batch, in = in_features, out = out_features.
//   x (N, in)   weight (out, in)   bias (out,)   y (N, out)
// The layer runs the fused core op xgrad::linear (one sgemm each way, no
// transpose built); linear_reference spells the same math out in core ops
// (transpose, matmul, add) and is what the fused op is tested against.
#pragma once

#include <cstddef>

#include "../autodiff/random.hpp"
#include "module.hpp"

namespace xgrad::nn {

// The function behind the layer (torch.nn.functional.linear):
//   y = x · weightᵀ + bias      dx = g · W     dW = gᵀ · x     db = Σ_n g[n]
// bias may be an empty Tensor (no bias). One tape entry, "linear" (the fused
// core op of autodiff/ops_linalg.hpp); shape errors come from it.
Tensor linear(const Tensor& x, const Tensor& weight, const Tensor& bias = Tensor());

// The same function built from core ops, matmul(x, transpose(weight)) + bias,
// whose backward comes from theirs: the readable reference for linear().
Tensor linear_reference(const Tensor& x, const Tensor& weight, const Tensor& bias = Tensor());

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
