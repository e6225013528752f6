// ops_norm.hpp — batch normalisation (Ioffe & Szegedy 2015) as one op with its
// closed-form backward, as torch.nn.functional.batch_norm, and the same function
// built from small core ops, kept beside it as the reference it is tested against.
// Shape legend: x (N, C) or (N, C, H, W); statistics per channel c over the
// M = N·H·W values x[:, c] (M = N for (N, C));   weight, bias, running stats (C,)
#pragma once

#include "tensor.hpp"

namespace xgrad {

//   training: μ, σ² = mean and biased variance (÷M) of each channel, and when
//             running_mean/running_var are given (not empty) their values are updated in place:
//               running_mean ← (1 − momentum) running_mean + momentum μ
//               running_var  ← (1 − momentum) running_var  + momentum σ² M / (M − 1)   (unbiased)
//   eval:     μ, σ² = running_mean, running_var (constants)
//   x̂ = (x − μ) / √(σ² + eps)      y = x̂ · weight + bias      (weight, bias may be empty)
// Backward, per channel, with ĝ = g · weight and sums over the channel's M values:
//   training: dx = (1/M) · (1/√(σ² + eps)) · (M ĝ − Σ ĝ − x̂ Σ ĝ x̂)      eval: dx = ĝ / √(σ² + eps)
//   dweight = Σ g x̂      dbias = Σ g       (the running statistics get no gradient)
// One tape entry, "batch_norm". Errors: ShapeError
// "batch_norm: input (3,) must be 2-D (N, C) or 4-D (N, C, H, W)",
// "batch_norm: weight (4,) does not fit input (2, 3): expected (3,)", and in training
// "batch_norm: training needs more than one sample per feature to estimate a variance, got input (1, 3); ..."
// (M = 1); std::invalid_argument in eval without running statistics, or when only one of them is given.
Tensor batch_norm(const Tensor& x, const Tensor& running_mean, const Tensor& running_var, const Tensor& weight,
                  const Tensor& bias, bool training, float momentum = 0.1f, float eps = 1e-5f);

// The same function as a chain of core ops, whose backward comes from theirs:
//   μ = mean(x)   xc = x − μ   σ² = mean(xc²)   y = xc / √(σ² + eps) · weight + bias
// (means over the channel's values, statistics reshaped to (1, C, 1, 1) for 4-D x),
// and the same in-place update of the running statistics. Same arguments and
// checks (messages start "batch_norm_reference: ").
Tensor batch_norm_reference(const Tensor& x, const Tensor& running_mean, const Tensor& running_var,
                            const Tensor& weight, const Tensor& bias, bool training, float momentum = 0.1f,
                            float eps = 1e-5f);

}  // namespace xgrad
