// test_ops_loss.cpp — softmax, log_softmax and the losses of autodiff/ops_loss.cpp:
// values worked out by hand, gradient checks for every reduction, finiteness at
// logits of ±1e4, and the exact error messages.
#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include <xtensor/xmath.hpp>
#include <xtensor/xreducer.hpp>

#include "check.hpp"

using namespace xgrad;
using xgrad::testing::all_close;
using xgrad::testing::randn;
using xgrad::testing::randu;

namespace {

const float ln2 = std::log(2.0f);
const float ln3 = std::log(3.0f);

const Reduction all_reductions[] = {Reduction::mean, Reduction::sum, Reduction::none};

const char* reduction_name(Reduction r) {
    return r == Reduction::mean ? "mean" : r == Reduction::sum ? "sum" : "none";
}

// A leaf that requires grad.
Tensor leaf(Array v) { return Tensor(std::move(v), true); }

bool all_finite(const Array& a) {
    for (std::size_t i = 0; i < a.size(); ++i)
        if (!std::isfinite(a.data()[i])) return false;
    return true;
}

// Reference softmax written with xtensor reducers (slow, but independent of the loops under test).
Array reference_softmax(const Array& x, std::size_t axis) {
    // Each reducer is evaluated into an array first: xtensor 0.24 broadcasts a lazy
    // keep_dims reducer wrongly inside a larger expression.
    const Array m = xt::amax(x, {axis}, xt::keep_dims);
    const Array e = xt::exp(x - m);
    const Array s = xt::sum(e, {axis}, xt::keep_dims);
    return e / s;
}

// σ(x) = 1 / (1 + e^-x), by hand.
float sig(float x) { return 1.0f / (1.0f + std::exp(-x)); }

}  // namespace

