// kernels.hpp — the internal loops the ops are written on: plain functions over
// raw arrays, with no tape and no Tensor. An op's .cpp says what to compute and
// how its gradient flows; the loop that does the work lives here, once, so every
// op that needs it shares the same (tested, fast) version.
// Not part of the public API: include it from ops' .cpp files only.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>

#include <xtensor/xvectorize.hpp>

#include "shape.hpp"

namespace xgrad::kernels {

// ---- Elementwise: map and zip -----------------------------------------------

// out = f(x) elementwise, one loop over .data().
template <class F>
Array map(const Array& x, F f) {
    Array out = Array::from_shape(x.shape());
    const float* xs = x.data();
    float* ys = out.data();
    for (std::size_t i = 0; i < out.size(); ++i) ys[i] = f(xs[i]);
    return out;
}

// Is `row` the trailing axes of `full` (leading 1s aside), so that broadcasting
// repeats it over full's leading axes? (C,) and (1, C) are rows of (N, C).
bool is_row_of(const Shape& row, const Shape& full);

// out = f(a, b) elementwise, with NumPy broadcasting. The cases training runs all
// the time get a plain loop over .data(): equal shapes, and an (N, C) array with a
// (C,) row on either side (a bias, a batch-norm statistic): out[n, j] = f(a[n, j], b[j]).
// Any other broadcast goes through xtensor's general (slower) machinery.
// The caller checks that the shapes broadcast (broadcast_shape) first.
template <class F>
Array zip(const Array& a, const Array& b, F f) {
    const float* as = a.data();
    const float* bs = b.data();
    if (a.shape() == b.shape()) {
        Array out = Array::from_shape(a.shape());
        float* ys = out.data();
        for (std::size_t i = 0; i < out.size(); ++i) ys[i] = f(as[i], bs[i]);
        return out;
    }
    if (b.size() > 0 && a.dimension() >= b.dimension() && is_row_of(b.shape(), a.shape())) {
        Array out = Array::from_shape(a.shape());
        float* ys = out.data();
        const std::size_t C = b.size();
        for (std::size_t r = 0; r < out.size(); r += C)
            for (std::size_t j = 0; j < C; ++j) ys[r + j] = f(as[r + j], bs[j]);
        return out;
    }
    if (a.size() > 0 && b.dimension() >= a.dimension() && is_row_of(a.shape(), b.shape())) {
        Array out = Array::from_shape(b.shape());
        float* ys = out.data();
        const std::size_t C = a.size();
        for (std::size_t r = 0; r < out.size(); r += C)
            for (std::size_t j = 0; j < C; ++j) ys[r + j] = f(as[j], bs[r + j]);
        return out;
    }
    return xt::vectorize(f)(a, b);
}

// ---- Scalar functions shared by several ops ----------------------------------

// sigmoid(x) = 1 / (1 + e^-x), in a stable form: for x < 0 it is computed as
// e^x / (1 + e^x), so e^(-x) is only evaluated for x >= 0 and never overflows.
inline float sigmoid(float x) {
    if (x >= 0.0f) return 1.0f / (1.0f + std::exp(-x));
    const float e = std::exp(x);
    return e / (1.0f + e);
}

// tanh(x), computed as (e^2x - 1) / (e^2x + 1) in double: within 2 float ulps of
// std::tanh and about 3× faster (glibc's tanhf goes through a slow expm1f).
// x is clamped to ±10, where tanh already rounds to ±1 in float (so e^2x cannot
// overflow); below |x| = 1e-4, tanh x = x to float precision (the x³/3 term is
// under half an ulp), and returning x avoids the cancellation in e^2x - 1.
// NaN stays NaN (it fails |x| < 1e-4 and std::clamp passes it through).
inline float tanh(float x) {
    if (std::abs(x) < 1e-4f) return x;
    const double e = std::exp(2.0 * static_cast<double>(std::clamp(x, -10.0f, 10.0f)));
    return static_cast<float>((e - 1.0) / (e + 1.0));
}

// ---- Along one axis: the outer × n × inner split -------------------------------

// A row-major array seen around one axis as (outer, n, inner): outer = product of
// the axes before it, n = its length, inner = product of the axes after it.
// Element (o, k, i) sits at flat offset (o·n + k)·inner + i. A "row" is the n
// elements of one (o, i), `inner` apart in memory (contiguous when the axis is
// the last one). Reductions, softmax and concat are all written on this view.
struct AxisSplit {
    std::size_t outer = 1, n = 1, inner = 1;

