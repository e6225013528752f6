// test_conv.cpp — the layers Conv2d and ConvTranspose2d: parameter shapes and
// names, the forward equal to the core op (and to the nested-loop reference),
// PyTorch's default initialisation (bounds, statistics, draw order), the DCGAN
// shapes through a Sequential with gradients reaching every parameter, a
// checkpoint round trip, and the errors that name the layer.
#include "check.hpp"
#include "files.hpp"

#include <cmath>
#include <memory>
#include <string>
#include <vector>

using namespace xgrad;
using namespace xgrad::testing;

namespace {

using Fn = std::function<Tensor(const std::vector<Tensor>&)>;

// Mean and standard deviation of an array's values, in double.
std::pair<double, double> mean_std(const Array& a) {
    double s = 0.0, s2 = 0.0;
    for (std::size_t i = 0; i < a.size(); ++i) {
        s += a.data()[i];
        s2 += static_cast<double>(a.data()[i]) * a.data()[i];
    }
    const double m = s / static_cast<double>(a.size());
    return {m, std::sqrt(s2 / static_cast<double>(a.size()) - m * m)};
}

float max_abs(const Array& a) { return xt::amax(xt::abs(a))(); }

// A small DCGAN pair on 28x28 images: 1 -> 4 -> 8 channels down, 8 -> 4 -> 1 up.
std::shared_ptr<nn::Sequential> discriminator(Generator& gen) {
    return std::make_shared<nn::Sequential>(std::initializer_list<std::shared_ptr<nn::Layer>>{
        std::make_shared<nn::Conv2d>(1, 4, 4, gen, 2, 1), std::make_shared<nn::LeakyReLU>(0.2f),
        std::make_shared<nn::Conv2d>(4, 8, 4, gen, 2, 1)});
}
std::shared_ptr<nn::Sequential> generator(Generator& gen) {
    return std::make_shared<nn::Sequential>(std::initializer_list<std::shared_ptr<nn::Layer>>{
        std::make_shared<nn::ConvTranspose2d>(8, 4, 4, gen, 2, 1), std::make_shared<nn::ReLU>(),
        std::make_shared<nn::ConvTranspose2d>(4, 1, 4, gen, 2, 1)});
}

}  // namespace

TEST_CASE("Conv2d parameters and forward") {
    Generator gen(3);
    nn::Conv2d conv(3, 4, {3, 2}, gen, {2, 1}, {1, 0}, {1, 2});
    CHECK(conv.in_channels() == 3);
    CHECK(conv.out_channels() == 4);
    CHECK(conv.kernel() == Size2(3, 2));
    CHECK(conv.stride() == Size2(2, 1));
    CHECK(conv.padding() == Size2(1, 0));
    CHECK(conv.dilation() == Size2(1, 2));
    const auto named = conv.named_parameters();
    REQUIRE(named.size() == 2);
    CHECK(named[0].first == "weight");
    CHECK(named[1].first == "bias");
    CHECK(conv.weight().shape() == Shape{4, 3, 3, 2});
    CHECK(conv.bias().shape() == Shape{4});
    CHECK(conv.num_parameters() == 4 * 3 * 3 * 2 + 4);

    const Tensor x = randn({2, 3, 7, 6});
    const Tensor y = conv(x);
    // OH = (7 + 2 − 2 − 1) / 2 + 1 = 4, OW = (6 − 2 − 1) / 1 + 1 = 4
    CHECK(y.shape() == Shape{2, 4, 4, 4});
    CHECK(all_close(y.value(), conv2d_reference(x.value(), conv.weight().value(), conv.bias().value(), {2, 1},
                                                {1, 0}, {1, 2})));

    SUBCASE("without bias") {
        nn::Conv2d plain(3, 4, 3, gen, 1, 1, 1, false);
        CHECK_FALSE(plain.bias().defined());
        REQUIRE(plain.named_parameters().size() == 1);
        CHECK(plain.named_parameters()[0].first == "weight");
        CHECK(all_close(plain(x).value(), conv2d_reference(x.value(), plain.weight().value(), Array(), 1, 1)));
    }
    SUBCASE("gradcheck through the layer w.r.t. x") {
        Fn f = [&conv](const std::vector<Tensor>& t) { return conv(t[0]); };
        CHECK_GRADCHECK(f, {randn({1, 3, 5, 4}, 2)});
    }
}

