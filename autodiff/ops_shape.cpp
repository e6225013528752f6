// ops_shape.cpp — ops that move elements without arithmetic. Forward copies
// blocks of contiguous floats (row-major), backward copies or adds g back into
// the places the forward read from. No xtensor views: plain loops over .data().
#include "ops_shape.hpp"

#include <algorithm>
#include <optional>
#include <string>
#include <utility>

#include <xtensor/xbroadcast.hpp>
#include <xtensor/xbuilder.hpp>

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

namespace {

// Resolve a requested list of sizes against the n elements it must hold: every
// entry >= 0, or -1 (at most one), which takes whatever is left: n / (product of
// the others), which must divide. Returns nothing when the sizes cannot hold n.
std::optional<Shape> infer_sizes(const char* op, const std::vector<std::ptrdiff_t>& sizes, std::size_t n) {
    Shape target(sizes.size());
    std::size_t known = 1;                // product of the given (non -1) sizes
    std::size_t inferred = sizes.size();  // position of the -1, if any
    for (std::size_t k = 0; k < sizes.size(); ++k) {
        if (sizes[k] == -1) {
            if (inferred != sizes.size()) throw ShapeError(std::string(op) + ": only one dimension can be -1");
            inferred = k;
        } else if (sizes[k] < 0) {
            throw ShapeError(std::string(op) + ": dimension " + std::to_string(sizes[k]) + " in " + tuple_str(sizes) +
                             " is negative; give a size >= 0, or -1 to infer one");
        } else {
            target[k] = static_cast<std::size_t>(sizes[k]);
            known *= target[k];
        }
    }
    if (inferred == sizes.size()) return known == n ? std::optional<Shape>(target) : std::nullopt;
    if (known == 0 || n % known != 0) return std::nullopt;
    target[inferred] = n / known;
    return target;
}

}  // namespace

