// test_ops_reduce.cpp — sum, mean, max, argmax: forward values worked out by hand,
// agreement with xtensor's own reducers on every axis of ranks 1..4 (negative
// axes, keepdims or not), gradient checks for all of those, and the errors.
#include "check.hpp"

#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include <xtensor/xmath.hpp>
#include <xtensor/xreducer.hpp>

using namespace xgrad;
using xgrad::testing::all_close;
using xgrad::testing::randn;

namespace {

// The shapes every axis test walks: ranks 1..4, one with a length-1 axis.
const std::vector<Shape> kShapes = {{5}, {3, 4}, {2, 3, 4}, {2, 1, 3, 2}};

// Values -1.0, -0.9, -0.8, ... in a seeded random order: all 0.1 apart, so a
// slice has one clear maximum and gradcheck's nudges (h = 0.01) never change it.
Tensor distinct(const Shape& shape, std::uint64_t seed = 3) {
    Array a = Array::from_shape(shape);
    for (std::size_t j = 0; j < a.size(); ++j) a.data()[j] = 0.1f * static_cast<float>(j) - 1.0f;
    Generator gen(seed);
    for (std::size_t j = a.size(); j > 1; --j) std::swap(a.data()[j - 1], a.data()[gen.randint(j)]);
    return Tensor(a);
}

// Every axis of x, as the negative and the positive spelling.
std::vector<std::ptrdiff_t> all_axes(const Shape& shape) {
    std::vector<std::ptrdiff_t> axes;
    const auto rank = static_cast<std::ptrdiff_t>(shape.size());
    for (std::ptrdiff_t a = -rank; a < rank; ++a) axes.push_back(a);
    return axes;
}

// Calls check(shape, axis, keepdims) for every shape in kShapes, every axis of it
// (both spellings) and keepdims false and true; a failure names the case.
template <class Check>
void for_every_axis(Check check) {
    for (const Shape& shape : kShapes)
        for (std::ptrdiff_t axis : all_axes(shape))
            for (bool keepdims : {false, true}) {
                INFO("shape ", shape_str(shape), " axis ", axis, " keepdims ", keepdims);
                check(shape, axis, keepdims);
            }
}

// The axis as xtensor wants it (non-negative).
std::size_t plain_axis(std::ptrdiff_t axis, const Shape& shape) {
    return static_cast<std::size_t>(axis < 0 ? axis + static_cast<std::ptrdiff_t>(shape.size()) : axis);
}

// The values, read row-major, laid out in `shape` (a column {{6}, {15}} is
// ambiguous to spell as an xarray literal).
Array shaped(Array values, const Shape& shape) {
    values.reshape(shape);
    return values;
}

// x = [[1, 2, 3],
//      [4, 5, 6]]
Tensor x23() { return Tensor(Array{{1.0f, 2.0f, 3.0f}, {4.0f, 5.0f, 6.0f}}); }

// x[o, k, i] = 12 o + 4 k + i, shape (2, 3, 4)
Tensor arange234() {
    Array a = Array::from_shape({2, 3, 4});
    for (std::size_t j = 0; j < a.size(); ++j) a.data()[j] = static_cast<float>(j);
    return Tensor(a);
}

}  // namespace

