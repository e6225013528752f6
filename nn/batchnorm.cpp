// batchnorm.cpp — the layers' checks and parameters around the core op batch_norm.
#include "batchnorm.hpp"

#include <sstream>
#include <stdexcept>
#include <string>
#include <utility>

#include <xtensor/xbuilder.hpp>

#include "../autodiff/ops_norm.hpp"

namespace xgrad::nn {

namespace {

// What is wrong with x as the input of a layer over `features` channels ("" if nothing):
// x must have the layer's rank and C = features, and training needs more than one
// value per channel (one value has variance 0).
std::string input_problem(const Tensor& x, std::size_t rank, std::size_t features, bool training) {
    const bool flat = rank == 2;
    if (x.dim() != rank)
        return "input " + shape_str(x.shape()) +
               (flat ? " must be 2-D (batch, features)" : " must be 4-D (N, C, H, W)");
    if (x.shape()[1] != features)
        return "input " + shape_str(x.shape()) + " has " + std::to_string(x.shape()[1]) +
               (flat ? " features, expected " : " channels, expected ") + std::to_string(features);
    if (training && x.size() / features <= 1)
        return std::string("training needs more than one ") + (flat ? "sample per feature" : "value per channel") +
               " to estimate a variance, got input " + shape_str(x.shape()) +
               "; switch to eval() to use the running statistics";
    return "";
}

}  // namespace

BatchNorm::BatchNorm(std::string kind, std::size_t rank, std::size_t num_features, float eps, float momentum,
                     bool affine)
    : kind_(std::move(kind)), rank_(rank), features_(num_features), eps_(eps), momentum_(momentum) {
    if (!(momentum >= 0.0f && momentum <= 1.0f)) {
        std::ostringstream msg;
        msg << kind_ << ": momentum must be in [0, 1], got " << momentum;
        throw std::invalid_argument(msg.str());
    }
    if (affine) {
        weight_ = register_parameter("weight", Tensor(xt::ones<float>({features_})));
        bias_ = register_parameter("bias", Tensor(xt::zeros<float>({features_})));
    }
    running_mean_ = register_buffer("running_mean", Tensor(xt::zeros<float>({features_})));
    running_var_ = register_buffer("running_var", Tensor(xt::ones<float>({features_})));
}

Tensor BatchNorm::forward(const Tensor& x) {
    if (std::string problem = input_problem(x, rank_, features_, is_training()); !problem.empty())
        throw ShapeError(kind_ + "(" + std::to_string(features_) + "): " + problem);
    return batch_norm(x, running_mean_, running_var_, weight_, bias_, is_training(), momentum_, eps_);
}

BatchNorm1d::BatchNorm1d(std::size_t num_features, float eps, float momentum, bool affine)
    : BatchNorm("BatchNorm1d", 2, num_features, eps, momentum, affine) {}

BatchNorm2d::BatchNorm2d(std::size_t num_features, float eps, float momentum, bool affine)
    : BatchNorm("BatchNorm2d", 4, num_features, eps, momentum, affine) {}

}  // namespace xgrad::nn
