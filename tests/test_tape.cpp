// test_tape.cpp — recording, the reverse sweep, accumulation, NoGrad, detach,
// and every misuse message of backward().
#include "check.hpp"

using namespace xgrad;
using xgrad::testing::all_close;

TEST_CASE("ops append one entry each, in execution order") {
    clear_tape();
    Tensor x = Tensor::scalar(2.0f, true).set_name("x");
    Tensor w = Tensor::scalar(3.0f, true).set_name("w");
    Tensor y = x * w;
    Tensor z = exp(y) + x;
    const auto& es = Tape::current().entries();
    REQUIRE(es.size() == 3);
    CHECK(std::string(es[0].op) == "mul");
    CHECK(std::string(es[1].op) == "exp");
    CHECK(std::string(es[2].op) == "add");
    CHECK(es[2].output.lock() == z.node());
    CHECK(y.label() == "t0");
    CHECK_FALSE(y.is_leaf());
    CHECK(x.is_leaf());
    clear_tape();
}

TEST_CASE("backward of a small expression matches the hand derivative") {
    // f(x, w) = x·w + e^(x·w) at x = 2, w = 3:
    //   df/dx = w (1 + e^6) = 3 · 404.428793 = 1213.28638
    //   df/dw = x (1 + e^6) = 2 · 404.428793 = 808.857586
    Tensor x = Tensor::scalar(2.0f, true);
    Tensor w = Tensor::scalar(3.0f, true);
    Tensor y = x * w;
    Tensor f = y + exp(y);
    f.backward();
    CHECK(x.grad()() == doctest::Approx(1213.28638).epsilon(1e-5));
    CHECK(w.grad()() == doctest::Approx(808.857586).epsilon(1e-5));
    // Results keep the gradient of the latest sweep, for teaching: df/dy = 1 + e^6.
    CHECK(y.grad()() == doctest::Approx(404.428793).epsilon(1e-5));
}

TEST_CASE("fan-out accumulates: b = a + a, c = b * b") {
    // c = (2a)² = 4a², dc/da = 8a = 24 at a = 3; both uses of a and of b count.
    Tensor a = Tensor::scalar(3.0f, true);
    Tensor b = a + a;
    Tensor c = b * b;
    c.backward();
    CHECK(c.item() == 36.0f);
    CHECK(a.grad()() == doctest::Approx(24.0f));
    CHECK(b.grad()() == doctest::Approx(12.0f));
}

TEST_CASE("leaf gradients accumulate across backward calls until zero_grad") {
    Tensor x = Tensor::scalar(1.5f, true);
    (x * 2.0f).backward();
    (x * 3.0f).backward();
    CHECK(x.grad()() == doctest::Approx(5.0f));
    x.zero_grad();
    CHECK(x.grad()() == 0.0f);
    (x * 4.0f).backward();
    CHECK(x.grad()() == doctest::Approx(4.0f));
}

TEST_CASE("a 100,000-op chain runs backward without recursion") {
    // y = x · 1.00001^100000 + 0 ...: dy/dx = 1.00001^100000 = e^(100000 · ln 1.00001) ≈ 2.71827
    Tensor x = Tensor::scalar(1.0f, true);
    Tensor y = x;
    for (int i = 0; i < 100000; ++i) y = y * 1.00001f;
    CHECK(Tape::current().size() == 100000);
    y.backward();
    CHECK(x.grad()() == doctest::Approx(2.71827).epsilon(1e-3));
    CHECK(Tape::current().size() == 0);  // everything walked was released and the tape reset
}

TEST_CASE("NoGrad records nothing and guards nest") {
    clear_tape();
    Tensor x = Tensor::scalar(2.0f, true);
    {
        NoGrad outer;
        CHECK_FALSE(grad_enabled());
        {
            NoGrad inner;
            Tensor y = x * x;
            CHECK_FALSE(y.requires_grad());
        }
        CHECK_FALSE(grad_enabled());
    }
    CHECK(grad_enabled());
    CHECK(Tape::current().size() == 0);
}

TEST_CASE("ops on tensors that need no grad record nothing") {
    clear_tape();
    Tensor a(Array{1.f, 2.f});
    Tensor b(Array{3.f, 4.f});
    Tensor c = exp(a * b + 1.0f);
    CHECK_FALSE(c.requires_grad());
    CHECK(c.is_leaf());
    CHECK(Tape::current().size() == 0);
}

