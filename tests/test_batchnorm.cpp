// test_batchnorm.cpp — BatchNorm1d, BatchNorm2d and the batch_norm op behind them:
// training output has per-feature (per-channel) mean 0 and variance 1; the running
// statistics after one step equal PyTorch's formula; eval normalises with them
// instead (a different output); a 2 × 2 case worked by hand; gradient checks in
// training mode (through the batch statistics) and in eval mode; the closed-form
// backward written out in double; affine = false; the errors.
// (The fused op against its op-by-op reference: test_ops_norm.cpp.)
#include "check.hpp"

#include <cmath>
#include <vector>

using namespace xgrad;
using xgrad::testing::all_close;
using xgrad::testing::randn;

namespace {
using Fn = std::function<Tensor(const std::vector<Tensor>&)>;

// (32, 3) with very different means and spreads per feature: x[:, c] = m_c + s_c · N(0, 1).
Tensor skewed_batch() {
    Array x = randn({32, 3}, 5).value();
    const float m[3] = {2.0f, -3.0f, 10.0f}, s[3] = {1.0f, 5.0f, 0.1f};
    for (std::size_t n = 0; n < 32; ++n)
        for (std::size_t c = 0; c < 3; ++c) x(n, c) = m[c] + s[c] * x(n, c);
    return Tensor(x);
}

// Column mean and biased variance (÷N), in double.
void column_stats(const Array& x, std::size_t c, double& mean, double& var) {
    const std::size_t N = x.shape()[0];
    mean = 0;
    for (std::size_t n = 0; n < N; ++n) mean += x(n, c);
    mean /= static_cast<double>(N);
    var = 0;
    for (std::size_t n = 0; n < N; ++n) var += (x(n, c) - mean) * (x(n, c) - mean);
    var /= static_cast<double>(N);
}
}  // namespace

TEST_CASE("BatchNorm1d parameters and buffers") {
    nn::BatchNorm1d bn(3);
    CHECK(bn.num_features() == 3);
    CHECK(bn.eps() == 1e-5f);
    CHECK(bn.momentum() == 0.1f);
    REQUIRE(bn.named_parameters().size() == 2);
    CHECK(bn.named_parameters()[0].first == "weight");
    CHECK(bn.named_parameters()[1].first == "bias");
    CHECK(bn.weight().value() == Array{1, 1, 1});
    CHECK(bn.bias().value() == Array{0, 0, 0});
    REQUIRE(bn.named_buffers().size() == 2);
    CHECK(bn.named_buffers()[0].first == "running_mean");
    CHECK(bn.named_buffers()[1].first == "running_var");
    CHECK(bn.running_mean().value() == Array{0, 0, 0});
    CHECK(bn.running_var().value() == Array{1, 1, 1});
}

TEST_CASE("BatchNorm1d training: normalised output and the running statistics") {
    nn::BatchNorm1d bn(3);
    Tensor x = skewed_batch();
    Tensor y = bn(x);

    SUBCASE("each feature of the output has mean 0 and (biased) variance 1") {
        for (std::size_t c = 0; c < 3; ++c) {
            double mean, var;
            column_stats(y.value(), c, mean, var);
            CHECK(std::abs(mean) < 1e-5);
            // var / (var + eps) is 1 up to eps / var; feature 2 has var ≈ 0.01, so 1e-3
            CHECK(var == doctest::Approx(1.0).epsilon(2e-3));
        }
    }
    SUBCASE("running_mean = 0.9 · 0 + 0.1 μ,  running_var = 0.9 · 1 + 0.1 σ² · 32/31") {
        for (std::size_t c = 0; c < 3; ++c) {
            double mean, var;
            column_stats(x.value(), c, mean, var);
            CHECK(bn.running_mean().value()(c) == doctest::Approx(0.1 * mean).epsilon(1e-5));
            CHECK(bn.running_var().value()(c) == doctest::Approx(0.9 + 0.1 * var * 32.0 / 31.0).epsilon(1e-5));
        }
    }
    SUBCASE("eval normalises with the running statistics, so it differs from training") {
        bn.eval();
        Tensor ye = bn(x);
        const Array& rm = bn.running_mean().value();
        const Array& rv = bn.running_var().value();
        Array expected = Array::from_shape({32, 3});
        for (std::size_t n = 0; n < 32; ++n)
            for (std::size_t c = 0; c < 3; ++c) expected(n, c) = (x.value()(n, c) - rm(c)) / std::sqrt(rv(c) + 1e-5f);
        CHECK(all_close(ye.value(), expected, 1e-5f));
        CHECK_FALSE(all_close(ye.value(), y.value(), 1e-2f));
        // eval leaves the running statistics alone
        const Array before = bn.running_mean().value();
        bn(x);
        CHECK(bn.running_mean().value() == before);
    }
}

