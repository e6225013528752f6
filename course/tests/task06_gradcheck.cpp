// task06_gradcheck.cpp — the numerical gradient check: central differences, the
// error measure, and where the worst element is. Every other task is graded with
// gradcheck, so a gradcheck that is wrong lets wrong answers through: these tests
// feed it ops whose true and false gradients are known exactly.
#include "../../tests/check.hpp"

using namespace xgrad;

namespace {
// y = x² elementwise, with a backward scaled by `factor` (1 is right, anything else is wrong).
Tensor square(const Tensor& x, float factor = 1.0f) {
    Array out = x.value() * x.value();
    return record("square", std::move(out), {x},
                  [x, factor](const Array& g, const Array&) { x.add_grad(factor * 2.0f * g * x.value()); });
}
// y = x³ for a one-element x, backward 3x².
Tensor cube(const Tensor& x) {
    Array out = x.value() * x.value() * x.value();
    return record("cube", std::move(out), {x},
                  [x](const Array& g, const Array&) { x.add_grad(3.0f * g * x.value() * x.value()); });
}
}  // namespace

TEST_SUITE("task06") {

TEST_CASE("task 6: the numeric derivative is a central difference") {
    // d/dx x³ at x = 1 is 3; the central difference with h = 0.01 is
    // ((1.01)³ − (0.99)³) / 0.02 = 3 + h² = 3.0001 (a one-sided difference would give 3.0301).
    const auto r = gradcheck([](const std::vector<Tensor>& v) { return cube(v[0]); }, {Tensor(Array{1.0f})},
                             {.eps = 0.01});
    INFO(r.report());
    CHECK_MESSAGE(std::abs(r.numeric - 3.0001) < 2e-3,
                  "gradcheck numeric: for x³ at x = 1 and h = 0.01 the estimate should be 3.0001: is it the "
                  "central difference, both sides of x, divided by the distance between them?");
    CHECK_MESSAGE(std::abs(r.analytic - 3.0) < 1e-6,
                  "gradcheck analytic: the value compared is the input's gradient after the one backward");
    CHECK_MESSAGE(r.ok, "gradcheck: a correct backward must pass");
}

TEST_CASE("task 6: correct backwards pass") {
    SUBCASE("several inputs, a non-scalar output") {
        const auto r = gradcheck([](const std::vector<Tensor>& v) { return square(v[0]) * v[1]; },
                                 {Tensor(Array{{1.f, -2.f, 0.5f}, {0.5f, 3.f, -1.f}}), Tensor(Array{2.f, -1.f, 0.25f})});
        INFO(r.report());
        CHECK_MESSAGE(r.ok,
                      "gradcheck: a correct op was reported wrong. Each numeric derivative must differentiate the "
                      "same scalar as backward (Σ r ⊙ y, see project), and every nudged element must be put back "
                      "before the next one is nudged");
        CHECK_MESSAGE(r.max_error < 1e-3, "gradcheck: on a correct op the largest error should be tiny");
    }
    SUBCASE("an input f does not use") {
        const auto r = gradcheck([](const std::vector<Tensor>& v) { return square(v[0]); },
                                 {Tensor(Array{1.f, 2.f}), Tensor(Array{5.f})});
        INFO(r.report());
        CHECK_MESSAGE(r.ok, "gradcheck: an input the output does not depend on has no gradient after backward; "
                            "its analytic gradient is 0 (and so is its numeric one)");
    }
}

TEST_CASE("task 6: a wrong backward is caught, and the report says where") {
    // Only input 1 goes through the broken op (backward half the true one); its largest
    // element (x = 30, flat index 3) has the largest error, |a − 2a| / |2a| = 0.5.
    const auto r = gradcheck([](const std::vector<Tensor>& v) { return v[0] + square(v[1], 0.5f); },
                             {Tensor(Array{{1.f, 1.f}, {1.f, 1.f}}), Tensor(Array{{0.1f, -0.2f}, {0.3f, 30.f}})});
    INFO(r.report());
    CHECK_MESSAGE(!r.ok, "gradcheck: a backward that is half the true gradient must fail the check");
    CHECK_MESSAGE((r.worst_input == 1 && r.worst_element == 3),
                  "gradcheck: worst_input and worst_element must name where the error is largest: is the worst "
                  "kept over every input and every element?");
    CHECK_MESSAGE(std::abs(r.numeric - 2.0 * r.analytic) < 1e-2 * std::abs(r.numeric),
                  "gradcheck: analytic and numeric must be the two values at the worst element");
}

TEST_CASE("task 6: the error is relative for large gradients, absolute below 1") {
    SUBCASE("large") {
        // x = 100: true gradient 200, the op claims 220. Relative error 20 / 220 = 0.0909.
        const auto r = gradcheck([](const std::vector<Tensor>& v) { return square(v[0], 1.1f); },
                                 {Tensor(Array{100.0f})});
        INFO(r.report());
        CHECK_MESSAGE(std::abs(r.max_error - 20.0 / 220.0) < 2e-3,
                      "gradcheck error: for gradients larger than 1 the error is relative, |a − n| divided by the "
                      "larger of |a| and |n| (so a float32 rounding on a large value is not a failure)");
    }
    SUBCASE("small") {
        // x = 0.01: true gradient 0.02, the op claims 0.022. Absolute error 0.002 (relative would be 0.09).
        const auto r = gradcheck([](const std::vector<Tensor>& v) { return square(v[0], 1.1f); },
                                 {Tensor(Array{0.01f})});
        INFO(r.report());
        CHECK_MESSAGE(std::abs(r.max_error - 0.002) < 2e-4,
                      "gradcheck error: below 1 the error is absolute, |a − n| divided by max(1, |a|, |n|), so a "
                      "tiny gradient's rounding is not blown up into a large relative error");
        CHECK_MESSAGE(r.ok, "gradcheck: an absolute error of 0.002 is within the default tolerance 0.01");
    }
}

TEST_CASE("task 6: the caller's inputs are left as they were") {
    Tensor x(Array{1.0f, 2.0f, 3.0f});
    const Array before = x.value();
    const auto r = gradcheck([](const std::vector<Tensor>& v) { return square(v[0]); }, {x});
    CHECK_MESSAGE(x.value() == before, "gradcheck: the caller's tensors must come back unchanged");
    CHECK_MESSAGE(!x.has_grad(), "gradcheck: the caller's tensors must get no gradient (the check works on copies)");
    CHECK(r.ok);
}

}  // TEST_SUITE
