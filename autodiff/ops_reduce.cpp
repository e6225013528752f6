// ops_reduce.cpp — sum, mean and max, over all axes or along one axis, and argmax.
// Along an axis, x is seen as (outer, n, inner) (kernels::AxisSplit): outer =
// product of the axes before it, n = its length, inner = product of the axes
// after it. Element (o, k, i) sits at flat offset (o * n + k) * inner + i, and the
// reduced output element (o, i) at o * inner + i — the same with or without keepdims.
#include "ops_reduce.hpp"

#include <cmath>
#include <utility>
#include <vector>

#include <xtensor/xbuilder.hpp>

#include "kernels.hpp"
#include "tape.hpp"

namespace xgrad {

namespace {

using kernels::AxisSplit;

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
    const AxisSplit s(x.shape(), axis);
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
    // TASK 4: copy scale * g[o, i] to every k of x's shape seen as (outer, n, inner) (AxisSplit, offsets above)
    const AxisSplit s(x_shape, axis);
    Array dx = Array::from_shape(x_shape);
    const float* gs = g.data();
    float* ds = dx.data();
    for (std::size_t o = 0; o < s.outer; ++o)
        for (std::size_t k = 0; k < s.n; ++k) {
            float* dst = ds + (o * s.n + k) * s.inner;
            for (std::size_t i = 0; i < s.inner; ++i) dst[i] = scale * gs[o * s.inner + i];
        }
    return dx;
    // END TASK 4
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
        // TASK 4: every element of x gets the one number g() (Array::from_shape, then fill)
        Array dx = Array::from_shape(x.shape());
        dx.fill(g());
        x.add_grad(std::move(dx));
        // END TASK 4
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
        // TASK 4: every element of x gets g() / count
        Array dx = Array::from_shape(x.shape());
        dx.fill(g() / count);
        x.add_grad(std::move(dx));
        // END TASK 4
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

// For every row (o, i) of x seen as (outer, n, inner): the first k at which
// x[o, k, i] is maximal, a NaN counting as maximal (so it is never hidden).
// Shared by max (which also keeps the value) and argmax.
static Indices first_max_along(const char* op, const Tensor& x, std::ptrdiff_t axis, const AxisSplit& s) {
    if (s.n == 0)
        throw ShapeError(std::string(op) + ": axis " + std::to_string(axis) + " of shape " + shape_str(x.shape()) +
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

// max_axis: y[o, i] = max_k x[o, k, i] = x[o, k*, i]    dx[o, k*, i] = g[o, i], 0 elsewhere
// k* is argmax's choice: the first maximal k (a NaN counts as maximal, so it is
// never hidden); forward saves k* for every (o, i).
Tensor max(const Tensor& x, std::ptrdiff_t axis, bool keepdims) {
    const std::size_t ax = normalize_axis("max", axis, x.shape());
    const AxisSplit s(x.shape(), ax);
    Indices argmax = first_max_along("max", x, axis, s);
    Array out = Array::from_shape(reduced_shape(x.shape(), ax, keepdims));
    const float* xs = x.value().data();
    float* ys = out.data();
    for (std::size_t o = 0; o < s.outer; ++o)
        for (std::size_t i = 0; i < s.inner; ++i) {
            const std::size_t j = o * s.inner + i;  // the output element
            ys[j] = xs[(o * s.n + argmax[j]) * s.inner + i];
        }
    return record("max_axis", std::move(out), {x},
                  [x, s, argmax = std::move(argmax)](const Array& g, const Array&) {
                      // TASK 4: g[o, i] goes to the saved maximal k, argmax[o·inner + i]; every other element gets 0
                      Array dx = xt::zeros<float>(x.shape());
                      const float* gs = g.data();
                      float* ds = dx.data();
                      for (std::size_t o = 0; o < s.outer; ++o)
                          for (std::size_t i = 0; i < s.inner; ++i) {
                              const std::size_t j = o * s.inner + i;  // the output element
                              ds[(o * s.n + argmax[j]) * s.inner + i] = gs[j];
                          }
                      x.add_grad(std::move(dx));
                      // END TASK 4
                  });
}

// argmax: out[o·inner + i] = k*, the first k with x[o, k, i] maximal    not differentiable
Indices argmax(const Tensor& x, std::ptrdiff_t axis) {
    const std::size_t ax = normalize_axis("argmax", axis, x.shape());
    return first_max_along("argmax", x, axis, AxisSplit(x.shape(), ax));
}

}  // namespace xgrad
