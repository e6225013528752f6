// test_ops_random.cpp — dropout: the mask a seed draws, kept fraction and scaling,
// a gradient check through a fixed mask, eval mode as the identity, errors exactly.
#include "check.hpp"

#include <cmath>

using namespace xgrad;
using xgrad::testing::all_close;
using xgrad::testing::randn;

namespace {
// Fraction of nonzero elements.
double kept_fraction(const Array& a) {
    std::size_t kept = 0;
    for (float v : a) kept += v != 0.0f;
    return double(kept) / double(a.size());
}
}  // namespace

TEST_CASE("dropout") {
    SUBCASE("gradcheck through a fixed mask") {
        // f re-seeds its own generator, so every call (analytic and each finite
        // difference) draws the same mask: out = x * m is then linear in x.
        CHECK_GRADCHECK(
            [](const std::vector<Tensor>& in) {
                Generator gen(5);
                return dropout(in[0], 0.3f, gen);
            },
            {randn({4, 6})});
        CHECK_GRADCHECK(
            [](const std::vector<Tensor>& in) {
                Generator gen(6);
                return dropout(in[0], 0.8f, gen);
            },
            {randn({3, 2, 5})});
    }
    SUBCASE("each element is 0 or x / (1 - p); the mask is uniform() >= p, row-major") {
        // p = 0.75: kept elements are scaled by 1 / (1 - 0.75) = 4.
        const Tensor x = randn({5, 8});
        Generator gen(11);
        const Tensor y = dropout(x, 0.75f, gen);
        Generator replay(11);  // the same draws, one per element in row-major order
        bool as_drawn = true;
        for (std::size_t i = 0; i < x.size(); ++i) {
            const bool keep = replay.uniform() >= 0.75f;
            const float expected = keep ? 4.0f * x.value().data()[i] : 0.0f;
            as_drawn = as_drawn && y.value().data()[i] == doctest::Approx(expected);
        }
        CHECK(as_drawn);
        CHECK(kept_fraction(y.value()) > 0.0);  // both kinds of element occur
        CHECK(kept_fraction(y.value()) < 1.0);
        CHECK(gen.state() == replay.state());  // exactly one draw per element
    }
    SUBCASE("backward: dx = g * m") {
        // p = 0.5, scale 2. With seed g = 3 everywhere, dx = 6 where kept, 0 where dropped,
        // and kept is where y != 0 (x = 1 everywhere).
        const Tensor x(xt::ones<float>({6, 7}), true);
        Generator gen(12);
        const Tensor y = dropout(x, 0.5f, gen);
        backward(y, Array(3.0f * xt::ones<float>({6, 7})));
        bool ok = true;
        for (std::size_t i = 0; i < x.size(); ++i) {
            const float yi = y.value().data()[i], dxi = x.grad().data()[i];
            ok = ok && (yi == 2.0f ? dxi == 6.0f : (yi == 0.0f && dxi == 0.0f));
        }
        CHECK(ok);
    }
    SUBCASE("same seed, same mask; different seed or a later draw, a different mask") {
        const Tensor x(xt::ones<float>({20, 50}));
        Generator a(1), b(1), c(2);
        const Array ya = dropout(x, 0.5f, a).value();
        CHECK(dropout(x, 0.5f, b).value() == ya);
        CHECK(dropout(x, 0.5f, c).value() != ya);
        CHECK(dropout(x, 0.5f, a).value() != ya);  // the generator moved on
    }
    SUBCASE("kept fraction is 1 - p and the mean is preserved") {
        // 200000 elements: the kept fraction has standard error sqrt(p(1-p)/n) <= 0.0012,
        // so ±0.01 never flakes, yet p and 1 - p (0.2 vs 0.8, 0.9 vs 0.1) are far apart.
        const Tensor x(xt::ones<float>({400, 500}));
        Generator gen(3);
        for (float p : {0.2f, 0.5f, 0.9f}) {
            CAPTURE(p);
            const Array y = dropout(x, p, gen).value();
            CHECK(std::abs(kept_fraction(y) - (1.0 - p)) < 0.01);
            // inverted dropout: E[out] = x = 1; the mean of y is kept_fraction / (1 - p)
            CHECK(double(xt::mean(y)()) == doctest::Approx(1.0).epsilon(0.05));
            CHECK(double(xt::amax(y)()) == doctest::Approx(1.0 / (1.0 - p)));  // the scale
        }
    }
    SUBCASE("eval mode and p = 0: x itself, nothing drawn, nothing recorded") {
        const Tensor x(randn({3, 4}).value(), true);
        Generator gen(4);
        const std::string before = gen.state();
        const std::size_t tape_before = Tape::current().size();
        const Tensor y = dropout(x, 0.5f, gen, false);
        CHECK(y.node() == x.node());
        const Tensor z = dropout(x, 0.0f, gen);
        CHECK(z.node() == x.node());
        CHECK(Tape::current().size() == tape_before);
        CHECK(gen.state() == before);
    }
    SUBCASE("under NoGrad it still drops, but records nothing") {
        const Tensor x(xt::ones<float>({10, 10}), true);
        Generator gen(8);
        const std::size_t tape_before = Tape::current().size();
        NoGrad no_grad;
        const Tensor y = dropout(x, 0.5f, gen);
        CHECK_FALSE(y.requires_grad());
        CHECK(Tape::current().size() == tape_before);
        CHECK(kept_fraction(y.value()) < 1.0);
    }
    SUBCASE("errors") {
        Generator gen;
        const Tensor x = randn({2, 2});
        CHECK_THROWS_WITH_AS(dropout(x, 1.5f, gen), "dropout: p must be in [0, 1), got 1.5", std::invalid_argument);
        CHECK_THROWS_WITH_AS(dropout(x, 1.0f, gen), "dropout: p must be in [0, 1), got 1", std::invalid_argument);
        CHECK_THROWS_WITH_AS(dropout(x, -0.25f, gen), "dropout: p must be in [0, 1), got -0.25",
                             std::invalid_argument);
        CHECK_THROWS_WITH_AS(dropout(x, std::nanf(""), gen), "dropout: p must be in [0, 1), got nan",
                             std::invalid_argument);
        // a bad p is a bug in eval mode too
        CHECK_THROWS_WITH_AS(dropout(x, 1.5f, gen, false), "dropout: p must be in [0, 1), got 1.5",
                             std::invalid_argument);
    }
}
