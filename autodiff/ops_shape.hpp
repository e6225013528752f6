// ops_shape.hpp — ops that move elements without arithmetic: reshape, concat,
// row gather (mini-batches, embedding lookup) and row slices.
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

}  // namespace xgrad
