// course_check.hpp — the checks of the course's task tests (course/tests/taskNN_*.cpp).
// Every check carries a hint: on failure doctest prints "hint: <the hint>", and
// course.sh grade collects those lines. A check whose code throws (a TODO not yet
// written: std::logic_error "TODO (task n): ...") fails the same way, the exception
// shown after the hint, so one unwritten op does not hide the checks of the others.
#pragma once

#include <doctest/doctest.h>

#include <cmath>
#include <exception>
#include <string>
#include <vector>

#include "autodiff/autodiff.hpp"
#include "nn/nn.hpp"

namespace xgrad::course {

// Runs check(); an exception counts as "false", its message kept in `threw`.
template <class Check>
bool holds(Check&& check, std::string& threw) {
    try {
        return check();
    } catch (const std::exception& e) {
        clear_tape();  // a backward cut short leaves its entries behind
        threw = std::string("\n  (it threw: ") + e.what() + ")";
        return false;
    }
}

// Every element of a equals b within tol (absolute + relative), same shape; a NaN never does.
inline bool close(const Array& a, const Array& b, float tol = 1e-4f) {
    if (a.shape() != b.shape()) return false;
    for (std::size_t i = 0; i < a.size(); ++i) {
        const float x = a.data()[i], y = b.data()[i];
        if (!(std::abs(x - y) <= tol * (1.0f + std::abs(y)))) return false;
    }
    return true;
}

// a as one column, (size, 1): Array{{5}, {6}} would be ambiguous.
inline Array column(Array a) {
    a.reshape({a.size(), 1});
    return a;
}

// A shape of rank 1 to 3 with sides 1 to 5, the same for the same seed.
inline Shape random_shape(std::uint64_t seed) {
    Generator gen(seed);
    const Array u = gen.uniform_array({4}, 0.0f, 1.0f);
    Shape shape(1 + static_cast<std::size_t>(u(0) * 2.999f));
    for (std::size_t d = 0; d < shape.size(); ++d) shape[d] = 1 + static_cast<std::size_t>(u(d + 1) * 4.999f);
    return shape;
}

// Values drawn from U(lo, hi) (or N(0, 1)) of that shape, the same for the same seed.
inline Tensor uniform(const Shape& shape, float lo, float hi, std::uint64_t seed = 7) {
    Generator gen(seed);
    return Tensor(gen.uniform_array(shape, lo, hi), true);
}
inline Tensor normal(const Shape& shape, std::uint64_t seed = 7) {
    Generator gen(seed);
    return Tensor(gen.normal_array(shape), true);
}

// The gradients of sum(f(x...)) with respect to each x, at fresh leaves holding `values`
// (the seed is all ones, rather than a sum op, so no task leans on task 4's sum).
// Call it inside a check: if a backward throws, that check fails with its hint.
using Function = std::function<Tensor(const std::vector<Tensor>&)>;
inline std::vector<Array> gradients(const Function& f, const std::vector<Array>& values) {
    std::vector<Tensor> xs;
    for (const Array& v : values) xs.emplace_back(v, true);
    const Tensor y = f(xs);
    backward(y, xt::ones<float>(y.shape()));
    std::vector<Array> out;
    for (const Tensor& x : xs) out.push_back(x.has_grad() ? x.grad() : Array(xt::zeros<float>(x.shape())));
    return out;
}

// The gradient check, its report kept for the failure message.
inline bool gradient_ok(const std::function<Tensor(const std::vector<Tensor>&)>& f, const std::vector<Tensor>& inputs,
                        std::string& report) {
    const GradcheckResult r = gradcheck(f, inputs);
    report = "\n  (" + r.report() + ")";
    return r.ok;
}

}  // namespace xgrad::course

// COURSE_CHECK(hint, condition): fails with the hint if the condition is false or throws.
#define COURSE_CHECK(hint, ...)                                                                  \
    do {                                                                                         \
        std::string course_threw_;                                                               \
        if (!::xgrad::course::holds([&] { return static_cast<bool>(__VA_ARGS__); }, course_threw_)) \
            FAIL_CHECK("hint: " << (hint) << course_threw_);                                     \
    } while (0)

// COURSE_GRADCHECK(hint, f, inputs): gradcheck(f, inputs) must pass; fails with the hint
// and gradcheck's report (where the analytic and the numeric gradient differ most).
#define COURSE_GRADCHECK(hint, ...)                                                              \
    do {                                                                                         \
        std::string course_threw_, course_report_;                                               \
        if (!::xgrad::course::holds([&] { return ::xgrad::course::gradient_ok(__VA_ARGS__, course_report_); }, \
                                    course_threw_))                                              \
            FAIL_CHECK("hint: " << (hint) << course_report_ << course_threw_);                  \
    } while (0)
