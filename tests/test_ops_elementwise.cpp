// test_ops_elementwise.cpp — forward values worked out by hand and gradient
// checks for every elementwise op, with a SUBCASE per broadcasting pattern;
// where, minimum and maximum also with their ties and NaNs.
#include "check.hpp"

#include <cmath>
#include <limits>

#include <xtensor/xmath.hpp>

using namespace xgrad;
using xgrad::testing::all_close;
using xgrad::testing::randn;
using xgrad::testing::randu;
using xgrad::testing::reshaped;

namespace {
using Fn = std::function<Tensor(const std::vector<Tensor>&)>;
using BinaryOp = Tensor (*)(const Tensor&, const Tensor&);

// The broadcasting patterns every binary op is checked under.
struct Pattern {
    const char* name;
    Shape a, b;
};
const Pattern patterns[] = {
    {"same shape (2, 3)", {2, 3}, {2, 3}},
    {"row vector (2, 3) + (3,)", {2, 3}, {3}},
    {"column (2, 3) + (2, 1)", {2, 3}, {2, 1}},
    {"scalar (2, 3) + ()", {2, 3}, {}},
    {"scalar first () + (2, 3)", {}, {2, 3}},
    {"outer (3, 1) + (1, 4)", {3, 1}, {1, 4}},
    {"rank 4 (2, 1, 3, 1) + (4, 1, 5)", {2, 1, 3, 1}, {4, 1, 5}},
    {"both stretched (1, 3) + (2, 1)", {1, 3}, {2, 1}},
};

void check_binary(BinaryOp op, bool positive_b) {
    for (const Pattern& p : patterns) {
        SUBCASE(p.name) {
            Tensor a = randn(p.a, 1);
            // Division needs a denominator away from 0.
            Tensor b = positive_b ? randu(p.b, 0.5f, 2.0f, 2) : randn(p.b, 2);
            Fn f = [op](const std::vector<Tensor>& x) { return op(x[0], x[1]); };
            CHECK_GRADCHECK(f, {a, b});
        }
    }
}
}  // namespace

TEST_CASE("add") {
    // [[1, 2, 3], [4, 5, 6]] + [10, 20, 30] = [[11, 22, 33], [14, 25, 36]]
    Tensor a(Array{{1.f, 2.f, 3.f}, {4.f, 5.f, 6.f}});
    Tensor b(Array{10.f, 20.f, 30.f});
    CHECK(all_close(add(a, b).value(), Array{{11.f, 22.f, 33.f}, {14.f, 25.f, 36.f}}));
    CHECK(all_close((a + b).value(), Array{{11.f, 22.f, 33.f}, {14.f, 25.f, 36.f}}));
    check_binary(add, false);
}

TEST_CASE("sub") {
    Tensor a(Array{{1.f, 2.f, 3.f}, {4.f, 5.f, 6.f}});
    Tensor b(reshaped({1.f, 2.f}, {2, 1}));
    CHECK(all_close(sub(a, b).value(), Array{{0.f, 1.f, 2.f}, {2.f, 3.f, 4.f}}));
    CHECK(all_close((a - b).value(), Array{{0.f, 1.f, 2.f}, {2.f, 3.f, 4.f}}));
    check_binary(sub, false);
}

TEST_CASE("mul") {
    Tensor a(Array{{1.f, 2.f}, {3.f, 4.f}});
    Tensor b(Array{2.f, -1.f});
    CHECK(all_close(mul(a, b).value(), Array{{2.f, -2.f}, {6.f, -4.f}}));
    check_binary(mul, false);
}

TEST_CASE("div") {
    Tensor a(Array{{1.f, 2.f}, {3.f, 4.f}});
    Tensor b(Array{2.f, 4.f});
    CHECK(all_close(div(a, b).value(), Array{{0.5f, 0.5f}, {1.5f, 1.0f}}));
    check_binary(div, true);
}

