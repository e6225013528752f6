// The answers to task 8's questions (docs/course.md#task-8), computed with the library's own code.
#include <cmath>
#include <cstdio>

#include "autodiff/autodiff.hpp"

using namespace xgrad;

int main() {
    Generator gen(3);
    const Array xv = gen.normal_array({8, 2}, 1.0f, 2.0f), g = gen.normal_array({8, 2});

    std::printf("1. Training mode, x (8, 2), a random upstream gradient g. Per channel:\n");
    Tensor x(xv, true);
    Tensor y = batch_norm(x, Tensor(), Tensor(), Tensor(), Tensor(), true, 0.1f, 1e-5f);
    backward(y, g);
    for (std::size_t c = 0; c < 2; ++c) {
        double sum_dx = 0.0, sum_dx_xhat = 0.0, sum_g = 0.0;
        for (std::size_t n = 0; n < 8; ++n) {
            sum_dx += x.grad()(n, c);
            sum_dx_xhat += static_cast<double>(x.grad()(n, c)) * y.value()(n, c);
            sum_g += g(n, c);
        }
        std::printf("   channel %zu: sum of g %+.4f   sum of dx %+.1e   sum of dx * xhat %+.1e\n", c, sum_g, sum_dx,
                    sum_dx_xhat);
    }
    std::printf("   dx sums to 0, and is orthogonal to xhat: moving a channel of x by a constant, or scaling it,\n"
                "   leaves xhat unchanged, so no loss can change in those two directions, and the closed form's\n"
                "   two subtracted terms remove exactly them from g.\n");

    std::printf("2. Eval mode, running mean 0 and running variance 4 (invstd = 1/2), weight 3:\n");
    Tensor xe(xv, true), w(Array{3.0f, 3.0f}, true);
    Tensor rm(Array{0.0f, 0.0f}), rv(Array{4.0f, 4.0f});
    backward(batch_norm(xe, rm, rv, w, Tensor(), false, 0.1f, 0.0f), g);
    std::printf("   g[0] = (%.4f, %.4f)   dx[0] = (%.4f, %.4f)   ratio %.4f\n", static_cast<double>(g(0, 0)),
                static_cast<double>(g(0, 1)), static_cast<double>(xe.grad()(0, 0)),
                static_cast<double>(xe.grad()(0, 1)), static_cast<double>(xe.grad()(0, 0) / g(0, 0)));
    std::printf("   dx = g * w * invstd = 1.5 g: in eval the statistics are constants, batch norm is an affine\n"
                "   map per channel, and its gradient is that map's slope.\n");
    return 0;
}
