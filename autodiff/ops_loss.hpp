// ops_loss.hpp — softmax family and loss kernels, written in their numerically
// stable forms (max-shifted log-sum-exp, logits-form binary cross-entropy).
// Shape legend: N rows (batch), C classes.
#pragma once

#include <cstddef>

#include "tensor.hpp"

namespace xgrad {

enum class Reduction { mean, sum, none };

// softmax(x)_i = e^(x_i - m) / Σ_j e^(x_j - m), m = max_j x_j, along `axis`.
Tensor softmax(const Tensor& x, std::ptrdiff_t axis = -1);
// log_softmax(x)_i = x_i - m - log Σ_j e^(x_j - m)
Tensor log_softmax(const Tensor& x, std::ptrdiff_t axis = -1);

// Binary cross-entropy on logits x and targets t in [0, 1], same shape:
//   l = max(x, 0) - x t + log(1 + e^-|x|)       dl/dx = sigmoid(x) - t
// Finite for any x; t is a constant (no gradient).
Tensor bce_with_logits(const Tensor& logits, const Tensor& targets, Reduction reduction = Reduction::mean);

// Binary cross-entropy on probabilities p: l = -(t log p + (1 - t) log(1 - p)),
// with each log clamped at -100 (as PyTorch does) so p = 0 or 1 stays finite.
Tensor bce(const Tensor& probs, const Tensor& targets, Reduction reduction = Reduction::mean);

// Cross-entropy of logits (N, C) against integer labels (N), optional label
// smoothing ε: target = (1 - ε) onehot + ε / C.   dl/dx = softmax(x) - target.
Tensor cross_entropy(const Tensor& logits, const Indices& labels, Reduction reduction = Reduction::mean,
                     float label_smoothing = 0.0f);

// Mean squared error: l = (a - b)², same shapes.  da = 2 (a - b) g, db = -da.
Tensor mse(const Tensor& a, const Tensor& b, Reduction reduction = Reduction::mean);

}  // namespace xgrad
