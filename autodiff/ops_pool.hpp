// ops_pool.hpp — 2-D pooling and nearest-neighbour upsampling of NCHW images, as
// torch.nn.functional.max_pool2d, avg_pool2d and interpolate(mode = "nearest").
// Shape legend: x (N, C, H, W); each of the N·C planes (H, W) is pooled on its own.
//   out (N, C, OH, OW), OH = (H + 2·ph − kh) / sh + 1 (rounded down), likewise OW.
#pragma once

#include "shape.hpp"
#include "tensor.hpp"

namespace xgrad {

// Largest element of each window; padding counts as −∞ (it is never the maximum).
//   dx = g routed to the element each window chose. Ties: the FIRST maximal element
//   in row-major window order gets the whole gradient (a NaN counts as the largest).
// Checks (as PyTorch): x 4-D (ShapeError "max_pool2d: input (3, 4) must be 4-D (N, C, H, W)"),
// kernel and stride positive, padding at most half the kernel (std::invalid_argument
// "max_pool2d: padding (2, 2) must be at most half of kernel (3, 3)"), and the window
// must fit the padded image (ShapeError
// "max_pool2d: kernel (3, 3) does not fit input (1, 1, 2, 2) padded by (0, 0)").
Tensor max_pool2d(const Tensor& x, Size2 kernel, Size2 stride, Size2 padding = 0);
// stride = kernel (PyTorch's default): windows side by side, without overlap.
Tensor max_pool2d(const Tensor& x, Size2 kernel);

// Mean of each window, padding counted as zeros (count_include_pad = true,
// PyTorch's default): every window divides by kh·kw.
//   dx = g / (kh·kw) spread over each window (summed where windows overlap).
// Same checks as max_pool2d, with "avg_pool2d: ..." messages.
Tensor avg_pool2d(const Tensor& x, Size2 kernel, Size2 stride, Size2 padding = 0);
Tensor avg_pool2d(const Tensor& x, Size2 kernel);

// Nearest-neighbour upsampling by integer factors: out (N, C, H·sh, W·sw),
//   out[n, c, h, w] = x[n, c, h / sh, w / sw]      dx = the sum of g over each sh × sw block.
// ShapeError when x is not 4-D; std::invalid_argument
// "upsample_nearest2d: scale (0, 2) must be positive".
Tensor upsample_nearest2d(const Tensor& x, Size2 scale);

}  // namespace xgrad
