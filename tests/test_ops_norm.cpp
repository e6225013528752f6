// test_ops_norm.cpp — batch_norm, the fused op, against batch_norm_reference, the
// same function as a chain of small ops: values, the gradients of x, weight and
// bias, and the running statistics, in training and eval, for (N, C) and
// (N, C, H, W); an (N, C, H, W) case worked by hand; gradient checks of the fused
// op; one tape entry; every error message.
#include "check.hpp"

#include <vector>

using namespace xgrad;
using xgrad::testing::all_close;
using xgrad::testing::randn;

namespace {
using Fn = std::function<Tensor(const std::vector<Tensor>&)>;
using BatchNormFn = Tensor (*)(const Tensor&, const Tensor&, const Tensor&, const Tensor&, const Tensor&, bool, float,
                               float);

// What one call of a batch norm leaves behind: its output, the gradients of x,
// weight and bias for a fixed seed, and the running statistics after it.
struct Run {
    Array y, dx, dweight, dbias, running_mean, running_var;
};

// Run `bn` on x (values scaled and shifted per channel, so the statistics are
// not already 0 and 1) with fresh copies of everything.
Run run(BatchNormFn bn, const Shape& shape, bool training, bool affine) {
    const std::size_t C = shape[1];
    Array xv = randn(shape, 21).value();
    for (std::size_t i = 0; i < xv.size(); ++i) xv.data()[i] = 3.0f * xv.data()[i] + 1.5f;
    Tensor x(xv, true);
    Tensor w(randn({C}, 22).value(), true), b(randn({C}, 23).value(), true), none;
    Tensor rm(Array(0.5f * randn({C}, 24).value())), rv(Array(xt::abs(randn({C}, 25).value()) + 0.5f));
    Tensor y = bn(x, rm, rv, affine ? w : none, affine ? b : none, training, 0.1f, 1e-5f);
    backward(y, randn(shape, 26).value());
    Run r{y.value(), x.grad(), {}, {}, rm.value(), rv.value()};
    if (affine) {
        r.dweight = w.grad();
        r.dbias = b.grad();
    }
    return r;
}
}  // namespace

TEST_CASE("batch_norm") {
    SUBCASE("the fused op matches batch_norm_reference: values, gradients, running statistics") {
        for (const Shape& shape : {Shape{6, 3}, Shape{2, 3, 3, 5}, Shape{5, 1, 1, 1}, Shape{1, 4, 2, 3}}) {
            for (bool training : {true, false}) {
                for (bool affine : {true, false}) {
                    const std::string what =
                        shape_str(shape) + (training ? " training" : " eval") + (affine ? " affine" : "");
                    INFO(what);
                    const Run fused = run(batch_norm, shape, training, affine);
                    const Run ref = run(batch_norm_reference, shape, training, affine);
                    CHECK(all_close(fused.y, ref.y, 1e-5f));
                    CHECK(all_close(fused.dx, ref.dx, 1e-4f));
                    CHECK(all_close(fused.dweight, ref.dweight, 1e-4f));
                    CHECK(all_close(fused.dbias, ref.dbias, 1e-5f));
                    CHECK(all_close(fused.running_mean, ref.running_mean, 1e-6f));
                    CHECK(all_close(fused.running_var, ref.running_var, 1e-6f));
                }
            }
        }
    }
    SUBCASE("(N, C, H, W): each channel's statistics over N·H·W values, by hand") {
        // x (1, 2, 1, 2): channel 0 holds 1, 3 and channel 1 holds 2, 6 (BatchNorm1d's 2 × 2 case
        // of test_batchnorm.cpp, laid out as images): μ = [2, 4], σ² (÷2) = [1, 4], σ² (÷1) = [2, 8]
        // y = ±1/√1.00001 · 2 + 0, ±2/√4.00001 · 1 + 5;  running_mean = 0.1 μ, running_var = 0.9 + 0.1 [2, 8]
        Tensor rm(Array{0.0f, 0.0f}), rv(Array{1.0f, 1.0f});
        Tensor y = batch_norm(Tensor(Array{{{{1, 3}}, {{2, 6}}}}), rm, rv, Tensor(Array{2.0f, 1.0f}),
                              Tensor(Array{0.0f, 5.0f}), true);
        CHECK(all_close(y.value(), Array{{{{-1.99999f, 1.99999f}}, {{4.00000125f, 5.99999875f}}}}, 1e-6f));
        CHECK(all_close(rm.value(), Array{0.2f, 0.4f}, 1e-6f));
        CHECK(all_close(rv.value(), Array{1.1f, 1.7f}, 1e-6f));
    }
    SUBCASE("gradcheck of the fused op w.r.t. x, weight and bias") {
        Fn train_2d = [](const std::vector<Tensor>& t) {
            return batch_norm(t[0], Tensor(), Tensor(), t[1], t[2], true);
        };
        CHECK_GRADCHECK(train_2d, {randn({5, 3}, 1), randn({3}, 2), randn({3}, 3)});
        Fn train_4d = [](const std::vector<Tensor>& t) {
            return batch_norm(t[0], Tensor(), Tensor(), t[1], t[2], true);
        };
        CHECK_GRADCHECK(train_4d, {randn({2, 3, 3, 2}, 4), randn({3}, 5), randn({3}, 6)});
        Fn eval_4d = [](const std::vector<Tensor>& t) {
            return batch_norm(t[0], Tensor(Array{0.5f, -1.0f}), Tensor(Array{2.0f, 0.3f}), t[1], t[2], false);
        };
        CHECK_GRADCHECK(eval_4d, {randn({3, 2, 1, 3}, 7), randn({2}, 8), randn({2}, 9)});
        Fn no_affine = [](const std::vector<Tensor>& t) {
            return batch_norm(t[0], Tensor(), Tensor(), Tensor(), Tensor(), true);
        };
        CHECK_GRADCHECK(no_affine, {randn({4, 2, 2, 1}, 10)});
    }
    SUBCASE("one tape entry, where the reference records nine") {
        Tensor x(randn({4, 3}, 1).value(), true), w(xt::ones<float>({3}), true), b(xt::zeros<float>({3}), true);
        clear_tape();
        batch_norm(x, Tensor(), Tensor(), w, b, true);
        CHECK(Tape::current().size() == 1);
        CHECK(std::string(Tape::current().entries()[0].op) == "batch_norm");
        clear_tape();
        batch_norm_reference(x, Tensor(), Tensor(), w, b, true);
        CHECK(Tape::current().size() == 9);  // mean_axis, sub, mul, mean_axis, add_scalar, sqrt, div, mul, add
        clear_tape();
    }
    SUBCASE("without running statistics, training updates nothing; eval leaves them alone") {
        Tensor rm(Array{1.0f, 2.0f}), rv(Array{3.0f, 4.0f});
        batch_norm(randn({3, 2}, 1), rm, rv, Tensor(), Tensor(), false);
        CHECK(rm.value() == Array{1.0f, 2.0f});
        CHECK(rv.value() == Array{3.0f, 4.0f});
    }
}