TEST_CASE("sum") {
    SUBCASE("all axes, by hand") {
        // 1 + 2 + 3 + 4 + 5 + 6 = 21
        Tensor x = x23().set_requires_grad(true);
        Tensor y = sum(x);
        CHECK(y.shape() == Shape{});
        CHECK(y.item() == doctest::Approx(21.0f));
        y.backward();
        // dy/dx = 1 everywhere
        CHECK(all_close(x.grad(), Array{{1.0f, 1.0f, 1.0f}, {1.0f, 1.0f, 1.0f}}));
    }
    SUBCASE("all axes of a scalar and of a rank-4 tensor: gradcheck") {
        CHECK(sum(Tensor::scalar(2.5f)).item() == doctest::Approx(2.5f));
        CHECK_GRADCHECK([](const std::vector<Tensor>& v) { return sum(v[0]); }, {Tensor::scalar(2.5f)});
        CHECK_GRADCHECK([](const std::vector<Tensor>& v) { return sum(v[0]); }, {randn({2, 1, 3, 2})});
    }
    SUBCASE("a long sum keeps float precision") {
        // 10^6 · 0.1f = 100000.0015 (0.1f is 0.100000001490116...); a float
        // running sum would drift to about 100958.
        Array a = Array::from_shape({1000000});
        a.fill(0.1f);
        CHECK(sum(Tensor(a)).item() == doctest::Approx(100000.0f).epsilon(1e-6));
    }
    SUBCASE("along an axis, by hand") {
        Tensor x = x23();
        // columns: 1 + 4, 2 + 5, 3 + 6
        CHECK(all_close(sum(x, 0).value(), Array{5.0f, 7.0f, 9.0f}));
        // rows: 1 + 2 + 3, 4 + 5 + 6
        CHECK(all_close(sum(x, 1).value(), Array{6.0f, 15.0f}));
        CHECK(all_close(sum(x, -1, true).value(), shaped({6.0f, 15.0f}, {2, 1})));
        CHECK(all_close(sum(x, -2, true).value(), Array{{5.0f, 7.0f, 9.0f}}));
        // middle axis of x[o, k, i] = 12 o + 4 k + i:  Σ_k = 36 o + 12 + 3 i
        Tensor z = sum(arange234(), 1);
        CHECK(all_close(z.value(), Array{{12.0f, 15.0f, 18.0f, 21.0f}, {48.0f, 51.0f, 54.0f, 57.0f}}));
    }
    SUBCASE("along an axis, backward by hand") {
        // y[i] = Σ_k x[k, i]  =>  dx[k, i] = g[i]; seed g = (1, 2, 3)
        Tensor x = x23().set_requires_grad(true);
        Tensor y = sum(x, 0);
        y.backward(Array{1.0f, 2.0f, 3.0f});
        CHECK(all_close(x.grad(), Array{{1.0f, 2.0f, 3.0f}, {1.0f, 2.0f, 3.0f}}));
    }
    SUBCASE("every axis of ranks 1..4, keepdims or not: matches xtensor, gradcheck") {
        for_every_axis([](const Shape& shape, std::ptrdiff_t axis, bool keepdims) {
            Tensor x = randn(shape);
            const std::size_t ax = plain_axis(axis, shape);
            Array expected = keepdims ? Array(xt::sum(x.value(), {ax}, xt::keep_dims))
                                      : Array(xt::sum(x.value(), {ax}));
            CHECK(all_close(sum(x, axis, keepdims).value(), expected));
            CHECK_GRADCHECK([=](const std::vector<Tensor>& v) { return sum(v[0], axis, keepdims); }, {x});
        });
    }
    SUBCASE("axis out of range") {
        CHECK_THROWS_WITH_AS(sum(x23(), 2), "sum: axis 2 out of range for shape (2, 3)", ShapeError);
        CHECK_THROWS_WITH_AS(sum(x23(), -3, true), "sum: axis -3 out of range for shape (2, 3)", ShapeError);
        CHECK_THROWS_WITH_AS(sum(Tensor::scalar(1.0f), 0), "sum: axis 0 out of range for shape ()", ShapeError);
    }
}

