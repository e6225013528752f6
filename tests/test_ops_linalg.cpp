// test_ops_linalg.cpp — matmul (by hand, against a naive triple loop, gradient
// checks with either or both inputs requiring grad, proof that it runs on
// OpenBLAS), the fused linear (by hand, against the op-by-op reference
// nn::linear_reference in values and gradients, gradient checks, errors) and
// transpose (by hand, gradient checks; its other orders are permute's, tested in
// test_ops_shape.cpp).
#include "check.hpp"

#include <cblas.h>
#include <dlfcn.h>

#include <algorithm>
#include <cstring>
#include <string>
#include <vector>

using namespace xgrad;
using xgrad::testing::all_close;
using xgrad::testing::randn;

namespace {

// The reference: out[i, j] = Σ_k a[i, k] b[k, j], one element at a time, in double.
Array naive_matmul(const Array& a, const Array& b) {
    const std::size_t M = a.shape()[0], K = a.shape()[1], N = b.shape()[1];
    Array out = Array::from_shape({M, N});
    for (std::size_t i = 0; i < M; ++i)
        for (std::size_t j = 0; j < N; ++j) {
            double s = 0.0;
            for (std::size_t k = 0; k < K; ++k) s += static_cast<double>(a(i, k)) * b(k, j);
            out(i, j) = static_cast<float>(s);
        }
    return out;
}

// The values, read row-major, laid out in `shape` (a column {{3}, {4}} is
// ambiguous to spell as an xarray literal).
Array shaped(Array values, const Shape& shape) {
    values.reshape(shape);
    return values;
}

// x[j] = j in row-major order.
Array arange(const Shape& shape) {
    Array a = Array::from_shape(shape);
    for (std::size_t j = 0; j < a.size(); ++j) a.data()[j] = static_cast<float>(j);
    return a;
}

}  // namespace

