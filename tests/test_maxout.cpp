// test_maxout.cpp — Maxout and maxout(): a tiny case worked by hand (which
// columns form a unit's pieces), the gradient going to the winning piece only,
// gradient checks (inputs chosen so no two pieces tie), names, and the errors.
#include "check.hpp"

#include <vector>

using namespace xgrad;
using xgrad::testing::all_close;
using xgrad::testing::randn;

namespace {
using Fn = std::function<Tensor(const std::vector<Tensor>&)>;
}

TEST_CASE("maxout() by hand") {
    // z (2, 6), 2 units × 3 pieces: unit 0 = columns 0..2, unit 1 = columns 3..5
    // row 0: max(1, 5, 2) = 5, max(-1, -3, -2) = -1
    // row 1: max(0, -1, 7) = 7, max(4, 4.5, 3) = 4.5
    Tensor z(Array{{1, 5, 2, -1, -3, -2}, {0, -1, 7, 4, 4.5f, 3}}, true);
    Tensor y = nn::maxout(z, 3);
    CHECK(all_close(y.value(), Array{{5, -1}, {7, 4.5f}}));
    // The gradient goes to the winning piece only.
    backward(y, Array{{10, 20}, {30, 40}});
    CHECK(all_close(z.grad(), Array{{0, 10, 0, 20, 0, 0}, {0, 0, 30, 0, 40, 0}}));
    // One piece is the identity.
    CHECK(all_close(nn::maxout(z, 1).value(), z.value()));
}

TEST_CASE("Maxout layer") {
    Generator gen(2);
    nn::Maxout layer(4, 3, 2, gen);
    CHECK(layer.in_features() == 4);
    CHECK(layer.out_features() == 3);
    CHECK(layer.pieces() == 2);
    std::vector<std::string> names;
    for (const auto& [name, t] : layer.named_parameters()) names.push_back(name);
    CHECK(names == std::vector<std::string>{"linear.weight", "linear.bias"});
    CHECK(layer.linear().weight().shape() == Shape{6, 4});
    CHECK(layer.num_parameters() == 6 * 4 + 6);

    SUBCASE("a tiny layer worked by hand") {
        // in 2, out 1, 2 pieces: piece 0 = x0 + x1, piece 1 = x0 - x1 + 1
        nn::Maxout tiny(2, 1, 2, gen);
        Tensor w = tiny.linear().weight(), b = tiny.linear().bias();
        w.mutable_value() = Array{{1, 1}, {1, -1}};
        b.mutable_value() = Array{0, 1};
        // x = [2, 3]: max(5, 0) = 5     x = [2, -3]: max(-1, 6) = 6
        Tensor y = tiny(Tensor(Array{{2, 3}, {2, -3}}));
        CHECK(y.shape() == Shape{2, 1});
        CHECK(y.value()(0, 0) == 5.0f);
        CHECK(y.value()(1, 0) == 6.0f);
    }
    SUBCASE("equals the Linear followed by a max over each unit's columns") {
        Tensor x = randn({5, 4}, 3);
        const Array z = linear(x, layer.linear().weight(), layer.linear().bias()).value();
        Array expected = Array::from_shape({5, 3});
        for (std::size_t n = 0; n < 5; ++n)
            for (std::size_t j = 0; j < 3; ++j) expected(n, j) = std::max(z(n, 2 * j), z(n, 2 * j + 1));
        CHECK(all_close(layer(x).value(), expected));
    }
}

TEST_CASE("Maxout gradients") {
    Tensor x = randn({5, 4}, 1), w = randn({6, 4}, 2), b = randn({6}, 3);
    // Away from ties: the two pieces of every unit differ by much more than
    // gradcheck's nudges (h = 0.01 on one weight moves a piece by < 0.04).
    const Array z = linear(x, w, b).value();
    for (std::size_t n = 0; n < 5; ++n)
        for (std::size_t j = 0; j < 3; ++j) REQUIRE(std::abs(z(n, 2 * j) - z(n, 2 * j + 1)) > 0.1f);

    SUBCASE("gradcheck of maxout(linear(x, W, b)) w.r.t. x, W, b") {
        Fn f = [](const std::vector<Tensor>& t) { return nn::maxout(linear(t[0], t[1], t[2]), 2); };
        CHECK_GRADCHECK(f, {x, w, b});
    }
    SUBCASE("gradcheck through the layer w.r.t. x") {
        Generator gen(2);
        nn::Maxout layer(4, 3, 2, gen);
        Tensor wl = layer.linear().weight(), bl = layer.linear().bias();
        wl.mutable_value() = w.value();
        bl.mutable_value() = b.value();
        Fn f = [&layer](const std::vector<Tensor>& t) { return layer(t[0]); };
        CHECK_GRADCHECK(f, {x});
    }
}

TEST_CASE("Maxout errors") {
    Generator gen(2);
    nn::Maxout layer(4, 3, 2, gen);
    CHECK_THROWS_WITH_AS(layer(Tensor(Array::from_shape({5, 7}))),
                         "Maxout(4 -> 3, 2 pieces): input (5, 7) has 7 features, expected 4", ShapeError);
    CHECK_THROWS_WITH_AS(nn::maxout(Tensor(Array::from_shape({5, 7})), 2),
                         "maxout: input (5, 7) must be 2-D with a multiple of 2 columns (2 pieces per unit)",
                         ShapeError);
    CHECK_THROWS_WITH_AS(nn::Maxout(4, 3, 0, gen), "Maxout: pieces must be at least 1", std::invalid_argument);
}
