// Task 6: the numerical gradient check (docs/course.md#task-6): central differences,
// the error measure, and where the worst element is. Every other task is graded
// with gradcheck, and a wrong gradcheck lets wrong answers through: these tests
// feed it ops whose true and false gradients are known exactly.
#include "course_check.hpp"

using namespace xgrad;

namespace {

using Fn = std::function<Tensor(const std::vector<Tensor>&)>;

// y = x² elementwise, with a backward scaled by `factor` (1 is right, anything else is wrong).
Tensor square(const Tensor& x, float factor = 1.0f) {
    Array out = x.value() * x.value();
    return record("square", std::move(out), {x},
                  [x, factor](const Array& g, const Array&) { x.add_grad(factor * 2.0f * g * x.value()); });
}
// y = x³, backward 3x².
Tensor cube(const Tensor& x) {
    Array out = x.value() * x.value() * x.value();
    return record("cube", std::move(out), {x},
                  [x](const Array& g, const Array&) { x.add_grad(3.0f * g * x.value() * x.value()); });
}

// gradcheck(f, inputs) run inside a check, so that an unwritten gradcheck fails with a hint.
GradcheckResult check(const Fn& f, const std::vector<Tensor>& inputs, const GradcheckOptions& options = {}) {
    return gradcheck(f, inputs, options);
}

}  // namespace

TEST_SUITE("task06") {

TEST_CASE("the numeric derivative is a central difference") {
    // d/dx x³ at x = 1 is 3; the central difference with h = 0.01 is
    // ((1.01)³ − (0.99)³) / 0.02 = 3 + h² = 3.0001 (a one-sided difference would give 3.0301).
    GradcheckResult r;
    COURSE_CHECK("gradcheck: checking x³ at x = 1",
                 (r = check([](const std::vector<Tensor>& v) { return cube(v[0]); }, {Tensor(Array{1.0f})},
                            {.eps = 0.01}),
                  true));
    INFO(r.report());
    COURSE_CHECK("gradcheck numeric: for x³ at x = 1 and h = 0.01 the estimate should be 3.0001: is it the central "
                 "difference, both sides of x, divided by the distance between them?",
                 std::abs(r.numeric - 3.0001) < 2e-3);
    COURSE_CHECK("gradcheck analytic: the value compared is the input's gradient after the one backward",
                 std::abs(r.analytic - 3.0) < 1e-6);
    COURSE_CHECK("gradcheck: a correct backward must pass", r.ok);
}

TEST_CASE("correct backwards pass") {
    SUBCASE("several inputs, a non-scalar output") {
        GradcheckResult r;
        COURSE_CHECK("gradcheck: a correct op was reported wrong. Each numeric derivative must differentiate the "
                     "same scalar as backward (Σ r ⊙ y, see project), and every nudged element must be put back "
                     "before the next one is nudged",
                     (r = check([](const std::vector<Tensor>& v) { return square(v[0]) * v[1]; },
                                {Tensor(Array{{1.f, -2.f, 0.5f}, {0.5f, 3.f, -1.f}}), Tensor(Array{2.f, -1.f, 0.25f})}),
                      r.ok));
        INFO(r.report());
        COURSE_CHECK("gradcheck: on a correct op the largest error should be tiny", r.max_error < 1e-3);
    }
    SUBCASE("an input f does not use") {
        GradcheckResult r;
        COURSE_CHECK("gradcheck: an input the output does not depend on has no gradient after backward; its "
                     "analytic gradient is 0 (and so is its numeric one)",
                     (r = check([](const std::vector<Tensor>& v) { return square(v[0]); },
                                {Tensor(Array{1.f, 2.f}), Tensor(Array{5.f})}),
                      r.ok));
    }
}

TEST_CASE("a wrong backward is caught, and the report says where") {
    // Only input 1 goes through the broken op (backward half the true one); its largest
    // element (x = 30, flat index 3) has the largest error, |a − 2a| / |2a| = 0.5.
    GradcheckResult r;
    COURSE_CHECK("gradcheck: a backward that is half the true gradient must fail the check",
                 (r = check([](const std::vector<Tensor>& v) { return v[0] + square(v[1], 0.5f); },
                            {Tensor(Array{{1.f, 1.f}, {1.f, 1.f}}), Tensor(Array{{0.1f, -0.2f}, {0.3f, 30.f}})}),
                  !r.ok));
    INFO(r.report());
    COURSE_CHECK("gradcheck: worst_input and worst_element must name where the error is largest: is the worst kept "
                 "over every input and every element?",
                 r.worst_input == 1 && r.worst_element == 3);
    COURSE_CHECK("gradcheck: analytic and numeric must be the two values at the worst element",
                 std::abs(r.numeric - 2.0 * r.analytic) < 1e-2 * std::abs(r.numeric));
    COURSE_CHECK("gradcheck: max_error is |a − n| / max(1, |a|, |n|) at the worst element: 0.5 here",
                 std::abs(r.max_error - 0.5) < 1e-2);
}

TEST_CASE("the error is relative for large gradients, absolute below 1") {
    SUBCASE("large") {
        // x = 100: true gradient 200, the op claims 220. Relative error 20 / 220 = 0.0909.
        GradcheckResult r;
        COURSE_CHECK("gradcheck error: for gradients larger than 1 the error is relative, |a − n| divided by the "
                     "larger of |a| and |n| (so a float32 rounding on a large value is not a failure)",
                     (r = check([](const std::vector<Tensor>& v) { return square(v[0], 1.1f); }, {Tensor(Array{100.0f})}),
                      std::abs(r.max_error - 20.0 / 220.0) < 2e-3));
        INFO(r.report());
    }
    SUBCASE("small") {
        // x = 0.01: true gradient 0.02, the op claims 0.022. Absolute error 0.002 (relative would be 0.09).
        GradcheckResult r;
        COURSE_CHECK("gradcheck error: below 1 the error is absolute, |a − n| divided by max(1, |a|, |n|), so a tiny "
                     "gradient's rounding is not blown up into a large relative error",
                     (r = check([](const std::vector<Tensor>& v) { return square(v[0], 1.1f); }, {Tensor(Array{0.01f})}),
                      std::abs(r.max_error - 0.002) < 2e-4));
        INFO(r.report());
        COURSE_CHECK("gradcheck: an absolute error of 0.002 is within the default tolerance 0.01", r.ok);
    }
}

TEST_CASE("the caller's inputs are left as they were") {
    Tensor x(Array{1.0f, 2.0f, 3.0f});
    const Array before = x.value();
    COURSE_CHECK("gradcheck: checking x² on the caller's tensor",
                 check([](const std::vector<Tensor>& v) { return square(v[0]); }, {x}).ok);
    COURSE_CHECK("gradcheck: the caller's tensors must come back unchanged", x.value() == before);
    COURSE_CHECK("gradcheck: the caller's tensors must get no gradient (the check works on copies)", !x.has_grad());
}

}  // TEST_SUITE
