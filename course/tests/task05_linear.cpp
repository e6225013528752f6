// Task 5: matmul and the fused linear layer, with their gemm backward
// (docs/course.md#task-5). Values against plain loops and worked by hand, gradient
// checks on random sizes, and the weight gradient accumulating across backwards.
#include "course_check.hpp"

using namespace xgrad;
using xgrad::course::close;
using xgrad::course::column;
using xgrad::course::gradients;
using xgrad::course::normal;

namespace {

// y = x · wᵀ + b the slow, obvious way.
Array linear_by_loop(const Array& x, const Array& w, const Array* b) {
    const std::size_t N = x.shape()[0], in = x.shape()[1], out = w.shape()[0];
    Array y = Array::from_shape({N, out});
    for (std::size_t n = 0; n < N; ++n)
        for (std::size_t j = 0; j < out; ++j) {
            float acc = b ? (*b)(j) : 0.0f;
            for (std::size_t i = 0; i < in; ++i) acc += x(n, i) * w(j, i);
            y(n, j) = acc;
        }
    return y;
}

// Sizes (M, K, N) that are small, odd and unequal, so a transposed read shows.
const std::vector<std::array<std::size_t, 3>> kSizes = {{3, 5, 2}, {1, 4, 3}, {4, 1, 5}, {2, 3, 3}};

}  // namespace

TEST_SUITE("task05") {

TEST_CASE("matmul") {
    const Array a = Array{{1, 2}, {3, 4}}, b = column({5, 6});
    COURSE_CHECK("matmul: [[1, 2], [3, 4]] · [[5], [6]] should be [[17], [39]]",
                 close(matmul(Tensor(a), Tensor(b)).value(), column({17, 39})));
    for (const auto& [M, K, N] : kSizes) {
        const std::string sizes = " for (" + std::to_string(M) + ", " + std::to_string(K) + ") · (" +
                                  std::to_string(K) + ", " + std::to_string(N) + ")";
        const Tensor x = normal({M, K}, 51), w = normal({N, K}, 52);
        COURSE_CHECK("matmul: wrong values" + sizes + ": out[m, n] = Σ_k a[m, k] b[k, n]",
                     close(matmul(x, transpose(w)).value(), linear_by_loop(x.value(), w.value(), nullptr)));
        COURSE_GRADCHECK("matmul backward: wrong gradient" + sizes +
                             ": da = g · bᵀ has a's shape (M, K), db = aᵀ · g has b's shape (K, N)",
                         [](const std::vector<Tensor>& in) { return matmul(in[0], in[1]); },
                         {normal({M, K}, 53), normal({K, N}, 54)});
    }
    const auto product = [](const std::vector<Tensor>& in) { return matmul(in[0], in[1]); };
    COURSE_CHECK("matmul backward: gradient of a for [[1, 2], [3, 4]] · [[5], [6]] should be g · bᵀ = [[5, 6], [5, 6]]",
                 close(gradients(product, {a, b})[0], Array{{5, 6}, {5, 6}}));
    COURSE_CHECK("matmul backward: gradient of b for [[1, 2], [3, 4]] · [[5], [6]] should be aᵀ · g = [[4], [6]]",
                 close(gradients(product, {a, b})[1], column({4, 6})));
}

TEST_CASE("linear") {
    for (const auto& [N, in, out] : kSizes) {
        const std::string sizes = " for x (" + std::to_string(N) + ", " + std::to_string(in) + "), w (" +
                                  std::to_string(out) + ", " + std::to_string(in) + ")";
        const Tensor x = normal({N, in}, 55), w = normal({out, in}, 56), b = normal({out}, 57);
        COURSE_CHECK("linear: wrong values" + sizes + ": y = x · wᵀ + b, b added to every row",
                     close(linear(x, w, b).value(), linear_by_loop(x.value(), w.value(), &b.value())));
        COURSE_CHECK("linear: wrong values without a bias" + sizes + ": y = x · wᵀ",
                     close(linear(x, w, Tensor()).value(), linear_by_loop(x.value(), w.value(), nullptr)));
        COURSE_GRADCHECK("linear backward: wrong gradient" + sizes +
                             ": dx = g · w (N, in), dw = gᵀ · x (out, in), db = Σ over the rows of g (out,)",
                         [](const std::vector<Tensor>& v) { return linear(v[0], v[1], v[2]); },
                         {normal({N, in}, 58), normal({out, in}, 59), normal({out}, 60)});
    }
    const Array x = Array{{1, 2}, {3, 4}, {5, 6}}, w = Array{{1, 0}, {0, 1}}, b = Array{0, 0};
    const auto layer = [](const std::vector<Tensor>& v) { return linear(v[0], v[1], v[2]); };
    COURSE_CHECK("linear backward: the bias gradient for 3 rows of g = 1 should be [3, 3]: b is added to every row, "
                 "so db sums g over the batch",
                 close(gradients(layer, {x, w, b})[2], Array{3, 3}));
    COURSE_CHECK("linear backward: the weight gradient for x [[1, 2], [3, 4], [5, 6]], g = 1 should be gᵀ · x = "
                 "[[9, 12], [9, 12]]",
                 close(gradients(layer, {x, w, b})[1], Array{{9, 12}, {9, 12}}));
    COURSE_CHECK("linear backward: a second backward without zero_grad should add to w.grad (gemm can add the "
                 "product onto what is there), giving twice [[9, 12], [9, 12]]",
                 [&] {
                     Tensor xt_(x), wt(w, true), bt(b, true);
                     for (int step = 0; step < 2; ++step) {
                         const Tensor y = linear(xt_, wt, bt);
                         backward(y, xt::ones<float>(y.shape()));
                     }
                     return close(wt.grad(), Array{{18, 24}, {18, 24}});
                 }());
}

}  // TEST_SUITE
