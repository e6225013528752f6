// test_optim.cpp — SGD and Adam against their update formulas worked by hand,
// frozen parameters, option checks, and saving / restoring optimizer state.
#include <cmath>
#include <cstring>

#include "check.hpp"

using namespace xgrad;
using namespace xgrad::nn;

namespace {

// The parameter every hand computation below starts from, w = [1, -2], with
// the fixed gradient g = [0.5, -1] (set once; nothing zeroes it between steps).
Tensor make_w() {
    Tensor w(Array{1.0f, -2.0f}, true);
    w.add_grad(Array{0.5f, -1.0f});
    return w;
}

// Step opt three times; the value of w after each step.
std::vector<Array> three_steps(Optimizer& opt, const Tensor& w) {
    std::vector<Array> out;
    for (int i = 0; i < 3; ++i) {
        opt.step();
        out.push_back(w.value());
    }
    return out;
}

void check_w(const Array& w, double w0, double w1) {
    CHECK(w(0) == doctest::Approx(w0).epsilon(1e-6));
    CHECK(w(1) == doctest::Approx(w1).epsilon(1e-6));
}

// A module with two parameters (and a child), for named state.
struct Net : Module {
    Tensor a, b;
    std::shared_ptr<Module> child;
    struct Child : Module {
        Tensor c;
        Child() { c = register_parameter("c", Tensor(Array{{0.5f, -0.25f}, {2.0f, 1.0f}})); }
    };
    Net() {
        a = register_parameter("a", Tensor(Array{1.0f, -2.0f}));
        b = register_parameter("b", Tensor(Array{3.0f}));
        child = register_module("child", std::make_shared<Child>());
    }
};

// A gradient for step k of the resume tests: different each step so the state matters.
void set_grads(Module& m, int k) {
    m.zero_grad();
    float s = 0.3f * static_cast<float>(k + 1);
    for (auto& [name, p] : m.named_parameters()) {
        Array g = Array::from_shape(p.shape());
        for (std::size_t i = 0; i < g.size(); ++i) g.data()[i] = s * (static_cast<float>(i) - 0.7f) + 0.1f * p.value().data()[i];
        p.add_grad(g);
        s = -s * 1.5f;
    }
}

std::vector<Array> values(const Module& m) {
    std::vector<Array> out;
    for (const auto& [name, p] : m.named_parameters()) out.push_back(p.value());
    return out;
}

std::vector<std::string> names(const NamedTensors& ts) {
    std::vector<std::string> out;
    for (const auto& [name, t] : ts) out.push_back(name);
    return out;
}

}  // namespace