// reshape: out = x with shape s (same row-major elements)       dx = reshape(g, x.shape)
Tensor reshape(const Tensor& x, const std::vector<std::ptrdiff_t>& shape) {
    const std::optional<Shape> target = infer_sizes("reshape", shape, x.size());
    if (!target)
        throw ShapeError("reshape: cannot reshape " + shape_str(x.shape()) + " into " + tuple_str(shape));

    Array out = x.value();  // the output is a new node, so it owns a copy
    out.reshape(*target);
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
    const std::size_t outer = span_size(first, 0, a);
    const std::size_t inner = span_size(first, a + 1, first.size());
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

// ---- flatten, unflatten, squeeze, unsqueeze, permute, broadcast_to ----

namespace {

// flatten, unflatten, squeeze and unsqueeze all keep x's elements in the same
// row-major order under a new shape. The output is a new node, so it owns a copy
// of the values: the one copy made.
Array with_shape(const Array& x, const Shape& shape) {
    Array out = x;
    out.reshape(shape);
    return out;
}

// Their backward: g, given x's shape again.
BackwardFn reshape_back(const Tensor& x) {
    return [x](const Array& g, const Array&) {
        Array dx = g;
        dx.reshape(x.shape());
        x.add_grad(std::move(dx));
    };
}

// out = x with its axes permuted: out[j_0, ..., j_r] = x[i] where i[order[d]] = j_d.
// Walks out in row-major order; `step[d]` is how far x's offset moves when j_d grows by 1.
Array permute_array(const Array& x, const std::vector<std::size_t>& order) {
    const std::size_t rank = order.size();
    Shape out_shape(rank);
    std::vector<std::size_t> step(rank);
    for (std::size_t d = 0; d < rank; ++d) {
        out_shape[d] = x.shape()[order[d]];
        step[d] = x.strides()[order[d]];
    }
    Array out = Array::from_shape(out_shape);
    if (out.size() == 0) return out;
    if (rank == 0) {
        out() = x();
        return out;
    }
    const float* src = x.data();
    float* dst = out.data();
    const std::size_t inner = out_shape[rank - 1];
    const std::size_t inner_step = step[rank - 1];
    std::vector<std::size_t> j(rank, 0);  // index of the current out row (last entry unused)
    std::size_t offset = 0;               // x's offset of out[j_0, ..., j_{r-1}, 0]
    for (std::size_t done = 0; done < out.size(); done += inner) {
        for (std::size_t t = 0; t < inner; ++t) dst[done + t] = src[offset + t * inner_step];
        // Advance j over all axes but the last (an odometer).
        for (std::size_t d = rank - 1; d-- > 0;) {
            offset += step[d];
            if (++j[d] < out_shape[d]) break;
            offset -= step[d] * j[d];
            j[d] = 0;
        }
    }
    return out;
}

}  // namespace

// flatten: out = x with axes s..e merged into one of length Π_{k=s..e} x.shape[k]    dx = reshape(g, x.shape)
Tensor flatten(const Tensor& x, std::ptrdiff_t start_dim, std::ptrdiff_t end_dim) {
    const Shape& xs = x.shape();
    const std::size_t s = normalize_axis("flatten", start_dim, xs);
    const std::size_t e = normalize_axis("flatten", end_dim, xs);
    if (s > e)
        throw ShapeError("flatten: start_dim " + std::to_string(start_dim) + " comes after end_dim " +
                         std::to_string(end_dim) + " in shape " + shape_str(xs));
    Shape out(xs.begin(), xs.begin() + static_cast<std::ptrdiff_t>(s));
    out.push_back(shape_size(Shape(xs.begin() + static_cast<std::ptrdiff_t>(s),
                                   xs.begin() + static_cast<std::ptrdiff_t>(e) + 1)));
    out.insert(out.end(), xs.begin() + static_cast<std::ptrdiff_t>(e) + 1, xs.end());
    return record("flatten", with_shape(x.value(), out), {x}, reshape_back(x));
}

// unflatten: out = x with axis d split into `sizes` (one -1 inferred)    dx = reshape(g, x.shape)
Tensor unflatten(const Tensor& x, std::ptrdiff_t dim, const std::vector<std::ptrdiff_t>& sizes) {
    const Shape& xs = x.shape();
    const std::size_t d = normalize_axis("unflatten", dim, xs);
    const std::optional<Shape> split = infer_sizes("unflatten", sizes, xs[d]);
    if (!split || sizes.empty())
        throw ShapeError("unflatten: sizes " + tuple_str(sizes) + " cannot split axis " + std::to_string(dim) +
                         " (length " + std::to_string(xs[d]) + ") of " + shape_str(xs));
    Shape out(xs.begin(), xs.begin() + static_cast<std::ptrdiff_t>(d));
    out.insert(out.end(), split->begin(), split->end());
    out.insert(out.end(), xs.begin() + static_cast<std::ptrdiff_t>(d) + 1, xs.end());
    return record("unflatten", with_shape(x.value(), out), {x}, reshape_back(x));
}

// squeeze: out = x without axis d, which has length 1    dx = reshape(g, x.shape)
Tensor squeeze(const Tensor& x, std::ptrdiff_t dim) {
    const Shape& xs = x.shape();
    const std::size_t d = normalize_axis("squeeze", dim, xs);
    if (xs[d] != 1)
        throw ShapeError("squeeze: axis " + std::to_string(dim) + " of " + shape_str(xs) + " has size " +
                         std::to_string(xs[d]) + ", not 1");
    Shape out = xs;
    out.erase(out.begin() + static_cast<std::ptrdiff_t>(d));
    return record("squeeze", with_shape(x.value(), out), {x}, reshape_back(x));
}

// unsqueeze: out = x with a new axis of length 1 at position d    dx = reshape(g, x.shape)
// A negative d counts from the end of the result: -1 appends the new axis.
Tensor unsqueeze(const Tensor& x, std::ptrdiff_t dim) {
    const Shape& xs = x.shape();
    const auto rank = static_cast<std::ptrdiff_t>(xs.size());
    const std::ptrdiff_t d = dim < 0 ? dim + rank + 1 : dim;
    if (d < 0 || d > rank)
        throw ShapeError("unsqueeze: axis " + std::to_string(dim) + " out of range for shape " + shape_str(xs) +
                         ", which takes a new axis at " + std::to_string(-rank - 1) + ".." + std::to_string(rank));
    Shape out(xs.size() + 1);  // xs[0..d), then 1, then xs[d..)
    std::copy(xs.begin(), xs.begin() + d, out.begin());
    out[static_cast<std::size_t>(d)] = 1;
    std::copy(xs.begin() + d, xs.end(), out.begin() + d + 1);
    return record("unsqueeze", with_shape(x.value(), out), {x}, reshape_back(x));
}

// permute: out.shape[d] = x.shape[order[d]]    dx = g permuted by the inverse: inv[order[d]] = d
Tensor permute(const Tensor& x, const std::vector<std::size_t>& order) {
    const std::size_t rank = x.dim();
    std::vector<std::size_t> inverse(rank, rank);  // rank = "not seen yet"
    bool fits = order.size() == rank;
    for (std::size_t d = 0; fits && d < rank; ++d) {
        fits = order[d] < rank && inverse[order[d]] == rank;  // in range, not a repeat
        if (fits) inverse[order[d]] = d;
    }
    if (!fits)
        throw ShapeError("permute: order " + tuple_str(order) + " is not a permutation of the axes of " +
                         shape_str(x.shape()));
    Array out = permute_array(x.value(), order);
    return record("permute", std::move(out), {x}, [x, inverse = std::move(inverse)](const Array& g, const Array&) {
        x.add_grad(permute_array(g, inverse));
    });
}

// broadcast_to: out = x repeated along the axes broadcasting adds or stretches    dx = sum_to(g, x.shape)
Tensor broadcast_to(const Tensor& x, const Shape& shape) {
    const Shape& xs = x.shape();
    bool fits = xs.size() <= shape.size();
    for (std::size_t k = 1; fits && k <= xs.size(); ++k) {  // trailing axes line up
        const std::size_t have = xs[xs.size() - k], want = shape[shape.size() - k];
        fits = have == want || have == 1;
    }
    if (!fits) throw ShapeError("broadcast_to: cannot broadcast " + shape_str(xs) + " to " + shape_str(shape));
    Array out = xt::broadcast(x.value(), shape);
    return record("broadcast_to", std::move(out), {x},
                  [x](const Array& g, const Array&) { x.add_grad(sum_to(g, x.shape())); });
}

}  // namespace xgrad
