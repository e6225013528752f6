// test_activation.cpp — the activation layers: values worked out by hand, the
// same results as the core ops they wrap, gradient checks (inputs away from 0,
// where ReLU and LeakyReLU have their kink), and no parameters.
#include "check.hpp"

#include <memory>

using namespace xgrad;
using xgrad::testing::all_close;

namespace {
using Fn = std::function<Tensor(const std::vector<Tensor>&)>;

// Inputs in ±[0.2, 2]: away from the kink at 0 by more than gradcheck's h = 0.01.
Tensor away_from_zero() { return Tensor(Array{{-2.0f, -0.5f, -0.2f}, {0.2f, 0.7f, 2.0f}}); }

void check_layer(nn::Layer& layer) {
    CHECK(layer.num_parameters() == 0);
    Fn f = [&layer](const std::vector<Tensor>& t) { return layer(t[0]); };
    CHECK_GRADCHECK(f, {away_from_zero()});
}
}  // namespace

TEST_CASE("ReLU") {
    nn::ReLU layer;
    // max(x, 0)
    CHECK(all_close(layer(away_from_zero()).value(), Array{{0, 0, 0}, {0.2f, 0.7f, 2.0f}}));
    check_layer(layer);
}

TEST_CASE("LeakyReLU") {
    SUBCASE("default slope 0.01") {
        nn::LeakyReLU layer;
        CHECK(layer.negative_slope() == 0.01f);
        CHECK(all_close(layer(away_from_zero()).value(), Array{{-0.02f, -0.005f, -0.002f}, {0.2f, 0.7f, 2.0f}}));
        check_layer(layer);
    }
    SUBCASE("slope 0.2 (the GAN discriminator's)") {
        nn::LeakyReLU layer(0.2f);
        CHECK(all_close(layer(away_from_zero()).value(), Array{{-0.4f, -0.1f, -0.04f}, {0.2f, 0.7f, 2.0f}}));
        check_layer(layer);
    }
}

TEST_CASE("Sigmoid") {
    nn::Sigmoid layer;
    // σ(0) = 0.5, σ(2) = 1/(1 + e^-2) = 0.8807971, σ(-2) = 0.1192029, σ(±100) = 1 and 0, finite
    Tensor x(Array{-100.0f, -2.0f, 0.0f, 2.0f, 100.0f});
    CHECK(all_close(layer(x).value(), Array{0.0f, 0.1192029f, 0.5f, 0.8807971f, 1.0f}));
    check_layer(layer);
}

TEST_CASE("Tanh") {
    nn::Tanh layer;
    // tanh(0.5) = 0.4621172, tanh(-1) = -0.7615942
    Tensor x(Array{-1.0f, 0.0f, 0.5f});
    CHECK(all_close(layer(x).value(), Array{-0.7615942f, 0.0f, 0.4621172f}));
    check_layer(layer);
}

TEST_CASE("activations are layers: they chain in a Sequential") {
    nn::Sequential seq{std::make_shared<nn::Tanh>(), std::make_shared<nn::ReLU>()};
    Tensor x = away_from_zero();
    CHECK(all_close(seq(x).value(), relu(tanh(x)).value()));
}
