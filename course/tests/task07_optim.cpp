// task07_optim.cpp — modules and parameters, SGD with momentum and Adam.
// Every optimizer check compares a few steps with values worked out by hand in
// the comment above it: redo one on paper when a check fails.
#include "../../tests/check.hpp"

using namespace xgrad;
using namespace xgrad::nn;

namespace {

// A tree of three levels: parameters a, b; child.c; child.inner.d; and a buffer in child.
struct Inner : Module {
    Tensor d;
    Inner() { d = register_parameter("d", Tensor(Array{4.0f})); }
};
struct Child : Module {
    Tensor c, count;
    std::shared_ptr<Inner> inner;
    Child() {
        c = register_parameter("c", Tensor(Array{3.0f}));
        count = register_buffer("count", Tensor(Array{0.0f}));
        inner = register_module("inner", std::make_shared<Inner>());
    }
};
struct Net : Module {
    Tensor a, b;
    std::shared_ptr<Child> child;
    Net() {
        a = register_parameter("a", Tensor(Array{1.0f}));
        child = register_module("child", std::make_shared<Child>());
        b = register_parameter("b", Tensor(Array{2.0f}));
    }
};

std::vector<std::string> names(const NamedTensors& ts) {
    std::vector<std::string> out;
    for (const auto& [name, t] : ts) out.push_back(name);
    return out;
}

// w = [1, -2] with the fixed gradient g = [0.5, -1] (nothing zeroes it between steps).
Tensor make_w() {
    Tensor w(Array{1.0f, -2.0f}, true);
    w.add_grad(Array{0.5f, -1.0f});
    return w;
}

bool near(float got, double want) { return std::abs(got - want) <= 1e-5 * (1.0 + std::abs(want)); }
bool near2(const Array& w, double w0, double w1) { return w.size() == 2 && near(w(0), w0) && near(w(1), w1); }

}  // namespace