// ---------------------------------------------------------------------------
TEST_CASE("softmax") {
    SUBCASE("values by hand, last axis") {
        // Row [0, ln 3]: e^0 = 1, e^ln3 = 3, so [1/4, 3/4]. Row [5, 5]: [1/2, 1/2].
        const Tensor y = softmax(Tensor(Array{{0.0f, ln3}, {5.0f, 5.0f}}));
        CHECK(all_close(y.value(), Array{{0.25f, 0.75f}, {0.5f, 0.5f}}));
    }
    SUBCASE("values by hand, axis 0") {
        // Columns [0, ln 3] and [5, 5]: the same numbers, down the columns.
        const Tensor y = softmax(Tensor(Array{{0.0f, 5.0f}, {ln3, 5.0f}}), 0);
        CHECK(all_close(y.value(), Array{{0.25f, 0.5f}, {0.75f, 0.5f}}));
    }
    SUBCASE("2-D and 3-D against the reference, every axis") {
        const Tensor x2 = randn({3, 4}, 11);
        CHECK(all_close(softmax(x2, 0).value(), reference_softmax(x2.value(), 0)));
        CHECK(all_close(softmax(x2, -1).value(), reference_softmax(x2.value(), 1)));
        const Tensor x3 = randn({2, 3, 4}, 12);
        CHECK(all_close(softmax(x3, 0).value(), reference_softmax(x3.value(), 0)));
        CHECK(all_close(softmax(x3, 1).value(), reference_softmax(x3.value(), 1)));
        CHECK(all_close(softmax(x3, -1).value(), reference_softmax(x3.value(), 2)));
        CHECK(all_close(softmax(x3, -3).value(), reference_softmax(x3.value(), 0)));
    }
    SUBCASE("gradcheck, 2-D axis 0 and -1") {
        for (std::ptrdiff_t axis : {0, -1}) {
            CAPTURE(axis);
            CHECK_GRADCHECK([axis](const std::vector<Tensor>& in) { return softmax(in[0], axis); },
                            {randn({3, 4}, 21)});
        }
    }
    SUBCASE("gradcheck, 3-D axis 0, 1 and -1") {
        for (std::ptrdiff_t axis : {0, 1, -1}) {
            CAPTURE(axis);
            CHECK_GRADCHECK([axis](const std::vector<Tensor>& in) { return softmax(in[0], axis); },
                            {randn({2, 3, 4}, 22)});
        }
    }
    SUBCASE("backward by hand") {
        // y = [1/4, 3/4], g = [1, 0]: Σ g y = 1/4, dx = y (g - 1/4) = [1/4 · 3/4, 3/4 · -1/4] = [3/16, -3/16].
        const Tensor x = leaf(Array{0.0f, ln3});
        softmax(x).backward(Array{1.0f, 0.0f});
        CHECK(all_close(x.grad(), Array{3.0f / 16.0f, -3.0f / 16.0f}));
    }
    SUBCASE("logits ±1e4 give finite values and gradients") {
        // e^(x - m) = [1, e^-2e4 = 0, e^-1e4 = 0]: exactly [1, 0, 0], no inf / inf.
        const Tensor x = leaf(Array{{1e4f, -1e4f, 0.0f}, {-1e4f, -1e4f, -1e4f}});
        const Tensor y = softmax(x);
        CHECK(all_close(y.value(), Array{{1.0f, 0.0f, 0.0f}, {1.0f / 3, 1.0f / 3, 1.0f / 3}}));
        y.backward(Array{{1.0f, 2.0f, 3.0f}, {1.0f, 2.0f, 3.0f}});
        CHECK(all_finite(x.grad()));
        // Row 0: y = [1, 0, 0], Σ g y = 1, dx = y (g - 1) = 0.
        // Row 1: y = 1/3 each, Σ g y = 2, dx = (g - 2) / 3 = [-1/3, 0, 1/3].
        CHECK(all_close(x.grad(), Array{{0.0f, 0.0f, 0.0f}, {-1.0f / 3, 0.0f, 1.0f / 3}}));
    }
    SUBCASE("axis out of range") {
        CHECK_THROWS_WITH_AS(softmax(Tensor(Array::from_shape({2, 3})), 2),
                             "softmax: axis 2 out of range for shape (2, 3)", ShapeError);
        CHECK_THROWS_WITH_AS(log_softmax(Tensor(Array::from_shape({2, 3})), -3),
                             "log_softmax: axis -3 out of range for shape (2, 3)", ShapeError);
    }
}

// ---------------------------------------------------------------------------
TEST_CASE("log_softmax") {
    SUBCASE("values by hand") {
        // log [1/4, 3/4] = [-ln 4, ln 3 - ln 4].
        const Tensor y = log_softmax(Tensor(Array{0.0f, ln3}));
        CHECK(all_close(y.value(), Array{-2.0f * ln2, ln3 - 2.0f * ln2}));
    }
    SUBCASE("equals log(softmax) along axis 0 and -1 of 2-D and 3-D inputs") {
        const Tensor x2 = randn({3, 4}, 31);
        const Tensor x3 = randn({2, 3, 4}, 32);
        for (std::ptrdiff_t axis : {0, -1}) {
            CAPTURE(axis);
            CHECK(all_close(log_softmax(x2, axis).value(), xt::log(softmax(x2, axis).value()), 1e-5f));
            CHECK(all_close(log_softmax(x3, axis).value(), xt::log(softmax(x3, axis).value()), 1e-5f));
        }
        CHECK(all_close(log_softmax(x3, 1).value(), xt::log(softmax(x3, 1).value()), 1e-5f));
    }
    SUBCASE("gradcheck, 2-D axis 0 and -1") {
        for (std::ptrdiff_t axis : {0, -1}) {
            CAPTURE(axis);
            CHECK_GRADCHECK([axis](const std::vector<Tensor>& in) { return log_softmax(in[0], axis); },
                            {randn({3, 4}, 41)});
        }
    }
    SUBCASE("gradcheck, 3-D axis 0, 1 and -1") {
        for (std::ptrdiff_t axis : {0, 1, -1}) {
            CAPTURE(axis);
            CHECK_GRADCHECK([axis](const std::vector<Tensor>& in) { return log_softmax(in[0], axis); },
                            {randn({2, 3, 4}, 42)});
        }
    }
    SUBCASE("backward by hand") {
        // softmax = [1/4, 3/4], g = [1, 0]: dx = g - softmax · Σ g = [3/4, -3/4].
        const Tensor x = leaf(Array{0.0f, ln3});
        log_softmax(x).backward(Array{1.0f, 0.0f});
        CHECK(all_close(x.grad(), Array{0.75f, -0.75f}));
    }
    SUBCASE("logits ±1e4 give exact finite values and finite gradients") {
        // m = 1e4, s = 1 + e^-2e4 + e^-1e4 = 1: y = x - 1e4 = [0, -2e4, -1e4] exactly.
        const Tensor x = leaf(Array{1e4f, -1e4f, 0.0f});
        const Tensor y = log_softmax(x);
        CHECK(y.value()(0) == 0.0f);
        CHECK(y.value()(1) == -2e4f);
        CHECK(y.value()(2) == -1e4f);
        // g = 1: dx = 1 - softmax · 3 = [-2, 1, 1].
        y.backward(Array{1.0f, 1.0f, 1.0f});
        CHECK(all_finite(x.grad()));
        CHECK(all_close(x.grad(), Array{-2.0f, 1.0f, 1.0f}));
    }
}

