// task08_batchnorm.cpp — batch normalisation's backward in closed form: a case
// worked by hand, the two invariances the closed form must respect, gradient
// checks, and agreement with batch_norm_reference (the same function written as a
// chain of small ops, whose backward the tape assembles for you).
#include "../../tests/check.hpp"

using namespace xgrad;
using xgrad::testing::all_close;
using xgrad::testing::randn;

namespace {

// batch_norm in training mode on x with upstream gradient g; returns dx (and dw, db when affine).
struct Grads {
    Array dx, dw, db;
};
Grads bn_grads(const Array& xv, const Array& g, bool training, bool affine, const Array& wv = {}) {
    const std::size_t C = xv.shape()[1];
    Tensor x(xv, true);
    Tensor w(affine ? wv : Array(xt::ones<float>({C})), true), b(Array(xt::zeros<float>({C})), true), none;
    Tensor rm(Array(xt::zeros<float>({C}))), rv(Array(xt::ones<float>({C})) * 2.0f);
    Tensor y = batch_norm(x, rm, rv, affine ? w : none, affine ? b : none, training, 0.1f, 1e-5f);
    backward(y, g);
    Grads out{x.grad(), {}, {}};
    if (affine) {
        out.dw = w.grad();
        out.db = b.grad();
    }
    return out;
}

double max_abs(const Array& a) {
    double m = 0.0;
    for (float v : a) m = std::max(m, static_cast<double>(std::abs(v)));
    return m;
}

// x (N, C, H, W) with channel c scaled and shifted, so its statistics are not already 0 and 1.
Array spread(const Shape& shape, std::uint64_t seed) {
    Array x = randn(shape, seed).value();
    for (std::size_t i = 0; i < x.size(); ++i) x.data()[i] = 2.0f * x.data()[i] + 0.5f;
    return x;
}

}  // namespace

