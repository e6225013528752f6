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
// and column iw = ow·sw + off, off = j·dw − pw. Signed arithmetic, because padding
// makes the first positions negative. Row r starts at cols + r·ld.

namespace {

// The output columns [first, last) whose input column iw = ow·stride + off falls
// inside the image [0, W); the others look into the padding. Knowing them before
// the loop leaves the loop without a test per element, and with stride 1 (3×3
// convolutions) makes it a plain copy or add of contiguous floats, which the
// compiler vectorises.
struct Inside {
    std::size_t first, last;
};
Inside inside(std::ptrdiff_t off, std::size_t stride, std::size_t W, std::size_t OW) {
    const auto s = static_cast<std::ptrdiff_t>(stride);
    const auto ceil_div = [s](std::ptrdiff_t a) { return a <= 0 ? std::ptrdiff_t{0} : (a + s - 1) / s; };
    const std::ptrdiff_t first = ceil_div(-off);                           // iw ≥ 0
    const std::ptrdiff_t last = ceil_div(static_cast<std::ptrdiff_t>(W) - off);  // iw < W
    const auto clamp = [OW](std::ptrdiff_t v) { return std::min(static_cast<std::size_t>(v), OW); };
    return {clamp(first), std::max(clamp(first), clamp(last))};
}

// One row of cols when the window moves by 1 both ways and the output rows are as long
// as the image's (a "same" convolution: 3×3, stride 1, padding 1). Then output
// position q = oh·OW + ow reads pixel q + shift of the plane, shift = ih_off·W + off,
// for every position inside the image: those are one block of consecutive pixels,
// copied at once. The copy also fills the positions whose column falls off the
// left or right edge (with the neighbouring row's pixels); they are zeroed after.
void im2col_same_rows(const float* plane, std::size_t H, std::size_t W, std::ptrdiff_t ih_off, std::ptrdiff_t off,
                      float* out) {
    const std::size_t n = H * W;                        // positions: OH·OW = H·W
    const Inside rows_in = inside(ih_off, 1, H, H);     // output rows whose input row is inside
    const Inside cols_in = inside(off, 1, W, W);
    if (rows_in.first == rows_in.last || cols_in.first == cols_in.last) {
        std::fill(out, out + n, 0.0f);
        return;
    }
    const std::size_t begin = rows_in.first * W + cols_in.first, end = (rows_in.last - 1) * W + cols_in.last;
    const std::ptrdiff_t shift = ih_off * static_cast<std::ptrdiff_t>(W) + off;
    std::fill(out, out + begin, 0.0f);
    std::copy(plane + (static_cast<std::ptrdiff_t>(begin) + shift), plane + (static_cast<std::ptrdiff_t>(end) + shift),
              out + begin);
    std::fill(out + end, out + n, 0.0f);
    // The columns off the edges, a column at a time (a row at a time would be a
    // memset call for one or two floats, thousands of times per image).
    for (std::size_t ow = 0; ow < cols_in.first; ++ow)
        for (std::size_t oh = rows_in.first; oh < rows_in.last; ++oh) out[oh * W + ow] = 0.0f;
    for (std::size_t ow = cols_in.last; ow < W; ++ow)
        for (std::size_t oh = rows_in.first; oh < rows_in.last; ++oh) out[oh * W + ow] = 0.0f;
}

}  // namespace

void im2col_strided(const float* x, const Window2d& win, float* cols, std::size_t ld) {
    const auto H = static_cast<std::ptrdiff_t>(win.height);
    const std::size_t W = win.width, OH = win.out_h(), OW = win.out_w(), sw = win.stride.w;
    const bool same_rows = win.stride.h == 1 && sw == 1 && OH == win.height && OW == W;
    std::size_t r = 0;  // the row of cols: (c·kh + i)·kw + j
    for (std::size_t c = 0; c < win.channels; ++c) {
        const float* plane = x + c * win.height * W;
        for (std::size_t i = 0; i < win.kernel.h; ++i) {
            for (std::size_t j = 0; j < win.kernel.w; ++j, ++r) {
                const auto off = static_cast<std::ptrdiff_t>(j * win.dilation.w) -
                                 static_cast<std::ptrdiff_t>(win.padding.w);
                float* out = cols + r * ld;
                if (same_rows) {
                    const auto ih_off = static_cast<std::ptrdiff_t>(i * win.dilation.h) -
                                        static_cast<std::ptrdiff_t>(win.padding.h);
                    im2col_same_rows(plane, win.height, W, ih_off, off, out);
                    continue;
                }
                // Zeros first, all at once, for every position that looks into the padding;
                // then the positions inside the image, a row of the output at a time.
                std::fill(out, out + OH * OW, 0.0f);
                const Inside cols_in = inside(off, sw, W, OW);
                for (std::size_t oh = 0; oh < OH; ++oh, out += OW) {
                    const auto ih = static_cast<std::ptrdiff_t>(oh * win.stride.h + i * win.dilation.h) -
                                    static_cast<std::ptrdiff_t>(win.padding.h);
                    if (ih < 0 || ih >= H) continue;  // the whole output row looks into padding
                    const float* row = plane + static_cast<std::size_t>(ih) * W;
                    for (std::size_t ow = cols_in.first; ow < cols_in.last; ++ow)
                        out[ow] = row[static_cast<std::ptrdiff_t>(ow * sw) + off];
                }
            }
        }
    }
}