// ---------------------------------------------------------------------------
TEST_CASE("bce_with_logits") {
    SUBCASE("values by hand, every reduction") {
        // x = 0, t = 1: max(0,0) - 0 + log1p(e^0) = ln 2.
        // x = 2, t = 0: 2 - 0 + log1p(e^-2) = 2.126928.
        const Tensor x(Array{0.0f, 2.0f});
        const Tensor t(Array{1.0f, 0.0f});
        const float l1 = 2.0f + std::log1p(std::exp(-2.0f));
        CHECK(bce_with_logits(Tensor(Array{0.0f}), Tensor(Array{1.0f})).item() == doctest::Approx(ln2));
        CHECK(l1 == doctest::Approx(2.126928f));
        CHECK(bce_with_logits(x, t, Reduction::mean).item() == doctest::Approx((ln2 + l1) / 2));
        CHECK(bce_with_logits(x, t, Reduction::sum).item() == doctest::Approx(ln2 + l1));
        CHECK(bce_with_logits(x, t, Reduction::mean).dim() == 0);
        CHECK(all_close(bce_with_logits(x, t, Reduction::none).value(), Array{ln2, l1}));
    }
    SUBCASE("negative logit, fractional target") {
        // x = -1, t = 0.25: 0 + 0.25 + log1p(e^-1) = 0.25 + 0.313262 = 0.563262.
        CHECK(bce_with_logits(Tensor(Array{-1.0f}), Tensor(Array{0.25f})).item() == doctest::Approx(0.563262f));
    }
    SUBCASE("gradient by hand (mean)") {
        // dx = (σ(x) - t) / N: [(1/2 - 1) / 2, (σ(2) - 0) / 2].
        const Tensor x = leaf(Array{0.0f, 2.0f});
        bce_with_logits(x, Tensor(Array{1.0f, 0.0f})).backward();
        CHECK(all_close(x.grad(), Array{-0.25f, sig(2.0f) / 2}));
    }
    SUBCASE("gradcheck, every reduction") {
        const Tensor t = randu({4, 3}, 0.0f, 1.0f, 51);  // a constant, captured, not checked
        for (Reduction r : all_reductions) {
            CAPTURE(reduction_name(r));
            const auto f = [t, r](const std::vector<Tensor>& in) { return bce_with_logits(in[0], t, r); };
            CHECK_GRADCHECK(f, {randn({4, 3}, 52)});
        }
    }
    SUBCASE("equals bce(sigmoid(x), t) for moderate x") {
        const Tensor x = randu({5, 4}, -4.0f, 4.0f, 53);
        const Tensor t = randu({5, 4}, 0.0f, 1.0f, 54);
        for (Reduction r : all_reductions) {
            CAPTURE(reduction_name(r));
            CHECK(all_close(bce_with_logits(x, t, r).value(), bce(sigmoid(x), t, r).value(), 1e-4f));
        }
    }
    SUBCASE("logits ±1e4: exact limits, finite gradients") {
        // x = 1e4, t = 0:  1e4 - 0 + log1p(0) = 1e4      dx = (1 - 0) / N
        // x = -1e4, t = 1: 0 + 1e4 + log1p(0) = 1e4      dx = (0 - 1) / N
        // x = 1e4, t = 1:  1e4 - 1e4 + 0 = 0             dx = 0
        // x = -1e4, t = 0: 0 + 0 + 0 = 0                 dx = 0
        const Tensor x = leaf(Array{1e4f, -1e4f, 1e4f, -1e4f});
        const Tensor t(Array{0.0f, 1.0f, 1.0f, 0.0f});
        const Tensor per = bce_with_logits(x, t, Reduction::none);
        CHECK(per.value()(0) == 1e4f);
        CHECK(per.value()(1) == 1e4f);
        CHECK(per.value()(2) == 0.0f);
        CHECK(per.value()(3) == 0.0f);
        const Tensor loss = bce_with_logits(x, t);
        CHECK(loss.item() == doctest::Approx(5e3f));
        loss.backward();
        CHECK(all_finite(x.grad()));
        CHECK(all_close(x.grad(), Array{0.25f, -0.25f, 0.0f, 0.0f}));
    }
    SUBCASE("targets get no gradient") {
        const Tensor x = leaf(Array{0.5f, -0.5f});
        const Tensor t = leaf(Array{1.0f, 0.0f});
        bce_with_logits(x, t).backward();
        CHECK(x.has_grad());
        CHECK_FALSE(t.has_grad());
        // Only the targets require grad: nothing to differentiate, nothing recorded.
        CHECK_FALSE(bce_with_logits(Tensor(Array{0.5f, -0.5f}), t).requires_grad());
    }
    SUBCASE("shape mismatch") {
        CHECK_THROWS_WITH_AS(bce_with_logits(Tensor(Array::from_shape({64, 1})), Tensor(Array::from_shape({64}))),
                             "bce_with_logits: logits (64, 1) and targets (64,) differ in shape", ShapeError);
    }
}

