// batchnorm.hpp — batch normalisation layers, as torch.nn.BatchNorm1d (features
// of (N, C) inputs) and torch.nn.BatchNorm2d (channels of (N, C, H, W) images),
// Ioffe & Szegedy 2015. Both run the fused core op xgrad::batch_norm
// (autodiff/ops_norm.hpp): one tape entry with its closed-form backward.
// Shape legend: N batch, C features or channels.   weight, bias, running stats (C,)
#pragma once

#include <cstddef>
#include <string>

#include "module.hpp"

namespace xgrad::nn {

// What both layers hold and do; the two differ only in the input rank they accept.
class BatchNorm : public Layer {
public:
    // Training: normalise with this batch's statistics and update the running
    // ones (each channel needs more than one value). Eval: normalise with the
    // running statistics. The input is checked first, so errors name the layer:
    // ShapeError "BatchNorm1d(3): input (4, 5) has 5 features, expected 3".
    Tensor forward(const Tensor& x) override;

    std::size_t num_features() const { return features_; }
    float eps() const { return eps_; }
    float momentum() const { return momentum_; }
    const Tensor& weight() const { return weight_; }  // empty when affine = false
    const Tensor& bias() const { return bias_; }
    const Tensor& running_mean() const { return running_mean_; }
    const Tensor& running_var() const { return running_var_; }

protected:
    // Parameters "weight" (C,) = 1 and "bias" (C,) = 0 when affine; buffers
    // "running_mean" (C,) = 0 and "running_var" (C,) = 1. momentum in [0, 1].
    // `kind` is the layer's name ("BatchNorm1d"); `rank` the input rank it takes (2 or 4).
    BatchNorm(std::string kind, std::size_t rank, std::size_t num_features, float eps, float momentum,
              bool affine);

private:
    std::string kind_;
    std::size_t rank_, features_;
    float eps_, momentum_;
    Tensor weight_, bias_, running_mean_, running_var_;
};

// Over the features of x (N, C).
// ShapeError "BatchNorm1d(3): input (3,) must be 2-D (batch, features)".
class BatchNorm1d : public BatchNorm {
public:
    explicit BatchNorm1d(std::size_t num_features, float eps = 1e-5f, float momentum = 0.1f, bool affine = true);
};

// Over the channels of x (N, C, H, W): each channel's statistics over N·H·W values.
// ShapeError "BatchNorm2d(3): input (4, 3) must be 4-D (N, C, H, W)".
class BatchNorm2d : public BatchNorm {
public:
    explicit BatchNorm2d(std::size_t num_features, float eps = 1e-5f, float momentum = 0.1f, bool affine = true);
};

}  // namespace xgrad::nn