TEST_CASE("matmul") {
    SUBCASE("by hand") {
        // [[1, 2],    [[1, 0, -1],     [[1+4, 0+2, -1+0],     [[ 5, 2, -1],
        //  [3, 4],  ·  [2, 1,  0]]  =   [3+8, 0+4, -3+0],  =   [11, 4, -3],
        //  [5, 6]]                      [5+12, 0+6, -5+0]]     [17, 6, -5]]
        Tensor a(Array{{1.0f, 2.0f}, {3.0f, 4.0f}, {5.0f, 6.0f}});
        Tensor b(Array{{1.0f, 0.0f, -1.0f}, {2.0f, 1.0f, 0.0f}});
        Tensor y = matmul(a, b);
        CHECK(y.shape() == Shape{3, 3});
        CHECK(all_close(y.value(), Array{{5.0f, 2.0f, -1.0f}, {11.0f, 4.0f, -3.0f}, {17.0f, 6.0f, -5.0f}}));
    }
    SUBCASE("backward by hand") {
        // y = [1, 2] · [[3], [4]] = 1·3 + 2·4 = 11;  da = g·bᵀ = [[3, 4]],  db = aᵀ·g = [[1], [2]]
        Tensor a(Array{{1.0f, 2.0f}}, true);
        Tensor b(shaped({3.0f, 4.0f}, {2, 1}), true);
        Tensor y = matmul(a, b);
        CHECK(y.item() == doctest::Approx(11.0f));
        y.backward();
        CHECK(all_close(a.grad(), Array{{3.0f, 4.0f}}));
        CHECK(all_close(b.grad(), shaped({1.0f, 2.0f}, {2, 1})));
    }
    SUBCASE("against a naive triple loop") {
        const std::vector<std::pair<Shape, Shape>> cases = {
            {{1, 1}, {1, 1}},    {{1, 7}, {7, 5}},     {{6, 7}, {7, 1}},     {{1, 9}, {9, 1}},
            {{9, 1}, {1, 8}},    {{13, 17}, {17, 11}}, {{64, 100}, {100, 32}}, {{200, 33}, {33, 150}},
        };
        std::uint64_t seed = 11;
        for (const auto& [sa, sb] : cases) {
            INFO(shape_str(sa), " x ", shape_str(sb));
            Tensor a = randn(sa, seed++), b = randn(sb, seed++);
            Tensor y = matmul(a, b);
            CHECK(y.shape() == Shape{sa[0], sb[1]});
            CHECK(all_close(y.value(), naive_matmul(a.value(), b.value()), 1e-4f));
        }
    }
    SUBCASE("empty shapes") {
        // K = 0: every element is an empty sum, 0
        Tensor a(Array::from_shape({2, 0}), true), b(Array::from_shape({0, 3}), true);
        Tensor y = matmul(a, b);
        CHECK(all_close(y.value(), Array{{0.0f, 0.0f, 0.0f}, {0.0f, 0.0f, 0.0f}}));
        y.backward(xt::ones<float>({2, 3}));
        CHECK(a.grad().shape() == Shape{2, 0});
        CHECK(b.grad().shape() == Shape{0, 3});
        // M = 0
        CHECK(matmul(Tensor(Array::from_shape({0, 4})), randn({4, 3})).shape() == Shape{0, 3});
    }
    SUBCASE("gradcheck, both inputs") {
        const auto f = [](const std::vector<Tensor>& v) { return matmul(v[0], v[1]); };
        CHECK_GRADCHECK(f, {randn({3, 4}, 1), randn({4, 5}, 2)});
        CHECK_GRADCHECK(f, {randn({1, 6}, 3), randn({6, 4}, 4)});
        CHECK_GRADCHECK(f, {randn({5, 6}, 5), randn({6, 1}, 6)});
        CHECK_GRADCHECK(f, {randn({1, 3}, 7), randn({3, 1}, 8)});
    }
    SUBCASE("gradcheck, only a requires grad") {
        const Tensor b = randn({4, 5}, 2);  // a constant: matmul must leave it alone
        CHECK_GRADCHECK([b](const std::vector<Tensor>& v) { return matmul(v[0], b); }, {randn({3, 4}, 1)});
        CHECK_FALSE(b.has_grad());
    }
    SUBCASE("gradcheck, only b requires grad") {
        const Tensor a = randn({3, 4}, 1);
        CHECK_GRADCHECK([a](const std::vector<Tensor>& v) { return matmul(a, v[0]); }, {randn({4, 5}, 2)});
        CHECK_FALSE(a.has_grad());
    }
    SUBCASE("a gradient reaches both uses of a shared input") {
        // y = Σ (x · x): the two uses of x each add their share
        CHECK_GRADCHECK([](const std::vector<Tensor>& v) { return sum(matmul(v[0], v[0])); }, {randn({4, 4}, 9)});
    }
    SUBCASE("errors") {
        CHECK_THROWS_WITH_AS(matmul(randn({64, 784}), randn({100, 128})),
                             "matmul: shape mismatch (64, 784) x (100, 128)", ShapeError);
        CHECK_THROWS_WITH_AS(matmul(randn({2, 3, 4}), randn({4, 5})),
                             "matmul: expected 2-D inputs, got (2, 3, 4) x (4, 5)", ShapeError);
        CHECK_THROWS_WITH_AS(matmul(randn({3, 4}), randn({4})), "matmul: expected 2-D inputs, got (3, 4) x (4,)",
                             ShapeError);
        CHECK_THROWS_WITH_AS(matmul(Tensor::scalar(2.0f), randn({1, 1})),
                             "matmul: expected 2-D inputs, got () x (1, 1)", ShapeError);
    }
}

TEST_CASE("matmul runs on OpenBLAS") {
    // The cblas_sgemm that matmul calls lives in the OpenBLAS shared library ...
    Dl_info info{};
    REQUIRE(dladdr(reinterpret_cast<void*>(&cblas_sgemm), &info) != 0);
    REQUIRE(info.dli_fname != nullptr);
    INFO("cblas_sgemm comes from ", info.dli_fname);
    CHECK(std::string(info.dli_fname).find("openblas") != std::string::npos);
    // ... which answers to OpenBLAS's own query function.
    const char* config = openblas_get_config();
    REQUIRE(config != nullptr);
    INFO("openblas_get_config: ", config);
    CHECK(std::string(config).size() > 0);
}

