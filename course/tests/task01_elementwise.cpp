// Task 1: the backward of the elementwise ops (docs/course.md#task-1).
// Each op: a gradient check on three random shapes, then values worked by hand.
#include "course_check.hpp"

using namespace xgrad;
using xgrad::course::close;
using xgrad::course::gradients;
using xgrad::course::normal;
using xgrad::course::random_shape;
using xgrad::course::uniform;

namespace {

// df/dx at the one-element x = v.
float slope(Tensor (*f)(const Tensor&), float v) {
    Tensor x = Tensor::scalar(v, true);
    f(x).backward();
    return x.grad()();
}

const std::uint64_t kShapeSeeds[] = {11, 12, 13};

}  // namespace

TEST_SUITE("task01") {

TEST_CASE("exp") {
    for (std::uint64_t seed : kShapeSeeds)
        COURSE_GRADCHECK("exp backward: wrong gradient: which function is its own derivative, and which "
                         "argument of the backward already holds its value?",
                         [](const std::vector<Tensor>& in) { return exp(in[0]); }, {normal(random_shape(seed), seed)});
    COURSE_CHECK("exp backward: at x = 0 the gradient should be e^0 = 1", std::abs(slope(exp, 0.0f) - 1.0f) < 1e-6f);
    COURSE_CHECK("exp backward: at x = 1 the gradient should be e", std::abs(slope(exp, 1.0f) - 2.7182817f) < 1e-5f);
}

TEST_CASE("log") {
    for (std::uint64_t seed : kShapeSeeds)
        COURSE_GRADCHECK("log backward: wrong gradient: what is d(ln x)/dx? (the backward is given g and y; x is "
                         "captured)",
                         [](const std::vector<Tensor>& in) { return log(in[0]); },
                         {uniform(random_shape(seed), 0.5f, 3.0f, seed)});
    COURSE_CHECK("log backward: at x = 2 the gradient should be 1/2", std::abs(slope(log, 2.0f) - 0.5f) < 1e-6f);
}

TEST_CASE("pow") {
    for (float p : {2.0f, 3.0f, 0.5f, -1.0f})
        for (std::uint64_t seed : kShapeSeeds)
            COURSE_GRADCHECK("pow backward: wrong gradient for x^p: the power rule lowers the exponent by one, and "
                             "the old exponent becomes a factor",
                             [p](const std::vector<Tensor>& in) { return pow(in[0], p); },
                             {uniform(random_shape(seed), 0.5f, 2.0f, seed)});
    const auto square = [](const std::vector<Tensor>& in) { return pow(in[0], 2.0f); };
    const auto root = [](const std::vector<Tensor>& in) { return pow(in[0], 0.5f); };
    COURSE_CHECK("pow backward: d(x²)/dx at x = 3 should be 6", close(gradients(square, {Array(3.0f)})[0], Array(6.0f)));
    COURSE_CHECK("pow backward: d(√x)/dx at x = 4 should be 1/(2·2) = 0.25",
                 close(gradients(root, {Array(4.0f)})[0], Array(0.25f)));
}

TEST_CASE("div") {
    for (std::uint64_t seed : kShapeSeeds)
        COURSE_GRADCHECK("div backward: wrong gradient of a or b in a / b: a is divided by b; b sits in the "
                         "denominator (what is d(1/b)/db, and its sign?)",
                         [](const std::vector<Tensor>& in) { return div(in[0], in[1]); },
                         {normal(random_shape(seed), seed), uniform(random_shape(seed), 0.5f, 2.0f, seed + 100)});
    const auto quotient = [](const std::vector<Tensor>& in) { return div(in[0], in[1]); };
    COURSE_CHECK("div backward: for a / b at a = 6, b = 3 the gradient of a should be 1/b = 1/3",
                 close(gradients(quotient, {Array(6.0f), Array(3.0f)})[0], Array(1.0f / 3.0f)));
    COURSE_CHECK("div backward: for a / b at a = 6, b = 3 the gradient of b should be -a/b² = -2/3: check its sign",
                 close(gradients(quotient, {Array(6.0f), Array(3.0f)})[1], Array(-2.0f / 3.0f)));
}

TEST_CASE("sigmoid") {
    for (std::uint64_t seed : kShapeSeeds)
        COURSE_GRADCHECK("sigmoid backward: wrong gradient: σ'(x) can be written with σ(x) alone, and the backward "
                         "is given σ(x) as y",
                         [](const std::vector<Tensor>& in) { return sigmoid(in[0]); },
                         {normal(random_shape(seed), seed)});
    COURSE_CHECK("sigmoid backward: at x = 0 the gradient should be σ(0)(1 - σ(0)) = 1/4",
                 std::abs(slope(sigmoid, 0.0f) - 0.25f) < 1e-6f);
    const auto sig = [](const std::vector<Tensor>& in) { return sigmoid(in[0]); };
    COURSE_CHECK("sigmoid backward: at x = ±100 the gradient should be 0 (not NaN): use the saved y, never e^x",
                 close(gradients(sig, {Array{-100.0f, 100.0f}})[0], Array{0.0f, 0.0f}));
}

TEST_CASE("tanh") {
    for (std::uint64_t seed : kShapeSeeds)
        COURSE_GRADCHECK("tanh backward: wrong gradient: tanh'(x) can be written with tanh(x) alone, and the "
                         "backward is given tanh(x) as y",
                         [](const std::vector<Tensor>& in) { return tanh(in[0]); }, {normal(random_shape(seed), seed)});
    COURSE_CHECK("tanh backward: at x = 0 the gradient should be 1", std::abs(slope(tanh, 0.0f) - 1.0f) < 1e-6f);
    COURSE_CHECK("tanh backward: at x = 1 the gradient should be 1 - tanh²(1) = 0.419974",
                 std::abs(slope(tanh, 1.0f) - 0.4199743f) < 1e-5f);
}

}  // TEST_SUITE