TEST_CASE("SGD") {
    SUBCASE("plain") {
        // lr 0.1, w -= 0.1·g each step:
        //   w1 = [1 - 0.05, -2 + 0.1] = [0.95, -1.9]   w2 = [0.9, -1.8]   w3 = [0.85, -1.7]
        Tensor w = make_w();
        SGD opt({w}, {.lr = 0.1f});
        const auto ws = three_steps(opt, w);
        check_w(ws[0], 0.95, -1.9);
        check_w(ws[1], 0.9, -1.8);
        check_w(ws[2], 0.85, -1.7);
        CHECK(opt.state().empty());  // plain SGD keeps no state
    }
    SUBCASE("momentum") {
        // lr 0.1, μ 0.9. Step 1: buf = g = [0.5, -1] (no momentum yet), w1 = [0.95, -1.9]
        //   step 2: buf = 0.9·[0.5, -1] + [0.5, -1] = [0.95, -1.9]        w2 = [0.95 - 0.095, -1.9 + 0.19] = [0.855, -1.71]
        //   step 3: buf = 0.9·[0.95, -1.9] + [0.5, -1] = [1.355, -2.71]   w3 = [0.855 - 0.1355, -1.71 + 0.271] = [0.7195, -1.439]
        Tensor w = make_w();
        SGD opt({w}, {.lr = 0.1f, .momentum = 0.9f});
        const auto ws = three_steps(opt, w);
        check_w(ws[0], 0.95, -1.9);
        check_w(ws[1], 0.855, -1.71);
        check_w(ws[2], 0.7195, -1.439);
        const NamedTensors st = opt.state();
        REQUIRE(st.size() == 1);
        CHECK(st[0].first == "momentum_buffer.0");
        check_w(st[0].second.value(), 1.355, -2.71);
    }
    SUBCASE("momentum with dampening") {
        // lr 0.1, μ 0.9, dampening 0.5. Step 1 ignores dampening: buf = g, w1 = [0.95, -1.9]
        //   step 2: buf = 0.9·[0.5, -1] + 0.5·[0.5, -1] = [0.7, -1.4]      w2 = [0.95 - 0.07, -1.9 + 0.14] = [0.88, -1.76]
        //   step 3: buf = 0.9·[0.7, -1.4] + 0.5·[0.5, -1] = [0.88, -1.76]  w3 = [0.88 - 0.088, -1.76 + 0.176] = [0.792, -1.584]
        Tensor w = make_w();
        SGD opt({w}, {.lr = 0.1f, .momentum = 0.9f, .dampening = 0.5f});
        const auto ws = three_steps(opt, w);
        check_w(ws[0], 0.95, -1.9);
        check_w(ws[1], 0.88, -1.76);
        check_w(ws[2], 0.792, -1.584);
    }
    SUBCASE("nesterov") {
        // lr 0.1, μ 0.9, w -= lr·(g + μ·buf):
        //   step 1: buf = [0.5, -1]      g + 0.9·buf = [0.95, -1.9]     w1 = [1 - 0.095, -2 + 0.19] = [0.905, -1.81]
        //   step 2: buf = [0.95, -1.9]   g + 0.9·buf = [1.355, -2.71]   w2 = [0.905 - 0.1355, -1.81 + 0.271] = [0.7695, -1.539]
        //   step 3: buf = [1.355, -2.71] g + 0.9·buf = [1.7195, -3.439] w3 = [0.7695 - 0.17195, -1.539 + 0.3439] = [0.59755, -1.1951]
        Tensor w = make_w();
        SGD opt({w}, {.lr = 0.1f, .momentum = 0.9f, .nesterov = true});
        const auto ws = three_steps(opt, w);
        check_w(ws[0], 0.905, -1.81);
        check_w(ws[1], 0.7695, -1.539);
        check_w(ws[2], 0.59755, -1.1951);
    }
    SUBCASE("weight decay") {
        // lr 0.1, wd 0.1, g' = g + 0.1·w:
        //   step 1: g' = [0.5 + 0.1, -1 - 0.2] = [0.6, -1.2]             w1 = [0.94, -1.88]
        //   step 2: g' = [0.5 + 0.094, -1 - 0.188] = [0.594, -1.188]     w2 = [0.94 - 0.0594, -1.88 + 0.1188] = [0.8806, -1.7612]
        //   step 3: g' = [0.58806, -1.17612]                              w3 = [0.8806 - 0.058806, -1.7612 + 0.117612] = [0.821794, -1.643588]
        Tensor w = make_w();
        SGD opt({w}, {.lr = 0.1f, .weight_decay = 0.1f});
        const auto ws = three_steps(opt, w);
        check_w(ws[0], 0.94, -1.88);
        check_w(ws[1], 0.8806, -1.7612);
        check_w(ws[2], 0.821794, -1.643588);
        check_w(w.grad(), 0.5, -1.0);  // the decay is not written into the gradient
    }
    SUBCASE("weight decay with momentum") {
        // lr 0.1, μ 0.9, wd 0.1: the decayed gradient goes into the buffer.
        //   step 1: g' = [0.6, -1.2]          buf = [0.6, -1.2]                              w1 = [0.94, -1.88]
        //   step 2: g' = [0.594, -1.188]      buf = [0.54 + 0.594, -1.08 - 1.188] = [1.134, -2.268]   w2 = [0.8266, -1.6532]
        //   step 3: g' = [0.58266, -1.16532]  buf = [1.0206 + 0.58266, -2.0412 - 1.16532] = [1.60326, -3.20652]
        //           w3 = [0.8266 - 0.160326, -1.6532 + 0.320652] = [0.666274, -1.332548]
        Tensor w = make_w();
        SGD opt({w}, {.lr = 0.1f, .momentum = 0.9f, .weight_decay = 0.1f});
        const auto ws = three_steps(opt, w);
        check_w(ws[0], 0.94, -1.88);
        check_w(ws[1], 0.8266, -1.6532);
        check_w(ws[2], 0.666274, -1.332548);
    }
}