TEST_CASE("linear") {
    SUBCASE("by hand, forward and backward") {
        // x = [[1, -1], [0, 2]], w = [[1, 2], [3, 4], [5, 6]], b = [0.5, -1, 2]
        // y = x · wᵀ + b:  row 0: [1 - 2 + 0.5, 3 - 4 - 1, 5 - 6 + 2] = [-0.5, -2, 1]
        //                  row 1: [0 + 4 + 0.5, 0 + 8 - 1, 0 + 12 + 2] = [4.5, 7, 14]
        Tensor x(Array{{1.0f, -1.0f}, {0.0f, 2.0f}}, true);
        Tensor w(Array{{1.0f, 2.0f}, {3.0f, 4.0f}, {5.0f, 6.0f}}, true);
        Tensor b(Array{0.5f, -1.0f, 2.0f}, true);
        Tensor y = linear(x, w, b);
        CHECK(all_close(y.value(), Array{{-0.5f, -2.0f, 1.0f}, {4.5f, 7.0f, 14.0f}}));
        // seed g = [[1, 0, 0], [0, 1, 1]]
        //   dx = g · w = [[1, 2], [3 + 5, 4 + 6]] = [[1, 2], [8, 10]]
        //   dw = gᵀ · x = [[1, -1], [0, 2], [0, 2]]      db = Σ_n g[n] = [1, 1, 1]
        y.backward(Array{{1.0f, 0.0f, 0.0f}, {0.0f, 1.0f, 1.0f}});
        CHECK(all_close(x.grad(), Array{{1.0f, 2.0f}, {8.0f, 10.0f}}));
        CHECK(all_close(w.grad(), Array{{1.0f, -1.0f}, {0.0f, 2.0f}, {0.0f, 2.0f}}));
        CHECK(all_close(b.grad(), Array{1.0f, 1.0f, 1.0f}));
    }
    SUBCASE("one tape entry, named linear") {
        clear_tape();
        Tensor w(randn({3, 4}, 2).value(), true);
        linear(randn({5, 4}, 1), w, randn({3}, 3));
        REQUIRE(Tape::current().size() == 1);
        CHECK(std::string(Tape::current().entries()[0].op) == "linear");
        clear_tape();
    }
    SUBCASE("values and gradients equal the op-by-op reference matmul(x, transpose(w)) + b") {
        const std::vector<std::pair<Shape, Shape>> cases = {  // x (N, in), w (out, in)
            {{1, 1}, {1, 1}}, {{5, 4}, {3, 4}}, {{1, 9}, {7, 9}}, {{64, 110}, {256, 110}}, {{64, 256}, {1, 256}},
        };
        std::uint64_t seed = 21;
        for (const auto& [sx, sw] : cases) {
            for (const bool with_bias : {true, false}) {
                INFO("x ", shape_str(sx), " w ", shape_str(sw), with_bias ? " with bias" : " without bias");
                const Array xv = randn(sx, seed++).value(), wv = randn(sw, seed++).value();
                const Array bv = randn({sw[0]}, seed++).value(), gv = randn({sx[0], sw[0]}, seed++).value();
                Tensor x1(xv, true), w1(wv, true), b1 = with_bias ? Tensor(bv, true) : Tensor();
                Tensor x2(xv, true), w2(wv, true), b2 = with_bias ? Tensor(bv, true) : Tensor();
                Tensor fused = linear(x1, w1, b1), reference = nn::linear_reference(x2, w2, b2);
                CHECK(all_close(fused.value(), reference.value(), 1e-5f));
                fused.backward(gv);
                reference.backward(gv);
                CHECK(all_close(x1.grad(), x2.grad(), 1e-5f));
                CHECK(all_close(w1.grad(), w2.grad(), 1e-5f));
                if (with_bias) CHECK(all_close(b1.grad(), b2.grad(), 1e-5f));
            }
        }
    }
    SUBCASE("gradcheck w.r.t. x, w and b, and without a bias") {
        const auto f = [](const std::vector<Tensor>& v) { return linear(v[0], v[1], v[2]); };
        CHECK_GRADCHECK(f, {randn({5, 4}, 1), randn({3, 4}, 2), randn({3}, 3)});
        CHECK_GRADCHECK(f, {randn({1, 6}, 4), randn({1, 6}, 5), randn({1}, 6)});
        const auto no_bias = [](const std::vector<Tensor>& v) { return linear(v[0], v[1]); };
        CHECK_GRADCHECK(no_bias, {randn({4, 3}, 7), randn({2, 3}, 8)});
    }
    SUBCASE("inputs that need no gradient are skipped (a frozen layer, a constant input)") {
        const Tensor w = randn({3, 4}, 2), b = randn({3}, 3);  // frozen weight and bias
        CHECK_GRADCHECK([w, b](const std::vector<Tensor>& v) { return linear(v[0], w, b); }, {randn({5, 4}, 1)});
        CHECK_FALSE(w.has_grad());
        CHECK_FALSE(b.has_grad());
        const Tensor x = randn({5, 4}, 1);  // a constant input: only the weight side is computed
        CHECK_GRADCHECK([x](const std::vector<Tensor>& v) { return linear(x, v[0], v[1]); },
                        {randn({3, 4}, 2), randn({3}, 3)});
        CHECK_FALSE(x.has_grad());
    }
    SUBCASE("gradients accumulate onto earlier ones") {
        // y = Σ linear(x, w) + Σ linear(x, w): every gradient is twice that of one use
        Tensor x(randn({3, 2}, 1).value(), true), w(randn({4, 2}, 2).value(), true);
        sum(linear(x, w) + linear(x, w)).backward();
        // one use: dx[n] = Σ_j w[j] (g = 1), dw[j] = Σ_n x[n]
        const Array dx_one = xt::broadcast(xt::sum(w.value(), {0}), {3, 2});
        const Array dw_one = xt::broadcast(xt::sum(x.value(), {0}), {4, 2});
        CHECK(all_close(x.grad(), 2.0f * dx_one));
        CHECK(all_close(w.grad(), 2.0f * dw_one));
    }
    SUBCASE("empty sizes") {
        // in = 0: every element is an empty sum, so y = b in every row
        Tensor y = linear(Tensor(Array::from_shape({2, 0})), Tensor(Array::from_shape({3, 0})),
                          Tensor(Array{1.0f, 2.0f, 3.0f}));
        CHECK(all_close(y.value(), Array{{1.0f, 2.0f, 3.0f}, {1.0f, 2.0f, 3.0f}}));
        CHECK(linear(Tensor(Array::from_shape({0, 4})), randn({3, 4})).shape() == Shape{0, 3});
    }
    SUBCASE("errors") {
        CHECK_THROWS_WITH_AS(linear(randn({64, 100}), randn({128, 784})),
                             "linear: x (64, 100) does not fit weight (128, 784): expected 784 features", ShapeError);
        CHECK_THROWS_WITH_AS(linear(randn({4}), randn({3, 4})),
                             "linear: expected 2-D x and weight, got x (4,) and weight (3, 4)", ShapeError);
        CHECK_THROWS_WITH_AS(linear(randn({2, 4}), randn({3, 4}), randn({4})),
                             "linear: bias (4,) does not fit weight (3, 4): expected (3,)", ShapeError);
    }
}

