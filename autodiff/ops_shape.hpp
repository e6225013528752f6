// ops_shape.hpp — ops that move elements without arithmetic: reshape and its
// named forms (flatten, unflatten, squeeze, unsqueeze), permute, broadcast_to,
// concat, row gather (mini-batches, embedding lookup) and row slices.
#pragma once

#include <cstddef>
#include <vector>

#include "tensor.hpp"

namespace xgrad {

// Same elements, new shape; one entry may be -1 (inferred). dx = reshape(g, x.shape).
Tensor reshape(const Tensor& x, const std::vector<std::ptrdiff_t>& shape);

// Join along an existing axis; all other axes must agree. Each input gets its slice of g.
Tensor concat(const std::vector<Tensor>& xs, std::ptrdiff_t axis);

// out[i] = x[rows[i]] along axis 0 (rows may repeat). Backward scatter-adds:
// dx[rows[i]] += g[i]. This is the embedding lookup and the mini-batch gather.
Tensor index_select(const Tensor& x, const Indices& rows);

// Rows begin..end-1 of x along axis 0.
Tensor slice_rows(const Tensor& x, std::size_t begin, std::size_t end);

// A constant (N, classes) matrix with 1 at [i, labels[i]] (no gradient).
Tensor one_hot(const Indices& labels, std::size_t classes);

// ---- The shape ops PyTorch users reach for around convolutions ----
// Each is one tape entry. flatten, unflatten, squeeze and unsqueeze keep the
// row-major order of the elements (they are reshapes with the new shape spelled
// out), so their backward reshapes g back to x's shape. Axes may be negative
// (-1 = last).

// Merge axes start_dim..end_dim (both included) into one (torch.flatten; the
// defaults keep the batch axis, as nn.Flatten): (N, C, H, W) -> (N, C·H·W).
Tensor flatten(const Tensor& x, std::ptrdiff_t start_dim = 1, std::ptrdiff_t end_dim = -1);

// Split axis `dim` into `sizes` (their product must be its length; one may be -1,
// inferred): unflatten((N, 784), 1, {1, 28, 28}) is (N, 1, 28, 28).
Tensor unflatten(const Tensor& x, std::ptrdiff_t dim, const std::vector<std::ptrdiff_t>& sizes);

// Remove axis `dim`, which must have length 1: (N, 1, H) -> (N, H).
Tensor squeeze(const Tensor& x, std::ptrdiff_t dim);

// Insert an axis of length 1 so that it becomes axis `dim` of the result;
// dim in [-(rank + 1), rank]: unsqueeze((N, H), 1) is (N, 1, H), and -1 appends one.
Tensor unsqueeze(const Tensor& x, std::ptrdiff_t dim);

// Reorder the axes: out.shape[d] = x.shape[order[d]], and out[j] = x[i] where
// i[order[d]] = j[d]. order must hold each of 0..rank-1 once. Backward: g
// permuted by the inverse order. permute(x, {0, 2, 3, 1}) turns NCHW into NHWC.
Tensor permute(const Tensor& x, const std::vector<std::size_t>& order);

// Repeat x along the axes broadcasting stretches or adds, so it has `shape`
// (PyTorch's expand, materialised): each axis of x must equal the target's or
// be 1. Backward: sum_to(g, x.shape).
Tensor broadcast_to(const Tensor& x, const Shape& shape);

}  // namespace xgrad
