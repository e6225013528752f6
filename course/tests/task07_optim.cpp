// Task 7: modules and parameters, SGD with momentum and Adam (docs/course.md#task-7).
// Every optimizer check compares a few steps with values worked out by hand in the
// comment above it: when one fails, redo that step on paper.
#include "course_check.hpp"

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

// The value of w after each of `count` steps of opt.
std::vector<Array> steps(Optimizer& opt, const Tensor& w, int count) {
    std::vector<Array> out;
    for (int k = 0; k < count; ++k) {
        opt.step();
        out.push_back(w.value());
    }
    return out;
}

bool near(float got, double want) { return std::abs(got - want) <= 1e-5 * (1.0 + std::abs(want)); }
bool near2(const Array& w, double w0, double w1) { return w.size() == 2 && near(w(0), w0) && near(w(1), w1); }

}  // namespace

TEST_SUITE("task07") {

TEST_CASE("named_parameters walks the module tree with dotted names") {
    Net net;
    std::vector<std::string> got;
    COURSE_CHECK("module walk: named_parameters must list every parameter of the tree",
                 (got = names(net.named_parameters()), !got.empty()));
    INFO("named_parameters: " << doctest::toString(got));
    COURSE_CHECK("module walk: every parameter of every child, at every depth, is listed once: does collect "
                 "call itself on each child?",
                 got.size() == 4);
    COURSE_CHECK("module walk: names are dotted paths from the root, a module's own parameters first, then each "
                 "child's in registration order: is the prefix passed down and extended by the child's name?",
                 got == (std::vector<std::string>{"a", "b", "child.c", "child.inner.d"}));
    COURSE_CHECK("module walk: named_buffers walks the same tree, collecting buffers instead of parameters",
                 names(net.named_buffers()) == std::vector<std::string>{"child.count"});
    COURSE_CHECK("module walk: num_parameters counts every scalar of every parameter", net.num_parameters() == 4);
}

TEST_CASE("SGD without momentum") {
    // lr 0.1, w -= 0.1·g:  w1 = [0.95, -1.9]   w2 = [0.9, -1.8]   w3 = [0.85, -1.7]
    Tensor w = make_w();
    SGD opt({w}, {.lr = 0.1f});
    std::vector<Array> ws;
    COURSE_CHECK("SGD: three steps of plain SGD", (ws = steps(opt, w, 3), true));
    const double want[3][2] = {{0.95, -1.9}, {0.9, -1.8}, {0.85, -1.7}};
    for (std::size_t k = 0; k < ws.size(); ++k) {
        INFO("after step " << k + 1 << ": w = " << ws[k]);
        COURSE_CHECK("SGD: plain SGD moves w against its gradient by lr times it: check the sign and the scale",
                     near2(ws[k], want[k][0], want[k][1]));
    }
    COURSE_CHECK("SGD: without momentum there is nothing to remember between steps", opt.state().empty());
}

TEST_CASE("SGD with momentum, dampening and Nesterov") {
    SUBCASE("momentum 0.9") {
        // step 1: buf = g = [0.5, -1]                                   w1 = [0.95, -1.9]
        // step 2: buf = 0.9·[0.5, -1] + [0.5, -1] = [0.95, -1.9]        w2 = [0.855, -1.71]
        // step 3: buf = 0.9·[0.95, -1.9] + [0.5, -1] = [1.355, -2.71]   w3 = [0.7195, -1.439]
        Tensor w = make_w();
        SGD opt({w}, {.lr = 0.1f, .momentum = 0.9f});
        std::vector<Array> ws;
        COURSE_CHECK("SGD momentum: three steps with momentum 0.9", (ws = steps(opt, w, 3), true));
        const double want[3][2] = {{0.95, -1.9}, {0.855, -1.71}, {0.7195, -1.439}};
        for (std::size_t k = 0; k < ws.size(); ++k) {
            INFO("after step " << k + 1 << ": w = " << ws[k]);
            COURSE_CHECK(std::string(k == 0 ? "SGD momentum: on the first step the buffer is the gradient itself"
                                            : "SGD momentum: the buffer is a decaying sum of gradients, μ times the "
                                              "old buffer plus the new gradient, and w moves by lr times the buffer"),
                         near2(ws[k], want[k][0], want[k][1]));
        }
        COURSE_CHECK("SGD momentum: the buffer is kept in the parameter's state under \"momentum_buffer\"", [&] {
            const NamedTensors st = opt.state();
            return st.size() == 1 && st[0].first == "momentum_buffer.0" && near2(st[0].second.value(), 1.355, -2.71);
        }());
    }
    SUBCASE("dampening 0.5") {
        // step 1 ignores dampening: buf = g                               w1 = [0.95, -1.9]
        // step 2: buf = 0.9·[0.5, -1] + 0.5·[0.5, -1] = [0.7, -1.4]        w2 = [0.88, -1.76]
        // step 3: buf = 0.9·[0.7, -1.4] + 0.5·[0.5, -1] = [0.88, -1.76]    w3 = [0.792, -1.584]
        Tensor w = make_w();
        SGD opt({w}, {.lr = 0.1f, .momentum = 0.9f, .dampening = 0.5f});
        std::vector<Array> ws;
        COURSE_CHECK("SGD dampening: three steps with momentum 0.9, dampening 0.5", (ws = steps(opt, w, 3), true));
        const double want[3][2] = {{0.95, -1.9}, {0.88, -1.76}, {0.792, -1.584}};
        for (std::size_t k = 0; k < ws.size(); ++k) {
            INFO("after step " << k + 1 << ": w = " << ws[k]);
            COURSE_CHECK("SGD dampening: the new gradient enters the buffer scaled by (1 - dampening), except on "
                         "the first step, which starts the buffer at the gradient",
                         near2(ws[k], want[k][0], want[k][1]));
        }
    }
    SUBCASE("nesterov") {
        // w -= lr·(g + μ·buf):
        // step 1: buf = [0.5, -1]      w1 = [0.905, -1.81]
        // step 2: buf = [0.95, -1.9]   w2 = [0.7695, -1.539]
        // step 3: buf = [1.355, -2.71] w3 = [0.59755, -1.1951]
        Tensor w = make_w();
        SGD opt({w}, {.lr = 0.1f, .momentum = 0.9f, .nesterov = true});
        std::vector<Array> ws;
        COURSE_CHECK("SGD Nesterov: three steps with momentum 0.9", (ws = steps(opt, w, 3), true));
        const double want[3][2] = {{0.905, -1.81}, {0.7695, -1.539}, {0.59755, -1.1951}};
        for (std::size_t k = 0; k < ws.size(); ++k) {
            INFO("after step " << k + 1 << ": w = " << ws[k]);
            COURSE_CHECK("SGD Nesterov: the step looks ahead, the gradient plus μ times the updated buffer",
                         near2(ws[k], want[k][0], want[k][1]));
        }
    }
    SUBCASE("weight decay") {
        // g' = g + 0.1·w:  step 1: g' = [0.6, -1.2] w1 = [0.94, -1.88]
        //   step 2: g' = [0.594, -1.188] w2 = [0.8806, -1.7612]
        Tensor w = make_w();
        SGD opt({w}, {.lr = 0.1f, .weight_decay = 0.1f});
        std::vector<Array> ws;
        COURSE_CHECK("SGD weight decay: two steps with weight_decay 0.1", (ws = steps(opt, w, 2), true));
        INFO("after step 2: w = " << w.value());
        COURSE_CHECK("SGD weight decay: the gradient used is grad + weight_decay · w, with w's current value",
                     near2(w.value(), 0.8806, -1.7612));
        COURSE_CHECK("SGD weight decay: the decay is added to a local copy, the stored gradient stays as it was",
                     near2(w.grad(), 0.5, -1.0));
    }
}

TEST_CASE("Adam") {
    SUBCASE("a constant gradient: every step is lr, whatever the gradient's size") {
        // With g constant, m = (1 - β1^t)·g and v = (1 - β2^t)·g², so the bias-corrected
        // m̂ = g and v̂ = g², and each step is lr·g/|g| = 0.1 against the gradient's sign.
        Tensor w = make_w();
        Adam opt({w}, {.lr = 0.1f});
        std::vector<Array> ws;
        COURSE_CHECK("Adam: three steps with lr 0.1", (ws = steps(opt, w, 3), true));
        const double want[3][2] = {{0.9, -1.9}, {0.8, -1.8}, {0.7, -1.7}};
        for (std::size_t k = 0; k < ws.size(); ++k) {
            INFO("after step " << k + 1 << ": w = " << ws[k]);
            COURSE_CHECK(std::string(k == 0 ? "Adam: the first step must be lr in size (m and v start at zero): "
                                              "are m and v divided by their bias corrections 1 - β^t?"
                                            : "Adam: with a constant gradient every step is lr: is t counted from 1 "
                                              "and increased on every step?"),
                         near2(ws[k], want[k][0], want[k][1]));
        }
        NamedTensors st;
        COURSE_CHECK("Adam: the state of a parameter is its step count, exp_avg (m) and exp_avg_sq (v), in that order",
                     (st = opt.state(), names(st) == (std::vector<std::string>{"step.0", "exp_avg.0", "exp_avg_sq.0"})));
        if (st.size() == 3) {
            COURSE_CHECK("Adam: \"step\" counts this parameter's updates", st[0].second.value()() == 3.0f);
            // m3 = (1 - 0.9³)·g = 0.271·g     v3 = (1 - 0.999³)·g² = 0.002997003·g²
            COURSE_CHECK("Adam: exp_avg is the moving average β1·m + (1 - β1)·g, kept without bias correction",
                         near2(st[1].second.value(), 0.1355, -0.271));
            COURSE_CHECK("Adam: exp_avg_sq is the moving average β2·v + (1 - β2)·g², kept without bias correction",
                         near2(st[2].second.value(), 0.00074925075, 0.002997003));
        }
    }
    SUBCASE("a gradient that changes sign") {
        // w = 0, lr 0.1. Step 1, g = 1: m = 0.1, v = 0.001, m̂ = 1, v̂ = 1, w1 = -0.1.
        // Step 2, g = -1: m = 0.09 - 0.1 = -0.01, v = 0.000999 + 0.001 = 0.001999,
        //   m̂ = -0.01 / 0.19 = -0.0526316, v̂ = 0.001999 / 0.001999 = 1,   w2 = -0.1 + 0.00526316 = -0.0947368
        Tensor w(Array{0.0f}, true);
        Adam opt({w}, {.lr = 0.1f});
        w.add_grad(Array{1.0f});
        COURSE_CHECK("Adam: the first step is lr in size, against the gradient's sign: are m and v divided by their "
                     "bias corrections 1 - β^t?",
                     (opt.step(), near(w.value()(0), -0.1)));
        w.zero_grad();
        w.add_grad(Array{-1.0f});
        COURSE_CHECK("Adam: the second step uses m and v remembered from the first: is the state kept between "
                     "steps, and are both corrections 1 - β^t taken with t = 2?",
                     (opt.step(), near(w.value()(0), -0.0947368)));
    }
    SUBCASE("weight decay") {
        // g' = g + 0.5·w = [1, -2]: step 1 is still lr: w1 = [0.9, -1.9].
        // Step 2: g' = [0.95, -1.95]; m = 0.9·[0.1, -0.2] + 0.1·g' = [0.185, -0.375],
        //   v = 0.999·[0.001, 0.004] + 0.001·g'² = [0.0019015, 0.0077985]
        //   w2 = w1 - 0.1/0.19 · m / (√v / √0.001999) = [0.8001665, -1.8000740]
        Tensor w = make_w();
        Adam opt({w}, {.lr = 0.1f, .weight_decay = 0.5f});
        std::vector<Array> ws;
        COURSE_CHECK("Adam weight decay: two steps with weight_decay 0.5", (ws = steps(opt, w, 2), true));
        INFO("after step 2: w = " << w.value());
        COURSE_CHECK("Adam weight decay: the gradient used is grad + weight_decay · w, before m and v see it",
                     near2(w.value(), 0.8001665, -1.8000740));
    }
}

TEST_CASE("a step changes only what it should") {
    Net net;
    net.a.add_grad(Array{1.0f});  // only a has a gradient
    COURSE_CHECK("SGD: w -= lr·g on a parameter with a gradient", [&] {
        SGD opt({net.a, net.b, net.child->c}, {.lr = 1.0f, .momentum = 0.5f});
        opt.step();
        return net.a.value()(0) == 0.0f;
    }());
    COURSE_CHECK("optimizer: a parameter without a gradient must not move", net.child->c.value()(0) == 3.0f);
    COURSE_CHECK("optimizer: step() reads the gradient and leaves it; zero_grad() clears it", net.a.grad()(0) == 1.0f);
}

}  // TEST_SUITE
