// test_dropout.cpp — Dropout in training (elements zeroed with probability p,
// survivors scaled by 1/(1 - p), mask drawn from the caller's generator) and in
// eval (the identity, nothing drawn), the gradient, and the bad p error.
#include "check.hpp"

#include <cmath>

using namespace xgrad;
using xgrad::testing::all_close;

TEST_CASE("Dropout in training mode") {
    Generator gen(11);
    nn::Dropout drop(0.25f, gen);
    CHECK(drop.p() == 0.25f);
    CHECK(drop.is_training());
    Tensor x(xt::ones<float>({400, 250}));  // 100 000 ones
    Tensor y = drop(x);
    // Each element is 0 or 1 / (1 - 0.25) = 4/3; about 25% are 0; the mean stays ≈ 1.
    std::size_t zeros = 0;
    double total = 0;
    bool only_two_values = true;
    for (float v : y.value()) {
        zeros += v == 0.0f;
        total += v;
        only_two_values = only_two_values && (v == 0.0f || v == doctest::Approx(4.0f / 3.0f));
    }
    CHECK(only_two_values);
    CHECK(static_cast<double>(zeros) / 1e5 == doctest::Approx(0.25).epsilon(0.03));
    CHECK(total / 1e5 == doctest::Approx(1.0).epsilon(0.01));

    SUBCASE("the mask comes from the caller's generator, one uniform draw per element") {
        Generator g1(3), g2(3);
        nn::Dropout d(0.5f, g1);
        Tensor small(Array{{1, 2, 3}, {4, 5, 6}});
        Tensor out = d(small);
        // Element i is kept (and doubled) when its draw is >= p.
        for (std::size_t i = 0; i < 6; ++i) {
            const float expected = g2.uniform() >= 0.5f ? 2.0f * small.value().data()[i] : 0.0f;
            CHECK(out.value().data()[i] == expected);
        }
    }
    SUBCASE("the gradient is the same mask: dx = g · m") {
        Tensor xs(Array{{1, 2, 3}, {4, 5, 6}}, true);
        Tensor out = drop(xs);
        backward(out, xt::ones<float>({2, 3}));
        // out = x · m, so m = out / x and dx = m
        CHECK(all_close(xs.grad(), out.value() / xs.value()));
    }
}

TEST_CASE("Dropout in eval mode is the identity and draws nothing") {
    Generator gen(11), untouched(11);
    nn::Dropout drop(0.5f, gen);
    drop.eval();
    Tensor x(Array{{1, 2, 3}, {4, 5, 6}}, true);
    Tensor y = drop(x);
    CHECK(y.value() == x.value());
    CHECK(gen.next_u64() == untouched.next_u64());
    drop.train();
    CHECK(drop(x).value() != x.value());  // P(all six kept) = 1/64; with seed 11 some are dropped
}

TEST_CASE("Dropout rejects p outside [0, 1)") {
    Generator gen(1);
    CHECK_THROWS_WITH_AS(nn::Dropout(1.0f, gen), "Dropout: p must be in [0, 1), got 1", std::invalid_argument);
    CHECK_THROWS_WITH_AS(nn::Dropout(-0.5f, gen), "Dropout: p must be in [0, 1), got -0.5", std::invalid_argument);
    CHECK_NOTHROW(nn::Dropout(0.0f, gen));
}