TEST_CASE("Adam") {
    SUBCASE("constant gradient: each step moves lr against the sign") {
        // lr 0.1, β1 0.9, β2 0.999, eps 1e-8, g = [0.5, -1] every step:
        //   m_t = (1 - 0.9^t)·g, v_t = (1 - 0.999^t)·g², so m̂ = g, √v̂ = |g| at every t:
        //   t=1: m = [0.05, -0.1], v = [0.00025, 0.001], m̂ = [0.5, -1], √v̂ = [0.5, 1]
        //   Δw = 0.1·m̂/(√v̂ + 1e-8) = [0.1, -0.1] (to 1e-8)
        //   w1 = [0.9, -1.9]   w2 = [0.8, -1.8]   w3 = [0.7, -1.7]
        // (Without bias correction step 1 would move 0.1·0.05/√0.00025 = 0.316.)
        Tensor w = make_w();
        Adam opt({w}, {.lr = 0.1f});
        const auto ws = three_steps(opt, w);
        check_w(ws[0], 0.9, -1.9);
        check_w(ws[1], 0.8, -1.8);
        check_w(ws[2], 0.7, -1.7);
        // t=3: m = (1 - 0.729)·g = [0.1355, -0.271], v = (1 - 0.997002999)·g² = [0.00074925025, 0.002997001]
        const NamedTensors st = opt.state();
        REQUIRE(names(st) == std::vector<std::string>{"step.0", "exp_avg.0", "exp_avg_sq.0"});
        CHECK(st[0].second.item() == 3.0f);
        check_w(st[1].second.value(), 0.1355, -0.271);
        check_w(st[2].second.value(), 0.00074925025, 0.002997001);
    }
    SUBCASE("eps is added after the square root of the bias-corrected v") {
        // eps 0.1: Δw = 0.1·m̂/(√v̂ + 0.1) = [0.1·0.5/0.6, -0.1·1/1.1] = [0.083333, -0.090909] each step
        //   w1 = [0.916667, -1.909091]   w2 = [0.833333, -1.818182]   w3 = [0.75, -1.727273]
        // (eps added to √v before the correction, as in the paper's "efficient" form,
        //  would give step 1 = 0.1·√0.001/0.1 · 0.05/(√0.00025 + 0.1) = 0.0137.)
        Tensor w = make_w();
        Adam opt({w}, {.lr = 0.1f, .eps = 0.1f});
        const auto ws = three_steps(opt, w);
        check_w(ws[0], 0.9166666667, -1.9090909091);
        check_w(ws[1], 0.8333333333, -1.8181818182);
        check_w(ws[2], 0.75, -1.7272727273);
    }
    SUBCASE("weight decay") {
        // lr 0.1, wd 0.1, g' = g + 0.1·w, eps 1e-8 (negligible here):
        //   t=1: g' = [0.6, -1.2]  m = [0.06, -0.12]  v = [0.00036, 0.00144]  m̂ = [0.6, -1.2]  √v̂ = [0.6, 1.2]
        //        w1 = [1 - 0.1, -2 + 0.1] = [0.9, -1.9]
        //   t=2: g' = [0.59, -1.19]  m = [0.054 + 0.059, -0.108 - 0.119] = [0.113, -0.227]
        //        v = [0.00035964 + 0.0003481, 0.00143856 + 0.0014161] = [0.00070774, 0.00285466]
        //        m̂ = m/0.19 = [0.594737, -1.194737]   √v̂ = √(v/0.001999) = [0.595019, 1.195008]
        //        w2 = [0.9 - 0.1·0.594737/0.595019, -1.9 + 0.1·1.194737/1.195008] = [0.800047, -1.800023]
        //   t=3: g' = [0.5 + 0.0800047, -1 - 0.1800023] = [0.580005, -1.180002]
        //        m = 0.9·m + 0.1·g' = [0.159700, -0.322300]     m̂ = m/0.271 = [0.589301, -1.189300]
        //        v = 0.999·v + 0.001·g'² = [0.00104344, 0.00424421]   √v̂ = √(v/0.002997001) = [0.590051, 1.190022]
        //        w3 = [0.800047 - 0.1·0.589301/0.590051, -1.800023 + 0.1·1.189300/1.190022] = [0.700175, -1.700083]
        Tensor w = make_w();
        Adam opt({w}, {.lr = 0.1f, .weight_decay = 0.1f});
        const auto ws = three_steps(opt, w);
        check_w(ws[0], 0.9, -1.9);
        check_w(ws[1], 0.8000473405, -1.8000226891);
        check_w(ws[2], 0.7001745748, -1.7000833915);
    }
}

