// batchnorm.cpp — batch normalisation as a chain of core ops:
//   μ = mean(x, 0)   xc = x - μ   σ² = mean(xc², 0)   x̂ = xc / √(σ² + eps)   y = x̂ w + b
// plus an in-place update of the running statistics (plain arithmetic, not recorded).
#include "batchnorm.hpp"

#include <sstream>
#include <stdexcept>
#include <string>

#include "../autodiff/ops_elementwise.hpp"
#include "../autodiff/ops_reduce.hpp"

namespace xgrad::nn {

namespace {

// What is wrong with x as the input of a batch norm over `features` features ("" if nothing):
// x must be (N, C) with the expected C, and training needs N > 1 (one sample has variance 0).
std::string input_problem(const Tensor& x, std::size_t features, bool training) {
    if (x.dim() != 2) return "input " + shape_str(x.shape()) + " must be 2-D (batch, features)";
    if (x.shape()[1] != features)
        return "input " + shape_str(x.shape()) + " has " + std::to_string(x.shape()[1]) + " features, expected " +
               std::to_string(features);
    if (training && x.shape()[0] <= 1)
        return "training needs more than one sample per feature to estimate a variance, got input " +
               shape_str(x.shape()) + "; switch to eval() to use the running statistics";
    return "";
}

// running ← (1 - m) running + m batch    (the batch variance made unbiased first: × N / (N - 1))
void update_running_stats(Tensor& running_mean, Tensor& running_var, const Array& mu, const Array& var,
                          std::size_t n, float momentum) {
    const float unbias = static_cast<float>(n) / static_cast<float>(n - 1);
    float* rm = running_mean.mutable_value().data();
    float* rv = running_var.mutable_value().data();
    for (std::size_t c = 0; c < mu.size(); ++c) {
        rm[c] = (1.0f - momentum) * rm[c] + momentum * mu.data()[c];
        rv[c] = (1.0f - momentum) * rv[c] + momentum * var.data()[c] * unbias;
    }
}

}  // namespace

Tensor batch_norm(const Tensor& x, Tensor& running_mean, Tensor& running_var, const Tensor& weight,
                  const Tensor& bias, bool training, float momentum, float eps) {
    const bool has_running = running_mean.defined() && running_var.defined();
    if (!training && !has_running)
        throw std::invalid_argument("batch_norm: eval mode normalises with the running statistics; "
                                    "pass running_mean and running_var, or use training = true");
    const std::size_t features = has_running      ? running_mean.size()
                                 : weight.defined() ? weight.size()
                                 : x.dim() == 2     ? x.shape()[1]
                                                    : 0;
    if (std::string problem = input_problem(x, features, training); !problem.empty())
        throw ShapeError("batch_norm: " + problem);

    Tensor xc, var;  // x - μ (N, C) and σ² (C,)
    if (training) {
        Tensor mu = mean(x, 0);      // (C,)
        xc = x - mu;                 // (N, C)
        var = mean(xc * xc, 0);      // (C,) biased: ÷N
        if (has_running)
            update_running_stats(running_mean, running_var, mu.value(), var.value(), x.shape()[0], momentum);
    } else {
        xc = x - running_mean;
        var = running_var;
    }
    Tensor y = xc / sqrt(var + eps);  // x̂ (N, C)
    if (weight.defined()) y = y * weight;
    if (bias.defined()) y = y + bias;
    return y;
}

BatchNorm1d::BatchNorm1d(std::size_t num_features, float eps, float momentum, bool affine)
    : features_(num_features), eps_(eps), momentum_(momentum) {
    if (!(momentum >= 0.0f && momentum <= 1.0f)) {
        std::ostringstream msg;
        msg << "BatchNorm1d: momentum must be in [0, 1], got " << momentum;
        throw std::invalid_argument(msg.str());
    }
    if (affine) {
        weight_ = register_parameter("weight", Tensor(xt::ones<float>({features_})));
        bias_ = register_parameter("bias", Tensor(xt::zeros<float>({features_})));
    }
    running_mean_ = register_buffer("running_mean", Tensor(xt::zeros<float>({features_})));
    running_var_ = register_buffer("running_var", Tensor(xt::ones<float>({features_})));
}

Tensor BatchNorm1d::forward(const Tensor& x) {
    if (std::string problem = input_problem(x, features_, is_training()); !problem.empty())
        throw ShapeError("BatchNorm1d(" + std::to_string(features_) + "): " + problem);
    return batch_norm(x, running_mean_, running_var_, weight_, bias_, is_training(), momentum_, eps_);
}

}  // namespace xgrad::nn
