// test_loss.cpp — the loss modules: each one equals its function (re-exported
// from the core) under every reduction, values worked out by hand, label
// smoothing, and the bad-argument error. The functions' own gradient checks
// live in test_ops_loss.cpp.
#include "check.hpp"

#include <cmath>

using namespace xgrad;
using xgrad::testing::all_close;
using xgrad::testing::randn;
using xgrad::testing::randu;

namespace {
const Reduction kReductions[] = {Reduction::mean, Reduction::sum, Reduction::none};
const char* name(Reduction r) { return r == Reduction::mean ? "mean" : r == Reduction::sum ? "sum" : "none"; }
}  // namespace

TEST_CASE("MSELoss") {
    // a = [1, 2, 3], b = [1, 0, 0]: squares [0, 4, 9], sum 13, mean 13/3
    Tensor a(Array{1, 2, 3}), b(Array{1, 0, 0});
    CHECK(nn::MSELoss()(a, b).item() == doctest::Approx(13.0 / 3.0));
    CHECK(nn::MSELoss(Reduction::sum)(a, b).item() == doctest::Approx(13.0));
    CHECK(all_close(nn::MSELoss(Reduction::none)(a, b).value(), Array{0, 4, 9}));
    for (Reduction r : kReductions) {
        SUBCASE(name(r)) {
            nn::MSELoss loss(r);
            CHECK(loss.reduction() == r);
            Tensor x = randn({4, 3}, 1), y = randn({4, 3}, 2);
            CHECK(loss(x, y).value() == nn::mse(x, y, r).value());
        }
    }
}

TEST_CASE("BCELoss") {
    // p = [0.8, 0.8], t = [1, 0]: -log 0.8 = 0.2231436, -log 0.2 = 1.6094379
    Tensor p(Array{0.8f, 0.8f}), t(Array{1, 0});
    CHECK(all_close(nn::BCELoss(Reduction::none)(p, t).value(), Array{0.2231436f, 1.6094379f}));
    CHECK(nn::BCELoss()(p, t).item() == doctest::Approx((0.2231436 + 1.6094379) / 2));
    for (Reduction r : kReductions) {
        SUBCASE(name(r)) {
            nn::BCELoss loss(r);
            CHECK(loss.reduction() == r);
            Tensor probs = randu({4, 3}, 0.05f, 0.95f, 1), targets = randu({4, 3}, 0.0f, 1.0f, 2);
            CHECK(loss(probs, targets).value() == nn::bce(probs, targets, r).value());
        }
    }
}

TEST_CASE("BCEWithLogitsLoss") {
    // logit 0, target 1: log 2 = 0.6931472;  logit 2, target 0: log(1 + e²) = 2.1269280
    Tensor x(Array{0, 2}), t(Array{1, 0});
    CHECK(all_close(nn::BCEWithLogitsLoss(Reduction::none)(x, t).value(), Array{0.6931472f, 2.1269280f}));
    CHECK(nn::BCEWithLogitsLoss(Reduction::sum)(x, t).item() == doctest::Approx(0.6931472 + 2.1269280));
    for (Reduction r : kReductions) {
        SUBCASE(name(r)) {
            nn::BCEWithLogitsLoss loss(r);
            CHECK(loss.reduction() == r);
            Tensor logits = randn({4, 3}, 1), targets = randu({4, 3}, 0.0f, 1.0f, 2);
            CHECK(loss(logits, targets).value() == nn::bce_with_logits(logits, targets, r).value());
        }
    }
}

TEST_CASE("CrossEntropyLoss") {
    // logits [2, 0], label 0: log_softmax = [2 - log(e² + 1), -log(e² + 1)] = [-0.1269280, -2.1269280]
    //   no smoothing: 0.1269280
    //   ε = 0.2, target [0.9, 0.1]: 0.9 · 0.1269280 + 0.1 · 2.1269280 = 0.3269280
    Tensor logits(Array{{2, 0}});
    CHECK(nn::CrossEntropyLoss()(logits, {0}).item() == doctest::Approx(0.1269280));
    nn::CrossEntropyLoss smooth(Reduction::mean, 0.2f);
    CHECK(smooth.label_smoothing() == 0.2f);
    CHECK(smooth(logits, {0}).item() == doctest::Approx(0.3269280));
    for (Reduction r : kReductions) {
        SUBCASE(name(r)) {
            Tensor z = randn({4, 5}, 1);
            const Indices labels{0, 4, 2, 2};
            for (float eps : {0.0f, 0.1f}) {
                nn::CrossEntropyLoss loss(r, eps);
                CHECK(loss.reduction() == r);
                CHECK(loss(z, labels).value() == nn::cross_entropy(z, labels, r, eps).value());
            }
        }
    }
    CHECK_THROWS_WITH_AS(nn::CrossEntropyLoss(Reduction::mean, 1.5f),
                         "CrossEntropyLoss: label_smoothing must be in [0, 1], got 1.5", std::invalid_argument);
}

TEST_CASE("loss modules have no parameters and pass gradients through") {
    nn::BCEWithLogitsLoss loss;
    CHECK(loss.num_parameters() == 0);
    Tensor x(Array{0.0f, 2.0f}, true);
    loss(x, Tensor(Array{1, 0})).backward();
    // d/dx mean(l) = (sigmoid(x) - t) / 2 = [(0.5 - 1) / 2, 0.8807971 / 2]
    CHECK(all_close(x.grad(), Array{-0.25f, 0.44039855f}));
}