TEST_SUITE("task07") {

TEST_CASE("task 7: named_parameters walks the module tree with dotted names") {
    Net net;
    const std::vector<std::string> want{"a", "b", "child.c", "child.inner.d"};
    const auto got = names(net.named_parameters());
    CHECK_MESSAGE(got.size() == want.size(),
                  "module walk: every parameter of every child, at every depth, must be listed once: "
                  "does collect call itself on each child?");
    CHECK_MESSAGE(got == want,
                  "module walk: names are dotted paths from the root, own parameters first, then each child's "
                  "in registration order: is the prefix passed down and extended by the child's name?");
    CHECK_MESSAGE(names(net.named_buffers()) == std::vector<std::string>{"child.count"},
                  "module walk: named_buffers walks the same tree, collecting buffers instead of parameters");
    CHECK_MESSAGE(net.num_parameters() == 4, "module walk: num_parameters counts every scalar of every parameter");
}

TEST_CASE("task 7: SGD without momentum") {
    // lr 0.1, w -= 0.1·g:  w1 = [0.95, -1.9]   w2 = [0.9, -1.8]   w3 = [0.85, -1.7]
    Tensor w = make_w();
    SGD opt({w}, {.lr = 0.1f});
    const double want[3][2] = {{0.95, -1.9}, {0.9, -1.8}, {0.85, -1.7}};
    for (int k = 0; k < 3; ++k) {
        opt.step();
        INFO("after step " << k + 1 << ": w = [" << w.value()(0) << ", " << w.value()(1) << "]");
        CHECK_MESSAGE(near2(w.value(), want[k][0], want[k][1]),
                      "SGD: plain SGD moves w against its gradient by lr times it: check the sign and the scale");
    }
    CHECK_MESSAGE(opt.state().empty(), "SGD: without momentum there is nothing to remember between steps");
}

TEST_CASE("task 7: SGD with momentum, dampening and Nesterov") {
    SUBCASE("momentum 0.9") {
        // step 1: buf = g = [0.5, -1]                                   w1 = [0.95, -1.9]
        // step 2: buf = 0.9·[0.5, -1] + [0.5, -1] = [0.95, -1.9]        w2 = [0.855, -1.71]
        // step 3: buf = 0.9·[0.95, -1.9] + [0.5, -1] = [1.355, -2.71]   w3 = [0.7195, -1.439]
        Tensor w = make_w();
        SGD opt({w}, {.lr = 0.1f, .momentum = 0.9f});
        const double want[3][2] = {{0.95, -1.9}, {0.855, -1.71}, {0.7195, -1.439}};
        for (int k = 0; k < 3; ++k) {
            opt.step();
            INFO("after step " << k + 1 << ": w = [" << w.value()(0) << ", " << w.value()(1) << "]");
            CHECK_MESSAGE(near2(w.value(), want[k][0], want[k][1]),
                          std::string(k == 0 ? "SGD momentum: on the first step the buffer is the gradient itself"
                                  : "SGD momentum: the buffer is a decaying sum of gradients, μ times the old "
                                    "buffer plus the new gradient, and w moves by lr times the buffer"));
        }
        const NamedTensors st = opt.state();
        CHECK_MESSAGE((st.size() == 1 && st[0].first == "momentum_buffer.0" &&
                       near2(st[0].second.value(), 1.355, -2.71)),
                      "SGD momentum: the buffer is kept in the parameter's state under \"momentum_buffer\"");
    }
    SUBCASE("dampening 0.5") {
        // step 1 ignores dampening: buf = g                               w1 = [0.95, -1.9]
        // step 2: buf = 0.9·[0.5, -1] + 0.5·[0.5, -1] = [0.7, -1.4]        w2 = [0.88, -1.76]
        // step 3: buf = 0.9·[0.7, -1.4] + 0.5·[0.5, -1] = [0.88, -1.76]    w3 = [0.792, -1.584]
        Tensor w = make_w();
        SGD opt({w}, {.lr = 0.1f, .momentum = 0.9f, .dampening = 0.5f});
        const double want[3][2] = {{0.95, -1.9}, {0.88, -1.76}, {0.792, -1.584}};
        for (int k = 0; k < 3; ++k) {
            opt.step();
            INFO("after step " << k + 1 << ": w = [" << w.value()(0) << ", " << w.value()(1) << "]");
            CHECK_MESSAGE(near2(w.value(), want[k][0], want[k][1]),
                          "SGD dampening: the new gradient enters the buffer scaled by (1 - dampening), "
                          "except on the first step, which starts the buffer at the gradient");
        }
    }
    SUBCASE("nesterov") {
        // w -= lr·(g + μ·buf):
        // step 1: buf = [0.5, -1]      w1 = [0.905, -1.81]
        // step 2: buf = [0.95, -1.9]   w2 = [0.7695, -1.539]
        // step 3: buf = [1.355, -2.71] w3 = [0.59755, -1.1951]
        Tensor w = make_w();
        SGD opt({w}, {.lr = 0.1f, .momentum = 0.9f, .nesterov = true});
        const double want[3][2] = {{0.905, -1.81}, {0.7695, -1.539}, {0.59755, -1.1951}};
        for (int k = 0; k < 3; ++k) {
            opt.step();
            INFO("after step " << k + 1 << ": w = [" << w.value()(0) << ", " << w.value()(1) << "]");
            CHECK_MESSAGE(near2(w.value(), want[k][0], want[k][1]),
                          "SGD Nesterov: the step looks ahead, the gradient plus μ times the updated buffer");
        }
    }
    SUBCASE("weight decay") {
        // g' = g + 0.1·w:  step 1: g' = [0.6, -1.2] w1 = [0.94, -1.88]
        //   step 2: g' = [0.594, -1.188] w2 = [0.8806, -1.7612]
        Tensor w = make_w();
        SGD opt({w}, {.lr = 0.1f, .weight_decay = 0.1f});
        opt.step();
        opt.step();
        INFO("after step 2: w = [" << w.value()(0) << ", " << w.value()(1) << "]");
        CHECK_MESSAGE(near2(w.value(), 0.8806, -1.7612),
                      "SGD weight decay: the gradient used is grad + weight_decay · w, with w's current value");
        CHECK_MESSAGE(near2(w.grad(), 0.5, -1.0),
                      "SGD weight decay: the decay is added to a local copy, the stored gradient stays as it was");
    }
}

TEST_CASE("task 7: Adam") {
    SUBCASE("a constant gradient: every step is lr, whatever the gradient's size") {
        // With g constant, m = (1 - β1^t)·g and v = (1 - β2^t)·g², so the bias-corrected
        // m̂ = g and v̂ = g², and each step is lr·g/|g| = 0.1 against the gradient's sign.
        Tensor w = make_w();
        Adam opt({w}, {.lr = 0.1f});
        const double want[3][2] = {{0.9, -1.9}, {0.8, -1.8}, {0.7, -1.7}};
        for (int k = 0; k < 3; ++k) {
            opt.step();
            INFO("after step " << k + 1 << ": w = [" << w.value()(0) << ", " << w.value()(1) << "]");
            CHECK_MESSAGE(near2(w.value(), want[k][0], want[k][1]),
                          std::string(k == 0 ? "Adam: the first step must be lr in size (m and v start at zero): "
                                    "are m and v divided by their bias corrections 1 - β^t?"
                                  : "Adam: with a constant gradient every step is lr: is t counted from 1 "
                                    "and increased on every step?"));
        }
        const NamedTensors st = opt.state();
        const auto got = names(st);
        CHECK_MESSAGE(got == (std::vector<std::string>{"step.0", "exp_avg.0", "exp_avg_sq.0"}),
                      "Adam: the state of a parameter is its step count, exp_avg (m) and exp_avg_sq (v)");
        if (st.size() == 3) {
            CHECK_MESSAGE(st[0].second.value()() == 3.0f, "Adam: \"step\" counts this parameter's updates");
            // m3 = (1 - 0.9³)·g = 0.271·g     v3 = (1 - 0.999³)·g² = 0.002997003·g²
            CHECK_MESSAGE(near2(st[1].second.value(), 0.1355, -0.271),
                          "Adam: exp_avg is the moving average β1·m + (1 - β1)·g, without bias correction");
            CHECK_MESSAGE(near2(st[2].second.value(), 0.00074925075, 0.002997003),
                          "Adam: exp_avg_sq is the moving average β2·v + (1 - β2)·g², without bias correction");
        }
    }
    SUBCASE("a gradient that changes sign") {
        // w = 0, lr 0.1. Step 1, g = 1: m = 0.1, v = 0.001, m̂ = 1, v̂ = 1, w1 = -0.1.
        // Step 2, g = -1: m = 0.09 - 0.1 = -0.01, v = 0.000999 + 0.001 = 0.001999,
        //   m̂ = -0.01 / 0.19 = -0.0526316, v̂ = 0.001999 / 0.001999 = 1,   w2 = -0.1 + 0.00526316 = -0.0947368
        Tensor w(Array{0.0f}, true);
        Adam opt({w}, {.lr = 0.1f});
        w.add_grad(Array{1.0f});
        opt.step();
        CHECK_MESSAGE(near(w.value()(0), -0.1), "Adam: the first step is lr in size, against the gradient's sign: are m and v divided by "
                      "their bias corrections 1 - β^t?");
        w.zero_grad();
        w.add_grad(Array{-1.0f});
        opt.step();
        INFO("after step 2: w = " << w.value()(0) << " (want -0.0947368)");
        CHECK_MESSAGE(near(w.value()(0), -0.0947368),
                      "Adam: the second step uses m and v remembered from the first: is the state kept "
                      "between steps, and are both corrections 1 - β^t taken with t = 2?");
    }
    SUBCASE("weight decay") {
        // g' = g + 0.5·w = [0.5 + 0.5, -1 - 1] = [1, -2]: constant sign, so step 1 is still lr: w1 = [0.9, -1.9].
        // Step 2: g' = [0.95, -1.95]; m = 0.9·[0.1, -0.2] + 0.1·g' = [0.185, -0.375],
        //   v = 0.999·[0.001, 0.004] + 0.001·g'² = [0.0019015, 0.0077985]
        //   w2 = w1 - 0.1/0.19 · m / (√v / √0.001999) = [0.8001665, -1.8000740]
        Tensor w = make_w();
        Adam opt({w}, {.lr = 0.1f, .weight_decay = 0.5f});
        opt.step();
        opt.step();
        INFO("after step 2: w = [" << w.value()(0) << ", " << w.value()(1) << "]");
        CHECK_MESSAGE(near2(w.value(), 0.8001665, -1.8000740),
                      "Adam weight decay: the gradient used is grad + weight_decay · w, before m and v see it");
    }
}

TEST_CASE("task 7: a step changes only what it should") {
    Net net;
    SGD opt(net.named_parameters(), {.lr = 1.0f, .momentum = 0.5f});
    net.a.add_grad(Array{1.0f});  // only a has a gradient
    opt.step();
    CHECK_MESSAGE(net.a.value()(0) == 0.0f, "SGD: w -= lr·g on a parameter with a gradient");
    CHECK_MESSAGE(net.child->c.value()(0) == 3.0f, "optimizer: a parameter without a gradient must not move");
    CHECK_MESSAGE(net.a.grad()(0) == 1.0f, "optimizer: step() reads the gradient and leaves it; zero_grad() clears it");
}

}  // TEST_SUITE
