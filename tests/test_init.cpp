// test_init.cpp — the initialisers: bounds, mean and standard deviation on big
// tensors (100 000 draws, so the sample mean is within ~σ/316 of the truth;
// the tolerances below are about 5 of those), fans worked out by hand, gains,
// and reproducibility: the same seed gives bit-identical values, drawn in
// row-major order; another seed gives other values.
#include "check.hpp"

#include <algorithm>
#include <cmath>
#include <functional>

using namespace xgrad;
namespace init = xgrad::nn::init;

namespace {

struct Stats {
    double mean = 0, std = 0, min = 0, max = 0;
};

Stats stats(const Array& a) {
    Stats s{0, 0, a.data()[0], a.data()[0]};
    for (float v : a) {
        s.mean += v;
        s.min = std::min<double>(s.min, v);
        s.max = std::max<double>(s.max, v);
    }
    s.mean /= static_cast<double>(a.size());
    for (float v : a) s.std += (v - s.mean) * (v - s.mean);
    s.std = std::sqrt(s.std / static_cast<double>(a.size()));
    return s;
}

// A (200, 500) weight: fan_in 500, fan_out 200, 100 000 elements.
Tensor big() { return Tensor(Array::from_shape({200, 500})); }

// Uniform on (-b, b): every value inside, the extremes reached, mean 0, std b/√3.
void check_symmetric_uniform(const Array& a, double b) {
    const Stats s = stats(a);
    CHECK(s.min >= -b);
    CHECK(s.max <= b);
    CHECK(s.min < -0.999 * b);
    CHECK(s.max > 0.999 * b);
    CHECK(std::abs(s.mean) < 0.01 * b);
    CHECK(s.std == doctest::Approx(b / std::sqrt(3.0)).epsilon(0.01));
}

// Normal with mean 0 and standard deviation sd.
void check_centred_normal(const Array& a, double sd) {
    const Stats s = stats(a);
    CHECK(std::abs(s.mean) < 0.02 * sd);
    CHECK(s.std == doctest::Approx(sd).epsilon(0.01));
    CHECK(s.max > 3.5 * sd);  // tails are there (P(max of 1e5 draws < 3.5σ) ≈ 1e-10)
}

bool identical(const Array& a, const Array& b) {
    return a.shape() == b.shape() && std::equal(a.begin(), a.end(), b.begin());
}

// The same seed gives bit-identical values, a different seed different ones.
void check_reproducible(const std::function<void(Tensor&, Generator&)>& fill) {
    Tensor a = big(), b = big(), c = big();
    Generator g1(42), g2(42), g3(43);
    fill(a, g1);
    fill(b, g2);
    fill(c, g3);
    CHECK(identical(a.value(), b.value()));
    CHECK_FALSE(identical(a.value(), c.value()));
}

}  // namespace

TEST_CASE("fan_in and fan_out") {
    // Linear weight (out, in) = (128, 784): fan_in = 784, fan_out = 128.
    CHECK(init::fan_in({128, 784}) == 784);
    CHECK(init::fan_out({128, 784}) == 128);
    // Conv weight (out, in, kh, kw) = (16, 3, 5, 5): receptive field 25,
    // fan_in = 3·25 = 75, fan_out = 16·25 = 400.
    CHECK(init::fan_in({16, 3, 5, 5}) == 75);
    CHECK(init::fan_out({16, 3, 5, 5}) == 400);
    CHECK_THROWS_WITH_AS(init::fan_in({5}),
                         "init: fan_in and fan_out need a weight of at least 2 axes (out, in, ...), got (5,)",
                         ShapeError);
    Tensor bias(Array::from_shape({5}));
    Generator gen(1);
    CHECK_THROWS_AS(init::xavier_uniform_(bias, gen), ShapeError);
}

