// kernels.cpp — the shared loops of kernels.hpp.
#include "kernels.hpp"

#include <cblas.h>

#include <algorithm>
#include <climits>
#include <stdexcept>
#include <string>

namespace xgrad::kernels {

// ---- Elementwise ----------------------------------------------------------------

bool is_row_of(const Shape& row, const Shape& full) {
    std::size_t lead = 0;  // skip row's leading 1s
    while (lead < row.size() && row[lead] == 1) ++lead;
    const std::size_t k = row.size() - lead;
    if (k > full.size()) return false;
    for (std::size_t i = 0; i < k; ++i)
        if (row[lead + i] != full[full.size() - k + i]) return false;
    return true;
}

// ---- Along one axis -------------------------------------------------------------

AxisSplit::AxisSplit(const Shape& shape, std::size_t axis) {
    for (std::size_t d = 0; d < axis; ++d) outer *= shape[d];
    n = shape[axis];
    for (std::size_t d = axis + 1; d < shape.size(); ++d) inner *= shape[d];
}

// ---- Matrix products ----------------------------------------------------------

namespace {

// A dimension as the int sgemm takes.
blasint blas_dim(std::size_t d) {
    if (d > static_cast<std::size_t>(INT_MAX))
        throw std::invalid_argument("matmul: dimension " + std::to_string(d) +
                                    " is too large for BLAS (32-bit indices)");
    return static_cast<blasint>(d);
}

}  // namespace

void gemm(bool trans_a, bool trans_b, std::size_t m, std::size_t n, std::size_t k, const float* A, const float* B,
          float* C, bool accumulate) {
    if (m == 0 || n == 0) return;
    if (k == 0) {  // an empty sum: C = 0, or C unchanged (sgemm rejects a leading dimension of 0)
        if (!accumulate) std::fill(C, C + m * n, 0.0f);
        return;
    }
    const blasint lda = blas_dim(trans_a ? m : k);  // row length of A as stored
    const blasint ldb = blas_dim(trans_b ? k : n);  // row length of B as stored
    cblas_sgemm(CblasRowMajor, trans_a ? CblasTrans : CblasNoTrans, trans_b ? CblasTrans : CblasNoTrans,
                blas_dim(m), blas_dim(n), blas_dim(k), 1.0f, A, lda, B, ldb, accumulate ? 1.0f : 0.0f, C,
                blas_dim(n));
}

// ---- Sliding windows ------------------------------------------------------------

// Both walk the column matrix row by row: row (c, i, j) is tap (i, j) of channel c,
// and along the row, output position (oh, ow) reads input row ih = oh·sh − ph + i·dh
// and column iw = ow·sw − pw + j·dw. Signed arithmetic, because padding makes the
// first positions negative. Row r starts at cols + r·ld.
void im2col_strided(const float* x, const Window2d& win, float* cols, std::size_t ld) {
    const auto H = static_cast<std::ptrdiff_t>(win.height), W = static_cast<std::ptrdiff_t>(win.width);
    const std::size_t OH = win.out_h(), OW = win.out_w();
    std::size_t r = 0;  // the row of cols: (c·kh + i)·kw + j
    for (std::size_t c = 0; c < win.channels; ++c) {
        const float* plane = x + c * win.height * win.width;
        for (std::size_t i = 0; i < win.kernel.h; ++i) {
            for (std::size_t j = 0; j < win.kernel.w; ++j, ++r) {
                float* out = cols + r * ld;
                for (std::size_t oh = 0; oh < OH; ++oh) {
                    const auto ih = static_cast<std::ptrdiff_t>(oh * win.stride.h + i * win.dilation.h) -
                                    static_cast<std::ptrdiff_t>(win.padding.h);
                    if (ih < 0 || ih >= H) {  // the whole output row looks into padding
                        std::fill(out, out + OW, 0.0f);
                        out += OW;
                        continue;
                    }
                    const float* row = plane + ih * W;
                    for (std::size_t ow = 0; ow < OW; ++ow) {
                        const auto iw = static_cast<std::ptrdiff_t>(ow * win.stride.w + j * win.dilation.w) -
                                        static_cast<std::ptrdiff_t>(win.padding.w);
                        *out++ = (iw >= 0 && iw < W) ? row[iw] : 0.0f;
                    }
                }
            }
        }
    }
}

void col2im_strided(const float* cols, const Window2d& win, float* x, std::size_t ld) {
    // TASK 11: im2col's adjoint: walk the rows (c, i, j) and positions (oh, ow) as im2col does, adding each entry into the pixel it came from (skip padding)
    const auto H = static_cast<std::ptrdiff_t>(win.height), W = static_cast<std::ptrdiff_t>(win.width);
    const std::size_t OH = win.out_h(), OW = win.out_w();
    std::size_t r = 0;
    for (std::size_t c = 0; c < win.channels; ++c) {
        float* plane = x + c * win.height * win.width;
        for (std::size_t i = 0; i < win.kernel.h; ++i) {
            for (std::size_t j = 0; j < win.kernel.w; ++j, ++r) {
                const float* in = cols + r * ld;
                for (std::size_t oh = 0; oh < OH; ++oh) {
                    const auto ih = static_cast<std::ptrdiff_t>(oh * win.stride.h + i * win.dilation.h) -
                                    static_cast<std::ptrdiff_t>(win.padding.h);
                    if (ih < 0 || ih >= H) {
                        in += OW;
                        continue;
                    }
                    float* row = plane + ih * W;
                    for (std::size_t ow = 0; ow < OW; ++ow, ++in) {
                        const auto iw = static_cast<std::ptrdiff_t>(ow * win.stride.w + j * win.dilation.w) -
                                        static_cast<std::ptrdiff_t>(win.padding.w);
                        if (iw >= 0 && iw < W) row[iw] += *in;
                    }
                }
            }
        }
    }
    // END TASK 11
}

// Plain im2col and col2im: one image's rows back to back, ld = OH·OW.
void im2col(const float* x, const Window2d& win, float* cols) { im2col_strided(x, win, cols, win.col_cols()); }

void col2im(const float* cols, const Window2d& win, float* x) { col2im_strided(cols, win, x, win.col_cols()); }

}  // namespace xgrad::kernels
