// test_sequential.cpp — Sequential: children named by position, parameter names
// "0.weight", ..., forward equal to calling the layers by hand, typed add(),
// train/eval reaching the layers, gradients through the chain, the errors.
#include "check.hpp"

#include <memory>
#include <string>
#include <vector>

using namespace xgrad;
using xgrad::testing::all_close;
using xgrad::testing::randn;

namespace {
using Fn = std::function<Tensor(const std::vector<Tensor>&)>;

std::vector<std::string> names(const nn::NamedTensors& named) {
    std::vector<std::string> out;
    for (const auto& [name, t] : named) out.push_back(name);
    return out;
}
}  // namespace

TEST_CASE("Sequential names its layers by position") {
    Generator gen(1);
    nn::Sequential seq{std::make_shared<nn::Linear>(4, 8, gen), std::make_shared<nn::LeakyReLU>(0.2f),
                       std::make_shared<nn::BatchNorm1d>(8), std::make_shared<nn::Linear>(8, 2, gen)};
    CHECK(seq.size() == 4);
    std::vector<std::string> children;
    for (const auto& [name, child] : seq.children()) children.push_back(name);
    CHECK(children == std::vector<std::string>{"0", "1", "2", "3"});
    CHECK(names(seq.named_parameters()) ==
          std::vector<std::string>{"0.weight", "0.bias", "2.weight", "2.bias", "3.weight", "3.bias"});
    CHECK(names(seq.named_buffers()) == std::vector<std::string>{"2.running_mean", "2.running_var"});
    // (4·8 + 8) + (8 + 8) + (8·2 + 2) = 40 + 16 + 18 = 74
    CHECK(seq.num_parameters() == 74);
}

TEST_CASE("Sequential forward equals calling the layers one after another") {
    Generator gen(1);
    nn::Sequential seq;
    auto fc1 = seq.add(std::make_shared<nn::Linear>(4, 8, gen));  // typed handles
    auto act = seq.add(std::make_shared<nn::Tanh>());
    auto fc2 = seq.add(std::make_shared<nn::Linear>(8, 3, gen));
    CHECK(fc1->out_features() == 8);
    CHECK(&seq[2] == fc2.get());
    Tensor x = randn({5, 4});
    CHECK(all_close(seq(x).value(), (*fc2)((*act)((*fc1)(x))).value()));

    SUBCASE("gradcheck through the chain w.r.t. x") {
        Fn f = [&seq](const std::vector<Tensor>& t) { return seq(t[0]); };
        CHECK_GRADCHECK(f, {x});
    }
    SUBCASE("backward reaches every layer's parameters") {
        sum(seq(x)).backward();
        for (const Tensor& p : seq.parameters()) CHECK(p.has_grad());
    }
    SUBCASE("an empty Sequential is the identity") {
        nn::Sequential empty;
        CHECK(empty(x).value() == x.value());
    }
}

TEST_CASE("Sequential passes train/eval on to its layers") {
    Generator mask_gen(2);
    nn::Sequential seq;
    auto drop = seq.add(std::make_shared<nn::Dropout>(0.5f, mask_gen));
    seq.eval();
    CHECK_FALSE(drop->is_training());
    Tensor x = randn({3, 4});
    CHECK(seq(x).value() == x.value());  // dropout is the identity in eval
    seq.train();
    CHECK(drop->is_training());
}

TEST_CASE("Sequential errors") {
    nn::Sequential seq;
    CHECK_THROWS_WITH_AS(seq.add(std::shared_ptr<nn::Layer>()), "register_module: '0' is an empty handle",
                         std::invalid_argument);
    CHECK(seq.size() == 0);
    Generator gen(1);
    seq.add(std::make_shared<nn::Linear>(4, 8, gen));
    seq.add(std::make_shared<nn::Linear>(5, 2, gen));  // does not fit after the first
    CHECK_THROWS_WITH_AS(seq(randn({2, 4})), "Linear(5 -> 2): input (2, 8) has 8 features, expected 5",
                         ShapeError);
}
