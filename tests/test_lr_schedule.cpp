// test_lr_schedule.cpp — StepLR and ExponentialLR: the lr sequence by hand,
// resuming from a saved last_epoch, option checks.
#include "check.hpp"

using namespace xgrad;
using namespace xgrad::nn;

namespace {
Tensor param() { return Tensor(Array{1.0f, 2.0f}, true); }
}  // namespace

TEST_CASE("StepLR") {
    // lr 1, step_size 2, gamma 0.5: lr = 1 · 0.5^⌊epoch/2⌋
    //   epoch 0: 1   1: 1   2: 0.5   3: 0.5   4: 0.25   5: 0.25   6: 0.125
    Tensor w = param();
    SGD opt({w}, {.lr = 1.0f});
    StepLR sched(opt, 2, 0.5f);
    CHECK(sched.last_epoch() == 0);
    CHECK(opt.lr() == 1.0f);  // constructing a schedule does not change the lr
    const float want[] = {1.0f, 0.5f, 0.5f, 0.25f, 0.25f, 0.125f};
    for (int e = 1; e <= 6; ++e) {
        CAPTURE(e);
        sched.step();
        CHECK(sched.last_epoch() == e);
        CHECK(opt.lr() == want[e - 1]);  // powers of two: exact
    }
}

TEST_CASE("ExponentialLR") {
    // lr 0.1, gamma 0.9: lr = 0.1 · 0.9^epoch
    //   epoch 1: 0.09   2: 0.081   3: 0.0729   4: 0.06561
    Tensor w = param();
    Adam opt({w}, {.lr = 0.1f});
    ExponentialLR sched(opt, 0.9f);
    const double want[] = {0.09, 0.081, 0.0729, 0.06561};
    for (int e = 1; e <= 4; ++e) {
        CAPTURE(e);
        sched.step();
        CHECK(sched.last_epoch() == e);
        CHECK(opt.lr() == doctest::Approx(want[e - 1]).epsilon(1e-6));
    }
}

TEST_CASE("a schedule resumes from the optimizer's lr and last_epoch") {
    // StepLR(step_size 3, gamma 0.1) from lr 1: epochs 1, 2 keep 1; epoch 3 gives 0.1.
    // Interrupted after epoch 2: the optimizer's lr (1) and last_epoch (2) are saved;
    // a fresh schedule told last_epoch = 2 decays at its next step, as the original would.
    auto lrs_after = [](int interrupt_at) {
        Tensor w = param();
        auto opt = std::make_unique<SGD>(std::vector<Tensor>{w}, SGDOptions{.lr = 1.0f, .momentum = 0.5f});
        auto sched = std::make_unique<StepLR>(*opt, 3, 0.1f);
        std::vector<float> lrs;
        for (int e = 1; e <= 7; ++e) {
            if (e - 1 == interrupt_at) {
                const float lr = opt->lr();
                const int last = sched->last_epoch();
                opt = std::make_unique<SGD>(std::vector<Tensor>{w}, SGDOptions{.lr = 123.0f, .momentum = 0.5f});
                opt->load_state({}, 0, lr);
                sched = std::make_unique<StepLR>(*opt, 3, 0.1f);
                sched->set_last_epoch(last);
                CHECK(opt->lr() == lr);  // set_last_epoch changes no lr
            }
            sched->step();
            lrs.push_back(opt->lr());
        }
        return lrs;
    };
    const auto straight = lrs_after(-1);
    // 1, 1, 0.1, 0.1, 0.1, 0.01, 0.01
    CHECK(straight[1] == 1.0f);
    CHECK(straight[2] == doctest::Approx(0.1).epsilon(1e-6));
    CHECK(straight[5] == doctest::Approx(0.01).epsilon(1e-6));
    for (const int at : {1, 2, 3, 5}) {
        CAPTURE(at);
        CHECK(lrs_after(at) == straight);  // bit-exact
    }

    // Without restoring last_epoch, the decay comes at the wrong epoch (the test can fail).
    Tensor w = param();
    SGD opt({w}, {.lr = 1.0f});
    StepLR sched(opt, 3, 0.1f);  // as if resumed after epoch 2 but left at last_epoch 0
    sched.step();
    CHECK(opt.lr() != straight[2]);
}

TEST_CASE("schedule option checks") {
    Tensor w = param();
    SGD opt({w}, {.lr = 1.0f});
    CHECK_THROWS_WITH_AS(StepLR(opt, 0, 0.5f), "StepLR: step_size must be >= 1, got 0", std::invalid_argument);
    CHECK_THROWS_WITH_AS(StepLR(opt, 2, 0.0f), "StepLR: gamma must be > 0, got 0", std::invalid_argument);
    CHECK_THROWS_WITH_AS(ExponentialLR(opt, -0.5f), "ExponentialLR: gamma must be > 0, got -0.5",
                         std::invalid_argument);
    ExponentialLR sched(opt, 0.5f);
    CHECK_THROWS_WITH_AS(sched.set_last_epoch(-1), "set_last_epoch: epoch must be >= 0, got -1",
                         std::invalid_argument);
    CHECK(&sched.optimizer() == &opt);
}