    AxisSplit(const Shape& shape, std::size_t axis);  // axis < shape.size() (normalize_axis first)

    // Calls f(offset of the row's first element) for every row (o, i), in row-major order.
    template <class F>
    void for_each_row(F&& f) const {
        for (std::size_t o = 0; o < outer; ++o)
            for (std::size_t i = 0; i < inner; ++i) f(o * n * inner + i);
    }
};

// ---- Matrix products (OpenBLAS cblas_sgemm) ----------------------------------

// C (m, n) = op(A) (m, k) · op(B) (k, n), all row-major and contiguous; op(A) = Aᵀ
// when trans_a (A is then stored as (k, m)), likewise for B. C is overwritten, or
// with accumulate the product is added to what C holds (sgemm's beta = 1).
// Throws std::invalid_argument when a dimension does not fit BLAS's 32-bit int.
void gemm(bool trans_a, bool trans_b, std::size_t m, std::size_t n, std::size_t k, const float* A, const float* B,
          float* C, bool accumulate = false);

// ---- Sliding windows: im2col and col2im (convolution, pooling) ----------------

// Where a 2-D window slides over one image (C, H, W): the window is kernel
// (kh, kw) taps spaced dilation apart, it moves by stride, and the image is
// thought of as surrounded by `padding` zeros on each side. Output size per axis:
//   out = (in + 2·padding − dilation·(kernel − 1) − 1) / stride + 1   (rounded down)
// The ops check that the (padded) image is at least one window large before
// building one of these.
struct Window2d {
    std::size_t channels = 0, height = 0, width = 0;
    Size2 kernel = 1, stride = 1, padding = 0, dilation = 1;

    std::size_t out_h() const { return (height + 2 * padding.h - dilation.h * (kernel.h - 1) - 1) / stride.h + 1; }
    std::size_t out_w() const { return (width + 2 * padding.w - dilation.w * (kernel.w - 1) - 1) / stride.w + 1; }
    // Rows and columns of the column matrix: one row per (channel, tap), one column per output position.
    std::size_t col_rows() const { return channels * kernel.h * kernel.w; }
    std::size_t col_cols() const { return out_h() * out_w(); }
};

// im2col: lay every window of one image x (C, H, W) out as a column, so that a
// convolution becomes one matrix product. cols is (C·kh·kw, OH·OW), row-major:
//   cols[(c·kh + i)·kw + j, oh·OW + ow] = x[c, oh·sh − ph + i·dh, ow·sw − pw + j·dw]
// or 0 where that position falls in the padding. Overwrites cols.
void im2col(const float* x, const Window2d& win, float* cols);

// col2im: the adjoint of im2col (its backward). Each entry of cols is added back
// into the pixel of x it was copied from; padding positions are dropped. A pixel
// that sits in several windows receives the sum. Adds into x (does not clear it).
void col2im(const float* cols, const Window2d& win, float* x);

// The same two, into or out of a wider matrix whose rows are ld floats apart
// (ld ≥ OH·OW): row r of this image's columns is cols[r·ld, r·ld + OH·OW). conv2d
// uses them to put several images' columns side by side, (C·kh·kw, G·OH·OW), and
// multiply them all in one sgemm. im2col and col2im are these with ld = OH·OW.
void im2col_strided(const float* x, const Window2d& win, float* cols, std::size_t ld);
void col2im_strided(const float* cols, const Window2d& win, float* x, std::size_t ld);

// col2im of an outer product, x += col2im(a · bᵀ) for a (C·kh·kw) and b (OH·OW), without
// building the (C·kh·kw, OH·OW) matrix: each entry a[r]·b[p] is computed where col2im
// would read it. conv2d's input gradient for a layer with one output channel is
// col2im(Wᵀ · g_n), and with one channel Wᵀ · g_n is such a product (each entry a sum
// of one term), so this adds the very floats col2im of sgemm's matrix would, without
// writing and reading back a matrix 9 times the image's size (3×3 kernel). (The
// product is rounded before the add: the build does not fuse them into an FMA.)
void col2im_outer(const float* a, const float* b, const Window2d& win, float* x);

}  // namespace xgrad::kernels