TEST_CASE("binary ops give xtensor's broadcast values on every pattern") {
    // The ops loop over .data() for equal shapes and for a row on either side, and
    // fall back to xtensor otherwise; every path must give what xtensor computes.
    for (const Pattern& p : patterns) {
        SUBCASE(p.name) {
            const Array a = randn(p.a, 1).value(), b = randu(p.b, 0.5f, 2.0f, 2).value();
            const Array sum = a + b, difference = a - b, product = a * b, quotient = a / b;
            CHECK(all_close(add(Tensor(a), Tensor(b)).value(), sum));
            CHECK(all_close(sub(Tensor(a), Tensor(b)).value(), difference));
            CHECK(all_close(mul(Tensor(a), Tensor(b)).value(), product));
            CHECK(all_close(div(Tensor(a), Tensor(b)).value(), quotient));
            // and with the operands swapped (the row on the left)
            const Array swapped = b - a;
            CHECK(all_close(sub(Tensor(b), Tensor(a)).value(), swapped));
        }
    }
}

TEST_CASE("binary ops reject shapes that do not broadcast") {
    Tensor a(Array::from_shape({2, 3}));
    Tensor b(Array::from_shape({4}));
    CHECK_THROWS_WITH_AS(add(a, b), "add: shapes (2, 3) and (4,) cannot be broadcast", ShapeError);
    CHECK_THROWS_WITH_AS(sub(a, b), "sub: shapes (2, 3) and (4,) cannot be broadcast", ShapeError);
    CHECK_THROWS_WITH_AS(mul(a, b), "mul: shapes (2, 3) and (4,) cannot be broadcast", ShapeError);
    CHECK_THROWS_WITH_AS(a / b, "div: shapes (2, 3) and (4,) cannot be broadcast", ShapeError);
}

TEST_CASE("neg") {
    Tensor x(Array{1.f, -2.f, 3.f});
    CHECK(all_close(neg(x).value(), Array{-1.f, 2.f, -3.f}));
    CHECK(all_close((-x).value(), Array{-1.f, 2.f, -3.f}));
    CHECK_GRADCHECK([](const std::vector<Tensor>& v) { return neg(v[0]); }, {randn({2, 3})});
}

TEST_CASE("scalar variants") {
    Tensor x(Array{1.f, 2.f, 4.f});
    SUBCASE("x + s and s + x") {
        CHECK(all_close((x + 1.0f).value(), Array{2.f, 3.f, 5.f}));
        CHECK(all_close((1.0f + x).value(), Array{2.f, 3.f, 5.f}));
        CHECK_GRADCHECK([](const std::vector<Tensor>& v) { return v[0] + 3.0f; }, {randn({2, 3})});
    }
    SUBCASE("x - s and s - x") {
        CHECK(all_close((x - 1.0f).value(), Array{0.f, 1.f, 3.f}));
        CHECK(all_close((1.0f - x).value(), Array{0.f, -1.f, -3.f}));
        CHECK_GRADCHECK([](const std::vector<Tensor>& v) { return 2.0f - v[0]; }, {randn({2, 3})});
        CHECK_GRADCHECK([](const std::vector<Tensor>& v) { return v[0] - 2.0f; }, {randn({2, 3})});
    }
    SUBCASE("x * s and s * x") {
        CHECK(all_close((x * 2.0f).value(), Array{2.f, 4.f, 8.f}));
        CHECK(all_close((2.0f * x).value(), Array{2.f, 4.f, 8.f}));
        CHECK_GRADCHECK([](const std::vector<Tensor>& v) { return -1.5f * v[0]; }, {randn({2, 3})});
    }
    SUBCASE("x / s and s / x") {
        CHECK(all_close((x / 2.0f).value(), Array{0.5f, 1.f, 2.f}));
        CHECK(all_close((2.0f / x).value(), Array{2.f, 1.f, 0.5f}));
        CHECK_GRADCHECK([](const std::vector<Tensor>& v) { return v[0] / 4.0f; }, {randn({2, 3})});
        CHECK_GRADCHECK([](const std::vector<Tensor>& v) { return 3.0f / v[0]; }, {randu({2, 3}, 0.5f, 2.0f)});
    }
}

