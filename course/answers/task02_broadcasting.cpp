// The answers to task 2's questions (docs/course.md#task-2), computed with the library's own ops.
#include <cstdio>

#include "autodiff/autodiff.hpp"

using namespace xgrad;

int main() {
    std::printf("1. a (3, 4) of ones + b (4,) = [1, 2, 3, 4], then sum: the gradient of b is\n");
    Tensor a(xt::ones<float>(Shape{3, 4}), true), b(Array{1, 2, 3, 4}, true);
    sum(add(a, b)).backward();
    std::printf("   ");
    for (float v : b.grad()) std::printf("%g ", v);
    std::printf("\n   Each element of b was added to all 3 rows, so 3 gradients of 1 reach it: sum_to adds them.\n");

    std::printf("2. sum_to of g (2, 3) = [[1, 2, 3], [4, 5, 6]] to (2, 1), (1, 3) and (3,):\n");
    const Array g = Array{{1, 2, 3}, {4, 5, 6}};
    for (const Shape& shape : {Shape{2, 1}, Shape{1, 3}, Shape{3}}) {
        const Array s = sum_to(g, shape);
        std::printf("   to %s:", shape_str(shape).c_str());
        for (float v : s) std::printf(" %g", v);
        std::printf("   (shape %s)\n", shape_str(s.shape()).c_str());
    }
    std::printf("   An axis of length 1 was stretched, so it is summed but kept; an axis broadcasting added\n"
                "   in front is summed away. The gradient always has its input's shape.\n");

    std::printf("3. a (2, 1) * b (1, 3): how many elements does each gradient have, and the output?\n");
    Array column = Array{1, 2};
    column.reshape({2, 1});
    Tensor p(column, true), q(Array{{1, 2, 3}}, true);
    Tensor out = mul(p, q);
    sum(out).backward();
    std::printf("   output %s, a.grad %s = [%g, %g], b.grad %s = [%g, %g, %g]\n", shape_str(out.shape()).c_str(),
                shape_str(p.grad().shape()).c_str(), p.grad()(0, 0), p.grad()(1, 0), shape_str(q.grad().shape()).c_str(),
                q.grad()(0, 0), q.grad()(0, 1), q.grad()(0, 2));
    std::printf("   Each gradient has its input's shape, not the output's: a.grad[i] = Σ_j b[j] = 1 + 2 + 3 = 6,\n"
                "   b.grad[j] = Σ_i a[i] = 1 + 2 = 3.\n");
    return 0;
}