TEST_CASE("batch_norm errors") {
    Tensor none, x(Array::from_shape({2, 3}));
    Tensor three(xt::ones<float>({3})), four(xt::ones<float>({4}));
    for (BatchNormFn bn : {batch_norm, batch_norm_reference}) {
        const std::string op = bn == batch_norm ? "batch_norm" : "batch_norm_reference";
        INFO(op);
        CHECK_FAILS_WITH_AS(bn(Tensor(Array::from_shape({3})), none, none, none, none, true, 0.1f, 1e-5f),
                            op + ": input (3,) must be 2-D (N, C) or 4-D (N, C, H, W)", ShapeError);
        CHECK_FAILS_WITH_AS(bn(Tensor(Array::from_shape({2, 3, 4})), none, none, none, none, true, 0.1f, 1e-5f),
                            op + ": input (2, 3, 4) must be 2-D (N, C) or 4-D (N, C, H, W)", ShapeError);
        CHECK_FAILS_WITH_AS(bn(x, three, none, none, none, true, 0.1f, 1e-5f),
                            op + ": running_mean and running_var must be given together (or neither)",
                            std::invalid_argument);
        CHECK_FAILS_WITH_AS(bn(x, none, none, none, none, false, 0.1f, 1e-5f),
                            op + ": eval mode normalises with the running statistics; pass running_mean and "
                                 "running_var, or use training = true",
                            std::invalid_argument);
        CHECK_FAILS_WITH_AS(bn(x, four, three, none, none, true, 0.1f, 1e-5f),
                            op + ": running_mean (4,) does not fit input (2, 3): expected (3,)", ShapeError);
        CHECK_FAILS_WITH_AS(bn(x, three, four, none, none, true, 0.1f, 1e-5f),
                            op + ": running_var (4,) does not fit input (2, 3): expected (3,)", ShapeError);
        CHECK_FAILS_WITH_AS(bn(x, none, none, four, none, true, 0.1f, 1e-5f),
                            op + ": weight (4,) does not fit input (2, 3): expected (3,)", ShapeError);
        CHECK_FAILS_WITH_AS(bn(Tensor(Array::from_shape({2, 4, 1, 1})), none, none, none, three, true, 0.1f, 1e-5f),
                            op + ": bias (3,) does not fit input (2, 4, 1, 1): expected (4,)", ShapeError);
        CHECK_FAILS_WITH_AS(bn(Tensor(Array::from_shape({1, 3})), none, none, none, none, true, 0.1f, 1e-5f),
                            op + ": training needs more than one sample per feature to estimate a variance, got "
                                 "input (1, 3); switch to eval() to use the running statistics",
                            ShapeError);
        CHECK_FAILS_WITH_AS(bn(Tensor(Array::from_shape({1, 3, 1, 1})), none, none, none, none, true, 0.1f, 1e-5f),
                            op + ": training needs more than one value per channel to estimate a variance, got "
                                 "input (1, 3, 1, 1); switch to eval() to use the running statistics",
                            ShapeError);
        // one image with several pixels is enough in training; one value is fine in eval
        CHECK(bn(Tensor(randn({1, 3, 1, 2}).value()), none, none, none, none, true, 0.1f, 1e-5f).shape() ==
              Shape{1, 3, 1, 2});
        CHECK(bn(Tensor(Array::from_shape({1, 3})), three, three, none, none, false, 0.1f, 1e-5f).shape() ==
              Shape{1, 3});
    }
}
