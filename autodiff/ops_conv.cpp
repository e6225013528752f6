// ops_conv.cpp — convolution as matrix products. im2col copies every window of an
// image into a column, so the whole convolution of one image is one sgemm; its
// backward is two sgemms and col2im, im2col's adjoint. Transposed convolution is
// the same three steps in the other order. conv2d_reference spells the formula out
// in loops, and is what the fast version is tested against.
#include "ops_conv.hpp"

#include <algorithm>
#include <cstddef>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "kernels.hpp"
#include "tape.hpp"

namespace xgrad {

using kernels::col2im;
using kernels::col2im_outer;
using kernels::col2im_strided;
using kernels::gemm;
using kernels::im2col;
using kernels::im2col_strided;
using kernels::Window2d;

namespace {

// ---- Argument checks (one message each, naming the op and what it got) ----------

void check_4d(const char* op, const char* what, const Shape& s, const char* axes) {
    if (s.size() != 4)
        throw ShapeError(std::string(op) + ": " + what + " " + shape_str(s) + " must be 4-D " + axes);
}

// The checks conv2d and conv_transpose2d share, once both arrays are 4-D and their
// channels agree: a non-empty image and kernel, a stride and dilation of at least 1.
void check_window(const char* op, const Shape& x, const Shape& w, Size2 stride, Size2 dilation) {
    if (x[2] == 0 || x[3] == 0)
        throw ShapeError(std::string(op) + ": input " + shape_str(x) + " has an empty image " +
                         size2_str({x[2], x[3]}));
    if (w[2] == 0 || w[3] == 0)
        throw ShapeError(std::string(op) + ": weight " + shape_str(w) + " has an empty kernel " +
                         size2_str({w[2], w[3]}));
    if (stride.h == 0 || stride.w == 0)
        throw std::invalid_argument(std::string(op) + ": stride " + size2_str(stride) + " must be positive");
    if (dilation.h == 0 || dilation.w == 0)
        throw std::invalid_argument(std::string(op) + ": dilation " + size2_str(dilation) + " must be positive");
}

// bias (out_channels,), when there is one.
void check_bias(const char* op, const Shape& bias, const Shape& w, std::size_t out_channels) {
    if (bias != Shape{out_channels})
        throw ShapeError(std::string(op) + ": bias " + shape_str(bias) + " does not fit weight " + shape_str(w) +
                         ": expected " + shape_str(Shape{out_channels}));
}

// Checks conv2d's arguments and returns the window it slides over each image of x.
Window2d conv2d_window(const Shape& x, const Shape& w, const Shape* bias, Size2 stride, Size2 padding,
                       Size2 dilation) {
    check_4d("conv2d", "input", x, "(N, C, H, W)");
    check_4d("conv2d", "weight", w, "(O, C, kh, kw)");
    if (x[1] != w[1])
        throw ShapeError("conv2d: input " + shape_str(x) + " has " + std::to_string(x[1]) + " channels, weight " +
                         shape_str(w) + " expects " + std::to_string(w[1]));
    check_window("conv2d", x, w, stride, dilation);
    const Size2 kernel{w[2], w[3]};
    const Size2 span{dilation.h * (kernel.h - 1) + 1, dilation.w * (kernel.w - 1) + 1};
    const Size2 padded{x[2] + 2 * padding.h, x[3] + 2 * padding.w};
    if (span.h > padded.h || span.w > padded.w)
        throw ShapeError("conv2d: kernel " + size2_str(kernel) + " dilated by " + size2_str(dilation) + " spans " +
                         size2_str(span) + ", larger than the padded input " + size2_str(padded) + " (input " +
                         shape_str(x) + ", padding " + size2_str(padding) + ")");
    if (bias) check_bias("conv2d", *bias, w, w[0]);
    return Window2d{x[1], x[2], x[3], kernel, stride, padding, dilation};
}

// Checks conv_transpose2d's arguments and returns the window of the conv2d it is the
// input gradient of: that conv2d reads an image of the output's size (O, OH, OW).
Window2d conv_transpose2d_window(const Shape& x, const Shape& w, const Shape* bias, Size2 stride, Size2 padding,
                                 Size2 output_padding, Size2 dilation) {
    check_4d("conv_transpose2d", "input", x, "(N, C, H, W)");
    check_4d("conv_transpose2d", "weight", w, "(C, O, kh, kw)");
    if (x[1] != w[0])
        throw ShapeError("conv_transpose2d: input " + shape_str(x) + " has " + std::to_string(x[1]) +
                         " channels, weight " + shape_str(w) + " expects " + std::to_string(w[0]));
    check_window("conv_transpose2d", x, w, stride, dilation);
    const Size2 op = output_padding;
    if (!(op.h < stride.h || op.h < dilation.h) || !(op.w < stride.w || op.w < dilation.w))
        throw std::invalid_argument("conv_transpose2d: output_padding " + size2_str(op) +
                                    " must be smaller than stride " + size2_str(stride) + " or dilation " +
                                    size2_str(dilation) + " on each axis");
    // OH = (H − 1) sh − 2 ph + dh (kh − 1) + oph + 1, in signed arithmetic: padding can make it ≤ 0.
    const auto out_size = [](std::size_t in, std::size_t k, std::size_t s, std::size_t p, std::size_t o,
                             std::size_t d) {
        const auto S = [](std::size_t v) { return static_cast<std::ptrdiff_t>(v); };
        return (S(in) - 1) * S(s) - 2 * S(p) + S(d) * (S(k) - 1) + S(o) + 1;
    };
    const std::ptrdiff_t OH = out_size(x[2], w[2], stride.h, padding.h, op.h, dilation.h);
    const std::ptrdiff_t OW = out_size(x[3], w[3], stride.w, padding.w, op.w, dilation.w);
    if (OH < 1 || OW < 1)
        throw ShapeError("conv_transpose2d: input " + shape_str(x) + " with kernel " + size2_str({w[2], w[3]}) +
                         ", stride " + size2_str(stride) + ", padding " + size2_str(padding) + ", dilation " +
                         size2_str(dilation) + " and output_padding " + size2_str(op) + " gives no output: " +
                         tuple_str(std::vector<std::ptrdiff_t>{OH, OW}));
    if (bias) check_bias("conv_transpose2d", *bias, w, w[1]);
    return Window2d{w[1], static_cast<std::size_t>(OH), static_cast<std::size_t>(OW), Size2{w[2], w[3]},
                    stride, padding, dilation};
}

// ---- Small loops both ops share ------------------------------------------------

// Each of the `channels` planes of `positions` floats starts as its bias value (or 0).
void fill_bias(float* y, const float* bias, std::size_t channels, std::size_t positions) {
    for (std::size_t o = 0; o < channels; ++o)
        std::fill(y + o * positions, y + (o + 1) * positions, bias ? bias[o] : 0.0f);
}

// db[o] = Σ_{n, position} g[n, o, position]: g is (N, O, positions). The images are
// added plane by plane into one (O, positions) float array (a loop the compiler
// vectorises), and only then is each plane summed, in double.
Array bias_grad(const Array& g, std::size_t N, std::size_t O, std::size_t positions) {
    Array planes = Array::from_shape({O, positions});
    planes.fill(0.0f);
    for (std::size_t n = 0; n < N; ++n) {
        const float* gn = g.data() + n * O * positions;
        float* sums = planes.data();
        for (std::size_t k = 0; k < O * positions; ++k) sums[k] += gn[k];
    }
    Array db = Array::from_shape({O});
    for (std::size_t o = 0; o < O; ++o) {
        double s = 0.0;
        for (std::size_t q = 0; q < positions; ++q) s += planes(o, q);
        db(o) = static_cast<float>(s);
    }
    return db;
}

// x (N, C, H, W) placed in the top-left corner of zeros (N, C, H2, W2), and back.
// conv_transpose2d needs them only when output_padding ≥ stride (see there).
Array pad_bottom_right(const Array& x, std::size_t H2, std::size_t W2) {
    const std::size_t NC = x.shape()[0] * x.shape()[1], H = x.shape()[2], W = x.shape()[3];
    Array out = Array::from_shape({x.shape()[0], x.shape()[1], H2, W2});
    std::fill(out.begin(), out.end(), 0.0f);
    for (std::size_t p = 0; p < NC; ++p)
        for (std::size_t h = 0; h < H; ++h) std::copy_n(x.data() + (p * H + h) * W, W, out.data() + (p * H2 + h) * W2);
    return out;
}
Array crop_top_left(const Array& x, std::size_t H, std::size_t W) {
    const std::size_t NC = x.shape()[0] * x.shape()[1], H2 = x.shape()[2], W2 = x.shape()[3];
    Array out = Array::from_shape({x.shape()[0], x.shape()[1], H, W});
    for (std::size_t p = 0; p < NC; ++p)
        for (std::size_t h = 0; h < H; ++h) std::copy_n(x.data() + (p * H2 + h) * W2, W, out.data() + (p * H + h) * W);
    return out;
}

// How many images conv2d multiplies in one sgemm. One image's product
// W (O, K) · cols (K, P) is thin when the image is small: D2 of tests/bench is
// (128, 1024)·(1024, 49), and sgemm runs a 49-column right-hand side poorly. Put
// 16 images' columns side by side, (K, 16·P), and the same work is one product
// with 784 columns, which it runs about 10% faster. When K = C·kh·kw is small
// (a first layer: 1 channel, K = 16) the product is cheap and the time goes into
// writing y; grouping only adds a copy of y there, so the rule is: group when
// K ≥ 256, one image at a time otherwise.
std::size_t conv2d_group(std::size_t K, std::size_t N) { return K >= 256 ? std::min<std::size_t>(16, N) : 1; }

}  // namespace

// conv2d: y_n = b + W · im2col(x_n)   W (O, C·kh·kw), im2col(x_n) (C·kh·kw, OH·OW), y_n (O, OH·OW)
//   dW = Σ_n g_n · im2col(x_n)ᵀ     dx_n = col2im(Wᵀ · g_n)     db[o] = Σ_{n, oh, ow} g[n, o, oh, ow]
// The images go G at a time (conv2d_group): G images' columns side by side make
// one (K, G·P) matrix, and y for those images comes out of one sgemm as (O, G·P).
// When the weight needs a gradient, the columns of every image are kept for the
// backward's dW instead of being made again: N·K·P floats (12.8 MB for D2, 4 times
// its input) held by the tape until backward runs or the graph is freed, as any
// op's saved activations are.
Tensor conv2d(const Tensor& x, const Tensor& weight, const Tensor& bias, Size2 stride, Size2 padding,
              Size2 dilation) {
    const bool has_bias = bias.defined();
    const Window2d win =
        conv2d_window(x.shape(), weight.shape(), has_bias ? &bias.shape() : nullptr, stride, padding, dilation);
    const std::size_t N = x.shape()[0], O = weight.shape()[0];
    const std::size_t K = win.col_rows(), P = win.col_cols();  // rows (C·kh·kw) and columns (OH·OW) of im2col
    const std::size_t image = win.channels * win.height * win.width;
    const std::size_t G = conv2d_group(K, N);
    const bool keep = grad_enabled() && weight.requires_grad();

    Array y = Array::from_shape({N, O, win.out_h(), win.out_w()});
    // Kept: all N images' columns, group after group. Otherwise one group's, reused.
    Array cols = Array::from_shape({keep ? N : G, K, P});
    Array wide = G > 1 ? Array::from_shape({O, G * P}) : Array();  // y of a group, images side by side
    // TASK 11: for each image n: its columns im2col(x_n) (kept in cols when keep), then y_n = b + W · columns, one gemm
    for (std::size_t n0 = 0; n0 < N; n0 += G) {
        const std::size_t count = std::min(G, N - n0), width = count * P;  // the last group may be short
        float* cg = cols.data() + (keep ? n0 * K * P : 0);                // (K, width)
        for (std::size_t i = 0; i < count; ++i)
            im2col_strided(x.value().data() + (n0 + i) * image, win, cg + i * P, width);
        float* out = G > 1 ? wide.data() : y.data() + n0 * O * P;  // (O, width)
        if (has_bias) fill_bias(out, bias.value().data(), O, width);
        gemm(false, false, O, width, K, weight.value().data(), cg, out, /*accumulate=*/has_bias);
        for (std::size_t i = 0; G > 1 && i < count; ++i)  // (O, width) back to count images (O, P)
            for (std::size_t o = 0; o < O; ++o)
                std::copy_n(out + o * width + i * P, P, y.data() + ((n0 + i) * O + o) * P);
    }
    // END TASK 11
    if (!keep) cols = Array();  // nothing reads them again

    std::vector<Tensor> inputs{x, weight};
    if (has_bias) inputs.push_back(bias);
    return record("conv2d", std::move(y), std::move(inputs),
                  [x, weight, bias, win, N, O, K, P, image, G, keep,
                   cols = std::move(cols)](const Array& g, const Array&) {
                      const bool need_x = x.requires_grad(), need_w = keep && weight.requires_grad();
                      Array dx, dw;
                      if (need_x) dx = Array::from_shape(x.shape());  // each image zeroed before col2im adds into it
                      if (need_w) {
                          dw = Array::from_shape(weight.shape());
                          std::fill(dw.begin(), dw.end(), 0.0f);  // every group's product is added
                      }
                      Array g_wide = G > 1 ? Array::from_shape({O, G * P}) : Array();
                      Array dcols = need_x && O > 1 ? Array::from_shape({K, G * P}) : Array();
                      // TASK 11: for each image n: dW += g_n · colsᵀ (the kept columns); dx_n = col2im(Wᵀ · g_n) into a zeroed dx_n
                      for (std::size_t n0 = 0; n0 < N && (need_x || need_w); n0 += G) {
                          const std::size_t count = std::min(G, N - n0), width = count * P;
                          const float* gg = g.data() + n0 * O * P;  // the group's g as (O, width)
                          if (G > 1) {  // count images (O, P) side by side
                              for (std::size_t i = 0; i < count; ++i)
                                  for (std::size_t o = 0; o < O; ++o)
                                      std::copy_n(gg + (i * O + o) * P, P, g_wide.data() + o * width + i * P);
                              gg = g_wide.data();
                          }
                          if (need_w) {  // dW += g (O, width) · colsᵀ (width, K), the columns kept by the forward
                              gemm(false, true, O, K, width, gg, cols.data() + n0 * K * P, dw.data(),
                                   /*accumulate=*/true);
                          }
                          if (need_x && O == 1) {  // one filter: Wᵀ · g_n is an outer product, no (K, P) matrix
                              for (std::size_t i = 0; i < count; ++i) {
                                  float* dxn = dx.data() + (n0 + i) * image;
                                  std::fill(dxn, dxn + image, 0.0f);
                                  col2im_outer(weight.value().data(), g.data() + (n0 + i) * P, win, dxn);
                              }
                              continue;
                          }
                          if (need_x) {  // dx_n = col2im(Wᵀ (K, O) · g_n (O, P)), the group's images at once
                              gemm(true, false, K, width, O, weight.value().data(), gg, dcols.data());
                              for (std::size_t i = 0; i < count; ++i) {
                                  float* dxn = dx.data() + (n0 + i) * image;
                                  std::fill(dxn, dxn + image, 0.0f);
                                  col2im_strided(dcols.data() + i * P, win, dxn, width);
                              }
                          }
                      }
                      // END TASK 11
                      if (need_x) x.add_grad(std::move(dx));
                      if (need_w) weight.add_grad(std::move(dw));
                      if (bias.defined() && bias.requires_grad()) bias.add_grad(bias_grad(g, N, O, P));
                  });
}

// conv_transpose2d: the conv2d input gradient, with x in the place of g.
//   y_n = b + col2im(Wᵀ · x_n)   W (C, O·kh·kw), x_n (C, H·W), Wᵀ · x_n (O·kh·kw, H·W)
//   dx_n = W · im2col(g_n)     dW = Σ_n x_n · im2col(g_n)ᵀ     db[o] = Σ_{n, oh, ow} g[n, o, oh, ow]
// The window is that conv2d's, over an image of the output's size. With
// output_padding ≥ stride (allowed when it is < dilation), that conv2d has more
// output positions (H2, W2) than x has: x is read as if padded with zeros to them.
Tensor conv_transpose2d(const Tensor& x, const Tensor& weight, const Tensor& bias, Size2 stride, Size2 padding,
                        Size2 output_padding, Size2 dilation) {
    const bool has_bias = bias.defined();
    const Window2d win = conv_transpose2d_window(x.shape(), weight.shape(), has_bias ? &bias.shape() : nullptr,
                                                 stride, padding, output_padding, dilation);
    const std::size_t N = x.shape()[0], C = x.shape()[1], O = win.channels;
    const std::size_t H = x.shape()[2], W = x.shape()[3];
    const std::size_t K = win.col_rows(), P = win.col_cols();  // O·kh·kw and H2·W2 (= H·W but for the case above)
    const std::size_t out_image = O * win.height * win.width;
    const bool padded = win.out_h() != H || win.out_w() != W;
    const Array x_padded = padded ? pad_bottom_right(x.value(), win.out_h(), win.out_w()) : Array();
    const float* xs = padded ? x_padded.data() : x.value().data();

    Array y = Array::from_shape({N, O, win.height, win.width});
    Array cols = Array::from_shape({K, P});
    for (std::size_t n = 0; n < N; ++n) {
        float* yn = y.data() + n * out_image;
        fill_bias(yn, has_bias ? bias.value().data() : nullptr, O, win.height * win.width);
        gemm(true, false, K, P, C, weight.value().data(), xs + n * C * P, cols.data());
        col2im(cols.data(), win, yn);
    }

    std::vector<Tensor> inputs{x, weight};
    if (has_bias) inputs.push_back(bias);
    return record(
        "conv_transpose2d", std::move(y), std::move(inputs),
        [x, weight, bias, win, N, C, O, H, W, K, P, out_image, padded](const Array& g, const Array&) {
            const bool need_x = x.requires_grad(), need_w = weight.requires_grad();
            const Array x_padded = (padded && need_w) ? pad_bottom_right(x.value(), win.out_h(), win.out_w()) : Array();
            const float* xs = padded ? x_padded.data() : x.value().data();
            Array dx, dw;
            if (need_x) dx = Array::from_shape({N, C, win.out_h(), win.out_w()});  // every entry written
            if (need_w) {
                dw = Array::from_shape(weight.shape());
                std::fill(dw.begin(), dw.end(), 0.0f);
            }
            Array cols = Array::from_shape({K, P});
            for (std::size_t n = 0; n < N && (need_x || need_w); ++n) {
                im2col(g.data() + n * out_image, win, cols.data());
                if (need_x)  // dx_n (C, P) = W (C, K) · im2col(g_n) (K, P)
                    gemm(false, false, C, P, K, weight.value().data(), cols.data(), dx.data() + n * C * P);
                if (need_w)  // dW (C, K) += x_n (C, P) · im2col(g_n)ᵀ (P, K)
                    gemm(false, true, C, K, P, xs + n * C * P, cols.data(), dw.data(), /*accumulate=*/true);
            }
            if (need_x) x.add_grad(padded ? crop_top_left(dx, H, W) : std::move(dx));
            if (need_w) weight.add_grad(std::move(dw));
            if (bias.defined() && bias.requires_grad())
                bias.add_grad(bias_grad(g, N, O, win.height * win.width));
        });
}

// y[n, o, oh, ow] = b[o] + Σ_{c, i, j} w[o, c, i, j] · x[n, c, oh·sh − ph + i·dh, ow·sw − pw + j·dw],
// taps that land in the padding skipped; each output summed in double.
Array conv2d_reference(const Array& x, const Array& weight, const Array& bias, Size2 stride, Size2 padding,
                       Size2 dilation) {
    const bool has_bias = bias.dimension() > 0 && bias.size() > 0;
    const Window2d win =
        conv2d_window(x.shape(), weight.shape(), has_bias ? &bias.shape() : nullptr, stride, padding, dilation);
    const std::size_t N = x.shape()[0], C = win.channels, O = weight.shape()[0];
    const auto H = static_cast<std::ptrdiff_t>(win.height), W = static_cast<std::ptrdiff_t>(win.width);
    Array y = Array::from_shape({N, O, win.out_h(), win.out_w()});
    for (std::size_t n = 0; n < N; ++n)
        for (std::size_t o = 0; o < O; ++o)
            for (std::size_t oh = 0; oh < win.out_h(); ++oh)
                for (std::size_t ow = 0; ow < win.out_w(); ++ow) {
                    double s = has_bias ? bias(o) : 0.0;
                    for (std::size_t c = 0; c < C; ++c)
                        for (std::size_t i = 0; i < win.kernel.h; ++i)
                            for (std::size_t j = 0; j < win.kernel.w; ++j) {
                                const auto ih = static_cast<std::ptrdiff_t>(oh * stride.h + i * dilation.h) -
                                                static_cast<std::ptrdiff_t>(padding.h);
                                const auto iw = static_cast<std::ptrdiff_t>(ow * stride.w + j * dilation.w) -
                                                static_cast<std::ptrdiff_t>(padding.w);
                                if (ih < 0 || ih >= H || iw < 0 || iw >= W) continue;  // padding: 0
                                s += static_cast<double>(weight(o, c, i, j)) * x(n, c, ih, iw);
                            }
                    y(n, o, oh, ow) = static_cast<float>(s);
                }
    return y;
}

}  // namespace xgrad
