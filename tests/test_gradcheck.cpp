// test_gradcheck.cpp — gradcheck passes correct gradients and catches a wrong
// backward, naming the input and element where it is worst.
#include "check.hpp"

#include <cmath>
#include <limits>

using namespace xgrad;

namespace {
// x² with a deliberately wrong backward: dx = g·x instead of g·2x.
Tensor wrong_square(const Tensor& x) {
    Array out = x.value() * x.value();
    return record("wrong_square", std::move(out), {x}, [x](const Array& g, const Array&) { x.add_grad(g * x.value()); });
}
// x² done right, as a reader would write their own op.
Tensor square(const Tensor& x) {
    Array out = x.value() * x.value();
    return record("square", std::move(out), {x}, [x](const Array& g, const Array&) { x.add_grad(2.0f * g * x.value()); });
}
}  // namespace

TEST_CASE("gradcheck accepts a correct custom op") {
    auto r = gradcheck([](const std::vector<Tensor>& v) { return square(v[0]) * v[1]; },
                       {Tensor(Array{{1.f, -2.f}, {0.5f, 3.f}}), Tensor(Array{2.f, -1.f})});
    INFO(r.report());
    CHECK(r.ok);
    CHECK(r.max_error < 1e-3);
}

TEST_CASE("gradcheck catches a wrong backward and says where") {
    // Only the second input goes through the broken op; its largest element
    // (x = 30, flat index 3) has the largest error: analytic x·r vs numeric 2x·r,
    // and |2x·r| > 1 for the fixed projection weight r there, so the error is
    // relative: |x·r - 2x·r| / |2x·r| = 0.5.
    auto r = gradcheck([](const std::vector<Tensor>& v) { return v[0] + wrong_square(v[1]); },
                       {Tensor(Array{{1.f, 1.f}, {1.f, 1.f}}), Tensor(Array{{0.1f, -0.2f}, {0.3f, 30.f}})});
    CHECK_FALSE(r.ok);
    CHECK(r.worst_input == 1);
    CHECK(r.worst_element == 3);
    CHECK(r.numeric == doctest::Approx(2.0 * r.analytic).epsilon(1e-2));
    CHECK(r.max_error == doctest::Approx(0.5).epsilon(1e-2));  // |a - 2a| / |2a|
    CHECK(r.report().rfind("gradcheck FAILED: max error 0.5", 0) == 0);
}

// x² whose backward writes NaN into the gradient of its last element only.
Tensor nan_square(const Tensor& x) {
    Array out = x.value() * x.value();
    return record("nan_square", std::move(out), {x}, [x](const Array& g, const Array&) {
        Array dx = 2.0f * g * x.value();
        dx.data()[dx.size() - 1] = std::numeric_limits<float>::quiet_NaN();
        x.add_grad(dx);
    });
}

TEST_CASE("gradcheck fails a NaN gradient, wherever it is") {
    // NaN compares false with everything, so a plain "err > worst" would skip it
    // unless it came first; the check counts a NaN error as infinitely wrong.
    auto r = gradcheck([](const std::vector<Tensor>& v) { return nan_square(v[0]); },
                       {Tensor(Array{0.5f, -1.f, 2.f})});
    CHECK_FALSE(r.ok);
    CHECK(r.worst_element == 2);
    CHECK(std::isinf(r.max_error));
    CHECK(std::isnan(r.analytic));
}

TEST_CASE("gradcheck on a scalar output uses it directly") {
    // f = Σ x² would need sum; a one-element output is checked as it is.
    auto r = gradcheck([](const std::vector<Tensor>& v) { return square(v[0]); }, {Tensor(Array{1.5f})});
    CHECK(r.ok);
    CHECK(r.analytic == doctest::Approx(3.0));
    CHECK(r.numeric == doctest::Approx(3.0).epsilon(1e-4));
}

TEST_CASE("gradcheck leaves the caller's tensors alone") {
    Tensor x(Array{1.f, 2.f});
    gradcheck([](const std::vector<Tensor>& v) { return square(v[0]); }, {x});
    CHECK_FALSE(x.requires_grad());
    CHECK_FALSE(x.has_grad());
    CHECK(x.value()(1) == 2.0f);
}
