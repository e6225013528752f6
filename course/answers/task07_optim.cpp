// The answers to task 7's questions (docs/course.md#task-7), computed with the library's own code.
#include <algorithm>
#include <cmath>
#include <memory>
#include <vector>
#include <cstdio>

#include "nn/nn.hpp"

using namespace xgrad;

int main() {
    std::printf("1. A Sequential of Linear(3 -> 2), ReLU, Linear(2 -> 1): its parameters, and one SGD step\n"
                "   (lr 0.1) on the sum of its output with the last layer frozen:\n");
    Generator gen(1);
    nn::Sequential net;
    net.add(std::make_shared<nn::Linear>(3, 2, gen));
    net.add(std::make_shared<nn::ReLU>());
    auto output = net.add(std::make_shared<nn::Linear>(2, 1, gen));
    output->requires_grad(false);
    std::vector<Array> values;
    for (const auto& [name, p] : net.named_parameters()) values.push_back(p.value());
    nn::SGD plain(net.named_parameters(), {.lr = 0.1f});
    sum(net(Tensor(gen.normal_array({4, 3})))).backward();
    plain.step();
    std::size_t i = 0;
    for (const auto& [name, p] : net.named_parameters()) {
        double moved = 0.0;
        for (std::size_t k = 0; k < p.size(); ++k)
            moved = std::max(moved, static_cast<double>(std::abs(p.value().data()[k] - values[i].data()[k])));
        std::printf("   %-9s shape %-7s requires_grad %-5s largest change %.4f\n", name.c_str(),
                    shape_str(p.shape()).c_str(), p.requires_grad() ? "true" : "false", moved);
        ++i;
    }
    std::printf("   Sequential names its layers by position, the walk adds \"weight\" and \"bias\" after a dot,\n"
                "   and the ReLU has no parameters. The frozen layer gets no gradient, so step() skips it.\n");

    std::printf("2. How far does one Adam step (lr 0.001) move a weight?\n");
    for (float g : {1e-6f, 1.0f, 1e6f}) {
        Tensor p(Array{0.0f}, true);
        nn::Adam opt({p}, {.lr = 1e-3f});
        p.add_grad(Array{g});
        opt.step();
        std::printf("   first step, gradient %-6g: moved %.6f\n", static_cast<double>(g), static_cast<double>(-p.value()(0)));
    }
    Tensor p(Array{0.0f}, true);
    nn::Adam opt({p}, {.lr = 1e-3f});
    for (int k = 0; k < 1000; ++k) {
        p.zero_grad();
        p.add_grad(Array{1e-4f});
        opt.step();
    }
    const float before = p.value()(0);
    p.zero_grad();
    p.add_grad(Array{10.0f});  // a sudden spike, 100000 times the usual gradient
    opt.step();
    std::printf("   after 1000 steps of gradient 1e-4, one of gradient 10: moved %.6f\n",
                static_cast<double>(before - p.value()(0)));
    std::printf("   The first step is lr whatever the gradient's size (m/sqrt(v) = g/|g|; only a gradient near\n"
                "   eps = 1e-8 moves less). Later a step stays below about lr (1 - beta1) / sqrt(1 - beta2)\n"
                "   = %.4f even for a huge spike: Adam's step is a few lr at most, whatever the gradient.\n",
                1e-3 * 0.1 / std::sqrt(0.001));

    std::printf("3. SGD with lr 0.1 and momentum 0.9 on a constant gradient 1: the step sizes\n  ");
    Tensor q(Array{0.0f}, true);
    q.add_grad(Array{1.0f});
    nn::SGD sgd({q}, {.lr = 0.1f, .momentum = 0.9f});
    float last = 0.0f;
    for (int k = 1; k <= 100; ++k) {
        sgd.step();
        const float step = last - q.value()(0);
        last = q.value()(0);
        if (k == 1 || k == 2 || k == 10 || k == 50 || k == 100) std::printf(" step %d: %.4f", k, static_cast<double>(step));
    }
    std::printf("\n   The buffer sums 1 + 0.9 + 0.81 + ... = 1 / (1 - 0.9) = 10: momentum 0.9 makes the steps\n"
                "   ten times plain SGD's on a steady slope.\n");
    return 0;
}
