// ops_linalg.cpp — matmul and the fused linear layer on OpenBLAS's cblas_sgemm (with the
// op-by-op linear_reference beside it), and the transpose.
// Arrays are row-major and contiguous, so a matrix's data() can go straight to
// sgemm; its backward asks sgemm to read an operand transposed instead of
// building the transpose.
#include "ops_linalg.hpp"

#include <algorithm>
#include <utility>

#include <xtensor/xbuilder.hpp>

#include "kernels.hpp"
#include "ops_elementwise.hpp"
#include "ops_shape.hpp"
#include "tape.hpp"

namespace xgrad {

using kernels::gemm;

namespace {

// t.grad += op(A) · op(B), a product of t's shape (m, n): the weight gradient of
// matmul and linear. The readable way is to compute the product into a new array
// and add_grad it. But a parameter's gradient buffer usually holds only the zeros
// zero_grad() put there, and then accumulate_grad lets sgemm add the product
// straight into it (beta = 1: onto the zeros, so every value is bit for bit the
// product): no new array, no zero fill inside sgemm, no second pass to add it.
void add_product_to_grad(const Tensor& t, bool trans_a, bool trans_b, std::size_t m, std::size_t n, std::size_t k,
                         const float* A, const float* B) {
    t.accumulate_grad([&](float* out, bool accumulate) { gemm(trans_a, trans_b, m, n, k, A, B, out, accumulate); });
}

}  // namespace

// matmul: out = a · b   a (M, K), b (K, N), out (M, N)
//   da = g · bᵀ  (M, N)·(N, K)        db = aᵀ · g  (K, M)·(M, N)
Tensor matmul(const Tensor& a, const Tensor& b) {
    if (a.dim() != 2 || b.dim() != 2)
        throw ShapeError("matmul: expected 2-D inputs, got " + shape_str(a.shape()) + " x " + shape_str(b.shape()));
    const std::size_t M = a.shape()[0], K = a.shape()[1], N = b.shape()[1];
    if (b.shape()[0] != K)
        throw ShapeError("matmul: shape mismatch " + shape_str(a.shape()) + " x " + shape_str(b.shape()));
    Array out = Array::from_shape({M, N});
    // TASK 5: out = a · b with one gemm call (kernels.hpp: gemm(trans_a, trans_b, m, n, k, A, B, C))
    gemm(false, false, M, N, K, a.value().data(), b.value().data(), out.data());
    // END TASK 5
    return record("matmul", std::move(out), {a, b}, [a, b, M, K, N](const Array& g, const Array&) {
        // TASK 5: da = g · bᵀ (gemm reading b transposed), db = aᵀ · g (add_product_to_grad), each if it requires grad
        if (a.requires_grad()) {
            Array da = Array::from_shape({M, K});
            gemm(false, true, M, K, N, g.data(), b.value().data(), da.data());
            a.add_grad(std::move(da));
        }
        if (b.requires_grad()) add_product_to_grad(b, true, false, K, N, M, a.value().data(), g.data());
        // END TASK 5
    });
}

// linear: y = x · wᵀ + b   x (N, in), w (out, in), b (out,), y (N, out)
//   dx = g · w  (N, out)·(out, in)      dw = gᵀ · x  (out, N)·(N, in)      db[j] = Σ_n g[n, j]
Tensor linear(const Tensor& x, const Tensor& w, const Tensor& b) {
    if (x.dim() != 2 || w.dim() != 2)
        throw ShapeError("linear: expected 2-D x and weight, got x " + shape_str(x.shape()) + " and weight " +
                         shape_str(w.shape()));
    const std::size_t N = x.shape()[0], in = x.shape()[1], out_features = w.shape()[0];
    if (w.shape()[1] != in)
        throw ShapeError("linear: x " + shape_str(x.shape()) + " does not fit weight " + shape_str(w.shape()) +
                         ": expected " + std::to_string(w.shape()[1]) + " features");
    const bool has_bias = b.defined();
    if (has_bias && b.shape() != Shape{out_features})
        throw ShapeError("linear: bias " + shape_str(b.shape()) + " does not fit weight " + shape_str(w.shape()) +
                         ": expected " + shape_str(Shape{out_features}));

    // Start each row of y as b, then let sgemm add x · wᵀ onto it (w read transposed in place).
    Array y = Array::from_shape({N, out_features});
    // TASK 5: copy b into every row of y (if there is a bias), then one gemm adds x · wᵀ onto y (accumulate = has_bias)
    if (has_bias) {
        for (std::size_t n = 0; n < N; ++n) std::copy_n(b.value().data(), out_features, y.data() + n * out_features);
    }
    gemm(false, true, N, out_features, in, x.value().data(), w.value().data(), y.data(), has_bias);
    // END TASK 5

    std::vector<Tensor> inputs{x, w};
    if (has_bias) inputs.push_back(b);
    return record("linear", std::move(y), std::move(inputs),
                  [x, w, b, N, in, out_features](const Array& g, const Array&) {
                      // TASK 5: dx = g · w, dw = gᵀ · x (add_product_to_grad), db = the sum of g's rows; each if needed
                      if (x.requires_grad()) {
                          Array dx = Array::from_shape({N, in});
                          gemm(false, false, N, in, out_features, g.data(), w.value().data(), dx.data());
                          x.add_grad(std::move(dx));
                      }
                      if (w.requires_grad())  // dw, straight into w's zeroed gradient buffer when it can
                          add_product_to_grad(w, true, false, out_features, in, N, g.data(), x.value().data());
                      if (b.defined() && b.requires_grad()) {
                          Array db = Array::from_shape({out_features});
                          float* d = db.data();
                          std::fill(d, d + out_features, 0.0f);
                          for (std::size_t n = 0; n < N; ++n) {
                              const float* gn = g.data() + n * out_features;
                              for (std::size_t j = 0; j < out_features; ++j) d[j] += gn[j];
                          }
                          b.add_grad(std::move(db));
                      }
                      // END TASK 5
                  });
}

// linear_reference: y = matmul(x, transpose(w)) + b      (a composite: backward from its parts)
// x (N, in) · wᵀ (in, out) = (N, out), then + b (out,) broadcast over the rows.
// A frozen w records nothing for its transpose; matmul and add skip its gradient.
Tensor linear_reference(const Tensor& x, const Tensor& w, const Tensor& b) {
    Tensor y = matmul(x, transpose(w));
    return b.defined() ? add(y, b) : y;
}

// transpose: out = permute(x, (r-1, ..., 1, 0)), the axes reversed    dx = g with its axes reversed
Tensor transpose(const Tensor& x) {
    std::vector<std::size_t> reversed(x.dim());
    for (std::size_t d = 0; d < reversed.size(); ++d) reversed[d] = reversed.size() - 1 - d;
    return permute(x, reversed);
}

}  // namespace xgrad
