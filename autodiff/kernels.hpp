// kernels.hpp — the internal loops the ops are written on: plain functions over
// raw arrays, with no tape and no Tensor. An op's .cpp says what to compute and
// how its gradient flows; the loop that does the work lives here, once, so every
// op that needs it shares the same (tested, fast) version.
// Not part of the public API: include it from ops' .cpp files only.
#pragma once

#include <cstddef>

#include "shape.hpp"

namespace xgrad::kernels {

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

}  // namespace xgrad::kernels
