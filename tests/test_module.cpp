// test_module.cpp — Module's tree walks and switches: dotted names, shared
// parameters counted once, parameter counts by hand, buffers, train/eval,
// zero_grad, freezing (no gradient and no tape entries for frozen weights),
// and the registration errors.
#include "check.hpp"

#include <memory>
#include <string>
#include <vector>

using namespace xgrad;

namespace {

// A small discriminator: x (N, 4) → fc1 (3) → tanh → fc2 (1).
struct Disc : nn::Module {
    std::shared_ptr<nn::Linear> fc1, fc2;
    explicit Disc(Generator& gen) {
        fc1 = register_module("fc1", std::make_shared<nn::Linear>(4, 3, gen));
        fc2 = register_module("fc2", std::make_shared<nn::Linear>(3, 1, gen));
    }
    Tensor forward(const Tensor& x) { return (*fc2)(tanh((*fc1)(x))); }
};

// One more level: a parameter of its own, the discriminator, a batch norm (buffers).
struct Model : nn::Module {
    Tensor scale;
    std::shared_ptr<Disc> disc;
    std::shared_ptr<nn::BatchNorm1d> bn;
    explicit Model(Generator& gen) {
        scale = register_parameter("scale", Tensor(Array{2.0f}));
        disc = register_module("disc", std::make_shared<Disc>(gen));
        bn = register_module("bn", std::make_shared<nn::BatchNorm1d>(4));
    }
};

std::vector<std::string> names(const nn::NamedTensors& named) {
    std::vector<std::string> out;
    for (const auto& [name, t] : named) out.push_back(name);
    return out;
}

// Counts its own mode changes, to see train()/eval() reach every level.
struct ModeCounter : nn::Module {
    int changes = 0;
    void on_mode_change() override { ++changes; }
};

// Exposes the protected registration calls, for the error tests.
struct Open : nn::Module {
    using nn::Module::register_buffer;
    using nn::Module::register_module;
    using nn::Module::register_parameter;
};

}  // namespace

TEST_CASE("named_parameters gives dotted names, own parameters first, then children in order") {
    Generator gen(1);
    Model m(gen);
    CHECK(names(m.named_parameters()) ==
          std::vector<std::string>{"scale", "disc.fc1.weight", "disc.fc1.bias", "disc.fc2.weight", "disc.fc2.bias",
                                   "bn.weight", "bn.bias"});
    // The handles are the layers' own tensors, not copies.
    CHECK(m.named_parameters()[1].second.node() == m.disc->fc1->weight().node());
    CHECK(m.parameters().size() == 7);
    for (const Tensor& p : m.parameters()) CHECK(p.requires_grad());
    // A parameter gets its registered (short) name, for printing the tape.
    CHECK(m.disc->fc1->weight().name() == "weight");
}

TEST_CASE("num_parameters counts every scalar once") {
    Generator gen(1);
    Model m(gen);
    // scale 1 + fc1 (4·3 + 3) + fc2 (3·1 + 1) + bn (4 + 4) = 1 + 15 + 4 + 8 = 28
    CHECK(m.num_parameters() == 28);
    CHECK(m.disc->num_parameters() == 19);
}

TEST_CASE("named_buffers lists the running statistics, which are not parameters") {
    Generator gen(1);
    Model m(gen);
    CHECK(names(m.named_buffers()) == std::vector<std::string>{"bn.running_mean", "bn.running_var"});
    for (const auto& [name, b] : m.named_buffers()) CHECK_FALSE(b.requires_grad());
}

TEST_CASE("a shared parameter is counted once, under its first name") {
    Generator gen(1);
    SUBCASE("one layer registered twice (tied weights)") {
        Open m;
        auto fc = std::make_shared<nn::Linear>(4, 3, gen);
        m.register_module("encoder", fc);
        m.register_module("decoder", fc);
        CHECK(names(m.named_parameters()) == std::vector<std::string>{"encoder.weight", "encoder.bias"});
        CHECK(m.num_parameters() == 15);  // 4·3 + 3, not 30
    }
    SUBCASE("one tensor registered in two modules") {
        Open top;
        auto a = top.register_module("a", std::make_shared<Open>());
        auto b = top.register_module("b", std::make_shared<Open>());
        Tensor w(Array{1.0f, 2.0f, 3.0f});
        a->register_parameter("w", w);
        b->register_parameter("w", w);
        b->register_parameter("v", Tensor(Array{4.0f}));
        CHECK(names(top.named_parameters()) == std::vector<std::string>{"a.w", "b.v"});
        CHECK(top.num_parameters() == 4);
    }
}

