// loss.hpp — loss functions for the nn layer, as torch.nn's: the functions are
// the core ones from autodiff/ops_loss.hpp (re-exported here), and each module
// just remembers its Reduction (and label smoothing) so a model can hold one:
//   nn::BCEWithLogitsLoss criterion;   Tensor loss = criterion(logits, targets);
#pragma once

#include "../autodiff/ops_loss.hpp"
#include "module.hpp"

namespace xgrad::nn {

using xgrad::bce;               // (probs, targets, reduction)
using xgrad::bce_with_logits;   // (logits, targets, reduction) — stable for any logit
using xgrad::cross_entropy;     // (logits (N, C), labels (N), reduction, label_smoothing)
using xgrad::mse;               // (input, target, reduction)
using xgrad::Reduction;         // mean (default), sum, none

// Binary cross-entropy on probabilities in [0, 1].
class BCELoss : public Module {
public:
    explicit BCELoss(Reduction reduction = Reduction::mean) : reduction_(reduction) {}
    Tensor operator()(const Tensor& probs, const Tensor& targets) const { return bce(probs, targets, reduction_); }
    Reduction reduction() const { return reduction_; }

private:
    Reduction reduction_;
};

// Binary cross-entropy on logits (sigmoid folded in): the GAN loss.
class BCEWithLogitsLoss : public Module {
public:
    explicit BCEWithLogitsLoss(Reduction reduction = Reduction::mean) : reduction_(reduction) {}
    Tensor operator()(const Tensor& logits, const Tensor& targets) const {
        return bce_with_logits(logits, targets, reduction_);
    }
    Reduction reduction() const { return reduction_; }

private:
    Reduction reduction_;
};

// Softmax cross-entropy of logits (N, C) against integer labels (N), with
// optional label smoothing ε in [0, 1] (std::invalid_argument otherwise).
class CrossEntropyLoss : public Module {
public:
    explicit CrossEntropyLoss(Reduction reduction = Reduction::mean, float label_smoothing = 0.0f);
    Tensor operator()(const Tensor& logits, const Indices& labels) const {
        return cross_entropy(logits, labels, reduction_, label_smoothing_);
    }
    Reduction reduction() const { return reduction_; }
    float label_smoothing() const { return label_smoothing_; }

private:
    Reduction reduction_;
    float label_smoothing_;
};

// Mean squared error (input - target)².
class MSELoss : public Module {
public:
    explicit MSELoss(Reduction reduction = Reduction::mean) : reduction_(reduction) {}
    Tensor operator()(const Tensor& input, const Tensor& target) const { return mse(input, target, reduction_); }
    Reduction reduction() const { return reduction_; }

private:
    Reduction reduction_;
};

}  // namespace xgrad::nn
