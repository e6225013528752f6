// first_program.cpp — the first program of the README: one matrix product,
// a relu and a mean, then backward() and the gradient it leaves in w.
#include <iostream>

#include <xtensor/xio.hpp>  // operator<< for Array (xtensor's printing)

#include "autodiff/autodiff.hpp"

using namespace xgrad;

int main() {
    Tensor w = Tensor(Array{{0.5f, -1.0f}, {2.0f, 0.1f}}, /*requires_grad=*/true);
    Tensor x = Tensor(Array{{1.0f, 2.0f}});
    Tensor loss = mean(relu(matmul(x, w)));  // relu([4.5, -0.8]) = [4.5, 0], mean 2.25

    std::cout << "the tape before backward:\n";
    print_tape(std::cout);

    loss.backward();  // w.grad() now holds dloss/dw
    std::cout << "loss = " << loss.item() << "\n";
    std::cout << "dloss/dw =\n" << w.grad() << "\n";
    std::cout << "the tape after backward:\n";
    print_tape(std::cout);
}
