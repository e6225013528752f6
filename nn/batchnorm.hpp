// batchnorm.hpp — batch normalisation over the features of (N, C) inputs, as
// torch.nn.BatchNorm1d (Ioffe & Szegedy 2015). Built from core ops, so its
// backward (through the batch mean and variance too) comes from theirs.
// Shape legend: N batch, C features.   x (N, C)   weight, bias, running stats (C,)
#pragma once

#include <cstddef>

#include "module.hpp"

namespace xgrad::nn {

// The function behind the layer (torch.nn.functional.batch_norm):
//   training: μ, σ² = mean and biased variance (÷N) of each column of x, and if
//             running_mean/running_var are given (not empty) they are updated in place:
//               running_mean ← (1 - momentum) running_mean + momentum μ
//               running_var  ← (1 - momentum) running_var  + momentum σ² N / (N - 1)   (unbiased)
//   eval:     μ, σ² = running_mean, running_var (constants)
//   y = (x - μ) / √(σ² + eps) * weight + bias        weight, bias may be empty (no affine map)
// ShapeError "batch_norm: input (4, 5) has 5 features, expected 3" (C is taken from the
// running stats or weight), or when training gets a single sample (N = 1).
Tensor batch_norm(const Tensor& x, Tensor& running_mean, Tensor& running_var, const Tensor& weight,
                  const Tensor& bias, bool training, float momentum = 0.1f, float eps = 1e-5f);

class BatchNorm1d : public Layer {
public:
    // Parameters "weight" (C,) = 1 and "bias" (C,) = 0 when affine; buffers
    // "running_mean" (C,) = 0 and "running_var" (C,) = 1. momentum in [0, 1].
    explicit BatchNorm1d(std::size_t num_features, float eps = 1e-5f, float momentum = 0.1f, bool affine = true);

    // Training: normalise with this batch's statistics and update the running
    // ones (N must be > 1). Eval: normalise with the running statistics.
    // ShapeError "BatchNorm1d(3): input (4, 5) has 5 features, expected 3".
    Tensor forward(const Tensor& x) override;

    std::size_t num_features() const { return features_; }
    float eps() const { return eps_; }
    float momentum() const { return momentum_; }
    const Tensor& weight() const { return weight_; }  // empty when affine = false
    const Tensor& bias() const { return bias_; }
    const Tensor& running_mean() const { return running_mean_; }
    const Tensor& running_var() const { return running_var_; }

private:
    std::size_t features_;
    float eps_, momentum_;
    Tensor weight_, bias_, running_mean_, running_var_;
};

}  // namespace xgrad::nn
