// flatten.hpp — the shape ops flatten and unflatten as layers (torch.nn.Flatten,
// torch.nn.Unflatten), so a Sequential can pass convolution features (N, C, H, W)
// to a Linear layer as (N, C·H·W), and a Linear layer's (N, C·H·W) output to a
// convolution as (N, C, H, W). Neither has parameters; the checks are the ops'.
#pragma once

#include <cstddef>
#include <utility>
#include <vector>

#include "module.hpp"

namespace xgrad::nn {

// y = flatten(x, start_dim, end_dim): axes start_dim..end_dim merged into one.
// The defaults keep the batch axis: (N, C, H, W) -> (N, C·H·W).
class Flatten : public Layer {
public:
    explicit Flatten(std::ptrdiff_t start_dim = 1, std::ptrdiff_t end_dim = -1)
        : start_dim_(start_dim), end_dim_(end_dim) {}
    Tensor forward(const Tensor& x) override;
    std::ptrdiff_t start_dim() const { return start_dim_; }
    std::ptrdiff_t end_dim() const { return end_dim_; }

private:
    std::ptrdiff_t start_dim_, end_dim_;
};

// y = unflatten(x, dim, sizes): axis dim split into sizes (one may be -1):
// Unflatten(1, {1, 28, 28}) turns (N, 784) into (N, 1, 28, 28).
class Unflatten : public Layer {
public:
    Unflatten(std::ptrdiff_t dim, std::vector<std::ptrdiff_t> sizes) : dim_(dim), sizes_(std::move(sizes)) {}
    Tensor forward(const Tensor& x) override;
    std::ptrdiff_t dim() const { return dim_; }
    const std::vector<std::ptrdiff_t>& sizes() const { return sizes_; }

private:
    std::ptrdiff_t dim_;
    std::vector<std::ptrdiff_t> sizes_;
};

}  // namespace xgrad::nn