TEST_CASE("BatchNorm1d: a 2 × 2 batch worked by hand") {
    // x = [[1, 2], [3, 6]]: μ = [2, 4], σ² (÷2) = [1, 4], σ² (÷1) = [2, 8]
    // x̂ = (x - μ) / √(σ² + 1e-5) = [[-1/√1.00001, -2/√4.00001], [+, +]] ≈ ±[0.999995, 0.99999875]
    // with weight [2, 1], bias [0, 5]: y = [[-1.99999, 4.00000125], [1.99999, 5.99999875]]
    // running_mean = 0.1 μ = [0.2, 0.4]   running_var = 0.9 + 0.1 [2, 8] = [1.1, 1.7]
    nn::BatchNorm1d bn(2);
    Tensor w = bn.weight(), b = bn.bias();
    w.mutable_value() = Array{2.0f, 1.0f};
    b.mutable_value() = Array{0.0f, 5.0f};
    Tensor y = bn(Tensor(Array{{1, 2}, {3, 6}}));
    CHECK(all_close(y.value(), Array{{-1.99999f, 4.00000125f}, {1.99999f, 5.99999875f}}, 1e-6f));
    CHECK(all_close(bn.running_mean().value(), Array{0.2f, 0.4f}, 1e-6f));
    CHECK(all_close(bn.running_var().value(), Array{1.1f, 1.7f}, 1e-6f));
    // A second step compounds: running_mean = 0.9 · 0.2 + 0.1 · 2 = 0.38, 0.9 · 0.4 + 0.1 · 4 = 0.76
    bn(Tensor(Array{{1, 2}, {3, 6}}));
    CHECK(all_close(bn.running_mean().value(), Array{0.38f, 0.76f}, 1e-6f));
}

TEST_CASE("BatchNorm1d gradients") {
    Tensor x = randn({6, 3}, 1);
    Tensor w = randn({3}, 2), b = randn({3}, 3);

    SUBCASE("gradcheck in training mode w.r.t. x, weight and bias (through μ and σ²)") {
        Fn f = [](const std::vector<Tensor>& t) {
            Tensor none;
            return batch_norm(t[0], none, none, t[1], t[2], true);
        };
        CHECK_GRADCHECK(f, {x, w, b});
    }
    SUBCASE("gradcheck through the layer in training mode w.r.t. x") {
        nn::BatchNorm1d bn(3);
        Fn f = [&bn](const std::vector<Tensor>& t) { return bn(t[0]); };
        CHECK_GRADCHECK(f, {x});
    }
    SUBCASE("gradcheck through the layer in eval mode w.r.t. x") {
        nn::BatchNorm1d bn(3);
        bn(Tensor(Array(skewed_batch().value() * 0.1f)));  // non-trivial running statistics
        bn.eval();
        Fn f = [&bn](const std::vector<Tensor>& t) { return bn(t[0]); };
        CHECK_GRADCHECK(f, {x});
    }
    SUBCASE("the layer's parameter gradients are batch_norm()'s, which gradcheck checked") {
        nn::BatchNorm1d bn(3);
        Tensor wl = bn.weight(), bl = bn.bias();
        wl.mutable_value() = w.value();
        bl.mutable_value() = b.value();
        Tensor w2(w.value(), true), b2(b.value(), true), none;
        const Array seed = randn({6, 3}, 4).value();
        backward(bn(x), seed);
        backward(batch_norm(x, none, none, w2, b2, true), seed);
        CHECK(all_close(bn.weight().grad(), w2.grad()));
        CHECK(all_close(bn.bias().grad(), b2.grad()));
    }
    SUBCASE("the fused and the composed backward both equal the closed form of docs/derivatives.md") {
        // Per column: s = 1/√(σ² + eps), dx̂ = g·w, dx = (s/N)(N dx̂ − Σ dx̂ − x̂ Σ dx̂ x̂),
        // dw = Σ g x̂, db = Σ g (sums over the batch), worked here in double.
        for (auto bn : {batch_norm, batch_norm_reference}) {
            Tensor xs(x.value(), true), ws(w.value(), true), bs(b.value(), true), none;
            const Array g = randn({6, 3}, 4).value();
            backward(bn(xs, none, none, ws, bs, true, 0.1f, 1e-5f), g);
            const std::size_t N = 6;
            for (std::size_t c = 0; c < 3; ++c) {
                double mu, var;
                column_stats(x.value(), c, mu, var);
                const double s = 1.0 / std::sqrt(var + 1e-5);
                double sum_dxh = 0, sum_dxh_xh = 0, dw = 0, db = 0;
                for (std::size_t n = 0; n < N; ++n) {
                    const double xh = (x.value()(n, c) - mu) * s, dxh = g(n, c) * w.value()(c);
                    sum_dxh += dxh;
                    sum_dxh_xh += dxh * xh;
                    dw += g(n, c) * xh;
                    db += g(n, c);
                }
                CHECK(ws.grad()(c) == doctest::Approx(dw).epsilon(1e-4));
                CHECK(bs.grad()(c) == doctest::Approx(db).epsilon(1e-4));
                for (std::size_t n = 0; n < N; ++n) {
                    const double xh = (x.value()(n, c) - mu) * s, dxh = g(n, c) * w.value()(c);
                    const double dx = s / N * (N * dxh - sum_dxh - xh * sum_dxh_xh);
                    CHECK(xs.grad()(n, c) == doctest::Approx(dx).epsilon(1e-4));
                }
            }
        }
    }
    SUBCASE("the sum of a normalised column does not depend on x: its gradient is 0") {
        // Σ_n x̂[n, c] = 0 for every x, so d/dx Σ x̂ = 0 (weight 1, bias 0).
        Tensor xs(x.value(), true);
        nn::BatchNorm1d bn(3);
        sum(bn(xs)).backward();
        CHECK(all_close(xs.grad(), xt::zeros<float>({6, 3}), 1e-5f));
    }
}

