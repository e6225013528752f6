// ops_shape.cpp — ops that move elements without arithmetic. Forward copies
// blocks of contiguous floats (row-major), backward copies or adds g back into
// the places the forward read from. No xtensor views: plain loops over .data().
#include "ops_shape.hpp"

#include <algorithm>
#include <string>
#include <utility>

#include <xtensor/xbuilder.hpp>

#include "kernels.hpp"
#include "tape.hpp"

namespace xgrad {

namespace {

// Product of the axes in [first, last) of a shape.
std::size_t span_size(const Shape& shape, std::size_t first, std::size_t last) {
    std::size_t n = 1;
    for (std::size_t k = first; k < last; ++k) n *= shape[k];
    return n;
}

// Number of elements in one row (all axes but the first).
std::size_t row_size(const Shape& shape) { return span_size(shape, 1, shape.size()); }

void require_rows(const char* op, const Tensor& x) {
    if (x.dim() == 0)
        throw ShapeError(std::string(op) + ": x must have at least one axis (rows), got shape " +
                         shape_str(x.shape()));
}

}  // namespace

// reshape: out = x with shape s (same row-major elements)       dx = reshape(g, x.shape)
Tensor reshape(const Tensor& x, const std::vector<std::ptrdiff_t>& shape) {
    // Resolve the one allowed -1 from the number of elements.
    Shape target(shape.size());
    std::size_t known = 1;                // product of the given (non -1) sizes
    std::size_t inferred = shape.size();  // position of the -1, if any
    for (std::size_t k = 0; k < shape.size(); ++k) {
        if (shape[k] == -1) {
            if (inferred != shape.size()) throw ShapeError("reshape: only one dimension can be -1");
            inferred = k;
        } else if (shape[k] < 0) {
            throw ShapeError("reshape: dimension " + std::to_string(shape[k]) + " in " + tuple_str(shape) +
                             " is negative; give a size >= 0, or -1 to infer one");
        } else {
            target[k] = static_cast<std::size_t>(shape[k]);
            known *= target[k];
        }
    }
    const std::size_t n = x.size();
    bool fits = known == n;
    if (inferred != shape.size()) {  // -1 takes whatever is left: n / known, which must divide
        fits = known != 0 && n % known == 0;
        if (fits) target[inferred] = n / known;
    }
    if (!fits)
        throw ShapeError("reshape: cannot reshape " + shape_str(x.shape()) + " into " + tuple_str(shape));

    Array out = x.value();  // the output is a new node, so it owns a copy
    out.reshape(target);
    return record("reshape", std::move(out), {x}, [x](const Array& g, const Array&) {
        Array dx = g;
        dx.reshape(x.shape());
        x.add_grad(std::move(dx));
    });
}

// concat: out = [x0 | x1 | ... ] along axis a        dx_k = the slice of g that x_k filled
// Seen as 2-D: each x_k is (outer, len_k * inner) and out is (outer, Σ len_k * inner), where
// outer = product of the axes before a, inner = product of the axes after a. Each row of out
// is the rows of x_0, x_1, ... side by side, so forward and backward copy contiguous chunks.
Tensor concat(const std::vector<Tensor>& xs, std::ptrdiff_t axis) {
    if (xs.empty()) throw std::invalid_argument("concat: no inputs");
    const Shape& first = xs[0].shape();
    const std::size_t a = normalize_axis("concat", axis, first);
    Shape out_shape = first;
    out_shape[a] = 0;
    for (const Tensor& x : xs) {
        const Shape& s = x.shape();
        if (s.size() != first.size())
            throw ShapeError("concat: shapes " + shape_str(first) + " and " + shape_str(s) + " differ in rank");
        for (std::size_t k = 0; k < s.size(); ++k)
            if (k != a && s[k] != first[k])
                throw ShapeError("concat: shapes " + shape_str(first) + " and " + shape_str(s) +
                                 " differ outside axis " + std::to_string(a));
        out_shape[a] += s[a];
    }
    const kernels::AxisSplit split(first, a);
    const std::size_t outer = split.outer, inner = split.inner;
    const std::size_t out_row = out_shape[a] * inner;  // floats per outer index in out

    Array out = Array::from_shape(out_shape);
    float* dst = out.data();
    std::size_t offset = 0;  // where x_k's chunk starts inside a row of out
    for (const Tensor& x : xs) {
        const std::size_t chunk = x.shape()[a] * inner;
        const float* src = x.value().data();
        for (std::size_t o = 0; o < outer; ++o) std::copy_n(src + o * chunk, chunk, dst + o * out_row + offset);
        offset += chunk;
    }
    return record("concat", std::move(out), xs, [xs, a, outer, inner, out_row](const Array& g, const Array&) {
        std::size_t offset = 0;
        for (const Tensor& x : xs) {
            const std::size_t chunk = x.shape()[a] * inner;
            if (x.requires_grad()) {
                Array dx = Array::from_shape(x.shape());
                for (std::size_t o = 0; o < outer; ++o)
                    std::copy_n(g.data() + o * out_row + offset, chunk, dx.data() + o * chunk);
                x.add_grad(std::move(dx));
            }
            offset += chunk;
        }
    });
}

// index_select: out[i] = x[rows[i]]      x (R, ...)  out (N, ...)      dx[rows[i]] += g[i]
// Repeated rows receive the sum of their gradients (a scatter-add).
Tensor index_select(const Tensor& x, const Indices& rows) {
    require_rows("index_select", x);
    const Shape& xs = x.shape();
    for (std::size_t r : rows)
        if (r >= xs[0])
            throw ShapeError("index_select: row " + std::to_string(r) + " out of range for shape " + shape_str(xs));
    const std::size_t inner = row_size(xs);
    Shape out_shape = xs;
    out_shape[0] = rows.size();

    Array out = Array::from_shape(out_shape);
    const float* src = x.value().data();
    float* dst = out.data();
    for (std::size_t i = 0; i < rows.size(); ++i) std::copy_n(src + rows[i] * inner, inner, dst + i * inner);
    return record("index_select", std::move(out), {x}, [x, rows, inner](const Array& g, const Array&) {
        Array dx = xt::zeros<float>(x.shape());
        const float* gs = g.data();
        float* d = dx.data();
        for (std::size_t i = 0; i < rows.size(); ++i) {
            float* drow = d + rows[i] * inner;
            const float* grow = gs + i * inner;
            for (std::size_t j = 0; j < inner; ++j) drow[j] += grow[j];
        }
        x.add_grad(std::move(dx));
    });
}

// slice_rows: out = x[begin:end]         x (R, ...)  out (end - begin, ...)
//             dx = g in rows begin..end-1, 0 elsewhere
Tensor slice_rows(const Tensor& x, std::size_t begin, std::size_t end) {
    require_rows("slice_rows", x);
    const Shape& xs = x.shape();
    if (begin > end || end > xs[0])
        throw ShapeError("slice_rows: rows " + std::to_string(begin) + ".." + std::to_string(end) +
                         " out of range for shape " + shape_str(xs));
    const std::size_t inner = row_size(xs);
    Shape out_shape = xs;
    out_shape[0] = end - begin;

    Array out = Array::from_shape(out_shape);
    std::copy_n(x.value().data() + begin * inner, out.size(), out.data());
    return record("slice_rows", std::move(out), {x}, [x, begin, inner](const Array& g, const Array&) {
        Array dx = xt::zeros<float>(x.shape());
        std::copy_n(g.data(), g.size(), dx.data() + begin * inner);
        x.add_grad(std::move(dx));
    });
}

// one_hot: out[i, c] = 1 if c == labels[i] else 0      out (N, classes), a constant
Tensor one_hot(const Indices& labels, std::size_t classes) {
    for (std::size_t label : labels)
        if (label >= classes)
            throw std::invalid_argument("one_hot: label " + std::to_string(label) + " out of range for " +
                                        std::to_string(classes) + " classes");
    Array out = xt::zeros<float>({labels.size(), classes});
    for (std::size_t i = 0; i < labels.size(); ++i) out.data()[i * classes + labels[i]] = 1.0f;
    return Tensor(std::move(out));
}

}  // namespace xgrad
