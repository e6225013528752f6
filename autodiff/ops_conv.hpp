// ops_conv.hpp — 2-D convolution and transposed convolution (NCHW, float32), as
// torch.nn.functional.conv2d / conv_transpose2d with groups = 1, and the plain
// nested-loop convolution they are tested against.
// Shape legend: N batch, C input channels, O output channels, (H, W) an image,
// (kh, kw) the kernel, (OH, OW) the output image; s stride, p padding, d dilation.
#pragma once

#include "shape.hpp"
#include "tensor.hpp"

namespace xgrad {

// Cross-correlation, as every deep-learning library calls convolution:
//   y[n, o, oh, ow] = b[o] + Σ_{c, i, j} w[o, c, i, j] · x[n, c, oh·sh − ph + i·dh, ow·sw − pw + j·dw]
// (x is 0 outside the image, in the padding). x (N, C, H, W), weight (O, C, kh, kw),
// bias (O,) or empty; y (N, O, OH, OW) with OH = (H + 2 ph − dh (kh − 1) − 1) / sh + 1.
// Per image: im2col, then one sgemm y_n = W (O, C·kh·kw) · cols (C·kh·kw, OH·OW).
//   dW = Σ_n g_n · cols_nᵀ     dx_n = col2im(Wᵀ · g_n)     db[o] = Σ_{n, oh, ow} g[n, o, oh, ow]
// ShapeError "conv2d: input (2, 3, 8, 8) has 3 channels, weight (4, 2, 3, 3) expects 2", and for
// input or weight not 4-D, an empty image or kernel, a dilated kernel larger than the padded
// input, a bias that is not (O,); std::invalid_argument for a zero stride or dilation.
Tensor conv2d(const Tensor& x, const Tensor& weight, const Tensor& bias = Tensor(), Size2 stride = 1,
              Size2 padding = 0, Size2 dilation = 1);

// Transposed convolution: exactly the input gradient of conv2d, used as a forward.
// x (N, C, H, W), weight (C, O, kh, kw) (PyTorch's layout: the conv2d it reverses maps
// O channels to C), bias (O,) or empty; y (N, O, OH, OW) with
//   OH = (H − 1) sh − 2 ph + dh (kh − 1) + oph + 1
// Per image: cols = Wᵀ (O·kh·kw, C) · x_n (C, H·W), then y_n = b + col2im(cols).
//   dx_n = W · im2col(g_n)     dW = Σ_n x_n · im2col(g_n)ᵀ     db[o] = Σ_{n, oh, ow} g[n, o, oh, ow]
// output_padding adds rows/columns at the bottom/right (it picks one of the input sizes
// that a strided conv2d maps to H); as PyTorch, each axis needs oph < sh or oph < dh.
// Errors as conv2d's, plus std::invalid_argument for output_padding and ShapeError for
// arguments that leave no output.
Tensor conv_transpose2d(const Tensor& x, const Tensor& weight, const Tensor& bias = Tensor(), Size2 stride = 1,
                        Size2 padding = 0, Size2 output_padding = 0, Size2 dilation = 1);

// conv2d's formula as seven nested loops, summed in double, with no im2col and no
// sgemm: the reference conv2d is tested against. Forward only (no tape). bias is (O,),
// or Array() (or any array with no axes or no elements) for none. Same argument checks
// and messages as conv2d.
Array conv2d_reference(const Array& x, const Array& weight, const Array& bias, Size2 stride = 1,
                       Size2 padding = 0, Size2 dilation = 1);

}  // namespace xgrad