TEST_CASE("ConvTranspose2d parameters and forward") {
    Generator gen(3);
    nn::ConvTranspose2d up(4, 2, 4, gen, 2, 1, 1);
    CHECK(up.in_channels() == 4);
    CHECK(up.out_channels() == 2);
    CHECK(up.output_padding() == Size2(1));
    CHECK(up.weight().shape() == Shape{4, 2, 4, 4});  // (in, out, kh, kw): PyTorch's layout
    CHECK(up.bias().shape() == Shape{2});
    const auto named = up.named_parameters();
    REQUIRE(named.size() == 2);
    CHECK(named[0].first == "weight");
    CHECK(named[1].first == "bias");

    const Tensor x = randn({3, 4, 7, 7});
    const Tensor y = up(x);
    CHECK(y.shape() == Shape{3, 2, 15, 15});  // (7 − 1)·2 − 2 + 3 + 1 + 1
    CHECK(y.value() == conv_transpose2d(x, up.weight(), up.bias(), 2, 1, 1).value());

    SUBCASE("without bias") {
        nn::ConvTranspose2d plain(4, 2, 3, gen, 1, 0, 0, 1, false);
        CHECK_FALSE(plain.bias().defined());
        REQUIRE(plain.named_parameters().size() == 1);
        CHECK(plain(x).value() == conv_transpose2d(x, plain.weight()).value());
    }
    SUBCASE("gradcheck through the layer w.r.t. x") {
        Fn f = [&up](const std::vector<Tensor>& t) { return up(t[0]); };
        CHECK_GRADCHECK(f, {randn({1, 4, 3, 2}, 2)});
    }
}

TEST_CASE("Conv2d and ConvTranspose2d initialisation") {
    SUBCASE("Conv2d: U(-1/√fan_in, 1/√fan_in), fan_in = in · kh · kw") {
        Generator gen(5);
        nn::Conv2d conv(8, 32, 3, gen);  // fan_in = 72
        const double bound = 1.0 / std::sqrt(72.0);
        CHECK(max_abs(conv.weight().value()) <= bound);
        CHECK(max_abs(conv.weight().value()) > 0.99 * bound);  // 2304 draws reach the edges
        CHECK(max_abs(conv.bias().value()) <= bound);
        // U(-b, b) has mean 0 and standard deviation b / √3. Over 2304 draws the mean is
        // within 0.01 b (about 5 standard errors) and the deviation within 5%.
        const auto [m, s] = mean_std(conv.weight().value());
        CHECK(std::abs(m) < 0.01 * bound);
        CHECK(s == doctest::Approx(bound / std::sqrt(3.0)).epsilon(0.05));
    }
    SUBCASE("ConvTranspose2d: fan_in from weight.size(1), which is out · kh · kw") {
        Generator gen(5);
        nn::ConvTranspose2d up(64, 4, 3, gen);  // weight (64, 4, 3, 3): fan_in = 36, not 64 · 9
        const double bound = 1.0 / 6.0;
        CHECK(max_abs(up.weight().value()) <= bound);
        CHECK(max_abs(up.weight().value()) > 0.99 * bound);
        CHECK(max_abs(up.bias().value()) <= bound);
        const auto [m, s] = mean_std(up.weight().value());
        CHECK(std::abs(m) < 0.01 * bound);
        CHECK(s == doctest::Approx(bound / std::sqrt(3.0)).epsilon(0.05));
    }
    SUBCASE("the weight is drawn first, then the bias, as nn::init does it") {
        Generator g1(9), g2(9);
        nn::Conv2d conv(3, 5, {2, 3}, g1);
        Tensor w(Array::from_shape({5, 3, 2, 3})), b(Array::from_shape({5}));
        nn::init::kaiming_uniform_(w, g2, std::sqrt(5.0f));
        nn::init::uniform_(b, g2, -1.0f / std::sqrt(18.0f), 1.0f / std::sqrt(18.0f));
        CHECK(conv.weight().value() == w.value());
        CHECK(conv.bias().value() == b.value());
    }
    SUBCASE("the same seed gives the same layer, another seed another") {
        Generator g1(7), g2(7), g3(8);
        nn::ConvTranspose2d a(4, 3, 2, g1), b(4, 3, 2, g2), c(4, 3, 2, g3);
        CHECK(a.weight().value() == b.weight().value());
        CHECK(a.bias().value() == b.bias().value());
        CHECK(a.weight().value() != c.weight().value());
    }
}

TEST_CASE("conv layers in a Sequential: DCGAN shapes and gradients") {
    Generator gen(11);
    auto disc = discriminator(gen);
    auto gen_net = generator(gen);
    const auto names = disc->named_parameters();
    REQUIRE(names.size() == 4);
    CHECK(names[0].first == "0.weight");
    CHECK(names[3].first == "2.bias");

    const Tensor z = randn({2, 8, 7, 7}, 3);
    const Tensor images = (*gen_net)(z);
    CHECK(images.shape() == Shape{2, 1, 28, 28});  // 7 -> 14 -> 28
    const Tensor scores = (*disc)(images);
    CHECK(scores.shape() == Shape{2, 8, 7, 7});  // 28 -> 14 -> 7
    backward(mean(scores));
    for (const auto& [name, p] : gen_net->named_parameters()) {
        CAPTURE(name);
        REQUIRE(p.has_grad());
        CHECK(max_abs(p.grad()) > 0.0f);
    }
    for (const auto& [name, p] : disc->named_parameters()) {
        CAPTURE(name);
        REQUIRE(p.has_grad());
        CHECK(max_abs(p.grad()) > 0.0f);
    }
}

