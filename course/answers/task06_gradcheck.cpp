// The answers to task 6's questions (docs/course.md#task-6), computed with the library's own code.
#include <cmath>
#include <cstdio>

#include "autodiff/autodiff.hpp"

using namespace xgrad;

namespace {
float cube(float x) { return x * x * x; }
// y = x² with a backward scaled by `factor` (1 is right).
Tensor square(const Tensor& x, float factor) {
    return record("square", x.value() * x.value(), {x},
                  [x, factor](const Array& g, const Array&) { x.add_grad(factor * 2.0f * g * x.value()); });
}
}  // namespace

int main() {
    std::printf("1. d/dx x^3 at x = 1 is 3. The two estimates, in double, for three steps h:\n");
    for (double h : {0.1, 0.01, 0.001}) {
        const double one_sided = (std::pow(1 + h, 3) - 1) / h, central = (std::pow(1 + h, 3) - std::pow(1 - h, 3)) / (2 * h);
        std::printf("   h = %-6g one-sided %.7f (error %.1e)   central %.7f (error %.1e)\n", h, one_sided,
                    one_sided - 3, central, central - 3);
    }
    std::printf("   The one-sided error shrinks like h (3h), the central one like h^2 (h^2): the x^2 terms cancel.\n");

    std::printf("2. The same central difference in float32, as the inputs are stored:\n");
    for (float h : {1e-1f, 1e-2f, 1e-3f, 1e-4f, 1e-5f, 1e-6f}) {
        const float central = (cube(1.0f + h) - cube(1.0f - h)) / (2.0f * h);
        std::printf("   h = %-6g estimate %.7f (error %.1e)\n", static_cast<double>(h), static_cast<double>(central),
                    static_cast<double>(central) - 3.0);
    }
    std::printf("   Below h = 1e-3 the error grows again: f(x + h) and f(x - h) agree in most of their 24 bits,\n"
                "   and their difference keeps mostly the rounding, divided by a small 2h. The best h sits\n"
                "   between 1e-3 and 1e-2; gradcheck's default 1e-2 stays clear of the rounding on larger values.\n");

    std::printf("3. The error gradcheck reports for a backward 10%% too large:\n");
    for (float x : {100.0f, 0.01f}) {
        const auto r = gradcheck([](const std::vector<Tensor>& v) { return square(v[0], 1.1f); }, {Tensor(Array{x})});
        std::printf("   at x = %g (true gradient %g): %s\n", static_cast<double>(x), 2.0 * x, r.report().c_str());
    }
    std::printf("   Relative (0.0909) for the large gradient, absolute (0.002) for the small one: the same\n"
                "   mistake fails at 100 and passes at 0.01 with the default tolerance 0.01. Small gradients need\n"
                "   inputs scaled up, or a smaller tolerance, before gradcheck can see their mistakes.\n");
    return 0;
}