TEST_SUITE("task08") {

TEST_CASE("task 8: a case worked by hand") {
    // x = [1, 2, 3, 4] as (4, 1): μ = 2.5, σ² = 1.25, invstd = 1/√1.25 = 0.894427,
    // x̂ = [-1.341641, -0.447214, 0.447214, 1.341641]. With g = [1, 0, 0, 0]:
    //   Σg = 1, Σ g x̂ = -1.341641, so
    //   dx = invstd · (g − Σg/4 − x̂ · Σgx̂/4) = 0.894427 · ([0.75, -0.25, -0.25, -0.25] + [-0.45, -0.15, 0.15, 0.45])
    //      = 0.894427 · [0.3, -0.4, -0.1, 0.2] = [0.268328, -0.357771, -0.0894427, 0.178885]
    const Array x = testing::reshaped(Array{1.0f, 2.0f, 3.0f, 4.0f}, {4, 1});
    const Array g = testing::reshaped(Array{1.0f, 0.0f, 0.0f, 0.0f}, {4, 1});
    const Grads got = bn_grads(x, g, true, true, Array{1.0f});
    INFO("dx = " << got.dx);
    const Array want = testing::reshaped(Array{0.268328f, -0.357771f, -0.0894427f, 0.178885f}, {4, 1});
    CHECK_MESSAGE(all_close(got.dx, want, 1e-4f),
                  "batch_norm backward: dx is wrong on x = [1, 2, 3, 4], g = [1, 0, 0, 0]: the mean and the "
                  "variance depend on every x, so every dx gets a share; work the three terms out on paper");
    CHECK_MESSAGE(std::abs(got.db(0) - 1.0f) < 1e-6f, "batch_norm backward: the bias gradient is Σ g over the channel");
    CHECK_MESSAGE(std::abs(got.dw(0) + 1.341641f) < 1e-4f,
                  "batch_norm backward: the weight gradient is Σ g · x̂ over the channel");
}

TEST_CASE("task 8: what the normalisation cannot see gets no gradient") {
    const Shape shape{5, 3};
    const Array x = spread(shape, 31);
    SUBCASE("a gradient constant over a channel") {
        // Adding a constant to a channel of x does not change x̂: the loss cannot change in that direction.
        Array g = Array::from_shape(shape);
        for (std::size_t n = 0; n < 5; ++n)
            for (std::size_t c = 0; c < 3; ++c) g(n, c) = static_cast<float>(c) + 1.0f;
        const Grads got = bn_grads(x, g, true, false);
        INFO("dx = " << got.dx);
        CHECK_MESSAGE(max_abs(got.dx) < 1e-5,
                      "batch_norm backward: with g the same for every element of a channel, dx must be 0 in training "
                      "(shifting x does not change x̂): is the channel's mean of g subtracted?");
    }
    SUBCASE("a gradient proportional to x̂") {
        // Scaling a channel of x does not change x̂ either (up to eps).
        Array g = Array::from_shape(shape);
        Tensor xh = batch_norm(Tensor(x), Tensor(), Tensor(), Tensor(), Tensor(), true, 0.1f, 1e-5f);
        for (std::size_t i = 0; i < g.size(); ++i) g.data()[i] = 0.7f * xh.value().data()[i];
        const Grads got = bn_grads(x, g, true, false);
        INFO("dx = " << got.dx);
        CHECK_MESSAGE(max_abs(got.dx) < 1e-3,
                      "batch_norm backward: with g proportional to x̂, dx must be 0 in training (scaling x does not "
                      "change x̂): is x̂ times the channel's mean of g·x̂ subtracted?");
    }
}

TEST_CASE("task 8: agrees with the op-by-op batch_norm_reference") {
    for (const Shape& shape : {Shape{6, 3}, Shape{2, 3, 3, 5}}) {
        for (bool training : {true, false}) {
            INFO(shape_str(shape) << (training ? " training" : " eval"));
            const std::size_t C = shape[1];
            const Array xv = spread(shape, 41), g = randn(shape, 42).value(), wv = randn({C}, 43).value();
            const Grads got = bn_grads(xv, g, training, true, wv);
            // The same with batch_norm_reference.
            Tensor x(xv, true), w(wv, true), b(Array(xt::zeros<float>({C})), true);
            Tensor rm(Array(xt::zeros<float>({C}))), rv(Array(xt::ones<float>({C})) * 2.0f);
            backward(batch_norm_reference(x, rm, rv, w, b, training, 0.1f, 1e-5f), g);
            INFO("dx = " << got.dx << "\nreference dx = " << x.grad());
            CHECK_MESSAGE(all_close(got.dx, x.grad(), 1e-4f),
                          std::string(training ? "batch_norm backward (training): dx differs from the reference: "
                                                 "with a weight w, the gradient reaching x̂ is g·w"
                                               : "batch_norm backward (eval): the running statistics are constants, "
                                                 "so dx is g·w·invstd and nothing else"));
            CHECK_MESSAGE(all_close(got.dw, w.grad(), 1e-4f),
                          "batch_norm backward: the weight gradient is Σ g·x̂ per channel, over n and every pixel");
            CHECK_MESSAGE(all_close(got.db, b.grad(), 1e-5f),
                          "batch_norm backward: the bias gradient is Σ g per channel, over n and every pixel");
        }
    }
}

TEST_CASE("task 8: gradient checks") {
    for (const Shape& shape : {Shape{5, 3}, Shape{3, 2, 3, 3}}) {
        for (bool training : {true, false}) {
            INFO(shape_str(shape) << (training ? " training" : " eval"));
            const std::size_t C = shape[1];
            const Tensor rm(Array(0.3f * randn({C}, 52).value())), rv(Array(xt::ones<float>({C}) * 1.5f));
            const auto f = [rm, rv, training](const std::vector<Tensor>& in) {
                return batch_norm(in[0], rm, rv, in[1], in[2], training, 0.0f, 1e-5f);
            };
            const auto r = gradcheck(f, {Tensor(spread(shape, 51)), randn({C}, 53), randn({C}, 54)});
            INFO(r.report());
            CHECK_MESSAGE(r.ok, "batch_norm backward: the analytic gradient differs from central differences "
                                "(input 0 is x, 1 the weight, 2 the bias)");
        }
    }
}

}  // TEST_SUITE