TEST_CASE("train() and eval() reach every module in the tree") {
    Generator gen(1);
    Model m(gen);
    CHECK(m.is_training());  // modules start in training mode, as in PyTorch
    m.eval();
    CHECK_FALSE(m.is_training());
    CHECK_FALSE(m.disc->is_training());
    CHECK_FALSE(m.disc->fc2->is_training());
    CHECK_FALSE(m.bn->is_training());
    m.disc->train();  // a subtree alone
    CHECK_FALSE(m.is_training());
    CHECK(m.disc->fc1->is_training());
    m.train();
    CHECK(m.bn->is_training());

    Open top;
    auto child = top.register_module("child", std::make_shared<ModeCounter>());
    top.eval();
    top.train();
    CHECK(child->changes == 2);
}

TEST_CASE("zero_grad zeroes every parameter's gradient") {
    Generator gen(1);
    Disc d(gen);
    Tensor x = testing::randn({5, 4});
    sum(d.forward(x)).backward();
    float total = 0.0f;
    for (const Tensor& p : d.parameters()) {
        REQUIRE(p.has_grad());
        for (float g : p.grad()) total += std::abs(g);
    }
    CHECK(total > 0.0f);
    d.zero_grad();
    for (const Tensor& p : d.parameters()) {
        CHECK(p.has_grad());  // the buffer is kept for the next step
        for (float g : p.grad()) CHECK(g == 0.0f);
    }
}

TEST_CASE("requires_grad(false) freezes a module: no gradient, no tape entries for its weights") {
    Generator gen(1);
    Disc d(gen);
    clear_tape();
    // An unfrozen pass records one fused linear per layer, plus tanh and sum.
    Tensor x(testing::randn({5, 4}).value(), true);
    sum(d.forward(x));
    std::vector<std::string> unfrozen_ops;
    for (const TapeEntry& e : Tape::current().entries()) unfrozen_ops.push_back(e.op);
    CHECK(unfrozen_ops == std::vector<std::string>{"linear", "tanh", "linear", "sum"});
    clear_tape();

    d.requires_grad(false);
    for (const Tensor& p : d.parameters()) CHECK_FALSE(p.requires_grad());

    SUBCASE("the input needs a gradient (the generator step of a GAN)") {
        Tensor y = sum(d.forward(x));
        // Each linear is still recorded (x needs a gradient), but its backward skips W and b.
        std::vector<std::string> ops;
        for (const TapeEntry& e : Tape::current().entries()) {
            ops.push_back(e.op);
            bool any = false;
            for (const Tensor& in : e.inputs) any = any || in.requires_grad();
            CHECK(any);  // every entry has an input that needs a gradient
        }
        CHECK(ops == std::vector<std::string>{"linear", "tanh", "linear", "sum"});
        y.backward();
        CHECK(x.has_grad());
        for (const Tensor& p : d.parameters()) CHECK_FALSE(p.has_grad());
    }
    SUBCASE("nothing needs a gradient: nothing is recorded") {
        Tensor y = d.forward(testing::randn({5, 4}));
        CHECK(Tape::current().size() == 0);
        CHECK_FALSE(y.requires_grad());
    }
    SUBCASE("unfreezing brings the gradients back") {
        d.requires_grad(true);
        sum(d.forward(x)).backward();
        for (const Tensor& p : d.parameters()) CHECK(p.has_grad());
    }
    clear_tape();
}

TEST_CASE("registration errors") {
    Open m;
    m.register_parameter("w", Tensor(Array{1.0f}));
    CHECK_THROWS_WITH_AS(m.register_parameter("w", Tensor(Array{2.0f})),
                         "register_parameter: name 'w' is already used in this module; pick another",
                         std::invalid_argument);
    CHECK_THROWS_WITH_AS(m.register_buffer("w", Tensor(Array{2.0f})),
                         "register_buffer: name 'w' is already used in this module; pick another",
                         std::invalid_argument);
    CHECK_THROWS_WITH_AS(m.register_parameter("fc.w", Tensor(Array{2.0f})),
                         "register_parameter: name 'fc.w' must be non-empty and contain no '.' (dots separate "
                         "levels of the tree)",
                         std::invalid_argument);
    CHECK_THROWS_WITH_AS(m.register_module("child", std::shared_ptr<Open>()),
                         "register_module: 'child' is an empty handle", std::invalid_argument);
    CHECK_THROWS_WITH_AS(m.register_parameter("v", Tensor()), "register_parameter: 'v' is an empty handle",
                         std::invalid_argument);
    Tensor leaf(Array{1.0f}, true);
    CHECK_THROWS_WITH_AS(m.register_parameter("v", leaf * 2.0f),
                         "register_parameter: 'v' is the result of an op; parameters must be leaves (use detach())",
                         std::invalid_argument);
    clear_tape();
}
