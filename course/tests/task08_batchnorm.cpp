// Task 8: batch normalisation's backward in closed form (docs/course.md#task-8): a
// case worked by hand, the two invariances the closed form must respect, agreement
// with batch_norm_reference (the same function as a chain of small ops, whose
// backward the tape assembles for you), and gradient checks.
#include "course_check.hpp"

using namespace xgrad;
using xgrad::course::close;

namespace {

// The gradients batch_norm sends back for upstream gradient g.
struct Grads {
    Array dx, dw, db;
};
// training: batch statistics; eval: running mean 0, running variance 2. affine: with weight wv and bias 0.
Grads bn_grads(const Array& xv, const Array& g, bool training, bool affine, const Array& wv = {}) {
    const std::size_t C = xv.shape()[1];
    Tensor x(xv, true);
    Tensor w(affine ? wv : Array(xt::ones<float>({C})), true), b(Array(xt::zeros<float>({C})), true), none;
    Tensor rm(Array(xt::zeros<float>({C}))), rv(Array(xt::ones<float>({C}) * 2.0f));
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

Array reshaped(Array a, const Shape& shape) {
    a.reshape(shape);
    return a;
}

// Normal values, scaled and shifted so that the channels' statistics are not already 0 and 1.
Array spread(const Shape& shape, std::uint64_t seed) {
    Array x = xgrad::course::normal(shape, seed).value();
    for (std::size_t i = 0; i < x.size(); ++i) x.data()[i] = 2.0f * x.data()[i] + 0.5f;
    return x;
}

}  // namespace

TEST_SUITE("task08") {

TEST_CASE("a case worked by hand") {
    // x = [1, 2, 3, 4] as (4, 1): μ = 2.5, σ² = 1.25, invstd = 1/√1.25 = 0.894427,
    // x̂ = [-1.341641, -0.447214, 0.447214, 1.341641]. With g = [1, 0, 0, 0]:
    //   Σg = 1, Σ g x̂ = -1.341641, so
    //   dx = invstd · (g − Σg/4 − x̂ · Σgx̂/4) = 0.894427 · ([0.75, -0.25, -0.25, -0.25] + [-0.45, -0.15, 0.15, 0.45])
    //      = 0.894427 · [0.3, -0.4, -0.1, 0.2] = [0.268328, -0.357771, -0.0894427, 0.178885]
    const Array x = reshaped(Array{1.0f, 2.0f, 3.0f, 4.0f}, {4, 1});
    const Array g = reshaped(Array{1.0f, 0.0f, 0.0f, 0.0f}, {4, 1});
    Grads got;
    COURSE_CHECK("batch_norm backward: on x = [1, 2, 3, 4] with g = [1, 0, 0, 0]",
                 (got = bn_grads(x, g, true, true, Array{1.0f}), true));
    INFO("dx = " << got.dx);
    COURSE_CHECK("batch_norm backward: dx is wrong on x = [1, 2, 3, 4], g = [1, 0, 0, 0]: the mean and the variance "
                 "depend on every x, so every dx gets a share; work the three terms out on paper",
                 close(got.dx, reshaped(Array{0.268328f, -0.357771f, -0.0894427f, 0.178885f}, {4, 1})));
    COURSE_CHECK("batch_norm backward: the bias gradient is Σ g over the channel",
                 got.db.size() == 1 && std::abs(got.db(0) - 1.0f) < 1e-6f);
    COURSE_CHECK("batch_norm backward: the weight gradient is Σ g · x̂ over the channel",
                 got.dw.size() == 1 && std::abs(got.dw(0) + 1.341641f) < 1e-4f);
}

TEST_CASE("what the normalisation cannot see gets no gradient") {
    const Shape shape{5, 3};
    const Array x = spread(shape, 31);
    SUBCASE("a gradient constant over a channel") {
        // Adding a constant to a channel of x does not change x̂: the loss cannot change in that direction.
        Array g = Array::from_shape(shape);
        for (std::size_t n = 0; n < 5; ++n)
            for (std::size_t c = 0; c < 3; ++c) g(n, c) = static_cast<float>(c) + 1.0f;
        Grads got;
        COURSE_CHECK("batch_norm backward: with g the same for every element of a channel, dx must be 0 in training "
                     "(shifting x does not change x̂): is the channel's mean of g subtracted?",
                     (got = bn_grads(x, g, true, false), max_abs(got.dx) < 1e-5));
        INFO("dx = " << got.dx);
    }
    SUBCASE("a gradient proportional to x̂") {
        // Scaling a channel of x does not change x̂ either (up to eps).
        Array g = Array::from_shape(shape);
        const Tensor xh = batch_norm(Tensor(x), Tensor(), Tensor(), Tensor(), Tensor(), true, 0.1f, 1e-5f);
        for (std::size_t i = 0; i < g.size(); ++i) g.data()[i] = 0.7f * xh.value().data()[i];
        Grads got;
        COURSE_CHECK("batch_norm backward: with g proportional to x̂, dx must be 0 in training (scaling x does not "
                     "change x̂): is x̂ times the channel's mean of g·x̂ subtracted?",
                     (got = bn_grads(x, g, true, false), max_abs(got.dx) < 1e-3));
        INFO("dx = " << got.dx);
    }
}

TEST_CASE("agrees with the op-by-op batch_norm_reference") {
    for (const Shape& shape : {Shape{6, 3}, Shape{2, 3, 3, 5}}) {
        for (bool training : {true, false}) {
            INFO(shape_str(shape) << (training ? " training" : " eval"));
            const std::size_t C = shape[1];
            const Array xv = spread(shape, 41), g = xgrad::course::normal(shape, 42).value();
            const Array wv = xgrad::course::normal({C}, 43).value();
            // The reference's gradients.
            Tensor x(xv, true), w(wv, true), b(Array(xt::zeros<float>({C})), true);
            Tensor rm(Array(xt::zeros<float>({C}))), rv(Array(xt::ones<float>({C}) * 2.0f));
            backward(batch_norm_reference(x, rm, rv, w, b, training, 0.1f, 1e-5f), g);
            Grads got;
            COURSE_CHECK(std::string(training ? "batch_norm backward (training): dx differs from the reference: with "
                                                "a weight w, the gradient reaching x̂ is g·w"
                                              : "batch_norm backward (eval): the running statistics are constants, so "
                                                "dx is g·w·invstd and nothing else"),
                         (got = bn_grads(xv, g, training, true, wv), close(got.dx, x.grad())));
            COURSE_CHECK("batch_norm backward: the weight gradient is Σ g·x̂ per channel, over n and every pixel",
                         close(got.dw, w.grad()));
            COURSE_CHECK("batch_norm backward: the bias gradient is Σ g per channel, over n and every pixel",
                         close(got.db, b.grad()));
        }
    }
}

TEST_CASE("gradient checks") {
    for (const Shape& shape : {Shape{5, 3}, Shape{3, 2, 3, 3}}) {
        for (bool training : {true, false}) {
            INFO(shape_str(shape) << (training ? " training" : " eval"));
            const std::size_t C = shape[1];
            const Tensor rm(Array(xt::zeros<float>({C}))), rv(Array(xt::ones<float>({C}) * 1.5f));
            const auto f = [rm, rv, training](const std::vector<Tensor>& in) {
                return batch_norm(in[0], rm, rv, in[1], in[2], training, 0.0f, 1e-5f);
            };
            COURSE_GRADCHECK("batch_norm backward: the analytic gradient differs from central differences (input 0 "
                             "is x, 1 the weight, 2 the bias)",
                             f, {Tensor(spread(shape, 51)), xgrad::course::normal({C}, 53), xgrad::course::normal({C}, 54)});
        }
    }
}

}  // TEST_SUITE
