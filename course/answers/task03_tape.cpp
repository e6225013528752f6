// The answers to task 3's questions (docs/course.md#task-3), computed with the library's own code.
#include <cstdio>

#include "autodiff/autodiff.hpp"

using namespace xgrad;

int main() {
    std::printf("1. w.grad after one backward of L = 3w at w = 1, then after a second one without zero_grad:\n");
    Tensor w = Tensor::scalar(1.0f, true);
    mul(w, 3.0f).backward();
    const float first = w.grad()();
    mul(w, 3.0f).backward();
    std::printf("   %g, then %g: leaves accumulate (+=), so a training step must zero the gradients first.\n", first,
                w.grad()());
    w.zero_grad();
    std::printf("   after zero_grad: %g\n", w.grad()());

    std::printf("2. Tape entries recorded by y = x * x + x, with and without NoGrad:\n");
    Tensor x = Tensor::scalar(2.0f, true);
    clear_tape();
    Tensor y = add(mul(x, x), x);
    const std::size_t recorded = Tape::current().size();
    clear_tape();
    {
        NoGrad off;
        Tensor z = add(mul(x, x), x);
        std::printf("   recorded: %zu entries; under NoGrad: %zu (z requires grad: %s)\n", recorded,
                    Tape::current().size(), z.requires_grad() ? "yes" : "no");
    }
    std::printf("   Evaluation and optimizer updates run under NoGrad: nothing to record, nothing to free.\n");

    std::printf("3. The gradient of x * x and of x * detach(x) at x = 3:\n");
    Tensor a = Tensor::scalar(3.0f, true), b = Tensor::scalar(3.0f, true);
    mul(a, a).backward();
    mul(b, b.detach()).backward();
    std::printf("   %g and %g: the detached copy is a constant, so only one factor passes the gradient back.\n",
                a.grad()(), b.grad()());
    return 0;
}