TEST_CASE("Adam: after a long run of zero gradients one step moves several times lr") {
    // docs/nn.md: the step is bounded by (1 - β1)/√(1 - β2)·lr, not by lr.
    // lr 0.01, β2 0.999. 5000 steps with g = 0 keep m = v = 0 and w = 1 (0/(0 + eps) = 0),
    // then one step with g = 1 at t = 5001:
    //   m = 1 - β1, v = 0.001, c1 = 1 - β1^5001 = 1, c2 = 1 - 0.999^5001 = 0.993286
    //   Δw = 0.01·(1 - β1)/(√0.001/√0.993286 + 1e-8):
    //   β1 = 0.9: 0.0315164 (3.15 lr)    β1 = 0.5: 0.157582 (15.8 lr)
    for (const auto& [b1, step] : {std::pair{0.9f, 0.0315164}, std::pair{0.5f, 0.157582}}) {
        CAPTURE(b1);
        Tensor w(Array{1.0f}, true);
        w.add_grad(Array{0.0f});
        Adam opt({w}, {.lr = 0.01f, .beta1 = b1});
        for (int i = 0; i < 5000; ++i) opt.step();
        REQUIRE(w.value()(0) == 1.0f);
        w.zero_grad();
        w.add_grad(Array{1.0f});
        opt.step();
        CHECK(1.0 - w.value()(0) == doctest::Approx(step).epsilon(1e-4));
        CHECK(1.0 - w.value()(0) > 3 * 0.01);
    }
}

TEST_CASE("Adam: bit for bit the formula's loop, whichever instruction set runs it") {
    // Adam's loop runs as AVX code on processors that have it (nn/optim.cpp:
    // adam_elements). It must round exactly as the plain loop below does, every
    // operation on its own (no fused multiply-add), or the example programs'
    // results would depend on the processor. 1,003 elements: the vector loop
    // and its remainder; five steps with new gradients, weight decay on.
    const std::size_t n = 1003;
    Generator gen(7);
    Tensor w(gen.normal_array({n}), true);
    const AdamOptions o{.lr = 2e-4f, .beta1 = 0.5f, .beta2 = 0.999f, .eps = 1e-8f, .weight_decay = 0.01f};
    Adam opt({w}, o);
    std::vector<float> rw(w.value().begin(), w.value().end()), rm(n, 0.0f), rv(n, 0.0f);
    for (int t = 1; t <= 5; ++t) {
        const Array g = gen.normal_array({n}, 0.0f, 1e-3f * static_cast<float>(t));
        w.zero_grad();
        w.add_grad(g);
        opt.step();
        const double bc1 = 1.0 - std::pow(static_cast<double>(o.beta1), t);
        const double bc2 = 1.0 - std::pow(static_cast<double>(o.beta2), t);
        const float step_size = static_cast<float>(o.lr / bc1), bc2_sqrt = static_cast<float>(std::sqrt(bc2));
        for (std::size_t i = 0; i < n; ++i) {
            const float gi = g.data()[i] + o.weight_decay * rw[i];
            rm[i] = o.beta1 * rm[i] + (1.0f - o.beta1) * gi;
            rv[i] = o.beta2 * rv[i] + (1.0f - o.beta2) * gi * gi;
            rw[i] -= step_size * (rm[i] / (std::sqrt(rv[i]) / bc2_sqrt + o.eps));
        }
    }
    const NamedTensors st = opt.state();
    REQUIRE(names(st) == std::vector<std::string>{"step.0", "exp_avg.0", "exp_avg_sq.0"});
    CHECK(std::memcmp(w.value().data(), rw.data(), n * sizeof(float)) == 0);
    CHECK(std::memcmp(st[1].second.value().data(), rm.data(), n * sizeof(float)) == 0);
    CHECK(std::memcmp(st[2].second.value().data(), rv.data(), n * sizeof(float)) == 0);
}