TEST_CASE("detached tensors get no gradient") {
    Tensor x = Tensor::scalar(2.0f, true);
    Tensor y = x * x;
    Tensor d = y.detach();
    CHECK(d.is_leaf());
    CHECK_FALSE(d.requires_grad());
    CHECK(d.item() == 4.0f);
    // z = d·x: only the direct path counts, dz/dx = d = 4 (not 3x² = 12).
    Tensor z = d * x;
    z.backward();
    CHECK(x.grad()() == doctest::Approx(4.0f));
    CHECK_FALSE(d.has_grad());
    clear_tape();  // y's entry was never walked
}

TEST_CASE("non-scalar outputs need an explicit seed") {
    Tensor x = Tensor(Array{1.f, 2.f, 3.f}, true).set_name("x");
    Tensor y = (x * x).set_name("y");
    CHECK_THROWS_WITH_AS(y.backward(),
                         "backward: y has shape (3,); only a one-element loss gets the implicit seed 1 — pass a "
                         "seed gradient of the same shape: backward(y, seed)",
                         std::logic_error);
    CHECK_THROWS_WITH_AS(y.backward(Array{1.f, 1.f}), "backward: seed gradient of shape (2,) for y of shape (3,)",
                         std::invalid_argument);
    // dy/dx · seed = 2x · seed
    y.backward(Array{1.f, 0.5f, 0.f});
    CHECK(all_close(x.grad(), Array{2.f, 2.f, 0.f}));
}

TEST_CASE("backward twice over a freed graph is an error; retain_graph allows it") {
    Tensor x = Tensor::scalar(3.0f, true);
    SUBCASE("freed") {
        Tensor y = (x * x).set_name("y");
        y.backward();
        CHECK_THROWS_WITH_AS(y.backward(),
                             "backward: the graph behind y was already freed by an earlier backward(); pass "
                             "retain_graph = true to the first backward() to walk it twice, or run the forward "
                             "pass again",
                             std::logic_error);
    }
    SUBCASE("a new op on a freed result cannot reach through it") {
        Tensor y = (x * x).set_name("y");
        y.backward();
        Tensor z = y * 2.0f;
        CHECK_THROWS_WITH_AS(z.backward(),
                             "backward: the graph behind y was already freed by an earlier backward(); pass "
                             "retain_graph = true to the first backward() to walk it twice, or run the forward "
                             "pass again",
                             std::logic_error);
        clear_tape();
    }
    SUBCASE("retained") {
        Tensor y = x * x;
        y.backward(true);
        y.backward();
        CHECK(x.grad()() == doctest::Approx(12.0f));  // 2 · (2x), not more: results do not re-send old grads
    }
}

TEST_CASE("backward over a cleared tape is an error") {
    Tensor x = Tensor::scalar(3.0f, true);
    Tensor y = (x * x).set_name("y");
    clear_tape();
    CHECK_THROWS_WITH_AS(y.backward(),
                         "backward: y was recorded on a tape that has since been cleared; run the forward pass "
                         "again before calling backward()",
                         std::logic_error);
}

TEST_CASE("backward of something that needs no grad is an error") {
    Tensor c = Tensor::scalar(1.0f).set_name("c");
    CHECK_THROWS_WITH_AS(c.backward(),
                         "backward: c does not require grad (no input of it requires grad, or it was computed "
                         "under NoGrad), so there is nothing to differentiate",
                         std::logic_error);
}

TEST_CASE("backward from a leaf seeds its own gradient") {
    Tensor x = Tensor::scalar(3.0f, true);
    x.backward();
    CHECK(x.grad()() == 1.0f);
}

TEST_CASE("two graphs on one tape: backward of one leaves the other walkable") {
    clear_tape();
    Tensor x = Tensor::scalar(2.0f, true);
    Tensor a = x * 3.0f;  // graph 1
    Tensor b = x * x;     // graph 2
    a.backward();
    CHECK(x.grad()() == doctest::Approx(3.0f));
    CHECK(Tape::current().live() == 1);  // b's entry is still there
    b.backward();
    CHECK(x.grad()() == doctest::Approx(7.0f));  // 3 + 2x
    CHECK(Tape::current().size() == 0);
}

TEST_CASE("a dropped result does not keep the tape alive") {
    // An output nobody holds (here an unused second head) can never get a
    // gradient; backward releases its entry too, so the tape still resets.
    clear_tape();
    Tensor x = Tensor::scalar(2.0f, true);
    Tensor loss = x * 3.0f;
    { Tensor unused = exp(x); }
    CHECK(Tape::current().live() == 2);
    CHECK(tape_table().find("(output dropped)") != std::string::npos);
    loss.backward();
    CHECK(x.grad()() == doctest::Approx(3.0f));
    CHECK(Tape::current().size() == 0);
}