TEST_CASE("weight gradients go straight into a zeroed gradient buffer, bit for bit") {
    // linear and matmul let sgemm add dw onto a gradient buffer holding only +0 (what
    // zero_grad leaves) instead of making dw apart and adding it: the values must be
    // exactly those of the readable path (a fresh weight, whose first gradient is the
    // product itself), and the fast path must really run (one array fewer).
    // Sizes are large enough (dw 64 x 48 floats = 12 KiB) for the allocator to count the arrays.
    const Array xv = randn({16, 48}, 1).value(), wv = randn({64, 48}, 2).value(), gv = randn({16, 64}, 3).value();
    auto cacheable_arrays = [] { return allocator_stats().from_cache + allocator_stats().from_system; };
    auto same_bits = [](const Array& a, const Array& b) {
        return a.shape() == b.shape() && std::equal(a.begin(), a.end(), b.begin(), [](float u, float v) {
                   return std::memcmp(&u, &v, sizeof(float)) == 0;
               });
    };
    SUBCASE("linear") {
        Tensor x(xv), w(wv, true), b(randn({64}, 4).value(), true);
        std::uint64_t before = cacheable_arrays();
        linear(x, w, b).backward(gv);  // first gradient: made apart and moved in
        const std::uint64_t readable_arrays = cacheable_arrays() - before;
        const Array readable = w.grad();

        w.zero_grad();
        b.zero_grad();
        before = cacheable_arrays();
        linear(x, w, b).backward(gv);  // into the zeroed buffer
        CHECK(cacheable_arrays() - before == readable_arrays - 1);  // no separate dw
        CHECK(same_bits(w.grad(), readable));

        linear(x, w, b).backward(gv);  // no zero_grad: the buffer is not zero, dw is added: 2 dw exactly
        CHECK(same_bits(w.grad(), readable * 2.0f));
    }
    SUBCASE("matmul") {
        Tensor a(xv), bt(randn({48, 64}, 5).value(), true);  // (16, 48) · (48, 64)
        matmul(a, bt).backward(gv);
        const Array readable = bt.grad();
        bt.zero_grad();
        matmul(a, bt).backward(gv);
        CHECK(same_bits(bt.grad(), readable));
    }
}