// ---------------------------------------------------------------------------
TEST_CASE("bce") {
    SUBCASE("values by hand, every reduction") {
        // p = 0.5, t = 1: -ln 0.5 = ln 2.   p = 0.25, t = 1: ln 4.   p = 0.9, t = 0: -ln 0.1 = ln 10.
        CHECK(bce(Tensor(Array{0.5f}), Tensor(Array{1.0f})).item() == doctest::Approx(ln2));
        const Tensor p(Array{0.25f, 0.9f});
        const Tensor t(Array{1.0f, 0.0f});
        const float ln4 = 2.0f * ln2, ln10 = std::log(10.0f);
        CHECK(bce(p, t, Reduction::mean).item() == doctest::Approx((ln4 + ln10) / 2));
        CHECK(bce(p, t, Reduction::sum).item() == doctest::Approx(ln4 + ln10));
        CHECK(all_close(bce(p, t, Reduction::none).value(), Array{ln4, ln10}));
    }
    SUBCASE("gradient by hand (sum)") {
        // dp = (p - t) / (p (1 - p)): p = 0.25, t = 1: -0.75 / 0.1875 = -4.   p = 0.9, t = 0: 0.9 / 0.09 = 10.
        const Tensor p = leaf(Array{0.25f, 0.9f});
        bce(p, Tensor(Array{1.0f, 0.0f}), Reduction::sum).backward();
        CHECK(all_close(p.grad(), Array{-4.0f, 10.0f}, 1e-4f));
    }
    SUBCASE("gradcheck, every reduction") {
        const Tensor t = randu({4, 3}, 0.0f, 1.0f, 61);
        for (Reduction r : all_reductions) {
            CAPTURE(reduction_name(r));
            const auto f = [t, r](const std::vector<Tensor>& in) { return bce(in[0], t, r); };
            CHECK_GRADCHECK(f, {randu({4, 3}, 0.2f, 0.8f, 62)});
        }
    }
    SUBCASE("p = 0 and p = 1: logs clamped at -100, finite gradients") {
        // p = 0, t = 1: -max(ln 0, -100) = 100.   p = 1, t = 0: 100.   p = t: 0.
        const Tensor p = leaf(Array{0.0f, 1.0f, 0.0f, 1.0f});
        const Tensor per = bce(p, Tensor(Array{1.0f, 0.0f, 0.0f, 1.0f}), Reduction::none);
        CHECK(all_close(per.value(), Array{100.0f, 100.0f, 0.0f, 0.0f}));
        per.backward(Array{1.0f, 1.0f, 1.0f, 1.0f});
        CHECK(all_finite(p.grad()));
        CHECK(p.grad()(2) == 0.0f);
        CHECK(p.grad()(3) == 0.0f);
    }
    SUBCASE("targets get no gradient") {
        const Tensor p = leaf(Array{0.3f});
        const Tensor t = leaf(Array{1.0f});
        bce(p, t).backward();
        CHECK(p.has_grad());
        CHECK_FALSE(t.has_grad());
    }
    SUBCASE("shape mismatch") {
        CHECK_THROWS_WITH_AS(bce(Tensor(Array::from_shape({64, 1})), Tensor(Array::from_shape({64}))),
                             "bce: probs (64, 1) and targets (64,) differ in shape", ShapeError);
    }
    SUBCASE("probabilities outside [0, 1]") {
        CHECK_THROWS_WITH_AS(bce(Tensor(Array{0.5f, 1.5f}), Tensor(Array{1.0f, 1.0f})),
                             "bce: probabilities must lie in [0, 1], got 1.5 at element 1; for raw scores use "
                             "bce_with_logits",
                             std::invalid_argument);
    }
}

