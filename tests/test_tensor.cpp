// test_tensor.cpp — the Tensor handle: values, item(), naming, requires_grad, grads,
// and accumulate_grad's two paths.
#include "check.hpp"

#include <bit>
#include <cmath>
#include <cstdint>
#include <vector>

using namespace xgrad;
using xgrad::testing::all_close;
using xgrad::testing::reshaped;

TEST_CASE("handles share one node") {
    Tensor a(Array{1.f, 2.f});
    Tensor b = a;
    b.mutable_value()(0) = 5.0f;
    CHECK(a.value()(0) == 5.0f);
    CHECK(a.id() == b.id());
}

TEST_CASE("rank 0 to 4") {
    CHECK(Tensor::scalar(2.0f).dim() == 0);
    CHECK(Tensor(Array::from_shape({2})).dim() == 1);
    CHECK(Tensor(Array::from_shape({2, 3, 4, 5})).dim() == 4);
    CHECK(Tensor(Array::from_shape({2, 3, 4, 5})).size() == 120);
}

TEST_CASE("item") {
    CHECK(Tensor::scalar(2.5f).item() == 2.5f);
    CHECK(Tensor(reshaped({7.f}, {1, 1})).item() == 7.0f);
    CHECK_THROWS_WITH_AS(Tensor(Array{{1.f, 2.f, 3.f}, {4.f, 5.f, 6.f}}).item(),
                         "item: tensor of shape (2, 3) has 6 elements; item() needs exactly one",
                         std::invalid_argument);
}

TEST_CASE("labels") {
    Tensor x = Tensor::scalar(1.0f, true);
    CHECK(x.label() == "leaf" + std::to_string(x.id()));
    x.set_name("x");
    CHECK(x.label() == "x");
}

TEST_CASE("requires_grad can change on leaves only") {
    Tensor x = Tensor::scalar(1.0f);
    CHECK_FALSE(x.requires_grad());
    x.set_requires_grad(true);
    CHECK(x.requires_grad());
    Tensor y = (x * 2.0f).set_name("y");
    CHECK_THROWS_WITH_AS(y.set_requires_grad(false),
                         "set_requires_grad: y is the result of an op; only leaves (inputs, parameters) can "
                         "change it — use detach() to get a leaf",
                         std::logic_error);
    clear_tape();
}

TEST_CASE("grad before backward, add_grad shape check, zero_grad") {
    Tensor w = Tensor(Array{1.f, 2.f}, true).set_name("w");
    CHECK_FALSE(w.has_grad());
    CHECK_THROWS_WITH_AS(w.grad(), "grad: w has no gradient yet; call backward() on a result computed from it",
                         std::logic_error);
    CHECK_THROWS_WITH_AS(w.add_grad(Array{1.f, 2.f, 3.f}),
                         "add_grad: gradient of shape (3,) for w of shape (2,) (a backward function returned the "
                         "wrong shape)",
                         std::logic_error);
    w.add_grad(Array{1.f, 1.f});
    w.add_grad(Array{0.5f, 2.f});
    CHECK(all_close(w.grad(), Array{1.5f, 3.f}));
    w.zero_grad();
    CHECK(all_close(w.grad(), Array{0.f, 0.f}));
}

TEST_CASE("an empty handle says so") {
    Tensor t;
    CHECK_FALSE(t.defined());
    CHECK_THROWS_WITH_AS(t.value(), "Tensor: this handle is empty (default-constructed); assign a tensor to it first",
                         std::logic_error);
}

TEST_CASE("accumulate_grad: the kernel adds into a zeroed buffer, otherwise add_grad") {
    // The "kernel" writes d = (1, -0, 3), or adds it when told to; calls records each call's flag.
    std::vector<bool> calls;
    const auto write = [&calls](float* out, bool accumulate) {
        calls.push_back(accumulate);
        const float d[3] = {1.0f, -0.0f, 3.0f};
        for (int i = 0; i < 3; ++i) out[i] = accumulate ? out[i] + d[i] : d[i];
    };
    const auto bits = [](float v) { return std::bit_cast<std::uint32_t>(v); };
    Tensor t(Array{5.f, 6.f, 7.f}, true);

    t.accumulate_grad(write);  // no gradient yet: d is made apart and moved in, -0 and all
    CHECK(calls == std::vector<bool>{false});
    CHECK(t.grad() == Array{1.f, 0.f, 3.f});
    CHECK(std::signbit(t.grad()(1)));

    t.accumulate_grad(write);  // a gradient that is not zero: d made apart, then +=
    CHECK(calls == std::vector<bool>{false, false});
    CHECK(t.grad() == Array{2.f, 0.f, 6.f});

    t.zero_grad();
    const float* buffer = t.grad().data();
    t.accumulate_grad(write);  // only +0s: the kernel adds straight into the same buffer
    CHECK(calls == std::vector<bool>{false, false, true});
    CHECK(t.grad().data() == buffer);
    CHECK(t.grad() == Array{1.f, 0.f, 3.f});
    CHECK(bits(t.grad()(1)) == 0u);  // +0 + -0 = +0, as add_grad's += gives
    t.accumulate_grad(write);  // the buffer holds d now, not zeros: d made apart, then +=
    CHECK(calls == std::vector<bool>{false, false, true, false});
    CHECK(t.grad() == Array{2.f, 0.f, 6.f});

    Tensor u(Array{0.f, 0.f, 0.f}, true);
    u.add_grad(Array{0.f, -0.f, 0.f});  // a -0 is a set bit: not "zeroed", so add_grad's path
    u.accumulate_grad(write);
    CHECK(calls.back() == false);
    CHECK(u.grad() == Array{1.f, 0.f, 3.f});
}
