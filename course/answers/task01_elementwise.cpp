// The answers to task 1's questions (docs/course.md#task-1), computed with the library's own ops.
#include <cmath>
#include <cstdio>

#include "autodiff/autodiff.hpp"

using namespace xgrad;

namespace {
// The gradient of f at the one-element x = v.
float slope(Tensor (*f)(const Tensor&), float v) {
    Tensor x = Tensor::scalar(v, true);
    sum(f(x)).backward();
    return x.grad()();
}
}  // namespace

int main() {
    std::printf("1. The gradient of exp at x = 0, 1, 2, and the output e^x there:\n");
    for (float v : {0.0f, 1.0f, 2.0f}) {
        Tensor x = Tensor::scalar(v, true);
        Tensor y = exp(x);
        sum(y).backward();
        std::printf("   x = %g: gradient %.6f, e^x = %.6f\n", v, x.grad()(), y.item());
    }
    std::printf("   They are equal: exp's backward multiplies g by the saved output y, no second exp.\n");

    std::printf("2. sigmoid's gradient y(1 - y) at x = -4 .. 4:\n  ");
    float best = 0.0f, where = 0.0f;
    for (float v = -4.0f; v <= 4.0f; v += 1.0f) {
        const float s = slope(sigmoid, v);
        std::printf(" %.4f", s);
        if (s > best) best = s, where = v;
    }
    std::printf("\n   The largest is %.4f, at x = %g: a sigmoid passes at most a quarter of the gradient back.\n",
                best, where);

    std::printf("3. The gradient of pow(x, 0.5) (the square root) at x = 0:\n");
    Tensor z = Tensor::scalar(0.0f, true);
    sum(pow(z, 0.5f)).backward();
    std::printf("   %g: 0.5 * 0^(-0.5) divides by zero; the square root's slope is infinite at 0.\n", z.grad()());
    return 0;
}