TEST_CASE("BatchNorm1d without affine parameters") {
    nn::BatchNorm1d bn(3, 1e-5f, 0.1f, false);
    CHECK(bn.named_parameters().empty());
    CHECK_FALSE(bn.weight().defined());
    CHECK(bn.named_buffers().size() == 2);
    Tensor y = bn(skewed_batch());
    double mean, var;
    column_stats(y.value(), 0, mean, var);
    CHECK(std::abs(mean) < 1e-5);
    CHECK(var == doctest::Approx(1.0).epsilon(1e-3));
}

TEST_CASE("BatchNorm1d errors") {
    nn::BatchNorm1d bn(3);
    CHECK_THROWS_WITH_AS(bn(Tensor(Array::from_shape({4, 5}))),
                         "BatchNorm1d(3): input (4, 5) has 5 features, expected 3", ShapeError);
    CHECK_THROWS_WITH_AS(bn(Tensor(Array::from_shape({3}))),
                         "BatchNorm1d(3): input (3,) must be 2-D (batch, features)", ShapeError);
    Tensor one(Array{{1.0f, 2.0f, 3.0f}});
    CHECK_THROWS_WITH_AS(bn(one),
                         "BatchNorm1d(3): training needs more than one sample per feature to estimate a variance, "
                         "got input (1, 3); switch to eval() to use the running statistics",
                         ShapeError);
    bn.eval();
    CHECK(bn(one).shape() == Shape{1, 3});  // fine in eval mode

    Tensor none;
    CHECK_THROWS_WITH_AS(batch_norm(Tensor(Array::from_shape({2, 3})), none, none, none, none, false),
                         "batch_norm: eval mode normalises with the running statistics; pass running_mean and "
                         "running_var, or use training = true",
                         std::invalid_argument);
    CHECK_THROWS_WITH_AS(nn::BatchNorm1d(3, 1e-5f, 1.5f), "BatchNorm1d: momentum must be in [0, 1], got 1.5",
                         std::invalid_argument);
}

namespace {
// (4, 3, 3, 5) images whose channels have very different means and spreads:
// x[:, c] = m_c + s_c · N(0, 1), as skewed_batch does for features.
Tensor skewed_images() {
    Array x = randn({4, 3, 3, 5}, 6).value();
    const float m[3] = {2.0f, -3.0f, 10.0f}, s[3] = {1.0f, 5.0f, 0.1f};
    for (std::size_t i = 0; i < x.size(); ++i) {
        const std::size_t c = (i / 15) % 3;
        x.data()[i] = m[c] + s[c] * x.data()[i];
    }
    return Tensor(x);
}

// Mean and biased variance (÷N·H·W) of channel c of x (N, C, H, W), in double.
void channel_stats(const Array& x, std::size_t c, double& mean, double& var) {
    const std::size_t N = x.shape()[0], H = x.shape()[2], W = x.shape()[3];
    const double M = static_cast<double>(N * H * W);
    mean = 0;
    for (std::size_t n = 0; n < N; ++n)
        for (std::size_t h = 0; h < H; ++h)
            for (std::size_t w = 0; w < W; ++w) mean += x(n, c, h, w);
    mean /= M;
    var = 0;
    for (std::size_t n = 0; n < N; ++n)
        for (std::size_t h = 0; h < H; ++h)
            for (std::size_t w = 0; w < W; ++w) var += (x(n, c, h, w) - mean) * (x(n, c, h, w) - mean);
    var /= M;
}
}  // namespace

