// test_pool.cpp — the MaxPool2d, AvgPool2d and Upsample layers: their settings,
// no parameters, each forward equal to its core op (tested in test_ops_pool.cpp),
// and a small stack with BatchNorm2d in a Sequential, through backward and a checkpoint.
#include "check.hpp"
#include "files.hpp"

using namespace xgrad;
using xgrad::testing::all_close;
using xgrad::testing::randn;

TEST_CASE("pooling layers") {
    const Tensor x = randn({2, 3, 6, 5}, 3);

    SUBCASE("MaxPool2d: stride = kernel unless given; the forward is max_pool2d") {
        nn::MaxPool2d pool(Size2(2, 3));  // ({2, 3}) would be ambiguous: also (kernel 2, stride 3)
        CHECK(pool.kernel() == Size2(2, 3));
        CHECK(pool.stride() == Size2(2, 3));
        CHECK(pool.padding() == Size2(0));
        CHECK(pool.named_parameters().empty());
        CHECK(pool.named_buffers().empty());
        CHECK(pool(x).value() == max_pool2d(x, {2, 3}).value());
        nn::MaxPool2d overlapping(3, 1, 1);
        CHECK(overlapping.stride() == Size2(1));
        CHECK(overlapping(x).value() == max_pool2d(x, 3, 1, 1).value());
    }
    SUBCASE("AvgPool2d: the same settings; the forward is avg_pool2d") {
        nn::AvgPool2d pool(2);
        CHECK(pool.stride() == Size2(2));
        CHECK(pool.named_parameters().empty());
        CHECK(pool(x).value() == avg_pool2d(x, 2).value());
        nn::AvgPool2d padded({3, 2}, {2, 1}, {1, 0});
        CHECK(padded.padding() == Size2(1, 0));
        CHECK(padded(x).value() == avg_pool2d(x, {3, 2}, {2, 1}, {1, 0}).value());
    }
    SUBCASE("Upsample: nearest neighbour by integer factors") {
        nn::Upsample up({2, 3});
        CHECK(up.scale() == Size2(2, 3));
        CHECK(up.named_parameters().empty());
        CHECK(up(x).shape() == Shape{2, 3, 12, 15});
        CHECK(up(x).value() == upsample_nearest2d(x, {2, 3}).value());
    }
    SUBCASE("errors: the layer checks the rank, the op the rest") {
        const Tensor flat(Array::from_shape({4, 3}));
        CHECK_THROWS_WITH_AS(nn::MaxPool2d(2)(flat), "MaxPool2d: input (4, 3) must be 4-D (N, C, H, W)", ShapeError);
        CHECK_THROWS_WITH_AS(nn::AvgPool2d(2)(flat), "AvgPool2d: input (4, 3) must be 4-D (N, C, H, W)", ShapeError);
        CHECK_THROWS_WITH_AS(nn::Upsample(2)(flat), "Upsample: input (4, 3) must be 4-D (N, C, H, W)", ShapeError);
        CHECK_THROWS_WITH_AS(nn::MaxPool2d(7)(x),
                             "max_pool2d: kernel (7, 7) does not fit input (2, 3, 6, 5) padded by (0, 0)", ShapeError);
        nn::Upsample up(0);
        CHECK_THROWS_WITH_AS(up(x), "upsample_nearest2d: scale (0, 0) must be positive", std::invalid_argument);
    }
}

TEST_CASE("pooling layers in a Sequential, with BatchNorm2d") {
    // (N, 2, 6, 6) → BatchNorm2d → MaxPool2d(2) (3 × 3) → Upsample(2) (6 × 6) → AvgPool2d(3, 1, 1) (6 × 6)
    auto make = [] {
        return nn::Sequential{std::make_shared<nn::BatchNorm2d>(2), std::make_shared<nn::MaxPool2d>(2),
                              std::make_shared<nn::Upsample>(2), std::make_shared<nn::AvgPool2d>(3, 1, 1)};
    };
    nn::Sequential net = make();
    const Tensor x = randn({4, 2, 6, 6}, 5);
    CHECK(net(x).shape() == Shape{4, 2, 6, 6});
    nn::NamedTensors params = net.named_parameters(), buffers = net.named_buffers();
    REQUIRE(params.size() == 2);
    CHECK(params[0].first == "0.weight");
    CHECK(params[1].first == "0.bias");
    REQUIRE(buffers.size() == 2);
    CHECK(buffers[0].first == "0.running_mean");

    SUBCASE("backward reaches the batch norm's parameters and the input") {
        net.zero_grad();
        Tensor xs(x.value(), true);
        sum(net(xs) * net(xs)).backward();
        CHECK(xs.has_grad());
        CHECK(net.named_parameters()[0].second.has_grad());
        CHECK(xt::amax(xt::abs(net.named_parameters()[0].second.grad()))() > 0.0f);
    }
    SUBCASE("a checkpoint saves and restores the running statistics") {
        xgrad::testing::TempDir dir;
        const auto path = dir / "net.safetensors";
        nn::save_checkpoint(path, net);
        nn::Sequential fresh = make();
        REQUIRE_FALSE(xgrad::testing::same_tensors(xgrad::testing::module_tensors(fresh),
                                                   xgrad::testing::module_tensors(net)));
        nn::load_checkpoint(path, fresh);
        CHECK(xgrad::testing::same_tensors(xgrad::testing::module_tensors(fresh), xgrad::testing::module_tensors(net)));
        net.eval();
        fresh.eval();
        CHECK(fresh(x).value() == net(x).value());
    }
}
