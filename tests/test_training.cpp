// test_training.cpp — the whole stack learning: a small MLP
// (Linear → Tanh → Linear) trained by plain gradient descent, written out by
// hand over parameters(), fits XOR and a 1-D regression to near-zero loss, and
// a seed makes the run bit-for-bit repeatable. Last, the same fit with nn::Adam.
#include "check.hpp"

#include <cmath>
#include <memory>
#include <vector>

using namespace xgrad;

namespace {

// (N, in) → hidden → (N, 1)
std::shared_ptr<nn::Sequential> mlp(std::size_t in, std::size_t hidden, Generator& gen) {
    auto net = std::make_shared<nn::Sequential>();
    net->add(std::make_shared<nn::Linear>(in, hidden, gen));
    net->add(std::make_shared<nn::Tanh>());
    net->add(std::make_shared<nn::Linear>(hidden, 1, gen));
    return net;
}

// Plain gradient descent: w ← w - lr · dL/dw for every parameter, then zero the gradients.
void sgd_step(nn::Module& model, float lr) {
    NoGrad no_grad;
    for (Tensor p : model.parameters()) p.mutable_value() -= lr * p.grad();
    model.zero_grad();
}

// Train with mean squared error; returns the loss of every step.
std::vector<float> train(nn::Layer& net, const Tensor& x, const Tensor& y, float lr, int steps) {
    std::vector<float> losses;
    for (int step = 0; step < steps; ++step) {
        Tensor loss = nn::mse(net(x), y);
        loss.backward();
        sgd_step(net, lr);
        losses.push_back(loss.item());
    }
    return losses;
}

// XOR: the four corners of the unit square, target 1 where exactly one input is 1.
Tensor xor_x() { return Tensor(Array{{0, 0}, {0, 1}, {1, 0}, {1, 1}}); }
Tensor xor_y() {
    Array y{0, 1, 1, 0};
    y.reshape({4, 1});  // a column (N, 1), like the net's output
    return Tensor(y);
}

// 1-D regression: y = sin x at 64 evenly spaced points of [-3, 3].
void sine_data(Tensor& x, Tensor& y) {
    const std::size_t n = 64;
    Array xs = Array::from_shape({n, 1}), ys = Array::from_shape({n, 1});
    for (std::size_t i = 0; i < n; ++i) {
        xs(i, 0) = -3.0f + 6.0f * static_cast<float>(i) / static_cast<float>(n - 1);
        ys(i, 0) = std::sin(xs(i, 0));
    }
    x = Tensor(xs);
    y = Tensor(ys);
}

}  // namespace

TEST_CASE("an MLP learns XOR by plain gradient descent") {
    Generator gen(2024);
    auto net = mlp(2, 8, gen);
    const std::vector<float> losses = train(*net, xor_x(), xor_y(), 0.2f, 1000);
    MESSAGE("XOR: mse " << losses.front() << " -> " << losses.back());
    CHECK(losses.front() > 0.1f);  // it did start wrong
    CHECK(losses.back() < 1e-3f);
    NoGrad no_grad;
    const Array out = (*net)(xor_x()).value();
    for (std::size_t n = 0; n < 4; ++n) CHECK(std::abs(out(n, 0) - xor_y().value()(n, 0)) < 0.05f);
}

TEST_CASE("an MLP fits sin x on [-3, 3] by plain gradient descent") {
    Tensor x, y;
    sine_data(x, y);
    Generator gen(7);
    auto net = mlp(1, 16, gen);
    const std::vector<float> losses = train(*net, x, y, 0.1f, 4000);
    MESSAGE("sin: mse " << losses.front() << " -> " << losses.back());
    CHECK(losses.front() > 0.1f);
    CHECK(losses.back() < 1e-3f);
}

TEST_CASE("training is repeatable: the same seed gives bit-identical losses") {
    auto run = [](std::uint64_t seed) {
        Generator gen(seed);
        auto net = mlp(2, 8, gen);
        return train(*net, xor_x(), xor_y(), 0.2f, 200);
    };
    CHECK(run(5) == run(5));
    CHECK(run(5) != run(6));
}

TEST_CASE("the same MLP with nn::Adam") {
    Tensor x, y;
    sine_data(x, y);
    Generator gen(7);
    auto net = mlp(1, 16, gen);
    nn::Adam adam(net->named_parameters(), {.lr = 0.01f});
    float first = 0.0f, last = 0.0f;
    for (int step = 0; step < 1500; ++step) {
        Tensor loss = nn::mse((*net)(x), y);
        loss.backward();
        adam.step();
        adam.zero_grad();
        (step == 0 ? first : last) = loss.item();
    }
    MESSAGE("sin with Adam: mse " << first << " -> " << last);
    CHECK(last < 1e-3f);
}
