// ops_reduce.cpp — sum, mean and max, over all axes or along one axis, and argmax.
// Along an axis, x is seen as (outer, n, inner): outer = product of the axes
// before it, n = its length, inner = product of the axes after it. Element
// (o, k, i) sits at flat offset (o * n + k) * inner + i, and the reduced output
// element (o, i) at o * inner + i — the same with or without keepdims.
#include "ops_reduce.hpp"

#include <cmath>
#include <utility>
#include <vector>

#include <xtensor/xbuilder.hpp>

#include "tape.hpp"

namespace xgrad {

namespace {

struct AxisSplit {
    std::size_t outer = 1, n = 1, inner = 1;
};

AxisSplit split_at(const Shape& shape, std::size_t axis) {
    AxisSplit s;
    for (std::size_t k = 0; k < axis; ++k) s.outer *= shape[k];
    s.n = shape[axis];
    for (std::size_t k = axis + 1; k < shape.size(); ++k) s.inner *= shape[k];
    return s;
}

// x's shape with `axis` removed, or kept with length 1.
Shape reduced_shape(const Shape& shape, std::size_t axis, bool keepdims) {
    Shape out = shape;
    if (keepdims) {
        out[axis] = 1;
    } else {
        out.erase(out.begin() + static_cast<std::ptrdiff_t>(axis));
    }
    return out;
}

// out[o, i] = scale * Σ_k x[o, k, i]
Array sum_along(const Array& x, std::size_t axis, bool keepdims, float scale) {
    const AxisSplit s = split_at(x.shape(), axis);
    Array out = Array::from_shape(reduced_shape(x.shape(), axis, keepdims));
    const float* xs = x.data();
    float* ys = out.data();
    for (std::size_t o = 0; o < s.outer; ++o) {
        const float* src = xs + o * s.n * s.inner;
        float* dst = ys + o * s.inner;
        if (s.inner == 1) {  // reducing the last axis: a running sum of one row
            float acc = 0.0f;
            for (std::size_t k = 0; k < s.n; ++k) acc += src[k];
            dst[0] = acc * scale;
        } else {  // add the n rows of length inner, one after another (vectorises)
            for (std::size_t i = 0; i < s.inner; ++i) dst[i] = 0.0f;
            for (std::size_t k = 0; k < s.n; ++k)
                for (std::size_t i = 0; i < s.inner; ++i) dst[i] += src[k * s.inner + i];
            for (std::size_t i = 0; i < s.inner; ++i) dst[i] *= scale;
        }
    }
    return out;
}

// The backward of sum_along: dx[o, k, i] = scale * g[o, i] for every k.
Array spread_along(const Array& g, const Shape& x_shape, std::size_t axis, float scale) {
    const AxisSplit s = split_at(x_shape, axis);
    Array dx = Array::from_shape(x_shape);
    const float* gs = g.data();
    float* ds = dx.data();
    for (std::size_t o = 0; o < s.outer; ++o)
        for (std::size_t k = 0; k < s.n; ++k) {
            float* dst = ds + (o * s.n + k) * s.inner;
            for (std::size_t i = 0; i < s.inner; ++i) dst[i] = scale * gs[o * s.inner + i];
        }
    return dx;
}

// Σ of every element, accumulated in double so long sums keep float precision.
float sum_all(const Array& x) {
    double acc = 0.0;
    const float* xs = x.data();
    for (std::size_t j = 0; j < x.size(); ++j) acc += xs[j];
    return static_cast<float>(acc);
}

}  // namespace

// sum: y = Σ_j x_j                        dx = g (every element)
Tensor sum(const Tensor& x) {
    Array out(sum_all(x.value()));
    return record("sum", std::move(out), {x}, [x](const Array& g, const Array&) {
        Array dx = Array::from_shape(x.shape());
        dx.fill(g());
        x.add_grad(std::move(dx));
    });
}

// sum_axis: y[o, i] = Σ_k x[o, k, i]     dx[o, k, i] = g[o, i]
Tensor sum(const Tensor& x, std::ptrdiff_t axis, bool keepdims) {
    const std::size_t ax = normalize_axis("sum", axis, x.shape());
    Array out = sum_along(x.value(), ax, keepdims, 1.0f);
    return record("sum_axis", std::move(out), {x}, [x, ax](const Array& g, const Array&) {
        x.add_grad(spread_along(g, x.shape(), ax, 1.0f));
    });
}

// mean: y = Σ_j x_j / size                dx = g / size (every element)
Tensor mean(const Tensor& x) {
    const float count = static_cast<float>(x.size());
    Array out(sum_all(x.value()) / count);
    return record("mean", std::move(out), {x}, [x, count](const Array& g, const Array&) {
        Array dx = Array::from_shape(x.shape());
        dx.fill(g() / count);
        x.add_grad(std::move(dx));
    });
}

// mean_axis: y[o, i] = Σ_k x[o, k, i] / n    dx[o, k, i] = g[o, i] / n
Tensor mean(const Tensor& x, std::ptrdiff_t axis, bool keepdims) {
    const std::size_t ax = normalize_axis("mean", axis, x.shape());
    const float scale = 1.0f / static_cast<float>(x.shape()[ax]);
    Array out = sum_along(x.value(), ax, keepdims, scale);
    return record("mean_axis", std::move(out), {x}, [x, ax, scale](const Array& g, const Array&) {
        x.add_grad(spread_along(g, x.shape(), ax, scale));
    });
}

// max_axis: y[o, i] = max_k x[o, k, i] = x[o, k*, i]    dx[o, k*, i] = g[o, i], 0 elsewhere
// k* is the first maximal k (a NaN counts as maximal, so it is never hidden);
// forward saves k* for every (o, i).
Tensor max(const Tensor& x, std::ptrdiff_t axis, bool keepdims) {
    const std::size_t ax = normalize_axis("max", axis, x.shape());
    const AxisSplit s = split_at(x.shape(), ax);
    if (s.n == 0)
        throw ShapeError("max: axis " + std::to_string(axis) + " of shape " + shape_str(x.shape()) +
                         " is empty; a maximum needs at least one element");
    Array out = Array::from_shape(reduced_shape(x.shape(), ax, keepdims));
    std::vector<std::size_t> argmax(s.outer * s.inner);
    const float* xs = x.value().data();
    float* ys = out.data();
    for (std::size_t o = 0; o < s.outer; ++o)
        for (std::size_t i = 0; i < s.inner; ++i) {
            const float* src = xs + o * s.n * s.inner + i;  // x[o, k, i] = src[k * inner]
            float best = src[0];
            std::size_t best_k = 0;
            for (std::size_t k = 1; k < s.n; ++k) {
                const float v = src[k * s.inner];
                if (v > best || (std::isnan(v) && !std::isnan(best))) {
                    best = v;
                    best_k = k;
                }
            }
            ys[o * s.inner + i] = best;
            argmax[o * s.inner + i] = best_k;
        }
    return record("max_axis", std::move(out), {x},
                  [x, s, argmax = std::move(argmax)](const Array& g, const Array&) {
                      Array dx = xt::zeros<float>(x.shape());
                      const float* gs = g.data();
                      float* ds = dx.data();
                      for (std::size_t o = 0; o < s.outer; ++o)
                          for (std::size_t i = 0; i < s.inner; ++i) {
                              const std::size_t j = o * s.inner + i;  // the output element
                              ds[(o * s.n + argmax[j]) * s.inner + i] = gs[j];
                          }
                      x.add_grad(std::move(dx));
                  });
}

// argmax: out[o·inner + i] = k*, the first k with x[o, k, i] maximal    not differentiable
Indices argmax(const Tensor& x, std::ptrdiff_t axis) {
    const std::size_t ax = normalize_axis("argmax", axis, x.shape());
    const AxisSplit s = split_at(x.shape(), ax);
    if (s.n == 0)
        throw ShapeError("argmax: axis " + std::to_string(axis) + " of shape " + shape_str(x.shape()) +
                         " is empty; a maximum needs at least one element");
    Indices out(s.outer * s.inner);
    const float* xs = x.value().data();
    for (std::size_t o = 0; o < s.outer; ++o)
        for (std::size_t i = 0; i < s.inner; ++i) {
            const float* src = xs + o * s.n * s.inner + i;  // x[o, k, i] = src[k * inner]
            std::size_t best = 0;
            for (std::size_t k = 1; k < s.n; ++k) {
                const float v = src[k * s.inner], b = src[best * s.inner];
                if (v > b || (std::isnan(v) && !std::isnan(b))) best = k;
            }
            out[o * s.inner + i] = best;
        }
    return out;
}

}  // namespace xgrad