TEST_CASE("frozen parameters and parameters without a gradient are not updated") {
    Net net;
    net.a.add_grad(Array{1.0f, 1.0f});
    net.b.add_grad(Array{1.0f});
    net.b.set_requires_grad(false);  // frozen, though it has a gradient
    // net.child.c has no gradient at all
    const Array c0 = std::dynamic_pointer_cast<Net::Child>(net.child)->c.value();
    for (const bool adam : {false, true}) {
        CAPTURE(adam);
        std::unique_ptr<Optimizer> opt;
        if (adam)
            opt = std::make_unique<Adam>(net.named_parameters(), AdamOptions{.lr = 0.5f});
        else
            opt = std::make_unique<SGD>(net.named_parameters(), SGDOptions{.lr = 0.5f, .momentum = 0.9f});
        const Array a0 = net.a.value();
        opt->step();
        CHECK(net.a.value()(0) != a0(0));
        CHECK(net.b.value()(0) == 3.0f);
        CHECK(std::dynamic_pointer_cast<Net::Child>(net.child)->c.value() == c0);
        // Only a has state.
        for (const auto& n : names(opt->state())) CHECK(n.substr(n.size() - 2) == ".a");
    }
}

TEST_CASE("step, zero_grad, lr, step_count") {
    Net net;
    SGD opt(net.named_parameters(), {.lr = 0.1f});
    CHECK(opt.lr() == 0.1f);
    CHECK(opt.step_count() == 0);
    CHECK(std::string(opt.name()) == "SGD");
    CHECK(names(opt.params()) == std::vector<std::string>{"a", "b", "child.c"});

    net.a.add_grad(Array{1.0f, 2.0f});
    const std::size_t tape_before = Tape::current().size();
    opt.step();
    CHECK(Tape::current().size() == tape_before);  // an update records nothing
    CHECK(opt.step_count() == 1);
    check_w(net.a.value(), 0.9, -2.2);             // [1 - 0.1, -2 - 0.2]

    opt.set_lr(0.5f);
    CHECK(opt.lr() == 0.5f);
    opt.step();
    check_w(net.a.value(), 0.4, -3.2);             // [0.9 - 0.5, -2.2 - 1]
    CHECK(opt.step_count() == 2);

    opt.zero_grad();
    check_w(net.a.grad(), 0.0, 0.0);
    opt.step();
    check_w(net.a.value(), 0.4, -3.2);             // a zero gradient moves nothing
}

