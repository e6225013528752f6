// ops_elementwise.cpp — each op: one line of math, the forward, then its backward.
// g is dLoss/dout; every closure adds its inputs' shares with add_grad (+=).
#include "ops_elementwise.hpp"

#include <cmath>

#include <xtensor/xmath.hpp>
#include <xtensor/xoperation.hpp>

#include "kernels.hpp"
#include "tape.hpp"

namespace xgrad {

// The loops (one pass over .data(), with fast paths for the common broadcasts)
// are kernels::map and kernels::zip; the ops below only say what f is.
using kernels::map;
using kernels::zip;

// add: out = a + b             da = sum_to(g, a)              db = sum_to(g, b)
Tensor add(const Tensor& a, const Tensor& b) {
    broadcast_shape("add", a.shape(), b.shape());
    Array out = zip(a.value(), b.value(), [](float av, float bv) { return av + bv; });
    return record("add", std::move(out), {a, b}, [a, b](const Array& g, const Array&) {
        // TASK 2: each input that requires grad gets g, summed back to its own shape
        if (a.requires_grad()) a.add_grad(sum_to(g, a.shape()));
        if (b.requires_grad()) b.add_grad(sum_to(g, b.shape()));
        // END TASK 2
    });
}

// sub: out = a - b             da = sum_to(g, a)              db = -sum_to(g, b)
Tensor sub(const Tensor& a, const Tensor& b) {
    broadcast_shape("sub", a.shape(), b.shape());
    Array out = zip(a.value(), b.value(), [](float av, float bv) { return av - bv; });
    return record("sub", std::move(out), {a, b}, [a, b](const Array& g, const Array&) {
        if (a.requires_grad()) a.add_grad(sum_to(g, a.shape()));
        if (b.requires_grad()) b.add_grad(map(sum_to(g, b.shape()), [](float v) { return -v; }));
    });
}

// mul: out = a * b             da = sum_to(g * b, a)          db = sum_to(g * a, b)
Tensor mul(const Tensor& a, const Tensor& b) {
    broadcast_shape("mul", a.shape(), b.shape());
    const auto times = [](float u, float v) { return u * v; };
    Array out = zip(a.value(), b.value(), times);
    return record("mul", std::move(out), {a, b}, [a, b, times](const Array& g, const Array&) {
        // TASK 2: da = g * b and db = g * a, each summed back to its input's shape (zip multiplies)
        if (a.requires_grad()) a.add_grad(sum_to(zip(g, b.value(), times), a.shape()));
        if (b.requires_grad()) b.add_grad(sum_to(zip(g, a.value(), times), b.shape()));
        // END TASK 2
    });
}

// div: out = a / b             da = sum_to(g / b, a)          db = sum_to(-g * a / b², b)
Tensor div(const Tensor& a, const Tensor& b) {
    broadcast_shape("div", a.shape(), b.shape());
    Array out = zip(a.value(), b.value(), [](float av, float bv) { return av / bv; });
    return record("div", std::move(out), {a, b}, [a, b](const Array& g, const Array&) {
        // TASK 1: da = g / b and db = -g * a / b², each summed back to its input's shape
        if (a.requires_grad()) {
            a.add_grad(sum_to(zip(g, b.value(), [](float gv, float bv) { return gv / bv; }), a.shape()));
        }
        if (b.requires_grad()) {
            const Array ga = zip(g, a.value(), [](float gv, float av) { return gv * av; });  // g * a
            b.add_grad(sum_to(zip(ga, b.value(), [](float gav, float bv) { return -gav / (bv * bv); }), b.shape()));
        }
        // END TASK 1
    });
}

// neg: out = -x                dx = -g
Tensor neg(const Tensor& x) {
    const auto minus = [](float v) { return -v; };
    Array out = map(x.value(), minus);
    return record("neg", std::move(out), {x}, [x, minus](const Array& g, const Array&) {
        x.add_grad(map(g, minus));
    });
}

// add_scalar: out = x + s      dx = g
Tensor add(const Tensor& x, float s) {
    Array out = map(x.value(), [s](float v) { return v + s; });
    return record("add_scalar", std::move(out), {x}, [x](const Array& g, const Array&) { x.add_grad(g); });
}

// mul_scalar: out = x * s      dx = g * s
Tensor mul(const Tensor& x, float s) {
    const auto times_s = [s](float v) { return v * s; };
    Array out = map(x.value(), times_s);
    return record("mul_scalar", std::move(out), {x}, [x, times_s](const Array& g, const Array&) {
        x.add_grad(map(g, times_s));
    });
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
    return record("exp", std::move(out), {x}, [x](const Array& g, const Array& y) {
        // TASK 1: dx = g * y: the output y = e^x is its own derivative
        x.add_grad(g * y);
        // END TASK 1
    });
}

// log: y = ln x                dx = g / x
Tensor log(const Tensor& x) {
    Array out = xt::log(x.value());
    return record("log", std::move(out), {x}, [x](const Array& g, const Array&) {
        // TASK 1: dx = g / x
        x.add_grad(g / x.value());
        // END TASK 1
    });
}

// sqrt: y = √x                 dx = g / (2y)         (saves y)
Tensor sqrt(const Tensor& x) {
    Array out = map(x.value(), [](float v) { return std::sqrt(v); });
    return record("sqrt", std::move(out), {x}, [x](const Array& g, const Array& y) {
        x.add_grad(zip(g, y, [](float gv, float yv) { return gv / (2.0f * yv); }));
    });
}

// pow: y = x^p                 dx = g * p * x^(p-1)
Tensor pow(const Tensor& x, float p) {
    Array out = xt::pow(x.value(), p);
    return record("pow", std::move(out), {x}, [x, p](const Array& g, const Array&) {
        // TASK 1: dx = g * p * x^(p-1)
        x.add_grad(g * p * xt::pow(x.value(), p - 1.0f));
        // END TASK 1
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
    Array out = map(x.value(), [](float v) { return v > 0.0f ? v : 0.0f; });
    return record("relu", std::move(out), {x}, [x](const Array& g, const Array&) {
        x.add_grad(zip(g, x.value(), [](float gv, float v) { return v > 0.0f ? gv : 0.0f; }));
    });
}

// leaky_relu: y = x if x > 0 else slope * x      dx = g if x > 0 else slope * g
Tensor leaky_relu(const Tensor& x, float slope) {
    Array out = map(x.value(), [slope](float v) { return v > 0.0f ? v : slope * v; });
    return record("leaky_relu", std::move(out), {x}, [x, slope](const Array& g, const Array&) {
        x.add_grad(zip(g, x.value(), [slope](float gv, float v) { return v > 0.0f ? gv : slope * gv; }));
    });
}

// sigmoid: y = 1 / (1 + e^-x)  dx = g * y * (1 - y)  (saves y)
// kernels::sigmoid is the stable form: e^(-x) is never evaluated for x < 0, so it never overflows.
Tensor sigmoid(const Tensor& x) {
    Array out = map(x.value(), [](float v) { return kernels::sigmoid(v); });
    return record("sigmoid", std::move(out), {x}, [x](const Array& g, const Array& y) {
        // TASK 1: dx = g * y * (1 - y), from the saved output y (zip pairs g with y element by element)
        x.add_grad(zip(g, y, [](float gv, float yv) { return gv * yv * (1.0f - yv); }));
        // END TASK 1
    });
}

// tanh: y = tanh x             dx = g * (1 - y²)     (saves y)
// kernels::tanh: (e^2x - 1) / (e^2x + 1) in double, within 2 float ulps of std::tanh
// and about 3× faster (its comment gives the clamp at ±10 and the small-x branch).
Tensor tanh(const Tensor& x) {
    Array out = map(x.value(), [](float v) { return kernels::tanh(v); });
    return record("tanh", std::move(out), {x}, [x](const Array& g, const Array& y) {
        // TASK 1: dx = g * (1 - y²), from the saved output y
        x.add_grad(zip(g, y, [](float gv, float yv) { return gv * (1.0f - yv * yv); }));
        // END TASK 1
    });
}

// where: out = a where c != 0, else b (all three broadcast)
//        da = sum_to(g where c != 0, a)    db = sum_to(g where c == 0, b)    c gets nothing
Tensor where(const Tensor& condition, const Tensor& a, const Tensor& b) {
    const Shape &cs = condition.shape(), &as = a.shape(), &bs = b.shape();
    try {
        broadcast_shape("where", broadcast_shape("where", cs, as), bs);
    } catch (const ShapeError&) {
        throw ShapeError("where: condition " + shape_str(cs) + ", a " + shape_str(as) + " and b " + shape_str(bs) +
                         " cannot be broadcast together");
    }
    Array out = xt::where(xt::not_equal(condition.value(), 0.0f), a.value(), b.value());
    // The condition is not an input of the entry: it is a mask, read again in the backward.
    return record("where", std::move(out), {a, b}, [condition, a, b](const Array& g, const Array&) {
        const auto mask = xt::not_equal(condition.value(), 0.0f);
        if (a.requires_grad()) a.add_grad(sum_to(xt::where(mask, g, 0.0f), a.shape()));
        if (b.requires_grad()) b.add_grad(sum_to(xt::where(mask, 0.0f, g), b.shape()));
    });
}

namespace {

// minimum and maximum: out = u if u beats v (beats is < or >), else v; a NaN on
// either side is passed on.
template <class Beats>
Array pick(const Array& a, const Array& b, Beats beats) {
    return zip(a, b, [beats](float u, float v) { return beats(u, v) || std::isnan(u) ? u : v; });
}

// Their backward: each side gets g times its share, 1 where it wins, 1/2 at a tie
// (u == v) and 0 where it loses or a NaN is involved; then sum_to its shape.
template <class Beats>
BackwardFn pick_backward(const Tensor& a, const Tensor& b, Beats beats) {
    return [a, b, beats](const Array& g, const Array&) {
        const auto share = [beats](float u, float v) { return beats(u, v) ? 1.0f : (u == v ? 0.5f : 0.0f); };
        const auto times = [](float gv, float w) { return gv * w; };
        if (a.requires_grad()) a.add_grad(sum_to(zip(g, zip(a.value(), b.value(), share), times), a.shape()));
        if (b.requires_grad()) b.add_grad(sum_to(zip(g, zip(b.value(), a.value(), share), times), b.shape()));
    };
}

}  // namespace

// minimum: out = min(a, b)    da = sum_to(g ⊙ ([a < b] + ½[a = b]), a)    db = sum_to(g ⊙ ([b < a] + ½[a = b]), b)
Tensor minimum(const Tensor& a, const Tensor& b) {
    broadcast_shape("minimum", a.shape(), b.shape());
    const auto less = [](float u, float v) { return u < v; };
    return record("minimum", pick(a.value(), b.value(), less), {a, b}, pick_backward(a, b, less));
}

// maximum: out = max(a, b)    da = sum_to(g ⊙ ([a > b] + ½[a = b]), a)    db = sum_to(g ⊙ ([b > a] + ½[a = b]), b)
Tensor maximum(const Tensor& a, const Tensor& b) {
    broadcast_shape("maximum", a.shape(), b.shape());
    const auto greater = [](float u, float v) { return u > v; };
    return record("maximum", pick(a.value(), b.value(), greater), {a, b}, pick_backward(a, b, greater));
}

}  // namespace xgrad