TEST_CASE("conv layers in a checkpoint") {
    TempDir dir;
    const fs::path path = dir / "convs.safetensors";
    Generator g1(1), g2(2);
    nn::Sequential saved{discriminator(g1), generator(g1)};
    nn::Sequential loaded{discriminator(g2), generator(g2)};
    REQUIRE_FALSE(same_tensors(module_tensors(saved), module_tensors(loaded)));
    nn::save_checkpoint(path, saved);
    nn::load_checkpoint(path, loaded);
    CHECK(same_tensors(module_tensors(saved), module_tensors(loaded)));
    CHECK(module_tensors(loaded)[4].first == "1.0.weight");  // the first ConvTranspose2d
    const Tensor x = randn({1, 1, 28, 28});
    auto& d_saved = saved[0];
    auto& d_loaded = loaded[0];
    CHECK(d_saved(x).value() == d_loaded(x).value());
}

TEST_CASE("conv layer errors") {
    Generator gen(3);
    SUBCASE("Conv2d") {
        nn::Conv2d conv(3, 16, 3, gen);
        CHECK_THROWS_WITH_AS(conv(Tensor(Array::from_shape({2, 4, 8, 8}))),
                             "Conv2d(3 -> 16, kernel (3, 3)): input (2, 4, 8, 8) has 4 channels, expected 3",
                             ShapeError);
        CHECK_THROWS_WITH_AS(conv(Tensor(Array::from_shape({8, 8}))),
                             "Conv2d(3 -> 16, kernel (3, 3)): input (8, 8) must be 4-D (N, C, H, W)", ShapeError);
        CHECK_THROWS_WITH_AS(nn::Conv2d(3, 16, 3, gen, {0, 1}),
                             "Conv2d(3 -> 16, kernel (3, 3)): stride (0, 1) must be positive", std::invalid_argument);
        CHECK_THROWS_WITH_AS(nn::Conv2d(3, 16, {3, 0}, gen),
                             "Conv2d(3 -> 16, kernel (3, 0)): kernel (3, 0) must be positive", std::invalid_argument);
        CHECK_THROWS_WITH_AS(nn::Conv2d(3, 16, 3, gen, 1, 0, 0),
                             "Conv2d(3 -> 16, kernel (3, 3)): dilation (0, 0) must be positive",
                             std::invalid_argument);
        // An image too small for the kernel is the op's error.
        CHECK_THROWS_WITH_AS(conv(Tensor(Array::from_shape({1, 3, 2, 8}))),
                             "conv2d: kernel (3, 3) dilated by (1, 1) spans (3, 3), larger than the padded input "
                             "(2, 8) (input (1, 3, 2, 8), padding (0, 0))",
                             ShapeError);
    }
    SUBCASE("ConvTranspose2d") {
        nn::ConvTranspose2d up(16, 3, 4, gen, 2, 1);
        CHECK_THROWS_WITH_AS(up(Tensor(Array::from_shape({2, 8, 7, 7}))),
                             "ConvTranspose2d(16 -> 3, kernel (4, 4)): input (2, 8, 7, 7) has 8 channels, expected 16",
                             ShapeError);
        CHECK_THROWS_WITH_AS(up(Tensor(Array::from_shape({16, 7, 7}))),
                             "ConvTranspose2d(16 -> 3, kernel (4, 4)): input (16, 7, 7) must be 4-D (N, C, H, W)",
                             ShapeError);
        CHECK_THROWS_WITH_AS(nn::ConvTranspose2d(16, 3, 4, gen, 2, 1, 2),
                             "ConvTranspose2d(16 -> 3, kernel (4, 4)): output_padding (2, 2) must be smaller than "
                             "stride (2, 2) or dilation (1, 1) on each axis",
                             std::invalid_argument);
        CHECK_THROWS_WITH_AS(nn::ConvTranspose2d(16, 3, 4, gen, {2, 0}),
                             "ConvTranspose2d(16 -> 3, kernel (4, 4)): stride (2, 0) must be positive",
                             std::invalid_argument);
        CHECK_THROWS_WITH_AS(nn::ConvTranspose2d(16, 3, 0, gen),
                             "ConvTranspose2d(16 -> 3, kernel (0, 0)): kernel (0, 0) must be positive",
                             std::invalid_argument);
        CHECK_THROWS_WITH_AS(nn::ConvTranspose2d(16, 3, 4, gen, 1, 0, 0, {1, 0}),
                             "ConvTranspose2d(16 -> 3, kernel (4, 4)): dilation (1, 0) must be positive",
                             std::invalid_argument);
        // output_padding ≥ stride is allowed below the dilation, as in PyTorch.
        nn::ConvTranspose2d dilated(2, 1, 3, gen, 1, 0, 1, 2);
        CHECK(dilated(randn({1, 2, 4, 4})).shape() == Shape{1, 1, 9, 9});  // 3 + 2·2 + 1 + 1
    }
}