TEST_CASE("transpose") {
    SUBCASE("2-D, by hand") {
        // [[1, 2, 3],      [[1, 4],
        //  [4, 5, 6]]  ->   [2, 5],
        //                   [3, 6]]
        Tensor x(Array{{1.0f, 2.0f, 3.0f}, {4.0f, 5.0f, 6.0f}});
        CHECK(all_close(transpose(x).value(), Array{{1.0f, 4.0f}, {2.0f, 5.0f}, {3.0f, 6.0f}}));
    }
    SUBCASE("3-D, by hand") {
        // x[a, b, c] = 12 a + 4 b + c, shape (2, 3, 4)
        Tensor x(arange({2, 3, 4}));
        // reversed: y[c, b, a] = x[a, b, c]; shape (4, 3, 2)
        Tensor y = transpose(x);
        CHECK(y.shape() == Shape{4, 3, 2});
        CHECK(y.value()(3, 1, 0) == 7.0f);   // x[0, 1, 3] = 4 + 3
        CHECK(y.value()(2, 2, 1) == 22.0f);  // x[1, 2, 2] = 12 + 8 + 2
    }
    SUBCASE("rank 0 and 1 are unchanged") {
        CHECK(transpose(Tensor::scalar(2.5f)).item() == 2.5f);
        CHECK(all_close(transpose(Tensor(Array{1.0f, 2.0f, 3.0f})).value(), Array{1.0f, 2.0f, 3.0f}));
    }
    SUBCASE("gradcheck") {
        const auto reversed = [](const std::vector<Tensor>& v) { return transpose(v[0]); };
        CHECK_GRADCHECK(reversed, {randn({3, 4})});
        CHECK_GRADCHECK(reversed, {randn({2, 3, 4})});
    }
    SUBCASE("backward by hand: the gradient is transposed back") {
        Tensor x(Array{{1.0f, 2.0f, 3.0f}, {4.0f, 5.0f, 6.0f}}, true);
        transpose(x).backward(Array{{10.0f, 40.0f}, {20.0f, 50.0f}, {30.0f, 60.0f}});
        CHECK(all_close(x.grad(), Array{{10.0f, 20.0f, 30.0f}, {40.0f, 50.0f, 60.0f}}));
    }
    SUBCASE("it is permute with the axes reversed, one tape entry") {
        Tensor x = randn({2, 3, 4});
        x.set_requires_grad(true);
        const std::size_t before = Tape::current().size();
        const Tensor y = transpose(x);
        CHECK(Tape::current().size() == before + 1);
        CHECK(std::string(Tape::current().entries().back().op) == "permute");
        CHECK(y.value() == permute(x, {2, 1, 0}).value());
    }
}