TEST_CASE("option and parameter checks") {
    Tensor w = make_w();
    CHECK_THROWS_WITH_AS(Adam({w}, {.beta1 = 1.5f}), "Adam: beta1 must be in [0, 1), got 1.5", std::invalid_argument);
    CHECK_THROWS_WITH_AS(Adam({w}, {.beta1 = 1.0f}), "Adam: beta1 must be in [0, 1), got 1", std::invalid_argument);
    CHECK_THROWS_WITH_AS(Adam({w}, {.beta2 = -0.1f}), "Adam: beta2 must be in [0, 1), got -0.1", std::invalid_argument);
    CHECK_THROWS_WITH_AS(Adam({w}, {.eps = -1.0f}), "Adam: eps must be >= 0, got -1", std::invalid_argument);
    CHECK_THROWS_WITH_AS(Adam({w}, {.lr = -0.001f}), "Adam: lr must be >= 0, got -0.001", std::invalid_argument);
    CHECK_THROWS_WITH_AS(Adam({w}, {.weight_decay = -1.0f}), "Adam: weight_decay must be >= 0, got -1",
                         std::invalid_argument);
    CHECK_THROWS_WITH_AS(SGD({w}, {.lr = 0.1f, .nesterov = true}),
                         "SGD: nesterov needs momentum > 0 and dampening 0, got momentum 0 and dampening 0",
                         std::invalid_argument);
    CHECK_THROWS_WITH_AS(SGD({w}, {.lr = 0.1f, .momentum = 0.9f, .dampening = 0.1f, .nesterov = true}),
                         "SGD: nesterov needs momentum > 0 and dampening 0, got momentum 0.9 and dampening 0.1",
                         std::invalid_argument);
    CHECK_THROWS_WITH_AS(SGD({w}, {.lr = 0.1f, .momentum = -0.5f}), "SGD: momentum must be >= 0, got -0.5",
                         std::invalid_argument);
    CHECK_THROWS_WITH_AS(SGD({w}, {.lr = 0.1f, .weight_decay = -1.0f}), "SGD: weight_decay must be >= 0, got -1",
                         std::invalid_argument);
    SGD sgd({w}, {.lr = 0.1f});
    CHECK_THROWS_WITH_AS(sgd.set_lr(-1.0f), "SGD: lr must be >= 0, got -1", std::invalid_argument);
    CHECK(sgd.lr() == 0.1f);

    CHECK_THROWS_WITH_AS(SGD(std::vector<Tensor>{}, {.lr = 0.1f}),
                         "SGD: got an empty parameter list; pass module.named_parameters() of a module that has "
                         "parameters",
                         std::invalid_argument);
    CHECK_THROWS_WITH_AS(SGD(NamedTensors{{"a", w}, {"b", w}}, {.lr = 0.1f}),
                         "SGD: parameter b is a tensor already in the list; pass each parameter once",
                         std::invalid_argument);
    CHECK_THROWS_WITH_AS(SGD(NamedTensors{{"w", w}, {"w", make_w()}}, {.lr = 0.1f}),
                         "SGD: two parameters are named w; names must be unique", std::invalid_argument);
    CHECK_THROWS_WITH_AS(SGD(NamedTensors{{"w", Tensor()}}, {.lr = 0.1f}), "SGD: parameter w is an empty tensor",
                         std::invalid_argument);
}

TEST_CASE("state save and load: a resumed run continues bit-exactly") {
    // Five steps with changing gradients and an lr change before step 3. With
    // resume_at = k, after k steps the state is saved and loaded into a fresh
    // optimizer over a fresh copy of the net, which does the remaining steps.
    auto run = [](bool adam, int resume_at, bool load_state) {
        auto make = [adam](Net& n) -> std::unique_ptr<Optimizer> {
            if (adam) return std::make_unique<Adam>(n.named_parameters(), AdamOptions{.lr = 0.05f, .weight_decay = 0.01f});
            return std::make_unique<SGD>(n.named_parameters(),
                                         SGDOptions{.lr = 0.05f, .momentum = 0.9f, .nesterov = true, .weight_decay = 0.01f});
        };
        auto net = std::make_unique<Net>();
        auto opt = make(*net);
        for (int k = 0; k < 5; ++k) {
            if (k == 2) opt->set_lr(0.04f);  // as a schedule would
            if (k == resume_at) {
                const NamedTensors st = opt->state();
                const std::int64_t count = opt->step_count();
                const float lr = opt->lr();
                auto net2 = std::make_unique<Net>();
                const auto old_values = values(*net);
                auto params2 = net2->named_parameters();
                for (std::size_t i = 0; i < params2.size(); ++i) params2[i].second.mutable_value() = old_values[i];
                auto opt2 = make(*net2);
                opt2->load_state(load_state ? st : NamedTensors{}, count, lr);
                CHECK(opt2->step_count() == count);
                CHECK(opt2->lr() == lr);
                net = std::move(net2);
                opt = std::move(opt2);
            }
            set_grads(*net, k);
            opt->step();
        }
        return values(*net);
    };
    for (const bool adam : {false, true}) {
        CAPTURE(adam);
        const auto straight = run(adam, -1, true);
        for (const int resume_at : {1, 2, 3, 4}) {
            CAPTURE(resume_at);
            const auto resumed = run(adam, resume_at, true);
            REQUIRE(straight.size() == resumed.size());
            for (std::size_t i = 0; i < straight.size(); ++i) CHECK(straight[i] == resumed[i]);  // exact
        }
        // Resuming without the state differs (so the comparison above can fail).
        const auto forgetful = run(adam, 2, false);
        CHECK(forgetful[0] != straight[0]);
    }
}