TEST_CASE("exp") {
    Tensor x(Array{0.f, 1.f, -1.f});
    CHECK(all_close(exp(x).value(), Array{1.0f, 2.7182817f, 0.36787945f}));
    CHECK_GRADCHECK([](const std::vector<Tensor>& v) { return exp(v[0]); }, {randn({3, 4})});
}

TEST_CASE("log") {
    Tensor x(Array{1.f, 2.7182817f, 0.5f});
    CHECK(all_close(log(x).value(), Array{0.0f, 1.0f, -0.6931472f}));
    CHECK_GRADCHECK([](const std::vector<Tensor>& v) { return log(v[0]); }, {randu({3, 4}, 0.5f, 3.0f)});
}

TEST_CASE("sqrt") {
    Tensor x(Array{4.f, 9.f, 0.25f});
    CHECK(all_close(sqrt(x).value(), Array{2.f, 3.f, 0.5f}));
    CHECK_GRADCHECK([](const std::vector<Tensor>& v) { return sqrt(v[0]); }, {randu({3, 4}, 0.5f, 3.0f)});
}

TEST_CASE("pow") {
    Tensor x(Array{2.f, 3.f, 0.5f});
    SUBCASE("square") {
        CHECK(all_close(pow(x, 2.0f).value(), Array{4.f, 9.f, 0.25f}));
        CHECK_GRADCHECK([](const std::vector<Tensor>& v) { return pow(v[0], 2.0f); }, {randn({3, 4})});
    }
    SUBCASE("fractional and negative exponents") {
        CHECK(all_close(pow(x, -1.0f).value(), Array{0.5f, 1.0f / 3.0f, 2.0f}));
        CHECK_GRADCHECK([](const std::vector<Tensor>& v) { return pow(v[0], 1.5f); }, {randu({3, 4}, 0.5f, 3.0f)});
        CHECK_GRADCHECK([](const std::vector<Tensor>& v) { return pow(v[0], -2.0f); }, {randu({3, 4}, 0.5f, 3.0f)});
    }
}

TEST_CASE("abs") {
    Tensor x(Array{-2.f, 0.f, 3.f});
    CHECK(all_close(abs(x).value(), Array{2.f, 0.f, 3.f}));
    SUBCASE("gradient is sign(x), 0 at 0") {
        Tensor w(Array{-2.f, 0.f, 3.f}, true);
        abs(w).backward(Array{1.f, 1.f, 1.f});
        CHECK(all_close(w.grad(), Array{-1.f, 0.f, 1.f}));
    }
    // Inputs away from the kink at 0.
    CHECK_GRADCHECK([](const std::vector<Tensor>& v) { return abs(v[0]); }, {Tensor(Array{{-2.f, -0.5f}, {0.7f, 3.f}})});
}

TEST_CASE("clamp") {
    Tensor x(Array{-2.f, 0.5f, 3.f});
    CHECK(all_close(clamp(x, -1.0f, 1.0f).value(), Array{-1.f, 0.5f, 1.f}));
    SUBCASE("gradient passes only inside [lo, hi]") {
        Tensor w(Array{-2.f, 0.5f, 3.f, 1.f}, true);
        clamp(w, -1.0f, 1.0f).backward(Array{1.f, 1.f, 1.f, 1.f});
        CHECK(all_close(w.grad(), Array{0.f, 1.f, 0.f, 1.f}));
    }
    CHECK_GRADCHECK([](const std::vector<Tensor>& v) { return clamp(v[0], -1.0f, 1.0f); },
                    {Tensor(Array{{-2.f, -0.5f}, {0.7f, 3.f}})});
    CHECK_THROWS_WITH_AS(clamp(x, 1.0f, -1.0f), "clamp: lo (1.000000) must not exceed hi (-1.000000)",
                         std::invalid_argument);
}

