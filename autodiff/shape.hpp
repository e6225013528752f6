// shape.hpp — the array type, shapes, broadcasting and the one `sum_to` helper
// every broadcasting backward uses. Shape errors throw ShapeError (release builds
// too) with a message that names the op and the shapes involved.
#pragma once

#include <cstddef>
#include <stdexcept>
#include <string>
#include <vector>

#include <xtensor/xarray.hpp>

#include "allocator.hpp"

namespace xgrad {

// row-major, rank 0..N, float32; its memory comes from CachingAllocator, which
// hands the blocks a training step frees to the next step (see allocator.hpp).
using Array = xt::xarray<float, xt::layout_type::row_major, CachingAllocator<float>>;
using Shape = Array::shape_type;          // small vector of std::size_t
using Indices = std::vector<std::size_t>; // integer indices / labels

// A shape error: an op got arrays whose shapes do not fit together.
struct ShapeError : std::invalid_argument {
    using std::invalid_argument::invalid_argument;
};

// "(64, 784)", "(4,)" for rank 1, "()" for a scalar: the notation NumPy prints.
// tuple_str does the same for any sequence of integers (e.g. a requested shape with -1).
template <class Seq>
std::string tuple_str(const Seq& xs) {
    std::string s = "(";
    for (std::size_t i = 0; i < xs.size(); ++i) {
        if (i > 0) s += ", ";
        s += std::to_string(xs[i]);
    }
    if (xs.size() == 1) s += ",";
    return s + ")";
}
std::string shape_str(const Shape& shape);

// Number of elements of a shape (1 for a scalar).
std::size_t shape_size(const Shape& shape);

// NumPy broadcasting: align trailing axes; each pair must be equal or contain a 1.
// Throws ShapeError "<op>: shapes (2, 3) and (4,) cannot be broadcast".
Shape broadcast_shape(const char* op, const Shape& a, const Shape& b);

// The backward of broadcasting. g has the broadcast shape; sum it over every axis
// that broadcasting created or stretched, so the result has `shape`.
//   sum_to(g (N, C), (C,)) = sum over axis 0      sum_to(g (N, C), (N, 1)) = sum over axis 1
Array sum_to(const Array& g, const Shape& shape);

// A (height, width) pair of sizes for the 2-D ops (kernel, stride, padding,
// dilation), as PyTorch's int-or-tuple arguments: Size2(2) is (2, 2), Size2(3, 1) is (3, 1).
struct Size2 {
    std::size_t h = 0, w = 0;
    constexpr Size2(std::size_t both) : h(both), w(both) {}  // NOLINT: implicit on purpose, as PyTorch's int
    constexpr Size2(std::size_t height, std::size_t width) : h(height), w(width) {}
    friend constexpr bool operator==(const Size2&, const Size2&) = default;
};
// "(3, 1)"
std::string size2_str(Size2 s);

// Normalise an axis that may be negative (-1 = last) for an array of `rank` axes.
// Throws ShapeError "<op>: axis 3 out of range for shape (2, 3)".
std::size_t normalize_axis(const char* op, std::ptrdiff_t axis, const Shape& shape);

}  // namespace xgrad
