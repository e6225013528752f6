// consumer.cpp — a program outside the project that uses an installed xgrad
// through pkg-config: `c++ -std=c++20 consumer.cpp $(pkg-config --cflags --libs xgrad)`.
#include <cmath>
#include <cstdio>

#include <xgrad/nn/nn.hpp>

int main() {
    using namespace xgrad;
    Tensor w = Tensor(Array{{1.f, 2.f}, {3.f, 4.f}}, true);
    Tensor x = Tensor(Array{{1.f, 1.f}});
    Tensor loss = sum(matmul(x, w));  // = 10, dloss/dw = xᵀ · ones = all ones
    loss.backward();
    const bool ok = loss.item() == 10.0f && w.grad()(0, 0) == 1.0f && w.grad()(1, 1) == 1.0f;
    std::printf("installed xgrad: loss %g, %s\n", loss.item(), ok ? "ok" : "WRONG");
    return ok ? 0 : 1;
}
