// The answers to task 4's questions (docs/course.md#task-4), computed with the library's own code.
#include <cmath>
#include <cstdio>

#include "autodiff/autodiff.hpp"

using namespace xgrad;

int main() {
    std::printf("1. softmax of the logits [1e4, 0, -1e4], without and with subtracting the max first:\n");
    const float logits[] = {1e4f, 0.0f, -1e4f};
    float naive_sum = 0.0f;
    for (float v : logits) naive_sum += std::exp(v);
    const float naive = std::exp(logits[0]) / naive_sum;
    std::printf("   without: e^1e4 = %g in float, so the first entry is inf / inf = %s\n", std::exp(logits[0]),
                std::isnan(naive) ? "NaN" : "a number");
    const Array y = softmax(Tensor(Array{{1e4f, 0.0f, -1e4f}})).value();
    std::printf("   with:    [%g, %g, %g]: every exponent is <= 0, so nothing overflows\n", y(0, 0), y(0, 1), y(0, 2));

    std::printf("2. The cross-entropy of ten equal logits, and ln 10:\n");
    const float ce = cross_entropy(Tensor(xt::zeros<float>(Shape{1, 10})), Indices{3}).item();
    std::printf("   %.6f and %.6f: an untrained classifier over 10 classes starts near this loss\n", ce,
                std::log(10.0f));

    std::printf("3. The sum of one row of cross_entropy's gradient, for random logits:\n");
    Generator gen(1);
    Tensor x(gen.normal_array({1, 5}), true);
    cross_entropy(x, Indices{2}).backward();
    float row = 0.0f;
    for (float v : x.grad()) row += v;
    std::printf("   %.1e, zero up to float rounding: softmax sums to 1 and so does the one-hot label, so\n"
                "   the gradient only moves probability between classes.\n",
                row);
    return 0;
}