TEST_CASE("relu") {
    Tensor x(Array{-1.f, 0.f, 2.f});
    CHECK(all_close(relu(x).value(), Array{0.f, 0.f, 2.f}));
    CHECK_GRADCHECK([](const std::vector<Tensor>& v) { return relu(v[0]); }, {Tensor(Array{{-2.f, -0.5f}, {0.7f, 3.f}})});
}

TEST_CASE("leaky_relu") {
    Tensor x(Array{-1.f, 0.f, 2.f});
    CHECK(all_close(leaky_relu(x, 0.2f).value(), Array{-0.2f, 0.f, 2.f}));
    CHECK_GRADCHECK([](const std::vector<Tensor>& v) { return leaky_relu(v[0], 0.2f); },
                    {Tensor(Array{{-2.f, -0.5f}, {0.7f, 3.f}})});
}

TEST_CASE("sigmoid") {
    Tensor x(Array{0.f, 2.f, -2.f});
    // σ(2) = 1 / (1 + e^-2) = 0.8807971
    CHECK(all_close(sigmoid(x).value(), Array{0.5f, 0.8807971f, 0.1192029f}));
    SUBCASE("stable at extreme inputs") {
        Tensor w(Array{-1e4f, -100.0f, 100.0f, 1e4f}, true);
        Tensor y = sigmoid(w);
        CHECK(all_close(y.value(), Array{0.f, 0.f, 1.f, 1.f}));
        y.backward(Array{1.f, 1.f, 1.f, 1.f});
        CHECK(all_close(w.grad(), Array{0.f, 0.f, 0.f, 0.f}));
    }
    CHECK_GRADCHECK([](const std::vector<Tensor>& v) { return sigmoid(v[0]); }, {randn({3, 4})});
}

TEST_CASE("tanh") {
    Tensor x(Array{0.f, 1.f, -1.f});
    CHECK(all_close(tanh(x).value(), Array{0.0f, 0.7615942f, -0.7615942f}));
    CHECK_GRADCHECK([](const std::vector<Tensor>& v) { return tanh(v[0]); }, {randn({3, 4})});
}