TEST_CASE("mean") {
    SUBCASE("all axes, by hand") {
        // 21 / 6 = 3.5
        Tensor x = x23().set_requires_grad(true);
        Tensor y = mean(x);
        CHECK(y.shape() == Shape{});
        CHECK(y.item() == doctest::Approx(3.5f));
        y.backward();
        // dy/dx = 1/6 everywhere
        const float s = 1.0f / 6.0f;
        CHECK(all_close(x.grad(), Array{{s, s, s}, {s, s, s}}));
    }
    SUBCASE("all axes of a scalar and of a rank-4 tensor: gradcheck") {
        CHECK_GRADCHECK([](const std::vector<Tensor>& v) { return mean(v[0]); }, {Tensor::scalar(2.5f)});
        CHECK_GRADCHECK([](const std::vector<Tensor>& v) { return mean(v[0]); }, {randn({2, 1, 3, 2})});
    }
    SUBCASE("along an axis, by hand") {
        Tensor x = x23();
        // columns: (1 + 4)/2, (2 + 5)/2, (3 + 6)/2
        CHECK(all_close(mean(x, 0).value(), Array{2.5f, 3.5f, 4.5f}));
        // rows: 6/3, 15/3
        CHECK(all_close(mean(x, -1).value(), Array{2.0f, 5.0f}));
        CHECK(all_close(mean(x, 1, true).value(), shaped({2.0f, 5.0f}, {2, 1})));
        // middle axis of x[o, k, i] = 12 o + 4 k + i:  (36 o + 12 + 3 i) / 3 = 12 o + 4 + i
        Tensor z = mean(arange234(), 1, true);
        CHECK(all_close(z.value(), Array{{{4.0f, 5.0f, 6.0f, 7.0f}}, {{16.0f, 17.0f, 18.0f, 19.0f}}}));
    }
    SUBCASE("along an axis, backward by hand") {
        // y[i] = (x[0, i] + x[1, i]) / 2  =>  dx[k, i] = g[i] / 2; seed g = (1, 2, 3)
        Tensor x = x23().set_requires_grad(true);
        mean(x, 0).backward(Array{1.0f, 2.0f, 3.0f});
        CHECK(all_close(x.grad(), Array{{0.5f, 1.0f, 1.5f}, {0.5f, 1.0f, 1.5f}}));
    }
    SUBCASE("every axis of ranks 1..4, keepdims or not: matches xtensor, gradcheck") {
        for_every_axis([](const Shape& shape, std::ptrdiff_t axis, bool keepdims) {
            Tensor x = randn(shape);
            const std::size_t ax = plain_axis(axis, shape);
            Array expected = keepdims ? Array(xt::mean(x.value(), {ax}, xt::keep_dims))
                                      : Array(xt::mean(x.value(), {ax}));
            CHECK(all_close(mean(x, axis, keepdims).value(), expected));
            CHECK_GRADCHECK([=](const std::vector<Tensor>& v) { return mean(v[0], axis, keepdims); }, {x});
        });
    }
    SUBCASE("axis out of range") {
        CHECK_THROWS_WITH_AS(mean(x23(), -3), "mean: axis -3 out of range for shape (2, 3)", ShapeError);
        CHECK_THROWS_WITH_AS(mean(Tensor(Array{1.0f, 2.0f}), 1), "mean: axis 1 out of range for shape (2,)",
                             ShapeError);
    }
}

