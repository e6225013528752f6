// ops_elementwise.cpp — each op: one line of math, the forward, then its backward.
// g is dLoss/dout; every closure adds its inputs' shares with add_grad (+=).
#include "ops_elementwise.hpp"

#include <cmath>

#include <xtensor/xmath.hpp>
#include <xtensor/xoperation.hpp>

#include "tape.hpp"

namespace xgrad {

// add: out = a + b             da = sum_to(g, a)              db = sum_to(g, b)
Tensor add(const Tensor& a, const Tensor& b) {
    broadcast_shape("add", a.shape(), b.shape());
    Array out = a.value() + b.value();
    return record("add", std::move(out), {a, b}, [a, b](const Array& g, const Array&) {
        if (a.requires_grad()) a.add_grad(sum_to(g, a.shape()));
        if (b.requires_grad()) b.add_grad(sum_to(g, b.shape()));
    });
}

// sub: out = a - b             da = sum_to(g, a)              db = -sum_to(g, b)
Tensor sub(const Tensor& a, const Tensor& b) {
    broadcast_shape("sub", a.shape(), b.shape());
    Array out = a.value() - b.value();
    return record("sub", std::move(out), {a, b}, [a, b](const Array& g, const Array&) {
        if (a.requires_grad()) a.add_grad(sum_to(g, a.shape()));
        if (b.requires_grad()) b.add_grad(-sum_to(g, b.shape()));
    });
}

// mul: out = a * b             da = sum_to(g * b, a)          db = sum_to(g * a, b)
Tensor mul(const Tensor& a, const Tensor& b) {
    broadcast_shape("mul", a.shape(), b.shape());
    Array out = a.value() * b.value();
    return record("mul", std::move(out), {a, b}, [a, b](const Array& g, const Array&) {
        if (a.requires_grad()) a.add_grad(sum_to(g * b.value(), a.shape()));
        if (b.requires_grad()) b.add_grad(sum_to(g * a.value(), b.shape()));
    });
}

// div: out = a / b             da = sum_to(g / b, a)          db = sum_to(-g * a / b², b)
Tensor div(const Tensor& a, const Tensor& b) {
    broadcast_shape("div", a.shape(), b.shape());
    Array out = a.value() / b.value();
    return record("div", std::move(out), {a, b}, [a, b](const Array& g, const Array&) {
        if (a.requires_grad()) a.add_grad(sum_to(g / b.value(), a.shape()));
        if (b.requires_grad()) b.add_grad(sum_to(-g * a.value() / (b.value() * b.value()), b.shape()));
    });
}

// neg: out = -x                dx = -g
Tensor neg(const Tensor& x) {
    Array out = -x.value();
    return record("neg", std::move(out), {x}, [x](const Array& g, const Array&) { x.add_grad(-g); });
}

// add_scalar: out = x + s      dx = g
Tensor add(const Tensor& x, float s) {
    Array out = x.value() + s;
    return record("add_scalar", std::move(out), {x}, [x](const Array& g, const Array&) { x.add_grad(g); });
}

// mul_scalar: out = x * s      dx = g * s
Tensor mul(const Tensor& x, float s) {
    Array out = x.value() * s;
    return record("mul_scalar", std::move(out), {x}, [x, s](const Array& g, const Array&) { x.add_grad(g * s); });
}

Tensor sub(const Tensor& x, float s) { return add(x, -s); }
Tensor sub(float s, const Tensor& x) { return add(neg(x), s); }
Tensor div(const Tensor& x, float s) { return mul(x, 1.0f / s); }

// rdiv_scalar: out = s / x     dx = -g * s / x²
Tensor div(float s, const Tensor& x) {
    Array out = s / x.value();
    return record("rdiv_scalar", std::move(out), {x}, [x, s](const Array& g, const Array&) {
        x.add_grad(-g * s / (x.value() * x.value()));
    });
}

// exp: y = e^x                 dx = g * y            (saves y)
Tensor exp(const Tensor& x) {
    Array out = xt::exp(x.value());
    return record("exp", std::move(out), {x}, [x](const Array& g, const Array& y) { x.add_grad(g * y); });
}

// log: y = ln x                dx = g / x
Tensor log(const Tensor& x) {
    Array out = xt::log(x.value());
    return record("log", std::move(out), {x}, [x](const Array& g, const Array&) { x.add_grad(g / x.value()); });
}

// sqrt: y = √x                 dx = g / (2y)         (saves y)
Tensor sqrt(const Tensor& x) {
    Array out = xt::sqrt(x.value());
    return record("sqrt", std::move(out), {x}, [x](const Array& g, const Array& y) { x.add_grad(g / (2.0f * y)); });
}

// pow: y = x^p                 dx = g * p * x^(p-1)
Tensor pow(const Tensor& x, float p) {
    Array out = xt::pow(x.value(), p);
    return record("pow", std::move(out), {x}, [x, p](const Array& g, const Array&) {
        x.add_grad(g * p * xt::pow(x.value(), p - 1.0f));
    });
}

// abs: y = |x|                 dx = g * sign(x)      (sign(0) = 0)
Tensor abs(const Tensor& x) {
    Array out = xt::abs(x.value());
    return record("abs", std::move(out), {x}, [x](const Array& g, const Array&) { x.add_grad(g * xt::sign(x.value())); });
}

// clamp: y = min(max(x, lo), hi)      dx = g where lo <= x <= hi, else 0
Tensor clamp(const Tensor& x, float lo, float hi) {
    if (!(lo <= hi))
        throw std::invalid_argument("clamp: lo (" + std::to_string(lo) + ") must not exceed hi (" +
                                    std::to_string(hi) + ")");
    Array out = xt::clip(x.value(), lo, hi);
    return record("clamp", std::move(out), {x}, [x, lo, hi](const Array& g, const Array&) {
        const Array& v = x.value();
        x.add_grad(xt::where(v >= lo && v <= hi, g, 0.0f));
    });
}

// relu: y = max(x, 0)          dx = g * (x > 0)
Tensor relu(const Tensor& x) {
    Array out = xt::maximum(x.value(), 0.0f);
    return record("relu", std::move(out), {x}, [x](const Array& g, const Array&) {
        x.add_grad(xt::where(x.value() > 0.0f, g, 0.0f));
    });
}

// leaky_relu: y = x if x > 0 else slope * x      dx = g if x > 0 else slope * g
Tensor leaky_relu(const Tensor& x, float slope) {
    const Array& v = x.value();
    Array out = xt::where(v > 0.0f, v, slope * v);
    return record("leaky_relu", std::move(out), {x}, [x, slope](const Array& g, const Array&) {
        x.add_grad(xt::where(x.value() > 0.0f, g, slope * g));
    });
}

// sigmoid: y = 1 / (1 + e^-x)  dx = g * y * (1 - y)  (saves y)
// Stable form: for x < 0 use e^x / (1 + e^x), so e^(-x) never overflows.
Tensor sigmoid(const Tensor& x) {
    Array out = Array::from_shape(x.shape());
    const float* xs = x.value().data();
    float* ys = out.data();
    for (std::size_t i = 0; i < out.size(); ++i) {
        if (xs[i] >= 0.0f) {
            ys[i] = 1.0f / (1.0f + std::exp(-xs[i]));
        } else {
            const float e = std::exp(xs[i]);
            ys[i] = e / (1.0f + e);
        }
    }
    return record("sigmoid", std::move(out), {x}, [x](const Array& g, const Array& y) {
        x.add_grad(g * y * (1.0f - y));
    });
}

// tanh: y = tanh x             dx = g * (1 - y²)     (saves y)
Tensor tanh(const Tensor& x) {
    Array out = xt::tanh(x.value());
    return record("tanh", std::move(out), {x}, [x](const Array& g, const Array& y) {
        x.add_grad(g * (1.0f - y * y));
    });
}

}  // namespace xgrad
