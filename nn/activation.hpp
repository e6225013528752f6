// activation.hpp — elementwise nonlinearities as layers, so they can sit in a
// Sequential. Each forwards to the core op of the same name; none has parameters.
#pragma once

#include "module.hpp"

namespace xgrad::nn {

// y = max(x, 0)
class ReLU : public Layer {
public:
    Tensor forward(const Tensor& x) override;
};

// y = x if x > 0 else slope * x
class LeakyReLU : public Layer {
public:
    explicit LeakyReLU(float negative_slope = 0.01f) : slope_(negative_slope) {}
    Tensor forward(const Tensor& x) override;
    float negative_slope() const { return slope_; }

private:
    float slope_;
};

// y = 1 / (1 + e^-x), stable for any x
class Sigmoid : public Layer {
public:
    Tensor forward(const Tensor& x) override;
};

// y = tanh x
class Tanh : public Layer {
public:
    Tensor forward(const Tensor& x) override;
};

}  // namespace xgrad::nn