TEST_CASE("calculate_gain") {
    CHECK(init::calculate_gain("linear") == 1.0f);
    CHECK(init::calculate_gain("identity") == 1.0f);
    CHECK(init::calculate_gain("sigmoid") == 1.0f);
    CHECK(init::calculate_gain("tanh") == doctest::Approx(5.0 / 3.0));
    CHECK(init::calculate_gain("relu") == doctest::Approx(1.41421356));
    // leaky_relu: √(2 / (1 + slope²)); default slope 0.01 → √(2 / 1.0001) = 1.41414285
    CHECK(init::calculate_gain("leaky_relu") == doctest::Approx(1.41414285));
    // slope 0.2 → √(2 / 1.04) = 1.38675049
    CHECK(init::calculate_gain("leaky_relu", 0.2f) == doctest::Approx(1.38675049));
    CHECK(init::calculate_gain("selu") == 0.75f);
    CHECK_THROWS_WITH_AS(init::calculate_gain("gelu"),
                         "calculate_gain: unknown nonlinearity 'gelu'; use linear, identity, sigmoid, tanh, relu, "
                         "leaky_relu or selu",
                         std::invalid_argument);
}

TEST_CASE("normal_") {
    Tensor t = big();
    Generator gen(1);
    init::normal_(t, gen, 1.5f, 2.0f);
    const Stats s = stats(t.value());
    CHECK(std::abs(s.mean - 1.5) < 0.03);  // σ/√n = 2/316 = 0.0063
    CHECK(s.std == doctest::Approx(2.0).epsilon(0.01));

    SUBCASE("draws in row-major order, one gen.normal() per element") {
        Tensor small(Array::from_shape({3, 4}));
        Generator g1(5), g2(5);
        init::normal_(small, g1, 0.0f, 1.0f);
        for (std::size_t i = 0; i < 3; ++i)
            for (std::size_t j = 0; j < 4; ++j) CHECK(small.value()(i, j) == g2.normal());
    }
    check_reproducible([](Tensor& w, Generator& g) { init::normal_(w, g); });
    CHECK_THROWS_WITH_AS(init::normal_(t, gen, 0.0f, -1.0f), "normal_: std must be >= 0, got -1",
                         std::invalid_argument);
}

TEST_CASE("uniform_") {
    Tensor t = big();
    Generator gen(1);
    init::uniform_(t, gen, -2.0f, 3.0f);
    // U[-2, 3): mean 0.5, std 5/√12 = 1.4434
    const Stats s = stats(t.value());
    CHECK(s.min >= -2.0);
    CHECK(s.max <= 3.0);
    CHECK(s.min < -1.999);
    CHECK(s.max > 2.999);
    CHECK(std::abs(s.mean - 0.5) < 0.025);
    CHECK(s.std == doctest::Approx(1.4434).epsilon(0.01));

    SUBCASE("draws in row-major order") {
        Tensor small(Array::from_shape({2, 3}));
        Generator g1(5), g2(5);
        init::uniform_(small, g1, -1.0f, 1.0f);
        for (std::size_t i = 0; i < 2; ++i)
            for (std::size_t j = 0; j < 3; ++j) CHECK(small.value()(i, j) == g2.uniform(-1.0f, 1.0f));
    }
    check_reproducible([](Tensor& w, Generator& g) { init::uniform_(w, g, -1.0f, 1.0f); });
    CHECK_THROWS_WITH_AS(init::uniform_(t, gen, 1.0f, 0.0f), "uniform_: lo (1) must not exceed hi (0)",
                         std::invalid_argument);
}

TEST_CASE("constant_, zeros_, ones_") {
    Tensor t(Array::from_shape({3, 2}));
    init::constant_(t, 0.25f);
    CHECK(testing::all_close(t.value(), Array{{0.25f, 0.25f}, {0.25f, 0.25f}, {0.25f, 0.25f}}, 0.0f));
    init::zeros_(t);
    CHECK(testing::all_close(t.value(), Array{{0, 0}, {0, 0}, {0, 0}}, 0.0f));
    init::ones_(t);
    CHECK(testing::all_close(t.value(), Array{{1, 1}, {1, 1}, {1, 1}}, 0.0f));
}

TEST_CASE("xavier_uniform_") {
    // (200, 500): b = gain √(6 / (500 + 200)) = gain · 0.0925820
    SUBCASE("gain 1") {
        Tensor t = big();
        Generator gen(1);
        init::xavier_uniform_(t, gen);
        check_symmetric_uniform(t.value(), 0.0925820);
    }
    SUBCASE("gain 5/3 (tanh)") {
        Tensor t = big();
        Generator gen(1);
        init::xavier_uniform_(t, gen, init::calculate_gain("tanh"));
        check_symmetric_uniform(t.value(), 5.0 / 3.0 * 0.0925820);
    }
    check_reproducible([](Tensor& w, Generator& g) { init::xavier_uniform_(w, g); });
}