namespace {

// col2im's walk, shared by col2im_strided and col2im_outer: for each row r = (c, i, j)
// of the column matrix and each output position p = oh·OW + ow whose tap falls inside
// the image, the pixel (c, ih, iw) it came from gets += entry(p), where entry = row(r)
// gives row r's entries. (row(r) hands back a small function rather than a pointer so
// that col2im_outer can make its entries, a[r]·b[p], instead of reading them.)
template <class Row>
void add_columns(const Window2d& win, float* x, Row row) {
    // TASK 11: im2col's adjoint: walk the rows (c, i, j) and positions (oh, ow) as im2col does, adding each entry into the pixel it came from (skip padding)
    const auto H = static_cast<std::ptrdiff_t>(win.height);
    const std::size_t W = win.width, OH = win.out_h(), OW = win.out_w(), sw = win.stride.w;
    std::size_t r = 0;
    for (std::size_t c = 0; c < win.channels; ++c) {
        float* plane = x + c * win.height * W;
        for (std::size_t i = 0; i < win.kernel.h; ++i) {
            for (std::size_t j = 0; j < win.kernel.w; ++j, ++r) {
                const auto off = static_cast<std::ptrdiff_t>(j * win.dilation.w) -
                                 static_cast<std::ptrdiff_t>(win.padding.w);
                const Inside cols_in = inside(off, sw, W, OW);
                const auto entry = row(r);
                for (std::size_t oh = 0, p = 0; oh < OH; ++oh, p += OW) {  // p: output row oh's first position
                    const auto ih = static_cast<std::ptrdiff_t>(oh * win.stride.h + i * win.dilation.h) -
                                    static_cast<std::ptrdiff_t>(win.padding.h);
                    if (ih < 0 || ih >= H) continue;  // the whole row fell into padding
                    float* pixels = plane + static_cast<std::size_t>(ih) * W;
                    if (sw == 1 && cols_in.first < cols_in.last) {  // contiguous: one add the compiler vectorises
                        float* dst = pixels + (static_cast<std::ptrdiff_t>(cols_in.first) + off);
                        const std::size_t p0 = p + cols_in.first;
                        for (std::size_t k = 0; k < cols_in.last - cols_in.first; ++k) dst[k] += entry(p0 + k);
                    } else {
                        for (std::size_t ow = cols_in.first; ow < cols_in.last; ++ow)
                            pixels[static_cast<std::ptrdiff_t>(ow * sw) + off] += entry(p + ow);
                    }
                }
            }
        }
    }
    // END TASK 11
}

}  // namespace

void col2im_strided(const float* cols, const Window2d& win, float* x, std::size_t ld) {
    add_columns(win, x, [cols, ld](std::size_t r) {
        const float* in = cols + r * ld;  // row r of the column matrix
        return [in](std::size_t p) { return in[p]; };
    });
}

// The entries of row r are a[r]·b[p], made where col2im_strided reads the matrix.
void col2im_outer(const float* a, const float* b, const Window2d& win, float* x) {
    add_columns(win, x, [a, b](std::size_t r) {
        const float ar = a[r];
        return [ar, b](std::size_t p) { return ar * b[p]; };
    });
}

// Plain im2col and col2im: one image's rows back to back, ld = OH·OW.
void im2col(const float* x, const Window2d& win, float* cols) { im2col_strided(x, win, cols, win.col_cols()); }

void col2im(const float* cols, const Window2d& win, float* x) { col2im_strided(cols, win, x, win.col_cols()); }

}  // namespace xgrad::kernels