// ---------------------------------------------------------------------------
TEST_CASE("cross_entropy") {
    SUBCASE("uniform logits give ln C") {
        // softmax = 1/C everywhere: -ln(1/C) = ln C for any label.
        const Tensor zeros(xt::zeros<float>({3, 10}));
        CHECK(cross_entropy(zeros, {0, 4, 9}).item() == doctest::Approx(std::log(10.0f)));
        CHECK(all_close(cross_entropy(zeros, {0, 4, 9}, Reduction::none).value(),
                        Array{std::log(10.0f), std::log(10.0f), std::log(10.0f)}));
    }
    SUBCASE("values by hand, every reduction") {
        // Row [0, ln 3] has softmax [1/4, 3/4]. Label 1: -ln(3/4) = ln 4 - ln 3. Label 0: ln 4.
        const Tensor x(Array{{0.0f, ln3}, {0.0f, ln3}});
        const float l0 = 2.0f * ln2 - ln3, l1 = 2.0f * ln2;
        CHECK(cross_entropy(x, {1, 0}, Reduction::mean).item() == doctest::Approx((l0 + l1) / 2));
        CHECK(cross_entropy(x, {1, 0}, Reduction::sum).item() == doctest::Approx(l0 + l1));
        const Tensor per = cross_entropy(x, {1, 0}, Reduction::none);
        CHECK(per.shape() == Shape{2});
        CHECK(all_close(per.value(), Array{l0, l1}));
    }
    SUBCASE("label smoothing by hand") {
        // C = 2, ε = 0.2, label 1: q = (1 - ε) onehot + ε / C = [0.1, 0.9].
        // l = -(0.1 ln(1/4) + 0.9 ln(3/4)) = 0.1 ln 4 + 0.9 (ln 4 - ln 3) = 0.1386294 + 0.2589112 = 0.3975406.
        const Tensor x = leaf(Array{{0.0f, ln3}});
        const Tensor loss = cross_entropy(x, {1}, Reduction::mean, 0.2f);
        CHECK(loss.item() == doctest::Approx(0.3975406f));
        // dx = softmax - q = [0.25 - 0.1, 0.75 - 0.9] = [0.15, -0.15].
        loss.backward();
        CHECK(all_close(x.grad(), Array{{0.15f, -0.15f}}));
    }
    SUBCASE("gradient by hand (mean)") {
        // dx = (softmax - onehot) / N: row 0 [1/4, -1/4] / 2, row 1 [-3/4, 3/4] / 2.
        const Tensor x = leaf(Array{{0.0f, ln3}, {0.0f, ln3}});
        cross_entropy(x, {1, 0}).backward();
        CHECK(all_close(x.grad(), Array{{0.125f, -0.125f}, {-0.375f, 0.375f}}));
    }
    SUBCASE("agrees with -log_softmax at the label") {
        const Tensor x = randn({4, 5}, 71);
        const Indices labels = {3, 0, 4, 1};
        const Array ls = log_softmax(x).value();
        const Array per = cross_entropy(x, labels, Reduction::none).value();
        for (std::size_t r = 0; r < 4; ++r) CHECK(per(r) == doctest::Approx(-ls(r, labels[r])));
    }
    SUBCASE("gradcheck, every reduction, with and without smoothing") {
        const Indices labels = {2, 0, 4, 1};
        for (Reduction r : all_reductions) {
            for (float eps : {0.0f, 0.1f}) {
                CAPTURE(reduction_name(r));
                CAPTURE(eps);
                const auto f = [&labels, r, eps](const std::vector<Tensor>& in) {
                    return cross_entropy(in[0], labels, r, eps);
                };
                CHECK_GRADCHECK(f, {randn({4, 5}, 72)});
            }
        }
    }
    SUBCASE("logits ±1e4 give exact finite values and finite gradients") {
        // Row [1e4, -1e4, 0]: m = 1e4, s = 1. Label 1: (m - x_1) + ln 1 = 2e4. Label 0: 0.
        const Tensor x = leaf(Array{{1e4f, -1e4f, 0.0f}, {1e4f, -1e4f, 0.0f}});
        const Tensor per = cross_entropy(x, {1, 0}, Reduction::none);
        CHECK(per.value()(0) == 2e4f);
        CHECK(per.value()(1) == 0.0f);
        per.backward(Array{1.0f, 1.0f});
        CHECK(all_finite(x.grad()));
        // softmax = [1, 0, 0]: dx = softmax - onehot.
        CHECK(all_close(x.grad(), Array{{1.0f, -1.0f, 0.0f}, {0.0f, 0.0f, 0.0f}}));
        const Tensor x2 = leaf(Array{{1e4f, -1e4f, 0.0f}});
        const Tensor smoothed = cross_entropy(x2, {0}, Reduction::mean, 0.1f);
        CHECK(std::isfinite(smoothed.item()));
        smoothed.backward();
        CHECK(all_finite(x2.grad()));
    }
    SUBCASE("label out of range") {
        CHECK_THROWS_WITH_AS(cross_entropy(Tensor(xt::zeros<float>({4, 10})), {0, 1, 2, 12}),
                             "cross_entropy: label 12 out of range for 10 classes (row 3)", std::invalid_argument);
        // Labels run 0 .. C - 1: C itself is already out of range.
        CHECK_THROWS_WITH_AS(cross_entropy(Tensor(xt::zeros<float>({2, 10})), {10, 1}),
                             "cross_entropy: label 10 out of range for 10 classes (row 0)", std::invalid_argument);
    }
    SUBCASE("labels and logits differ in batch size") {
        CHECK_THROWS_WITH_AS(cross_entropy(Tensor(xt::zeros<float>({4, 10})), {0, 1, 2}),
                             "cross_entropy: logits (4, 10) and labels (3,) differ in batch size", ShapeError);
    }
    SUBCASE("logits must be 2-D") {
        CHECK_THROWS_WITH_AS(cross_entropy(Tensor(xt::zeros<float>({2, 3, 4})), {0, 1}),
                             "cross_entropy: logits must be 2-D (N, C), got shape (2, 3, 4)", ShapeError);
    }
    SUBCASE("label_smoothing must be in [0, 1)") {
        CHECK_THROWS_WITH_AS(cross_entropy(Tensor(xt::zeros<float>({2, 3})), {0, 1}, Reduction::mean, 1.0f),
                             "cross_entropy: label_smoothing must be in [0, 1), got 1", std::invalid_argument);
        CHECK_THROWS_WITH_AS(cross_entropy(Tensor(xt::zeros<float>({2, 3})), {0, 1}, Reduction::mean, -0.5f),
                             "cross_entropy: label_smoothing must be in [0, 1), got -0.5", std::invalid_argument);
    }
}