TEST_CASE("max") {
    // x = [[3, 1, 4],
    //      [1, 5, 9],
    //      [2, 6, 5]]
    const Array x33 = {{3.0f, 1.0f, 4.0f}, {1.0f, 5.0f, 9.0f}, {2.0f, 6.0f, 5.0f}};

    SUBCASE("along an axis, by hand") {
        // columns: max(3, 1, 2), max(1, 5, 6), max(4, 9, 5)
        CHECK(all_close(max(Tensor(x33), 0).value(), Array{3.0f, 6.0f, 9.0f}));
        // rows: max(3, 1, 4), max(1, 5, 9), max(2, 6, 5)
        CHECK(all_close(max(Tensor(x33), -1).value(), Array{4.0f, 9.0f, 6.0f}));
        CHECK(all_close(max(Tensor(x33), 1, true).value(), shaped({4.0f, 9.0f, 6.0f}, {3, 1})));
        // middle axis of x[o, k, i] = 12 o + 4 k + i: k = 2 wins, 12 o + 8 + i
        CHECK(all_close(max(arange234(), 1).value(), Array{{8.0f, 9.0f, 10.0f, 11.0f}, {20.0f, 21.0f, 22.0f, 23.0f}}));
    }
    SUBCASE("backward by hand: the gradient goes to the maximum") {
        // column maxima sit at (0, 0), (2, 1), (1, 2); seed g = (10, 20, 30)
        Tensor x = Tensor(x33, true);
        max(x, 0).backward(Array{10.0f, 20.0f, 30.0f});
        CHECK(all_close(x.grad(), Array{{10.0f, 0.0f, 0.0f}, {0.0f, 0.0f, 30.0f}, {0.0f, 20.0f, 0.0f}}));
    }
    SUBCASE("ties: only the first maximum gets the gradient") {
        // rows of [[2, 7, 7], [5, 5, 1]]: maxima 7 (first at k = 1) and 5 (first at k = 0)
        Tensor x = Tensor(Array{{2.0f, 7.0f, 7.0f}, {5.0f, 5.0f, 1.0f}}, true);
        Tensor y = max(x, 1);
        CHECK(all_close(y.value(), Array{7.0f, 5.0f}));
        y.backward(Array{10.0f, 20.0f});
        CHECK(all_close(x.grad(), Array{{0.0f, 10.0f, 0.0f}, {20.0f, 0.0f, 0.0f}}));

        // along axis 0 of [[1, 4], [1, 4], [0, 4]]: every column's first row wins
        Tensor z = Tensor(Array{{1.0f, 4.0f}, {1.0f, 4.0f}, {0.0f, 4.0f}}, true);
        max(z, 0).backward(Array{1.0f, 2.0f});
        CHECK(all_close(z.grad(), Array{{1.0f, 2.0f}, {0.0f, 0.0f}, {0.0f, 0.0f}}));

        // all equal: the first element takes it all
        Tensor w = Tensor(Array{3.0f, 3.0f, 3.0f, 3.0f}, true);
        max(w, 0).backward();
        CHECK(all_close(w.grad(), Array{1.0f, 0.0f, 0.0f, 0.0f}));
    }
    SUBCASE("a NaN is the maximum, so it is never hidden") {
        const float nan = std::numeric_limits<float>::quiet_NaN();
        Tensor x = Tensor(Array{{1.0f, nan, 3.0f}, {nan, 2.0f, nan}}, true);
        Tensor y = max(x, 1);
        CHECK(std::isnan(y.value()(0)));
        CHECK(std::isnan(y.value()(1)));
        y.backward(Array{1.0f, 2.0f});
        // the first NaN of each row gets the gradient
        CHECK(all_close(x.grad(), Array{{0.0f, 1.0f, 0.0f}, {2.0f, 0.0f, 0.0f}}));
    }
    SUBCASE("every axis of ranks 1..4, keepdims or not: matches xtensor, gradcheck") {
        for_every_axis([](const Shape& shape, std::ptrdiff_t axis, bool keepdims) {
            Tensor x = distinct(shape);
            const std::size_t ax = plain_axis(axis, shape);
            Array expected = keepdims ? Array(xt::amax(x.value(), {ax}, xt::keep_dims))
                                      : Array(xt::amax(x.value(), {ax}));
            CHECK(all_close(max(x, axis, keepdims).value(), expected));
            CHECK_GRADCHECK([=](const std::vector<Tensor>& v) { return max(v[0], axis, keepdims); }, {x});
        });
    }
    SUBCASE("errors") {
        CHECK_THROWS_WITH_AS(max(Tensor(x33), 2), "max: axis 2 out of range for shape (3, 3)", ShapeError);
        CHECK_THROWS_WITH_AS(max(Tensor(x33), -3), "max: axis -3 out of range for shape (3, 3)", ShapeError);
        CHECK_THROWS_WITH_AS(max(Tensor(Array::from_shape({2, 0})), -1),
                             "max: axis -1 of shape (2, 0) is empty; a maximum needs at least one element",
                             ShapeError);
    }
}

