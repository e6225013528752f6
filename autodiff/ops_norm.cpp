// ops_norm.cpp — batch normalisation: the fused op and its op-by-op reference.
// x is seen as (N, C, S) with S = H·W (S = 1 for (N, C)): element (n, c, s) sits at
// flat offset (n·C + c)·S + s, and channel c's M = N·S values are the n, s pairs.
// The loops run n, then c, then s, so x is read in memory order and each element
// adds into its channel's accumulator (sums in double, as the reductions do).
#include "ops_norm.hpp"

#include <cmath>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "ops_elementwise.hpp"
#include "ops_reduce.hpp"
#include "ops_shape.hpp"
#include "tape.hpp"

namespace xgrad {

namespace {

struct Channels {
    std::size_t N = 0, C = 0, S = 1;  // x as (N, C, S)
    std::size_t M() const { return N * S; }
};

// The checks both versions make; returns x's (N, C, S).
Channels check_batch_norm(const std::string& op, const Tensor& x, const Tensor& running_mean,
                          const Tensor& running_var, const Tensor& weight, const Tensor& bias, bool training) {
    if (x.dim() != 2 && x.dim() != 4)
        throw ShapeError(op + ": input " + shape_str(x.shape()) + " must be 2-D (N, C) or 4-D (N, C, H, W)");
    if (running_mean.defined() != running_var.defined())
        throw std::invalid_argument(op + ": running_mean and running_var must be given together (or neither)");
    if (!training && !running_mean.defined())
        throw std::invalid_argument(op + ": eval mode normalises with the running statistics; "
                                         "pass running_mean and running_var, or use training = true");
    Channels d;
    d.N = x.shape()[0];
    d.C = x.shape()[1];
    if (x.dim() == 4) d.S = x.shape()[2] * x.shape()[3];
    const std::pair<const char*, const Tensor*> per_channel[] = {
        {"running_mean", &running_mean}, {"running_var", &running_var}, {"weight", &weight}, {"bias", &bias}};
    for (const auto& [name, t] : per_channel) {
        if (t->defined() && t->shape() != Shape{d.C})
            throw ShapeError(op + ": " + name + " " + shape_str(t->shape()) + " does not fit input " +
                             shape_str(x.shape()) + ": expected " + shape_str(Shape{d.C}));
    }
    if (training && d.M() <= 1)
        throw ShapeError(op + ": training needs more than one " +
                         (x.dim() == 2 ? "sample per feature" : "value per channel") +
                         " to estimate a variance, got input " + shape_str(x.shape()) +
                         "; switch to eval() to use the running statistics");
    return d;
}

// running ← (1 − m) running + m batch    (the batch variance made unbiased first: × M / (M − 1))
void update_running_stats(const Tensor& running_mean, const Tensor& running_var, const float* mu,
                          const float* var, std::size_t M, float momentum) {
    const float unbias = static_cast<float>(M) / static_cast<float>(M - 1);
    Tensor rm_handle = running_mean, rv_handle = running_var;  // handles: the values change in place
    float* rm = rm_handle.mutable_value().data();
    float* rv = rv_handle.mutable_value().data();
    for (std::size_t c = 0; c < rm_handle.size(); ++c) {
        rm[c] = (1.0f - momentum) * rm[c] + momentum * mu[c];
        rv[c] = (1.0f - momentum) * rv[c] + momentum * var[c] * unbias;
    }
}

// Mean and biased variance (÷M) of each channel of x, two passes in double.
void channel_stats(const float* x, const Channels& d, std::vector<float>& mean, std::vector<float>& var) {
    std::vector<double> sum(d.C, 0.0), sq(d.C, 0.0);
    for (std::size_t n = 0; n < d.N; ++n)
        for (std::size_t c = 0; c < d.C; ++c)
            for (std::size_t s = 0; s < d.S; ++s) sum[c] += x[(n * d.C + c) * d.S + s];
    for (std::size_t c = 0; c < d.C; ++c) sum[c] /= static_cast<double>(d.M());  // now the mean
    for (std::size_t n = 0; n < d.N; ++n)
        for (std::size_t c = 0; c < d.C; ++c)
            for (std::size_t s = 0; s < d.S; ++s) {
                const double dev = x[(n * d.C + c) * d.S + s] - sum[c];
                sq[c] += dev * dev;
            }
    mean.resize(d.C);
    var.resize(d.C);
    for (std::size_t c = 0; c < d.C; ++c) {
        mean[c] = static_cast<float>(sum[c]);
        var[c] = static_cast<float>(sq[c] / static_cast<double>(d.M()));
    }
}

}  // namespace

// batch_norm: x̂ = (x − μ) / √(σ² + eps)    y = x̂ · w + b        (per channel; ĝ = g · w)
//   training: dx = (1/M) · invstd · (M ĝ − Σ ĝ − x̂ Σ ĝ x̂)   eval: dx = ĝ · invstd
//   dw = Σ g x̂      db = Σ g
Tensor batch_norm(const Tensor& x, const Tensor& running_mean, const Tensor& running_var, const Tensor& weight,
                  const Tensor& bias, bool training, float momentum, float eps) {
    const Channels d = check_batch_norm("batch_norm", x, running_mean, running_var, weight, bias, training);
    std::vector<float> mu, invstd;  // per channel: μ and 1 / √(σ² + eps)
    if (training) {
        std::vector<float> var;
        channel_stats(x.value().data(), d, mu, var);
        if (running_mean.defined())
            update_running_stats(running_mean, running_var, mu.data(), var.data(), d.M(), momentum);
        invstd = std::move(var);
    } else {
        mu.assign(running_mean.value().begin(), running_mean.value().end());
        invstd.assign(running_var.value().begin(), running_var.value().end());
    }
    for (float& v : invstd) v = 1.0f / std::sqrt(v + eps);

    // Per channel: y = x̂ · w + b, with w = 1 and b = 0 when they are not given.
    const std::vector<float> w = weight.defined() ? std::vector<float>(weight.value().begin(), weight.value().end())
                                                  : std::vector<float>(d.C, 1.0f);
    const std::vector<float> b = bias.defined() ? std::vector<float>(bias.value().begin(), bias.value().end())
                                                : std::vector<float>(d.C, 0.0f);
    Array y = Array::from_shape(x.shape());
    const float* xs = x.value().data();
    for (std::size_t n = 0; n < d.N; ++n)
        for (std::size_t c = 0; c < d.C; ++c)
            for (std::size_t s = 0, i = (n * d.C + c) * d.S; s < d.S; ++s, ++i)
                y.data()[i] = (xs[i] - mu[c]) * invstd[c] * w[c] + b[c];

    std::vector<Tensor> inputs{x};
    if (weight.defined()) inputs.push_back(weight);
    if (bias.defined()) inputs.push_back(bias);
    return record("batch_norm", std::move(y), std::move(inputs),
                  [x, weight, bias, d, training, mu = std::move(mu), invstd = std::move(invstd),
                   w = std::move(w)](const Array& g, const Array&) {
                      // Σ g and Σ g x̂ per channel: the bias and weight gradients, and the two sums in dx.
                      std::vector<double> sum_g(d.C, 0.0), sum_gx(d.C, 0.0);
                      // TASK 8: per channel Σ g and Σ g x̂; then dx = invstd·w·(g − Σg/M − x̂·Σgx̂/M) in training, invstd·w·g in eval
                      // x̂ is recomputed from x, μ and invstd rather than kept from the forward.
                      const float* xs = x.value().data();
                      const float* gs = g.data();
                      auto xhat = [&](std::size_t i, std::size_t c) { return (xs[i] - mu[c]) * invstd[c]; };
                      for (std::size_t n = 0; n < d.N; ++n)
                          for (std::size_t c = 0; c < d.C; ++c)
                              for (std::size_t s = 0, i = (n * d.C + c) * d.S; s < d.S; ++s, ++i) {
                                  sum_g[c] += gs[i];
                                  sum_gx[c] += static_cast<double>(gs[i]) * xhat(i, c);
                              }
                      if (x.requires_grad()) {
                          // With ĝ = g w, Σ ĝ = w Σ g and Σ ĝ x̂ = w Σ g x̂, so per channel
                          //   dx = (1/M) invstd (M ĝ − Σ ĝ − x̂ Σ ĝ x̂) = invstd w (g − Σ g / M − x̂ Σ g x̂ / M);
                          // in eval the statistics are constants and only invstd w g is left.
                          const double M = static_cast<double>(d.M());
                          Array dx = Array::from_shape(x.shape());
                          for (std::size_t n = 0; n < d.N; ++n)
                              for (std::size_t c = 0; c < d.C; ++c) {
                                  const float k = invstd[c] * w[c];
                                  const auto mean_g = static_cast<float>(training ? sum_g[c] / M : 0.0);
                                  const auto mean_gx = static_cast<float>(training ? sum_gx[c] / M : 0.0);
                                  for (std::size_t s = 0, i = (n * d.C + c) * d.S; s < d.S; ++s, ++i)
                                      dx.data()[i] = k * (gs[i] - mean_g - xhat(i, c) * mean_gx);
                              }
                          x.add_grad(std::move(dx));
                      }
                      // END TASK 8
                      auto to_array = [](const std::vector<double>& v) {
                          Array a = Array::from_shape({v.size()});
                          for (std::size_t c = 0; c < v.size(); ++c) a.data()[c] = static_cast<float>(v[c]);
                          return a;
                      };
                      if (weight.defined() && weight.requires_grad()) weight.add_grad(to_array(sum_gx));
                      if (bias.defined() && bias.requires_grad()) bias.add_grad(to_array(sum_g));
                  });
}

// batch_norm_reference: the composite  μ = mean(x)  xc = x − μ  σ² = mean(xc²)  y = xc / √(σ² + eps) · w + b
//   (its backward is the chain of its ops' backwards; it records no entry of its own)
Tensor batch_norm_reference(const Tensor& x, const Tensor& running_mean, const Tensor& running_var,
                            const Tensor& weight, const Tensor& bias, bool training, float momentum, float eps) {
    const Channels d =
        check_batch_norm("batch_norm_reference", x, running_mean, running_var, weight, bias, training);
    // A per-channel tensor shaped to broadcast over x: (C,) for (N, C), (1, C, 1, 1) for (N, C, H, W).
    auto per_channel = [&](const Tensor& t) {
        return x.dim() == 2 ? t : reshape(t, {1, static_cast<std::ptrdiff_t>(d.C), 1, 1});
    };
    // The mean of each channel of t, shaped like per_channel's.
    auto channel_mean = [&](const Tensor& t) {
        return x.dim() == 2 ? mean(t, 0) : mean(mean(mean(t, 3, true), 2, true), 0, true);
    };
    Tensor xc, var;  // x − μ (x's shape) and σ²
    if (training) {
        Tensor mu = channel_mean(x);
        xc = x - mu;
        var = channel_mean(xc * xc);  // biased: ÷M
        if (running_mean.defined())
            update_running_stats(running_mean, running_var, mu.value().data(), var.value().data(), d.M(), momentum);
    } else {
        xc = x - per_channel(running_mean);
        var = per_channel(running_var);
    }
    Tensor y = xc / sqrt(var + eps);  // x̂
    if (weight.defined()) y = y * per_channel(weight);
    if (bias.defined()) y = y + per_channel(bias);
    return y;
}

}  // namespace xgrad
