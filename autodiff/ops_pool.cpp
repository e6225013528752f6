// ops_pool.cpp — max and average pooling, and nearest-neighbour upsampling.
// x (N, C, H, W) is row-major, so it is N·C planes of H·W floats one after
// another: the ops treat it as one stack of planes, and a kernels::Window2d with
// channels = N·C describes where the window slides over every plane at once.
#include "ops_pool.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include <xtensor/xbuilder.hpp>

#include "kernels.hpp"
#include "tape.hpp"

namespace xgrad {

using kernels::Window2d;

namespace {

void check_4d(const char* op, const Tensor& x) {
    if (x.dim() != 4)
        throw ShapeError(std::string(op) + ": input " + shape_str(x.shape()) + " must be 4-D (N, C, H, W)");
}

// The checks PyTorch makes on a pooling's arguments, then the window over x's planes.
Window2d pool_window(const char* op, const Tensor& x, Size2 kernel, Size2 stride, Size2 padding) {
    const std::string name(op);
    check_4d(op, x);
    if (kernel.h == 0 || kernel.w == 0)
        throw std::invalid_argument(name + ": kernel " + size2_str(kernel) + " must be positive");
    if (stride.h == 0 || stride.w == 0)
        throw std::invalid_argument(name + ": stride " + size2_str(stride) + " must be positive");
    if (padding.h > kernel.h / 2 || padding.w > kernel.w / 2)
        throw std::invalid_argument(name + ": padding " + size2_str(padding) + " must be at most half of kernel " +
                                    size2_str(kernel));
    const Shape& s = x.shape();
    if (s[2] == 0 || s[3] == 0)
        throw ShapeError(name + ": input " + shape_str(s) + " has an empty image (H or W is 0)");
    if (s[2] + 2 * padding.h < kernel.h || s[3] + 2 * padding.w < kernel.w)
        throw ShapeError(name + ": kernel " + size2_str(kernel) + " does not fit input " + shape_str(s) +
                         " padded by " + size2_str(padding));
    Window2d win;
    win.channels = s[0] * s[1];
    win.height = s[2];
    win.width = s[3];
    win.kernel = kernel;
    win.stride = stride;
    win.padding = padding;
    return win;
}

// For every plane p and output position (oh, ow), in row-major order: the flat
// index into x of the window's largest element. Taps are visited in row-major
// window order and replace the best so far only when strictly larger, so a tie
// goes to the first; a NaN beats any number (the first NaN wins). Taps in the
// padding are skipped, which is what −∞ padding means: with padding ≤ kernel / 2
// every window holds at least one pixel of the image.
std::vector<std::size_t> window_argmax(const float* x, const Window2d& win) {
    using Index = std::ptrdiff_t;  // signed: with padding the first windows start above and left of the image
    const auto H = static_cast<Index>(win.height), W = static_cast<Index>(win.width);
    const auto kh = static_cast<Index>(win.kernel.h), kw = static_cast<Index>(win.kernel.w);
    const std::size_t OH = win.out_h(), OW = win.out_w();
    std::vector<std::size_t> arg(win.channels * OH * OW);
    std::size_t out = 0;
    for (std::size_t p = 0; p < win.channels; ++p) {
        const float* plane = x + p * win.height * win.width;
        for (std::size_t oh = 0; oh < OH; ++oh) {
            const Index h0 = static_cast<Index>(oh * win.stride.h) - static_cast<Index>(win.padding.h);
            for (std::size_t ow = 0; ow < OW; ++ow) {
                const Index w0 = static_cast<Index>(ow * win.stride.w) - static_cast<Index>(win.padding.w);
                Index best = -1;  // offset in the plane of the largest element so far
                for (Index ih = std::max<Index>(h0, 0); ih < std::min(h0 + kh, H); ++ih) {
                    for (Index iw = std::max<Index>(w0, 0); iw < std::min(w0 + kw, W); ++iw) {
                        const float v = plane[ih * W + iw];
                        if (best < 0 || v > plane[best] || (std::isnan(v) && !std::isnan(plane[best])))
                            best = ih * W + iw;
                    }
                }
                arg[out++] = p * win.height * win.width + static_cast<std::size_t>(best);
            }
        }
    }
    return arg;
}

}  // namespace

// max_pool2d: y[n, c, oh, ow] = max of x over the window at (oh·sh − ph, ow·sw − pw)
//   dx[i] = Σ of g over the windows whose chosen (first maximal) element is i
Tensor max_pool2d(const Tensor& x, Size2 kernel, Size2 stride, Size2 padding) {
    const Window2d win = pool_window("max_pool2d", x, kernel, stride, padding);
    std::vector<std::size_t> arg = window_argmax(x.value().data(), win);
    Array out = Array::from_shape({x.shape()[0], x.shape()[1], win.out_h(), win.out_w()});
    for (std::size_t k = 0; k < arg.size(); ++k) out.data()[k] = x.value().data()[arg[k]];
    return record("max_pool2d", std::move(out), {x}, [x, arg = std::move(arg)](const Array& g, const Array&) {
        Array dx = xt::zeros<float>(x.shape());
        for (std::size_t k = 0; k < arg.size(); ++k) dx.data()[arg[k]] += g.data()[k];
        x.add_grad(std::move(dx));
    });
}

Tensor max_pool2d(const Tensor& x, Size2 kernel) { return max_pool2d(x, kernel, kernel); }

// avg_pool2d: y = (1 / (kh·kw)) Σ of x over the window, padding counted as 0
//   dx = col2im of the columns that hold g / (kh·kw) in every tap
// The window's taps are im2col's rows, so y is the mean of each column of the
// column matrix, and the backward fills the columns and adds them back with col2im.
Tensor avg_pool2d(const Tensor& x, Size2 kernel, Size2 stride, Size2 padding) {
    const Window2d win = pool_window("avg_pool2d", x, kernel, stride, padding);
    const std::size_t taps = kernel.h * kernel.w, positions = win.out_h() * win.out_w();
    const float scale = 1.0f / static_cast<float>(taps);
    Array cols = Array::from_shape({win.col_rows(), positions});
    kernels::im2col(x.value().data(), win, cols.data());
    Array out = xt::zeros<float>({x.shape()[0], x.shape()[1], win.out_h(), win.out_w()});
    for (std::size_t p = 0; p < win.channels; ++p) {  // y[p, :] = scale · Σ_t cols[p·taps + t, :]
        float* y = out.data() + p * positions;
        for (std::size_t t = 0; t < taps; ++t) {
            const float* row = cols.data() + (p * taps + t) * positions;
            for (std::size_t q = 0; q < positions; ++q) y[q] += row[q];
        }
        for (std::size_t q = 0; q < positions; ++q) y[q] *= scale;
    }
    return record("avg_pool2d", std::move(out), {x}, [x, win, taps, positions, scale](const Array& g, const Array&) {
        Array gcols = Array::from_shape({win.col_rows(), positions});
        for (std::size_t p = 0; p < win.channels; ++p) {  // cols[p·taps + t, :] = scale · g[p, :]
            const float* gp = g.data() + p * positions;
            for (std::size_t t = 0; t < taps; ++t) {
                float* row = gcols.data() + (p * taps + t) * positions;
                for (std::size_t q = 0; q < positions; ++q) row[q] = scale * gp[q];
            }
        }
        Array dx = xt::zeros<float>(x.shape());
        kernels::col2im(gcols.data(), win, dx.data());
        x.add_grad(std::move(dx));
    });
}

Tensor avg_pool2d(const Tensor& x, Size2 kernel) { return avg_pool2d(x, kernel, kernel); }

// upsample_nearest2d: y[n, c, h, w] = x[n, c, h / sh, w / sw]   (y is (N, C, H·sh, W·sw))
//   dx[n, c, i, j] = Σ of g over the block y[n, c, i·sh .. i·sh + sh − 1, j·sw .. j·sw + sw − 1]
Tensor upsample_nearest2d(const Tensor& x, Size2 scale) {
    check_4d("upsample_nearest2d", x);
    if (scale.h == 0 || scale.w == 0)
        throw std::invalid_argument("upsample_nearest2d: scale " + size2_str(scale) + " must be positive");
    const std::size_t planes = x.shape()[0] * x.shape()[1], H = x.shape()[2], W = x.shape()[3];
    const std::size_t sh = scale.h, sw = scale.w, OH = H * sh, OW = W * sw;
    Array out = Array::from_shape({x.shape()[0], x.shape()[1], OH, OW});
    // Row by row: each input row, every pixel repeated sw times, is one output row,
    // which is then copied sh − 1 times below itself.
    const float* xs = x.value().data();
    float* ys = out.data();
    for (std::size_t r = 0; r < planes * H; ++r) {  // input row r → output rows r·sh .. r·sh + sh − 1
        const float* in = xs + r * W;
        float* first = ys + r * sh * OW;
        for (std::size_t w = 0; w < W; ++w)
            for (std::size_t k = 0; k < sw; ++k) first[w * sw + k] = in[w];
        for (std::size_t a = 1; a < sh; ++a) std::copy_n(first, OW, first + a * OW);
    }
    return record("upsample_nearest2d", std::move(out), {x},
                  [x, sh, sw, planes, H, W, OW](const Array& g, const Array&) {
                      // Each dx entry is the sum of its sh × sw block of g, added from 0, row by row
                      // and left to right within a row: g's own memory order.
                      Array dx = Array::from_shape(x.shape());
                      float* ds = dx.data();
                      const float* gs = g.data();
                      for (std::size_t r = 0; r < planes * H; ++r) {  // input row r ← g rows r·sh ..
                          const float* block = gs + r * sh * OW;
                          for (std::size_t w = 0; w < W; ++w) {
                              float sum = 0.0f;
                              for (std::size_t a = 0; a < sh; ++a)
                                  for (std::size_t k = 0; k < sw; ++k) sum += block[a * OW + w * sw + k];
                              ds[r * W + w] = sum;
                          }
                      }
                      x.add_grad(std::move(dx));
                  });
}

}  // namespace xgrad
