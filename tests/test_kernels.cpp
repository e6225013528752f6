// test_kernels.cpp — the shared loops of autodiff/kernels.hpp, each against an
// independent reference: map and zip (every fast path and the general case)
// against xtensor's own broadcasting, the axis split against offsets counted by
// hand, gemm with every transpose and accumulate flag against a naive triple
// loop, the stable sigmoid against the formula in double, and tanh against
// std::tanh over the whole float range and in every branch.
#include "check.hpp"

#include <bit>
#include <cmath>
#include <cstdint>
#include <limits>
#include <vector>

#include "autodiff/kernels.hpp"

using namespace xgrad;
using xgrad::testing::randn;

namespace {

// Same shape and the same bits in every element (so -0 and +0 differ).
bool same_bits(const Array& a, const Array& b) {
    if (a.shape() != b.shape()) return false;
    for (std::size_t i = 0; i < a.size(); ++i)
        if (std::bit_cast<std::uint32_t>(a.data()[i]) != std::bit_cast<std::uint32_t>(b.data()[i])) return false;
    return true;
}

// How many floats lie between a and b (0 when equal, 1 for neighbours; -0 and +0 are equal).
// Each float maps to an integer that grows with its value: negatives count down from 0.
std::int64_t ulps_apart(float a, float b) {
    const auto ordered = [](float f) {
        const auto i = static_cast<std::int64_t>(std::bit_cast<std::int32_t>(f));
        return i < 0 ? std::int64_t{INT32_MIN} - i : i;
    };
    const std::int64_t d = ordered(a) - ordered(b);
    return d < 0 ? -d : d;
}

Array values(std::initializer_list<std::size_t> shape, std::uint64_t seed) { return randn(Shape(shape), seed).value(); }

}  // namespace

TEST_CASE("map applies f to every element") {
    const Array x = values({3, 5}, 1);
    const auto f = [](float v) { return v * v - 2.0f * v; };
    CHECK(same_bits(kernels::map(x, f), Array(xt::vectorize(f)(x))));
    CHECK(kernels::map(Array::from_shape({0, 4}), f).shape() == Shape{0, 4});
    const Array scalar(2.0f);
    CHECK(kernels::map(scalar, f)() == 0.0f);
}

TEST_CASE("is_row_of: the shapes broadcast repeats over the leading axes") {
    CHECK(kernels::is_row_of({4}, {3, 4}));
    CHECK(kernels::is_row_of({1, 4}, {3, 4}));
    CHECK(kernels::is_row_of({3, 4}, {2, 3, 4}));
    CHECK(kernels::is_row_of({1, 1, 4}, {2, 3, 4}));
    CHECK(kernels::is_row_of({}, {2, 3}));  // a scalar: a row of length 1 (C = 1)
    CHECK_FALSE(kernels::is_row_of({3, 1}, {3, 4}));   // a column, not a row
    CHECK_FALSE(kernels::is_row_of({2, 1, 4}, {2, 3, 4}));
    CHECK_FALSE(kernels::is_row_of({5}, {3, 4}));
    CHECK_FALSE(kernels::is_row_of({2, 3, 4}, {3, 4}));  // longer than full
}

TEST_CASE("zip: every fast path and the general case agree with xtensor's broadcasting") {
    // f is not symmetric, so a swapped operand would show.
    const auto f = [](float u, float v) { return u - 2.0f * v; };
    const std::vector<std::pair<Shape, Shape>> cases = {
        {{3, 5}, {3, 5}},         // equal shapes
        {{2, 3, 4}, {2, 3, 4}},
        {{3, 5}, {5}},            // a row on the right
        {{3, 5}, {1, 5}},
        {{2, 3, 4}, {3, 4}},
        {{2, 3, 4}, {1, 1, 4}},
        {{5}, {3, 5}},            // a row on the left
        {{1, 5}, {3, 5}},
        {{3, 4}, {2, 3, 4}},
        {{3, 5}, {}},             // a scalar on either side
        {{}, {3, 5}},
        {{3, 1}, {3, 5}},         // general: a column
        {{3, 5}, {3, 1}},
        {{2, 1, 4}, {3, 4}},      // general: both sides grow
        {{4, 1}, {1, 6}},
        {{0, 5}, {5}},            // empty
        {{3, 0}, {0}},
    };
    std::uint64_t seed = 10;
    for (const auto& [sa, sb] : cases) {
        INFO("a ", shape_str(sa), " b ", shape_str(sb));
        const Array a = randn(sa, seed++).value(), b = randn(sb, seed++).value();
        const Array expected = a - 2.0f * b;  // xtensor's general broadcasting
        CHECK(same_bits(kernels::zip(a, b, f), expected));
    }
}

