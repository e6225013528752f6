// The answers to task 5's questions (docs/course.md#task-5), computed with the library's own code.
#include <cstdio>

#include "autodiff/autodiff.hpp"

using namespace xgrad;

int main() {
    std::printf("1. linear with x (64, 784), w (256, 784), b (256,): the shapes of y and of each gradient:\n");
    Generator gen(1);
    Tensor x(gen.normal_array({64, 784}), true), w(gen.normal_array({256, 784}), true), b(gen.normal_array({256}), true);
    Tensor y = linear(x, w, b);
    sum(y).backward();
    std::printf("   y %s, dx %s, dw %s, db %s: each gradient has its input's shape\n", shape_str(y.shape()).c_str(),
                shape_str(x.grad().shape()).c_str(), shape_str(w.grad().shape()).c_str(),
                shape_str(b.grad().shape()).c_str());

    std::printf("2. The multiply-adds of that forward, and of its backward:\n");
    const double forward = 64.0 * 784 * 256;
    std::printf("   forward N·in·out = %.0f; backward dx (N·out·in) + dw (out·N·in) = %.0f, twice as many\n",
                forward, 2 * forward);

    std::printf("3. db after that backward with g = 1 everywhere:\n");
    std::printf("   db[0] = %g = N: the bias is added to every one of the 64 rows\n", b.grad()(0));
    return 0;
}