TEST_CASE("state names and load_state checks") {
    Net net;
    Adam opt(net.named_parameters(), {.lr = 0.1f});
    net.a.add_grad(Array{1.0f, 1.0f});
    net.b.add_grad(Array{1.0f});
    opt.step();
    const NamedTensors st = opt.state();
    CHECK(names(st) == std::vector<std::string>{"step.a", "exp_avg.a", "exp_avg_sq.a", "step.b", "exp_avg.b",
                                                "exp_avg_sq.b"});
    const Tensor two(Array{0.0f, 0.0f}), three(Array{0.0f, 0.0f, 0.0f});

    auto with = [&](const std::string& name, const Tensor& t) {  // st with one entry replaced or added
        NamedTensors out;
        bool replaced = false;
        for (const auto& [n, v] : st) {
            out.emplace_back(n, n == name ? t : v);
            replaced = replaced || n == name;
        }
        if (!replaced) out.emplace_back(name, t);
        return out;
    };
    auto without = [&](const std::string& name) {
        NamedTensors out;
        for (const auto& [n, v] : st)
            if (n != name) out.emplace_back(n, v);
        return out;
    };
    CHECK_THROWS_WITH_AS(opt.load_state(with("foo.a", two), 1, 0.1f),
                         "Adam: unknown state foo.a (Adam keeps step, exp_avg, exp_avg_sq for each parameter)",
                         std::invalid_argument);
    CHECK_THROWS_WITH_AS(opt.load_state(with("exp_avg", two), 1, 0.1f),
                         "Adam: unknown state exp_avg (Adam keeps step, exp_avg, exp_avg_sq for each parameter)",
                         std::invalid_argument);
    CHECK_THROWS_WITH_AS(opt.load_state(with("exp_avg.fc9.weight", two), 1, 0.1f),
                         "Adam: state exp_avg.fc9.weight is for fc9.weight, which is not a parameter of this optimizer",
                         std::invalid_argument);
    CHECK_THROWS_WITH_AS(opt.load_state(with("exp_avg.a", three), 1, 0.1f),
                         "Adam: shape mismatch for exp_avg.a: state (3,), parameter (2,)", std::invalid_argument);
    CHECK_THROWS_WITH_AS(opt.load_state(with("step.a", two), 1, 0.1f),
                         "Adam: step.a must be a scalar (shape ()), got (2,)", std::invalid_argument);
    CHECK_THROWS_WITH_AS(opt.load_state(with("step.a", Tensor::scalar(0.0f)), 1, 0.1f),
                         "Adam: step.a must be a whole number >= 1, got 0", std::invalid_argument);
    CHECK_THROWS_WITH_AS(opt.load_state(with("step.a", Tensor::scalar(1.5f)), 1, 0.1f),
                         "Adam: step.a must be a whole number >= 1, got 1.5", std::invalid_argument);
    CHECK_THROWS_WITH_AS(opt.load_state(without("exp_avg_sq.b"), 1, 0.1f),
                         "Adam: incomplete state for b: exp_avg_sq.b is missing", std::invalid_argument);
    NamedTensors twice = st;
    twice.push_back(st[1]);
    CHECK_THROWS_WITH_AS(opt.load_state(twice, 1, 0.1f), "Adam: state exp_avg.a appears twice", std::invalid_argument);
    CHECK_THROWS_WITH_AS(opt.load_state(st, -1, 0.1f), "Adam: step_count must be >= 0, got -1", std::invalid_argument);
    CHECK_THROWS_WITH_AS(opt.load_state(st, 1, -0.1f), "Adam: lr must be >= 0, got -0.1", std::invalid_argument);

    // A failed load changed nothing.
    CHECK(opt.step_count() == 1);
    CHECK(opt.lr() == 0.1f);
    const NamedTensors after = opt.state();
    REQUIRE(names(after) == names(st));
    for (std::size_t i = 0; i < st.size(); ++i) CHECK(after[i].second.value() == st[i].second.value());

    // Loading empty state forgets everything (the next step is a first step again).
    opt.load_state({}, 0, 0.1f);
    CHECK(opt.state().empty());

    SGD plain(net.named_parameters(), {.lr = 0.1f});
    CHECK_THROWS_WITH_AS(plain.load_state({{"momentum_buffer.a", two}}, 0, 0.1f),
                         "SGD: unknown state momentum_buffer.a (SGD keeps no state with these options)",
                         std::invalid_argument);
}