TEST_CASE("AxisSplit: outer × n × inner around one axis") {
    const Shape shape{2, 3, 4};
    struct Case {
        std::size_t axis, outer, n, inner;
    };
    for (const Case c : {Case{0, 1, 2, 12}, Case{1, 2, 3, 4}, Case{2, 6, 4, 1}}) {
        INFO("axis ", c.axis);
        const kernels::AxisSplit s(shape, c.axis);
        CHECK(s.outer == c.outer);
        CHECK(s.n == c.n);
        CHECK(s.inner == c.inner);
    }
    SUBCASE("rank 1 and an empty axis") {
        const kernels::AxisSplit s(Shape{7}, 0);
        CHECK((s.outer == 1 && s.n == 7 && s.inner == 1));
        const kernels::AxisSplit e(Shape{2, 0, 3}, 1);
        CHECK((e.outer == 2 && e.n == 0 && e.inner == 3));
    }
    SUBCASE("for_each_row visits the first element of every row, in row-major order") {
        // Along axis 1 of (2, 3, 4): rows (o, i) start at o·12 + i; element k of the row is 4 further each.
        std::vector<std::size_t> starts;
        kernels::AxisSplit(shape, 1).for_each_row([&](std::size_t start) { starts.push_back(start); });
        CHECK(starts == std::vector<std::size_t>{0, 1, 2, 3, 12, 13, 14, 15});
        // The element (o, k, i) of x is x[o, k, i] in xtensor's indexing.
        Array x = values({2, 3, 4}, 3);
        CHECK(x.data()[starts[5] + 2 * 4] == x(1, 2, 1));
        starts.clear();
        kernels::AxisSplit(shape, 2).for_each_row([&](std::size_t start) { starts.push_back(start); });
        CHECK(starts == std::vector<std::size_t>{0, 4, 8, 12, 16, 20});
    }
}

TEST_CASE("gemm: every transpose and accumulate flag against a naive loop") {
    const std::size_t m = 3, n = 5, k = 4;
    const Array A = values({m, k}, 1), B = values({k, n}, 2), C0 = values({m, n}, 3);
    const Array At = xt::transpose(A), Bt = xt::transpose(B);  // the same matrices stored transposed
    Array expected = Array::from_shape({m, n});  // A · B, in double
    for (std::size_t i = 0; i < m; ++i)
        for (std::size_t j = 0; j < n; ++j) {
            double s = 0.0;
            for (std::size_t p = 0; p < k; ++p) s += static_cast<double>(A(i, p)) * B(p, j);
            expected(i, j) = static_cast<float>(s);
        }
    for (const bool trans_a : {false, true})
        for (const bool trans_b : {false, true})
            for (const bool accumulate : {false, true}) {
                INFO("trans_a ", trans_a, " trans_b ", trans_b, " accumulate ", accumulate);
                Array C = C0;
                kernels::gemm(trans_a, trans_b, m, n, k, (trans_a ? At : A).data(), (trans_b ? Bt : B).data(),
                              C.data(), accumulate);
                CHECK(xgrad::testing::all_close(C, accumulate ? Array(C0 + expected) : expected, 1e-5f));
            }
    SUBCASE("k = 0: an empty sum") {
        Array C = C0;
        kernels::gemm(false, false, m, n, 0, A.data(), B.data(), C.data(), /*accumulate=*/true);
        CHECK(same_bits(C, C0));  // unchanged
        kernels::gemm(false, false, m, n, 0, A.data(), B.data(), C.data());
        CHECK(same_bits(C, Array(xt::zeros<float>({m, n}))));
    }
}

