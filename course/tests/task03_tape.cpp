// Task 3: the tape — record, the reverse sweep with accumulation, NoGrad and detach
// (docs/course.md#task-3). Small graphs whose gradients are worked by hand, then
// gradient checks of longer chains on random shapes.
#include "course_check.hpp"

using namespace xgrad;
using xgrad::course::close;
using xgrad::course::gradients;
using xgrad::course::normal;
using xgrad::course::random_shape;
using xgrad::course::uniform;

namespace {

// What recording does: how many entries one op on `x` adds to the tape, and
// whether its result requires grad.
struct Recorded {
    std::size_t entries;
    bool requires_grad;
};
Recorded record_one(const Tensor& x) {
    clear_tape();
    Tensor y = mul(x, 2.0f);
    return {Tape::current().size(), y.requires_grad()};
}

}  // namespace

TEST_SUITE("task03") {

TEST_CASE("record") {
    COURSE_CHECK("record: an op on a tensor that requires grad should put one entry on the tape and return a "
                 "result that requires grad",
                 [] { auto r = record_one(Tensor(Array{1, 2}, true)); return r.entries == 1 && r.requires_grad; }());
    COURSE_CHECK("record: an op on constants (no input requires grad) should record nothing and return a constant",
                 [] { auto r = record_one(Tensor(Array{1, 2}, false)); return r.entries == 0 && !r.requires_grad; }());
    COURSE_CHECK("record: under NoGrad an op should record nothing, even on a tensor that requires grad",
                 [] { NoGrad off; auto r = record_one(Tensor(Array{1, 2}, true)); return r.entries == 0 && !r.requires_grad; }());
    clear_tape();
}

TEST_CASE("reverse sweep") {
    // L = (x·y + x)², x = 2, y = 3: dL/dx = 2(xy + x)(y + 1) = 64, dL/dy = 2(xy + x)·x = 32.
    const auto f = [](const std::vector<Tensor>& in) { return pow(add(mul(in[0], in[1]), in[0]), 2.0f); };
    COURSE_CHECK("reverse sweep: for L = (x·y + x)² at x = 2, y = 3, dL/dx should be 64: walk the tape from the "
                 "last entry back to the first, each entry's backward called with its output's gradient",
                 close(gradients(f, {Array(2.0f), Array(3.0f)})[0], Array(64.0f)));
    COURSE_CHECK("reverse sweep: for L = (x·y + x)² at x = 2, y = 3, dL/dy should be 32",
                 close(gradients(f, {Array(2.0f), Array(3.0f)})[1], Array(32.0f)));
    for (std::uint64_t seed : {21, 22, 23}) {
        const Shape shape = random_shape(seed);
        COURSE_GRADCHECK("reverse sweep: a chain of ops on " + shape_str(shape) +
                             " gets a wrong gradient: is every entry visited once, after every entry that reads "
                             "its output?",
                         [](const std::vector<Tensor>& in) {
                             Tensor u = tanh(mul(in[0], in[1]));
                             return add(mul(u, u), sigmoid(sub(in[1], u)));
                         },
                         {normal(shape, seed), uniform(shape, -1.0f, 1.0f, seed + 1)});
    }
}

TEST_CASE("accumulation") {
    const auto square_plus = [](const std::vector<Tensor>& in) { return add(mul(in[0], in[0]), in[0]); };
    COURSE_CHECK("accumulation: x used three times in x·x + x at x = 3 should get 2x + 1 = 7: a tensor read by "
                 "several ops must add up (+=) their shares, not keep the last one",
                 close(gradients(square_plus, {Array(3.0f)})[0], Array(7.0f)));
    const auto diamond = [](const std::vector<Tensor>& in) { return add(mul(in[0], 2.0f), mul(in[0], 3.0f)); };
    COURSE_CHECK("accumulation: x feeding two branches, 2x + 3x, should get 5 from the two together",
                 close(gradients(diamond, {Array{1, 2}})[0], Array{5, 5}));
    COURSE_CHECK("accumulation: a second backward without zero_grad should add to x.grad (2 + 2 = 4), not replace it",
                 [] {
                     Tensor x(Array(1.0f), true);
                     mul(x, 2.0f).backward();
                     mul(x, 2.0f).backward();
                     return close(x.grad(), Array(4.0f));
                 }());
}

TEST_CASE("NoGrad") {
    COURSE_CHECK("NoGrad: recording should be off inside a NoGrad scope and on again after it",
                 [] {
                     bool inside = true;
                     {
                         NoGrad off;
                         inside = grad_enabled();
                     }
                     return !inside && grad_enabled();
                 }());
    COURSE_CHECK("NoGrad: guards nest: leaving an inner NoGrad inside an outer one should keep recording off "
                 "(put back the state the guard found, not simply 'on')",
                 [] {
                     bool between = true;
                     {
                         NoGrad outer;
                         { NoGrad inner; }
                         between = grad_enabled();
                     }
                     return !between && grad_enabled();
                 }());
}

TEST_CASE("detach") {
    COURSE_CHECK("detach: should give a leaf with the same value that does not require grad",
                 [] {
                     Tensor x(Array{1, 2}, true);
                     Tensor d = mul(x, 3.0f).detach();
                     return d.is_leaf() && !d.requires_grad() && close(d.value(), Array{3, 6});
                 }());
    const auto half_stopped = [](const std::vector<Tensor>& in) { return mul(in[0], in[0].detach()); };
    COURSE_CHECK("detach: in x · detach(x) at x = 3 the gradient should be 3, not 2x = 6: nothing flows back "
                 "through the detached copy",
                 close(gradients(half_stopped, {Array(3.0f)})[0], Array(3.0f)));
}

}  // TEST_SUITE