TEST_CASE("BatchNorm2d") {
    nn::BatchNorm2d bn(3);
    Tensor x = skewed_images();

    SUBCASE("the same parameters and buffers as BatchNorm1d") {
        CHECK(bn.num_features() == 3);
        CHECK(bn.eps() == 1e-5f);
        CHECK(bn.momentum() == 0.1f);
        REQUIRE(bn.named_parameters().size() == 2);
        CHECK(bn.named_parameters()[0].first == "weight");
        CHECK(bn.named_parameters()[1].first == "bias");
        CHECK(bn.weight().value() == Array{1, 1, 1});
        REQUIRE(bn.named_buffers().size() == 2);
        CHECK(bn.named_buffers()[0].first == "running_mean");
        CHECK(bn.named_buffers()[1].first == "running_var");
        CHECK(bn.running_var().value() == Array{1, 1, 1});
        nn::BatchNorm2d plain(3, 1e-5f, 0.1f, false);
        CHECK(plain.named_parameters().empty());
        CHECK(plain.named_buffers().size() == 2);
    }
    SUBCASE("training: each channel of the output has mean 0 and variance 1 over N·H·W values") {
        Tensor y = bn(x);
        for (std::size_t c = 0; c < 3; ++c) {
            double mean, var;
            channel_stats(y.value(), c, mean, var);
            CHECK(std::abs(mean) < 1e-5);
            CHECK(var == doctest::Approx(1.0).epsilon(2e-3));
        }
    }
    SUBCASE("running_mean = 0.1 μ,  running_var = 0.9 + 0.1 σ² · M/(M − 1) with M = N·H·W = 60") {
        bn(x);
        for (std::size_t c = 0; c < 3; ++c) {
            double mean, var;
            channel_stats(x.value(), c, mean, var);
            CHECK(bn.running_mean().value()(c) == doctest::Approx(0.1 * mean).epsilon(1e-5));
            CHECK(bn.running_var().value()(c) == doctest::Approx(0.9 + 0.1 * var * 60.0 / 59.0).epsilon(1e-5));
        }
    }
    SUBCASE("eval normalises each pixel with the running statistics of its channel") {
        bn(x);
        bn.eval();
        Tensor ye = bn(x);
        const Array& rm = bn.running_mean().value();
        const Array& rv = bn.running_var().value();
        Array expected = Array::from_shape(x.shape());
        for (std::size_t i = 0; i < x.size(); ++i) {
            const std::size_t c = (i / 15) % 3;
            expected.data()[i] = (x.value().data()[i] - rm(c)) / std::sqrt(rv(c) + 1e-5f);
        }
        CHECK(all_close(ye.value(), expected, 1e-5f));
        const Array before = bn.running_var().value();
        bn(x);
        CHECK(bn.running_var().value() == before);
    }
    SUBCASE("gradcheck through the layer, training and eval, w.r.t. x") {
        Fn f = [&bn](const std::vector<Tensor>& t) { return bn(t[0]); };
        CHECK_GRADCHECK(f, {randn({2, 3, 2, 3}, 1)});
        bn(x);
        bn.eval();
        CHECK_GRADCHECK(f, {randn({2, 3, 2, 3}, 1)});
    }
}

TEST_CASE("BatchNorm2d errors") {
    nn::BatchNorm2d bn(3);
    CHECK_THROWS_WITH_AS(bn(Tensor(Array::from_shape({4, 3}))), "BatchNorm2d(3): input (4, 3) must be 4-D (N, C, H, W)",
                         ShapeError);
    CHECK_THROWS_WITH_AS(bn(Tensor(Array::from_shape({2, 5, 4, 4}))),
                         "BatchNorm2d(3): input (2, 5, 4, 4) has 5 channels, expected 3", ShapeError);
    Tensor one(Array::from_shape({1, 3, 1, 1}));
    CHECK_THROWS_WITH_AS(bn(one),
                         "BatchNorm2d(3): training needs more than one value per channel to estimate a variance, "
                         "got input (1, 3, 1, 1); switch to eval() to use the running statistics",
                         ShapeError);
    CHECK(bn(Tensor(randn({1, 3, 2, 2}).value())).shape() == Shape{1, 3, 2, 2});  // one image of 4 pixels is enough
    bn.eval();
    CHECK(bn(one).shape() == Shape{1, 3, 1, 1});
    CHECK_THROWS_WITH_AS(nn::BatchNorm2d(3, 1e-5f, -0.5f), "BatchNorm2d: momentum must be in [0, 1], got -0.5",
                         std::invalid_argument);
}
