// shape.cpp — shape notation, NumPy broadcasting rules and sum_to.
#include "shape.hpp"

#include <algorithm>

#include <xtensor/xbuilder.hpp>

namespace xgrad {

std::string shape_str(const Shape& shape) { return tuple_str(shape); }

std::size_t shape_size(const Shape& shape) {
    std::size_t n = 1;
    for (std::size_t d : shape) n *= d;
    return n;
}

Shape broadcast_shape(const char* op, const Shape& a, const Shape& b) {
    const std::size_t rank = std::max(a.size(), b.size());
    Shape out(rank);
    for (std::size_t i = 0; i < rank; ++i) {  // i counts axes from the right
        const std::size_t da = i < a.size() ? a[a.size() - 1 - i] : 1;
        const std::size_t db = i < b.size() ? b[b.size() - 1 - i] : 1;
        if (da != db && da != 1 && db != 1)
            throw ShapeError(std::string(op) + ": shapes " + shape_str(a) + " and " + shape_str(b) +
                             " cannot be broadcast");
        out[rank - 1 - i] = da == 1 ? db : da;
    }
    return out;
}

Array sum_to(const Array& g, const Shape& shape) {
    if (g.shape() == shape) return g;
    // TASK 2: add every element of g into the element of `shape` it was broadcast from
    // Walk g in row-major order and add each element into the output element it
    // was broadcast from. Axes that broadcasting added or stretched get output
    // stride 0, so all their elements land on the same output element.
    const std::size_t rank = g.dimension();
    const std::size_t extra = rank - shape.size();  // leading axes broadcasting prepended
    Array out = xt::zeros<float>(shape);
    std::vector<std::size_t> ostride(rank, 0);
    std::size_t stride = 1;
    for (std::size_t k = rank; k-- > extra;) {
        const std::size_t d = shape[k - extra];
        if (d != 1) ostride[k] = stride;
        stride *= d;
    }
    std::vector<std::size_t> idx(rank, 0);
    const float* src = g.data();
    float* dst = out.data();
    const std::size_t inner = rank ? g.shape()[rank - 1] : 1;
    const std::size_t inner_stride = rank ? ostride[rank - 1] : 0;
    std::size_t o = 0;  // flat output offset of the current row
    for (std::size_t done = 0; done < g.size(); done += inner) {
        for (std::size_t j = 0; j < inner; ++j) dst[o + j * inner_stride] += src[done + j];
        // Advance the index over all axes but the last (an odometer).
        for (std::size_t k = rank - 1; k-- > 0;) {
            o += ostride[k];
            if (++idx[k] < g.shape()[k]) break;
            o -= ostride[k] * idx[k];
            idx[k] = 0;
        }
    }
    return out;
    // END TASK 2
}

std::size_t normalize_axis(const char* op, std::ptrdiff_t axis, const Shape& shape) {
    const auto rank = static_cast<std::ptrdiff_t>(shape.size());
    const std::ptrdiff_t a = axis < 0 ? axis + rank : axis;
    if (a < 0 || a >= rank)
        throw ShapeError(std::string(op) + ": axis " + std::to_string(axis) + " out of range for shape " +
                         shape_str(shape));
    return static_cast<std::size_t>(a);
}

std::string size2_str(Size2 s) { return tuple_str(std::vector<std::size_t>{s.h, s.w}); }

}  // namespace xgrad