TEST_CASE("sigmoid: the stable form equals 1 / (1 + e^-x) and never overflows") {
    for (float x = -30.0f; x <= 30.0f; x += 0.37f) {
        const double exact = 1.0 / (1.0 + std::exp(-static_cast<double>(x)));
        CHECK(kernels::sigmoid(x) == doctest::Approx(exact).epsilon(1e-6));
    }
    CHECK(kernels::sigmoid(0.0f) == 0.5f);
    // Far out, e^-x would overflow for the naive formula's x < 0 side; here it is e^x → 0.
    CHECK(kernels::sigmoid(-1e4f) == 0.0f);
    CHECK(kernels::sigmoid(1e4f) == 1.0f);
    CHECK(kernels::sigmoid(-std::numeric_limits<float>::infinity()) == 0.0f);
    CHECK(kernels::sigmoid(std::numeric_limits<float>::infinity()) == 1.0f);
    CHECK(std::isnan(kernels::sigmoid(std::numeric_limits<float>::quiet_NaN())));
    CHECK(kernels::sigmoid(-100.0f) > 0.0f);  // e^-100 ≈ 3.7e-44, a denormal, not 0
}

TEST_CASE("tanh: within 2 ulps of std::tanh over the whole range and in every branch") {
    std::int64_t worst = 0;
    float worst_x = 0.0f;
    const auto check = [&](float x) {
        const std::int64_t d = ulps_apart(kernels::tanh(x), std::tanh(x));
        if (d > worst) {
            worst = d;
            worst_x = x;
        }
    };
    SUBCASE("a sweep over every 4099th float bit pattern (both signs, every exponent)") {
        for (std::uint64_t bits = 0; bits < (std::uint64_t{1} << 32); bits += 4099) {
            const float x = std::bit_cast<float>(static_cast<std::uint32_t>(bits));
            if (!std::isnan(x)) check(x);
        }
    }
    SUBCASE("densely, where the formula works: 1e-4 <= |x| <= 10") {
        for (float x = 1e-4f; x <= 10.0f; x *= 1.0001f) {
            check(x);
            check(-x);
        }
    }
    SUBCASE("every float on each side of the two branch points, 1e-4 and 10") {
        for (const float edge : {1e-4f, 10.0f}) {
            float below = edge, above = edge;
            for (int i = 0; i < 20000; ++i) {
                below = std::nextafter(below, 0.0f);
                above = std::nextafter(above, 100.0f);
                for (const float x : {below, above, -below, -above}) check(x);
            }
        }
    }
    INFO("worst: ", worst, " ulps at x = ", worst_x);
    CHECK(worst <= 2);
}

TEST_CASE("tanh: each branch exactly") {
    const float inf = std::numeric_limits<float>::infinity();
    const auto bits = [](float v) { return std::bit_cast<std::uint32_t>(v); };
    SUBCASE("|x| < 1e-4: x itself, bit for bit (±0 and denormals included)") {
        const float denormal = std::numeric_limits<float>::denorm_min();
        for (const float x : {0.0f, -0.0f, denormal, -denormal, 1e-40f, -1e-40f,
                              std::numeric_limits<float>::min(), 1e-20f, 3e-5f, -9.99e-5f,
                              std::nextafter(1e-4f, 0.0f)})
            CHECK(bits(kernels::tanh(x)) == bits(x));
    }
    SUBCASE("|x| >= 10: clamped, exactly ±1, as std::tanh rounds in float") {
        for (const float x : {10.0f, 10.5f, 87.0f, 1e30f, std::numeric_limits<float>::max(), inf}) {
            CHECK(kernels::tanh(x) == 1.0f);
            CHECK(kernels::tanh(-x) == -1.0f);
            CHECK(std::tanh(x) == 1.0f);
        }
    }
    SUBCASE("in between: odd, and strictly inside (-1, 1) where tanh is") {
        for (const float x : {1e-4f, 0.5f, 1.0f, 3.0f, 8.0f}) {
            CHECK(kernels::tanh(-x) == -kernels::tanh(x));
            CHECK(std::abs(kernels::tanh(x)) <= 1.0f);
        }
        CHECK(kernels::tanh(1.0f) == doctest::Approx(0.7615941559557649));
    }
    SUBCASE("NaN stays NaN") {
        CHECK(std::isnan(kernels::tanh(std::numeric_limits<float>::quiet_NaN())));
        CHECK(std::isnan(kernels::tanh(-std::numeric_limits<float>::quiet_NaN())));
    }
}