TEST_CASE("where") {
    // condition [[1, 0, -2], [0, 0.5, 0]] (any nonzero counts), a (2, 3), b (3,) broadcast over the rows
    const Tensor c(Array{{1.f, 0.f, -2.f}, {0.f, 0.5f, 0.f}});
    const Array av{{1.f, 2.f, 3.f}, {4.f, 5.f, 6.f}}, bv{10.f, 20.f, 30.f};

    SUBCASE("forward by hand, broadcasting all three") {
        // a where c != 0, else b: [[1, 20, 3], [10, 5, 30]]
        CHECK(all_close(where(c, Tensor(av), Tensor(bv)).value(), Array{{1.f, 20.f, 3.f}, {10.f, 5.f, 30.f}}));
        // condition (2, 1), a (3,), b () -> (2, 3): row 0 from a, row 1 all b
        CHECK(all_close(where(Tensor(reshaped({1.f, 0.f}, {2, 1})), Tensor(Array{1.f, 2.f, 3.f}), Tensor::scalar(0.f))
                            .value(),
                        Array{{1.f, 2.f, 3.f}, {0.f, 0.f, 0.f}}));
        // a NaN condition counts as nonzero
        const float nan = std::numeric_limits<float>::quiet_NaN();
        CHECK(all_close(where(Tensor(Array{nan, 0.f}), Tensor(Array{1.f, 2.f}), Tensor(Array{3.f, 4.f})).value(),
                        Array{1.f, 4.f}));
    }
    SUBCASE("backward by hand: g goes to the side that was picked; the condition gets nothing") {
        // seed g = [[1, 2, 3], [4, 5, 6]]: da = g where c != 0 = [[1, 0, 3], [0, 5, 0]];
        // db = column sums of g where c == 0 = [4, 2, 6]
        const Tensor a(av, true), b(bv, true), cond(c.value(), true);
        backward(where(cond, a, b), Array{{1.f, 2.f, 3.f}, {4.f, 5.f, 6.f}});
        CHECK(all_close(a.grad(), Array{{1.f, 0.f, 3.f}, {0.f, 5.f, 0.f}}));
        CHECK(all_close(b.grad(), Array{4.f, 2.f, 6.f}));
        CHECK_FALSE(cond.has_grad());
    }
    SUBCASE("only the condition requires grad: nothing is recorded") {
        const std::size_t before = Tape::current().size();
        const Tensor y = where(Tensor(c.value(), true), Tensor(av), Tensor(bv));
        CHECK_FALSE(y.requires_grad());
        CHECK(Tape::current().size() == before);
    }
    SUBCASE("gradcheck with each input broadcast") {
        const Tensor cond = Tensor(reshaped({1.f, 0.f}, {2, 1}));
        Fn f = [c](const std::vector<Tensor>& v) { return where(c, v[0], v[1]); };
        CHECK_GRADCHECK(f, {randn({2, 3}, 1), randn({3}, 2)});
        CHECK_GRADCHECK(f, {randn({1, 3}, 1), randn({2, 1}, 2)});
        Fn g = [cond](const std::vector<Tensor>& v) { return where(cond, v[0], v[1]); };
        CHECK_GRADCHECK(g, {randn({3}, 1), randn({}, 2)});
    }
    SUBCASE("errors") {
        CHECK_THROWS_WITH_AS(where(c, Tensor(Array::from_shape({4})), Tensor(bv)),
                             "where: condition (2, 3), a (4,) and b (3,) cannot be broadcast together", ShapeError);
        CHECK_THROWS_WITH_AS(where(Tensor(Array::from_shape({2})), Tensor(av), Tensor(bv)),
                             "where: condition (2,), a (2, 3) and b (3,) cannot be broadcast together", ShapeError);
    }
}

namespace {
// minimum and maximum on a = [[1, 5, 3], [-2, 0, 7]] and b = [2, 5, -1] (broadcast over the rows)
const Array kA{{1.f, 5.f, 3.f}, {-2.f, 0.f, 7.f}}, kB{2.f, 5.f, -1.f};

// Gradient checks on each broadcasting pattern, with inputs that are never within
// gradcheck's step h = 0.01 of each other (a nudge there would cross the kink).
void check_extremum_gradients(BinaryOp op) {
    for (const Pattern& p : patterns) {
        SUBCASE(p.name) {
            Tensor a = randn(p.a, 1);
            Tensor b = randn(p.b, 2);
            Fn f = [op](const std::vector<Tensor>& x) { return op(x[0], x[1]); };
            const Array gap = xt::abs(a.value() - b.value());  // in the broadcast shape
            REQUIRE(xt::amin(gap)() > 0.01f);
            CHECK_GRADCHECK(f, {a, b});
        }
    }
}
}  // namespace