TEST_CASE("argmax") {
    // x = [[3, 1, 4],
    //      [1, 5, 9],
    //      [2, 6, 5]]
    const Tensor x(Array{{3.0f, 1.0f, 4.0f}, {1.0f, 5.0f, 9.0f}, {2.0f, 6.0f, 5.0f}});

    SUBCASE("by hand") {
        // columns: 3 at row 0, 6 at row 2, 9 at row 1; rows: 4 at 2, 9 at 2, 6 at 1
        CHECK(argmax(x, 0) == Indices{0, 2, 1});
        CHECK(argmax(x, 1) == Indices{2, 2, 1});
        CHECK(argmax(x, -1) == Indices{2, 2, 1});
        // x[o, k, i] = 12 o + 4 k + i along the middle axis: k = 2 for each (o, i), listed o-major
        CHECK(argmax(arange234(), 1) == Indices(8, 2));
        // along axis 0 of a rank-1 array: one answer
        CHECK(argmax(Tensor(Array{0.5f, -1.0f, 2.5f, 2.0f}), 0) == Indices{2});
    }
    SUBCASE("the remaining axes in row-major order") {
        // x (2, 2, 2) along axis 1: the answer for (o, i) sits at o * 2 + i
        // x[0] = [[0, 5], [1, 4]] -> (0, 0): 1 (k = 1), (0, 1): 5 (k = 0)
        // x[1] = [[7, 2], [6, 3]] -> (1, 0): 7 (k = 0), (1, 1): 3 (k = 1)
        const Tensor y(Array{{{0.f, 5.f}, {1.f, 4.f}}, {{7.f, 2.f}, {6.f, 3.f}}});
        CHECK(argmax(y, 1) == Indices{1, 0, 0, 1});
    }
    SUBCASE("ties: the first maximum; a NaN is the maximum, as in max") {
        CHECK(argmax(Tensor(Array{{2.0f, 7.0f, 7.0f}, {5.0f, 5.0f, 1.0f}}), 1) == Indices{1, 0});
        CHECK(argmax(Tensor(Array{3.0f, 3.0f, 3.0f}), 0) == Indices{0});
        const float nan = std::numeric_limits<float>::quiet_NaN();
        CHECK(argmax(Tensor(Array{{1.0f, nan, 3.0f}, {nan, 2.0f, nan}}), 1) == Indices{1, 0});
    }
    SUBCASE("every axis of ranks 1..4: the element it points at is the maximum max finds") {
        // With all values distinct the maximal element is unique, so the position is right
        // exactly when x[o, k*, i], at flat offset (o·n + k*)·inner + i, equals max(x, axis)[o, i].
        for_every_axis([](const Shape& shape, std::ptrdiff_t axis, bool keepdims) {
            if (keepdims) return;  // argmax has no keepdims
            const Tensor t = distinct(shape);
            const std::size_t ax = plain_axis(axis, shape);
            const std::size_t n = shape[ax];
            const std::size_t inner = shape_size(Shape(shape.begin() + static_cast<std::ptrdiff_t>(ax) + 1, shape.end()));
            const Indices k = argmax(t, axis);
            const Array best = max(t, axis).value();
            REQUIRE(k.size() == best.size());
            for (std::size_t j = 0; j < k.size(); ++j) {
                const std::size_t o = j / inner, i = j % inner;
                CHECK(k[j] < n);
                CHECK(t.value().data()[(o * n + k[j]) * inner + i] == best.data()[j]);
            }
        });
    }
    SUBCASE("not differentiable: nothing is recorded") {
        const std::size_t before = Tape::current().size();
        const Tensor t(x.value(), true);
        argmax(t, 0);
        CHECK(Tape::current().size() == before);
    }
    SUBCASE("errors") {
        CHECK_THROWS_WITH_AS(argmax(x, 2), "argmax: axis 2 out of range for shape (3, 3)", ShapeError);
        CHECK_THROWS_WITH_AS(argmax(Tensor::scalar(1.0f), 0), "argmax: axis 0 out of range for shape ()", ShapeError);
        CHECK_THROWS_WITH_AS(argmax(Tensor(Array::from_shape({2, 0})), 1),
                             "argmax: axis 1 of shape (2, 0) is empty; a maximum needs at least one element",
                             ShapeError);
    }
}