// ---------------------------------------------------------------------------
TEST_CASE("mse") {
    SUBCASE("values by hand, every reduction") {
        // a - b = [0, 2, 3]: squares [0, 4, 9], sum 13, mean 13/3.
        const Tensor a(Array{1.0f, 2.0f, 3.0f});
        const Tensor b(Array{1.0f, 0.0f, 0.0f});
        CHECK(mse(a, b, Reduction::mean).item() == doctest::Approx(13.0f / 3));
        CHECK(mse(a, b, Reduction::sum).item() == doctest::Approx(13.0f));
        CHECK(all_close(mse(a, b, Reduction::none).value(), Array{0.0f, 4.0f, 9.0f}));
    }
    SUBCASE("gradient by hand (mean), both inputs") {
        // da = 2 (a - b) / 3 = [0, 4/3, 2], db = -da.
        const Tensor a = leaf(Array{1.0f, 2.0f, 3.0f});
        const Tensor b = leaf(Array{1.0f, 0.0f, 0.0f});
        mse(a, b).backward();
        CHECK(all_close(a.grad(), Array{0.0f, 4.0f / 3, 2.0f}));
        CHECK(all_close(b.grad(), Array{0.0f, -4.0f / 3, -2.0f}));
    }
    SUBCASE("only b requires grad") {
        const Tensor b = leaf(Array{1.0f, 0.0f});
        mse(Tensor(Array{0.0f, 0.0f}), b, Reduction::sum).backward();
        CHECK(all_close(b.grad(), Array{2.0f, 0.0f}));  // db = -2 (a - b) = [2, 0]
    }
    SUBCASE("gradcheck, every reduction") {
        for (Reduction r : all_reductions) {
            CAPTURE(reduction_name(r));
            CHECK_GRADCHECK([r](const std::vector<Tensor>& in) { return mse(in[0], in[1], r); },
                            {randn({3, 4}, 81), randn({3, 4}, 82)});
        }
    }
    SUBCASE("shape mismatch (no broadcasting)") {
        CHECK_THROWS_WITH_AS(mse(Tensor(Array::from_shape({2, 3})), Tensor(Array::from_shape({3}))),
                             "mse: a (2, 3) and b (3,) differ in shape", ShapeError);
    }
}

// ---------------------------------------------------------------------------
// sigmoid lives in ops_elementwise; checked here at the extreme logits the losses are tested at.
TEST_CASE("sigmoid at logits ±1e4") {
    // σ(1e4) = 1 / (1 + e^-1e4) = 1;  σ(-1e4) = e^-1e4 / (1 + e^-1e4) = 0;  dx = y (1 - y) = 0.
    const Tensor x = leaf(Array{1e4f, -1e4f, 0.0f});
    const Tensor y = sigmoid(x);
    CHECK(y.value()(0) == 1.0f);
    CHECK(y.value()(1) == 0.0f);
    CHECK(y.value()(2) == 0.5f);
    y.backward(Array{1.0f, 1.0f, 1.0f});
    CHECK(all_finite(x.grad()));
    CHECK(all_close(x.grad(), Array{0.0f, 0.0f, 0.25f}));
}