TEST_CASE("minimum") {
    SUBCASE("forward by hand") {
        // [[min(1, 2), min(5, 5), min(3, -1)], [min(-2, 2), min(0, 5), min(7, -1)]]
        CHECK(all_close(minimum(Tensor(kA), Tensor(kB)).value(), Array{{1.f, 5.f, -1.f}, {-2.f, 0.f, -1.f}}));
    }
    SUBCASE("ties: each side gets g / 2") {
        // a = [1, 2, 3], b = [1, 0, 3], seed g = [10, 20, 30]: ties at 0 and 2, b wins at 1
        const Tensor a(Array{1.f, 2.f, 3.f}, true), b(Array{1.f, 0.f, 3.f}, true);
        backward(minimum(a, b), Array{10.f, 20.f, 30.f});
        CHECK(all_close(a.grad(), Array{5.f, 0.f, 15.f}));
        CHECK(all_close(b.grad(), Array{5.f, 20.f, 15.f}));
    }
    SUBCASE("a broadcast side collects its shares with sum_to") {
        // a = [[1, 4], [3, 1]], b = 1 (a scalar), seed 1: ties at (0, 0) and (1, 1), b wins at the other two
        // da = [[0.5, 0], [0, 0.5]]    db = 0.5 + 1 + 1 + 0.5 = 3
        const Tensor a(Array{{1.f, 4.f}, {3.f, 1.f}}, true), b(Tensor::scalar(1.f, true));
        backward(minimum(a, b), Array{{1.f, 1.f}, {1.f, 1.f}});
        CHECK(all_close(a.grad(), Array{{0.5f, 0.f}, {0.f, 0.5f}}));
        CHECK(b.grad()() == 3.f);
    }
    SUBCASE("a NaN on either side gives NaN") {
        const float nan = std::numeric_limits<float>::quiet_NaN();
        const Array y = minimum(Tensor(Array{nan, 1.f}), Tensor(Array{1.f, nan})).value();
        CHECK(std::isnan(y(0)));
        CHECK(std::isnan(y(1)));
    }
    SUBCASE("gradcheck on every broadcasting pattern") { check_extremum_gradients(minimum); }
    SUBCASE("errors") {
        CHECK_THROWS_WITH_AS(minimum(Tensor(Array::from_shape({2, 3})), Tensor(Array::from_shape({4}))),
                             "minimum: shapes (2, 3) and (4,) cannot be broadcast", ShapeError);
    }
}

TEST_CASE("maximum") {
    SUBCASE("forward by hand") {
        // [[max(1, 2), max(5, 5), max(3, -1)], [max(-2, 2), max(0, 5), max(7, -1)]]
        CHECK(all_close(maximum(Tensor(kA), Tensor(kB)).value(), Array{{2.f, 5.f, 3.f}, {2.f, 5.f, 7.f}}));
    }
    SUBCASE("ties: each side gets g / 2") {
        // a = [1, 2, 3], b = [1, 0, 3], seed g = [10, 20, 30]: ties at 0 and 2, a wins at 1
        const Tensor a(Array{1.f, 2.f, 3.f}, true), b(Array{1.f, 0.f, 3.f}, true);
        backward(maximum(a, b), Array{10.f, 20.f, 30.f});
        CHECK(all_close(a.grad(), Array{5.f, 20.f, 15.f}));
        CHECK(all_close(b.grad(), Array{5.f, 0.f, 15.f}));
    }
    SUBCASE("a broadcast side collects its shares with sum_to") {
        // a = [[1, 4], [3, 1]], b = 1, seed 1: ties at (0, 0) and (1, 1), a wins at the other two
        // da = [[0.5, 1], [1, 0.5]]    db = 0.5 + 0 + 0 + 0.5 = 1
        const Tensor a(Array{{1.f, 4.f}, {3.f, 1.f}}, true), b(Tensor::scalar(1.f, true));
        backward(maximum(a, b), Array{{1.f, 1.f}, {1.f, 1.f}});
        CHECK(all_close(a.grad(), Array{{0.5f, 1.f}, {1.f, 0.5f}}));
        CHECK(b.grad()() == 1.f);
    }
    SUBCASE("a NaN on either side gives NaN") {
        const float nan = std::numeric_limits<float>::quiet_NaN();
        const Array y = maximum(Tensor(Array{nan, 1.f}), Tensor(Array{1.f, nan})).value();
        CHECK(std::isnan(y(0)));
        CHECK(std::isnan(y(1)));
    }
    SUBCASE("gradcheck on every broadcasting pattern") { check_extremum_gradients(maximum); }
    SUBCASE("errors") {
        CHECK_THROWS_WITH_AS(maximum(Tensor(Array::from_shape({2, 3})), Tensor(Array::from_shape({4}))),
                             "maximum: shapes (2, 3) and (4,) cannot be broadcast", ShapeError);
    }
}