TEST_CASE("xavier_normal_") {
    // (200, 500): s = gain √(2 / 700) = gain · 0.0534522
    Tensor t = big();
    Generator gen(1);
    init::xavier_normal_(t, gen, 2.0f);
    check_centred_normal(t.value(), 2.0 * 0.0534522);
    check_reproducible([](Tensor& w, Generator& g) { init::xavier_normal_(w, g); });
}

TEST_CASE("kaiming_uniform_") {
    Tensor t = big();
    Generator gen(1);
    SUBCASE("defaults: a = 0, fan_in, leaky_relu → gain √2") {
        // b = √3 · √2 / √500 = √(6/500) = 0.1095445
        init::kaiming_uniform_(t, gen);
        check_symmetric_uniform(t.value(), 0.1095445);
    }
    SUBCASE("fan_out") {
        // b = √(6/200) = 0.1732051
        init::kaiming_uniform_(t, gen, 0.0f, init::FanMode::fan_out);
        check_symmetric_uniform(t.value(), 0.1732051);
    }
    SUBCASE("a = √5 (PyTorch's Linear default) → b = 1/√fan_in") {
        // gain √(2 / (1 + 5)) = 1/√3, b = √3 · (1/√3) / √500 = 1/√500 = 0.0447214
        init::kaiming_uniform_(t, gen, std::sqrt(5.0f));
        check_symmetric_uniform(t.value(), 0.0447214);
    }
    check_reproducible([](Tensor& w, Generator& g) { init::kaiming_uniform_(w, g); });
}

TEST_CASE("kaiming_normal_") {
    Tensor t = big();
    Generator gen(1);
    SUBCASE("relu, fan_in: s = √2 / √500 = 0.0632456") {
        init::kaiming_normal_(t, gen, 0.0f, init::FanMode::fan_in, "relu");
        check_centred_normal(t.value(), 0.0632456);
    }
    SUBCASE("tanh, fan_out: s = (5/3) / √200 = 0.1178511") {
        init::kaiming_normal_(t, gen, 0.0f, init::FanMode::fan_out, "tanh");
        check_centred_normal(t.value(), 0.1178511);
    }
    check_reproducible([](Tensor& w, Generator& g) { init::kaiming_normal_(w, g); });
}

TEST_CASE("linear_default_") {
    // weight (200, 500), bias (200): both U(-1/√500, 1/√500), b = 0.0447214
    Tensor w = big(), bias(Array::from_shape({200}));
    Generator gen(1);
    init::linear_default_(w, bias, gen);
    check_symmetric_uniform(w.value(), 0.0447214);
    const Stats s = stats(bias.value());
    CHECK(s.min >= -0.0447214);
    CHECK(s.max <= 0.0447214);

    SUBCASE("weight first, then bias, each in row-major order") {
        Tensor w2(Array::from_shape({2, 4})), b2(Array::from_shape({2}));
        Generator g1(9), g2(9);
        init::linear_default_(w2, b2, g1);
        const float bound = 0.5f;  // 1/√4
        for (std::size_t i = 0; i < 2; ++i)
            for (std::size_t j = 0; j < 4; ++j) CHECK(w2.value()(i, j) == g2.uniform(-bound, bound));
        for (std::size_t i = 0; i < 2; ++i) CHECK(b2.value()(i) == g2.uniform(-bound, bound));
        CHECK(g1.next_u64() == g2.next_u64());  // both generators consumed the same draws
    }
    SUBCASE("an empty bias is skipped") {
        Tensor w2(Array::from_shape({2, 4})), none;
        Generator g1(9), g2(9);
        init::linear_default_(w2, none, g1);
        for (std::size_t k = 0; k < 8; ++k) g2.uniform();
        CHECK(g1.next_u64() == g2.next_u64());
    }
    check_reproducible([](Tensor& w2, Generator& g) {
        Tensor b2(Array::from_shape({200}));
        init::linear_default_(w2, b2, g);
    });
}
