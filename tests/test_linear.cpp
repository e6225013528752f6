// test_linear.cpp — Linear and the core op linear() it runs: the forward against the
// formula y = x Wᵀ + b in plain loops, a case worked by hand, gradient checks
// w.r.t. x, W and b, the layer's parameter gradients equal to the function's,
// the no-bias variant, initialisation, and the shape errors.
#include "check.hpp"

#include <cmath>
#include <string>
#include <vector>

using namespace xgrad;
using xgrad::testing::all_close;
using xgrad::testing::randn;

namespace {
using Fn = std::function<Tensor(const std::vector<Tensor>&)>;

// y[n, j] = Σ_k x[n, k] W[j, k] + b[j], in double.
Array by_hand(const Array& x, const Array& w, const Array* b) {
    const std::size_t N = x.shape()[0], in = x.shape()[1], out = w.shape()[0];
    Array y = Array::from_shape({N, out});
    for (std::size_t n = 0; n < N; ++n)
        for (std::size_t j = 0; j < out; ++j) {
            double acc = b ? (*b)(j) : 0.0;
            for (std::size_t k = 0; k < in; ++k) acc += static_cast<double>(x(n, k)) * w(j, k);
            y(n, j) = static_cast<float>(acc);
        }
    return y;
}
}  // namespace

TEST_CASE("Linear forward") {
    Generator gen(3);
    nn::Linear lin(4, 3, gen);
    CHECK(lin.in_features() == 4);
    CHECK(lin.out_features() == 3);
    CHECK(lin.weight().shape() == Shape{3, 4});
    CHECK(lin.bias().shape() == Shape{3});

    SUBCASE("equals x Wᵀ + b computed in loops") {
        Tensor x = randn({5, 4});
        const Array b = lin.bias().value();
        CHECK(all_close(lin(x).value(), by_hand(x.value(), lin.weight().value(), &b)));
    }
    SUBCASE("a case worked by hand") {
        nn::Linear small(2, 3, gen);
        Tensor w = small.weight(), b = small.bias();  // handles to the layer's own tensors
        w.mutable_value() = Array{{1, 2}, {3, 4}, {5, 6}};
        b.mutable_value() = Array{0.5f, -1.0f, 2.0f};
        // x = [1, -1]:  [1 - 2 + 0.5,  3 - 4 - 1,  5 - 6 + 2] = [-0.5, -2, 1]
        // x = [0,  2]:  [4 + 0.5,      8 - 1,      12 + 2]    = [4.5, 7, 14]
        Tensor x(Array{{1, -1}, {0, 2}});
        CHECK(all_close(small(x).value(), Array{{-0.5f, -2.0f, 1.0f}, {4.5f, 7.0f, 14.0f}}));
    }
}

TEST_CASE("Linear parameters and initialisation") {
    Generator gen(3);
    nn::Linear lin(100, 20, gen);
    const auto named = lin.named_parameters();
    REQUIRE(named.size() == 2);
    CHECK(named[0].first == "weight");
    CHECK(named[1].first == "bias");
    CHECK(lin.num_parameters() == 100 * 20 + 20);
    // PyTorch's default: U(-1/√in, 1/√in) = U(-0.1, 0.1) for weight and bias.
    for (const Tensor& p : lin.parameters()) CHECK(xt::amax(xt::abs(p.value()))() <= 0.1f);

    Generator g1(7), g2(7), g3(8);
    nn::Linear a(5, 4, g1), b(5, 4, g2), c(5, 4, g3);
    CHECK(a.weight().value() == b.weight().value());
    CHECK(a.bias().value() == b.bias().value());
    CHECK(a.weight().value() != c.weight().value());
}

TEST_CASE("Linear gradients") {
    Tensor x = randn({5, 4}, 1), w = randn({3, 4}, 2), b = randn({3}, 3);

    SUBCASE("gradcheck of linear() w.r.t. x, W and b") {
        Fn f = [](const std::vector<Tensor>& t) { return linear(t[0], t[1], t[2]); };
        CHECK_GRADCHECK(f, {x, w, b});
    }
    SUBCASE("gradcheck through the layer w.r.t. x") {
        Generator gen(3);
        nn::Linear lin(4, 3, gen);
        Fn f = [&lin](const std::vector<Tensor>& t) { return lin(t[0]); };
        CHECK_GRADCHECK(f, {x});
    }
    SUBCASE("the layer's parameter gradients are linear()'s, which gradcheck checked") {
        Generator gen(3);
        nn::Linear lin(4, 3, gen);
        Tensor w2(lin.weight().value(), true), b2(lin.bias().value(), true);
        Tensor seed = randn({5, 3}, 4);
        backward(lin(x), seed.value());
        backward(linear(x, w2, b2), seed.value());
        CHECK(all_close(lin.weight().grad(), w2.grad()));
        CHECK(all_close(lin.bias().grad(), b2.grad()));
        // and by hand: dW = gᵀ x, db = Σ_n g[n]
        CHECK(all_close(lin.weight().grad(), by_hand(xt::transpose(seed.value()), xt::transpose(x.value()), nullptr),
                        1e-4f));
        CHECK(all_close(lin.bias().grad(), Array(xt::sum(seed.value(), {0})), 1e-5f));
    }
}

TEST_CASE("Linear without bias") {
    Generator gen(3);
    nn::Linear lin(4, 3, gen, false);
    CHECK_FALSE(lin.bias().defined());
    REQUIRE(lin.named_parameters().size() == 1);
    CHECK(lin.named_parameters()[0].first == "weight");
    CHECK(lin.num_parameters() == 12);
    Tensor x = randn({2, 4});
    CHECK(all_close(lin(x).value(), by_hand(x.value(), lin.weight().value(), nullptr)));

    Fn f = [](const std::vector<Tensor>& t) { return linear(t[0], t[1]); };
    CHECK_GRADCHECK(f, {randn({5, 4}, 1), randn({3, 4}, 2)});
}

TEST_CASE("Linear shape errors") {
    Generator gen(3);
    nn::Linear lin(784, 128, gen);
    CHECK_THROWS_WITH_AS(lin(Tensor(Array::from_shape({64, 100}))),
                         "Linear(784 -> 128): input (64, 100) has 100 features, expected 784", ShapeError);
    CHECK_THROWS_WITH_AS(lin(Tensor(Array::from_shape({784}))),
                         "Linear(784 -> 128): input (784,) must be 2-D (batch, features)", ShapeError);
}
