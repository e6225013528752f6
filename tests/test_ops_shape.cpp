// test_ops_shape.cpp — reshape, concat, index_select, slice_rows, one_hot, flatten,
// unflatten, squeeze, unsqueeze, permute, broadcast_to: forward values worked out
// by hand (permute also against an element-by-element reference), a gradient check
// per case, one tape entry each, error messages exactly.
#include "check.hpp"

using namespace xgrad;
using xgrad::testing::all_close;
using xgrad::testing::randn;
using xgrad::testing::reshaped;

namespace {
// An array of the given shape holding `values` in row-major order (for shapes such as
// (2, 1), whose nested braces {{1}, {2}} xtensor finds ambiguous).
Array make(const Shape& shape, const std::vector<float>& values) {
    REQUIRE(values.size() == shape_size(shape));
    Array a = Array::from_shape(shape);
    std::copy(values.begin(), values.end(), a.begin());
    return a;
}
}  // namespace

TEST_CASE("reshape") {
    // x = [[0, 1, 2], [3, 4, 5]]: row-major order 0 1 2 3 4 5 is kept by every reshape.
    const Array x{{0.f, 1.f, 2.f}, {3.f, 4.f, 5.f}};

    SUBCASE("(2, 3) -> (3, 2)") {
        const Tensor y = reshape(Tensor(x), {3, 2});
        CHECK(all_close(y.value(), Array{{0.f, 1.f}, {2.f, 3.f}, {4.f, 5.f}}));
        CHECK_GRADCHECK([](const std::vector<Tensor>& in) { return reshape(in[0], {3, 2}); }, {randn({2, 3})});
    }
    SUBCASE("-1 is inferred: (2, 3) -> (-1,) = (6,), (3, -1) = (3, 2), (-1, 1, 3) = (2, 1, 3)") {
        CHECK(reshape(Tensor(x), {-1}).shape() == Shape{6});
        CHECK(all_close(reshape(Tensor(x), {-1}).value(), Array{0.f, 1.f, 2.f, 3.f, 4.f, 5.f}));
        CHECK(reshape(Tensor(x), {3, -1}).shape() == Shape{3, 2});
        CHECK(reshape(Tensor(x), {-1, 1, 3}).shape() == Shape{2, 1, 3});
        CHECK_GRADCHECK([](const std::vector<Tensor>& in) { return reshape(in[0], {2, -1}); }, {randn({3, 2, 2})});
    }
    SUBCASE("backward puts g back in x's shape") {
        // y = reshape(x, (3, 2)); seed g = [[1, 2], [3, 4], [5, 6]] -> dx = [[1, 2, 3], [4, 5, 6]]
        const Tensor leaf(x, true);
        backward(reshape(leaf, {3, 2}), Array{{1.f, 2.f}, {3.f, 4.f}, {5.f, 6.f}});
        CHECK(all_close(leaf.grad(), Array{{1.f, 2.f, 3.f}, {4.f, 5.f, 6.f}}));
    }
    SUBCASE("scalar <-> (1, 1), and an empty array") {
        const Tensor s = reshape(Tensor::scalar(7.f), {1, 1});
        CHECK(s.shape() == Shape{1, 1});
        CHECK(reshape(s, {}).shape() == Shape{});
        CHECK(reshape(s, {}).item() == 7.f);
        // (0, 3) -> (-1, 3): -1 = 0 / 3 = 0
        CHECK(reshape(Tensor(Array::from_shape({0, 3})), {-1, 3}).shape() == Shape{0, 3});
    }
    SUBCASE("errors") {
        CHECK_THROWS_WITH_AS(reshape(Tensor(x), {4, 2}), "reshape: cannot reshape (2, 3) into (4, 2)", ShapeError);
        CHECK_THROWS_WITH_AS(reshape(Tensor(x), {4, -1}), "reshape: cannot reshape (2, 3) into (4, -1)",
                             ShapeError);
        CHECK_THROWS_WITH_AS(reshape(Tensor(x), {7}), "reshape: cannot reshape (2, 3) into (7,)", ShapeError);
        CHECK_THROWS_WITH_AS(reshape(Tensor(x), {0, -1}), "reshape: cannot reshape (2, 3) into (0, -1)",
                             ShapeError);
        CHECK_THROWS_WITH_AS(reshape(Tensor(x), {-1, -1}), "reshape: only one dimension can be -1", ShapeError);
        CHECK_THROWS_WITH_AS(reshape(Tensor(x), {-2, -3}),
                             "reshape: dimension -2 in (-2, -3) is negative; give a size >= 0, or -1 to infer one",
                             ShapeError);
    }
}

TEST_CASE("concat") {
    SUBCASE("axis 0: (2, 3) and (1, 3) -> (3, 3)") {
        // rows of a, then the row of b
        const Tensor y = concat({Tensor(Array{{1.f, 2.f, 3.f}, {4.f, 5.f, 6.f}}), Tensor(Array{{7.f, 8.f, 9.f}})}, 0);
        CHECK(all_close(y.value(), Array{{1.f, 2.f, 3.f}, {4.f, 5.f, 6.f}, {7.f, 8.f, 9.f}}));
        CHECK_GRADCHECK([](const std::vector<Tensor>& in) { return concat(in, 0); },
                        {randn({2, 3}, 1), randn({1, 3}, 2)});
    }
    SUBCASE("axis 1: (2, 2) and (2, 1) -> (2, 3)") {
        // each row of out = row of a followed by row of b
        const Tensor y = concat({Tensor(Array{{1.f, 2.f}, {3.f, 4.f}}), Tensor(make({2, 1}, {5.f, 6.f}))}, 1);
        CHECK(all_close(y.value(), Array{{1.f, 2.f, 5.f}, {3.f, 4.f, 6.f}}));
        CHECK_GRADCHECK([](const std::vector<Tensor>& in) { return concat(in, 1); },
                        {randn({2, 2}, 1), randn({2, 1}, 2)});
    }
    SUBCASE("last axis (-1) of rank 3: (2, 2, 1) and (2, 2, 2) -> (2, 2, 3)") {
        // a[i, j] = [10i + j], b[i, j] = [-(10i + j), 100]: out[i, j] = [10i + j, -(10i + j), 100]
        const Array a = make({2, 2, 1}, {0.f, 1.f, 10.f, 11.f});
        const Array b{{{-0.f, 100.f}, {-1.f, 100.f}}, {{-10.f, 100.f}, {-11.f, 100.f}}};
        const Tensor y = concat({Tensor(a), Tensor(b)}, -1);
        CHECK(y.shape() == Shape{2, 2, 3});
        CHECK(all_close(y.value(), Array{{{0.f, -0.f, 100.f}, {1.f, -1.f, 100.f}},
                                         {{10.f, -10.f, 100.f}, {11.f, -11.f, 100.f}}}));
        CHECK_GRADCHECK([](const std::vector<Tensor>& in) { return concat(in, -1); },
                        {randn({2, 2, 1}, 1), randn({2, 2, 2}, 2)});
    }
    SUBCASE("middle axis of rank 3: (2, 1, 3) and (2, 2, 3) -> (2, 3, 3)") {
        const Tensor a = randn({2, 1, 3}, 1), b = randn({2, 2, 3}, 2);
        const Tensor y = concat({a, b}, 1);
        CHECK(y.shape() == Shape{2, 3, 3});
        // out[i, 0] = a[i, 0], out[i, 1 + j] = b[i, j]
        CHECK(y.value()(1, 0, 2) == a.value()(1, 0, 2));
        CHECK(y.value()(1, 2, 0) == b.value()(1, 1, 0));
        CHECK(y.value()(0, 1, 1) == b.value()(0, 0, 1));
        CHECK_GRADCHECK([](const std::vector<Tensor>& in) { return concat(in, 1); }, {a, b});
    }
    SUBCASE("three inputs along axis 1: (2, 1), (2, 2), (2, 3) -> (2, 6)") {
        const Tensor y = concat({Tensor(make({2, 1}, {1.f, 2.f})), Tensor(Array{{3.f, 4.f}, {5.f, 6.f}}),
                                 Tensor(Array{{7.f, 8.f, 9.f}, {10.f, 11.f, 12.f}})},
                                1);
        CHECK(all_close(y.value(), Array{{1.f, 3.f, 4.f, 7.f, 8.f, 9.f}, {2.f, 5.f, 6.f, 10.f, 11.f, 12.f}}));
        CHECK_GRADCHECK([](const std::vector<Tensor>& in) { return concat(in, 1); },
                        {randn({2, 1}, 1), randn({2, 2}, 2), randn({2, 3}, 3)});
        CHECK_GRADCHECK([](const std::vector<Tensor>& in) { return concat(in, 0); },
                        {randn({1, 2}, 1), randn({3, 2}, 2), randn({2, 2}, 3)});
    }
    SUBCASE("rank 1: (2,) and (3,) -> (5,)") {
        const Tensor y = concat({Tensor(Array{1.f, 2.f}), Tensor(Array{3.f, 4.f, 5.f})}, 0);
        CHECK(all_close(y.value(), Array{1.f, 2.f, 3.f, 4.f, 5.f}));
        CHECK_GRADCHECK([](const std::vector<Tensor>& in) { return concat(in, 0); }, {randn({2}, 1), randn({3}, 2)});
    }
    SUBCASE("backward hands each input its slice; one tensor used twice gets both") {
        // y = concat(a, c, a) along 1, a (2, 1) and c (2, 2) a constant; seed g = [[1 2 3 4], [5 6 7 8]]
        // da = g[:, 0] + g[:, 3] = [[1 + 4], [5 + 8]] = [[5], [13]]; c gets nothing
        const Tensor a(make({2, 1}, {1.f, 2.f}), true);
        const Tensor c(Array{{0.f, 0.f}, {0.f, 0.f}});
        backward(concat({a, c, a}, 1), Array{{1.f, 2.f, 3.f, 4.f}, {5.f, 6.f, 7.f, 8.f}});
        CHECK(all_close(a.grad(), make({2, 1}, {5.f, 13.f})));
        CHECK_FALSE(c.has_grad());
    }
    SUBCASE("one input, and a zero-length piece") {
        CHECK(all_close(concat({Tensor(Array{{1.f, 2.f}})}, 1).value(), Array{{1.f, 2.f}}));
        const Tensor y = concat({Tensor(Array::from_shape({2, 0})), Tensor(make({2, 1}, {1.f, 2.f}))}, 1);
        CHECK(all_close(y.value(), make({2, 1}, {1.f, 2.f})));
    }
    SUBCASE("errors") {
        CHECK_THROWS_WITH_AS(concat({}, 0), "concat: no inputs", std::invalid_argument);
        CHECK_THROWS_WITH_AS(concat({randn({2, 3}), randn({2, 4})}, 0),
                             "concat: shapes (2, 3) and (2, 4) differ outside axis 0", ShapeError);
        // axis -2 of a rank-3 array is axis 1
        CHECK_THROWS_WITH_AS(concat({randn({2, 1, 3}), randn({2, 5, 3}), randn({2, 1, 4})}, -2),
                             "concat: shapes (2, 1, 3) and (2, 1, 4) differ outside axis 1", ShapeError);
        CHECK_THROWS_WITH_AS(concat({randn({2, 3}), randn({6})}, 0), "concat: shapes (2, 3) and (6,) differ in rank",
                             ShapeError);
        CHECK_THROWS_WITH_AS(concat({randn({2, 3}), randn({2, 3})}, 2), "concat: axis 2 out of range for shape (2, 3)",
                             ShapeError);
        CHECK_THROWS_WITH_AS(concat({Tensor::scalar(1.f)}, 0), "concat: axis 0 out of range for shape ()",
                             ShapeError);
    }
}

TEST_CASE("index_select") {
    // x = [[0, 1], [2, 3], [4, 5]]
    const Array x{{0.f, 1.f}, {2.f, 3.f}, {4.f, 5.f}};

    SUBCASE("forward: rows {2, 0, 2} -> [[4, 5], [0, 1], [4, 5]]") {
        const Tensor y = index_select(Tensor(x), {2, 0, 2});
        CHECK(all_close(y.value(), Array{{4.f, 5.f}, {0.f, 1.f}, {4.f, 5.f}}));
    }
    SUBCASE("backward scatter-adds: repeated rows accumulate") {
        // seed g = [[1, 2], [3, 4], [5, 6]] for rows {2, 0, 2}:
        // dx[0] = g[1] = [3, 4]; dx[1] = 0 (never selected); dx[2] = g[0] + g[2] = [6, 8]
        const Tensor leaf(x, true);
        backward(index_select(leaf, {2, 0, 2}), Array{{1.f, 2.f}, {3.f, 4.f}, {5.f, 6.f}});
        CHECK(all_close(leaf.grad(), Array{{3.f, 4.f}, {0.f, 0.f}, {6.f, 8.f}}));
    }
    SUBCASE("gradcheck, repeated rows, rank 3") {
        CHECK_GRADCHECK([](const std::vector<Tensor>& in) { return index_select(in[0], {3, 1, 3, 3, 0}); },
                        {randn({4, 2, 3})});
    }
    SUBCASE("rank 1: picks elements") {
        // x = [10, 11, 12, 13, 14], rows {4, 4, 0} -> [14, 14, 10]
        const Tensor y = index_select(Tensor(Array{10.f, 11.f, 12.f, 13.f, 14.f}), {4, 4, 0});
        CHECK(all_close(y.value(), Array{14.f, 14.f, 10.f}));
        CHECK_GRADCHECK([](const std::vector<Tensor>& in) { return index_select(in[0], {4, 4, 0}); }, {randn({5})});
    }
    SUBCASE("no rows -> (0, 2)") { CHECK(index_select(Tensor(x), {}).shape() == Shape{0, 2}); }
    SUBCASE("errors") {
        CHECK_THROWS_WITH_AS(index_select(randn({3, 4}), {0, 5, 1}), "index_select: row 5 out of range for shape (3, 4)",
                             ShapeError);
        CHECK_THROWS_WITH_AS(index_select(randn({3, 4}), {3}), "index_select: row 3 out of range for shape (3, 4)",
                             ShapeError);
        CHECK_THROWS_WITH_AS(index_select(Tensor::scalar(1.f), {0}),
                             "index_select: x must have at least one axis (rows), got shape ()", ShapeError);
    }
}

TEST_CASE("slice_rows") {
    // x = [[0, 1, 2], [3, 4, 5], [6, 7, 8], [9, 10, 11]]
    const Array x{{0.f, 1.f, 2.f}, {3.f, 4.f, 5.f}, {6.f, 7.f, 8.f}, {9.f, 10.f, 11.f}};

    SUBCASE("rows 1..3 -> [[3, 4, 5], [6, 7, 8]]") {
        const Tensor y = slice_rows(Tensor(x), 1, 3);
        CHECK(all_close(y.value(), Array{{3.f, 4.f, 5.f}, {6.f, 7.f, 8.f}}));
        CHECK_GRADCHECK([](const std::vector<Tensor>& in) { return slice_rows(in[0], 1, 3); }, {randn({4, 3})});
    }
    SUBCASE("backward: g in rows 1..2, zeros elsewhere") {
        // seed g = [[1, 2, 3], [4, 5, 6]] -> dx = [[0, 0, 0], [1, 2, 3], [4, 5, 6], [0, 0, 0]]
        const Tensor leaf(x, true);
        backward(slice_rows(leaf, 1, 3), Array{{1.f, 2.f, 3.f}, {4.f, 5.f, 6.f}});
        CHECK(all_close(leaf.grad(), Array{{0.f, 0.f, 0.f}, {1.f, 2.f, 3.f}, {4.f, 5.f, 6.f}, {0.f, 0.f, 0.f}}));
    }
    SUBCASE("rank 3 and the full range") {
        CHECK_GRADCHECK([](const std::vector<Tensor>& in) { return slice_rows(in[0], 2, 5); }, {randn({5, 2, 2})});
        CHECK(all_close(slice_rows(Tensor(x), 0, 4).value(), x));
    }
    SUBCASE("an empty slice") { CHECK(slice_rows(Tensor(x), 2, 2).shape() == Shape{0, 3}); }
    SUBCASE("errors") {
        CHECK_THROWS_WITH_AS(slice_rows(randn({4, 3}), 2, 5), "slice_rows: rows 2..5 out of range for shape (4, 3)",
                             ShapeError);
        CHECK_THROWS_WITH_AS(slice_rows(randn({4, 3}), 3, 1), "slice_rows: rows 3..1 out of range for shape (4, 3)",
                             ShapeError);
        CHECK_THROWS_WITH_AS(slice_rows(Tensor::scalar(1.f), 0, 0),
                             "slice_rows: x must have at least one axis (rows), got shape ()", ShapeError);
    }
}

TEST_CASE("one_hot") {
    SUBCASE("labels {2, 0, 3} with 4 classes") {
        const std::size_t tape_before = Tape::current().size();
        const Tensor y = one_hot({2, 0, 3}, 4);
        CHECK(all_close(y.value(), Array{{0.f, 0.f, 1.f, 0.f}, {1.f, 0.f, 0.f, 0.f}, {0.f, 0.f, 0.f, 1.f}}));
        CHECK_FALSE(y.requires_grad());  // a constant
        CHECK(Tape::current().size() == tape_before);
    }
    SUBCASE("no labels -> (0, classes)") { CHECK(one_hot({}, 10).shape() == Shape{0, 10}); }
    SUBCASE("errors") {
        CHECK_THROWS_WITH_AS(one_hot({1, 12}, 10), "one_hot: label 12 out of range for 10 classes",
                             std::invalid_argument);
        CHECK_THROWS_WITH_AS(one_hot({10}, 10), "one_hot: label 10 out of range for 10 classes", std::invalid_argument);
    }
}

namespace {
// x[j] = j in row-major order.
Array arange(const Shape& shape) {
    Array a = Array::from_shape(shape);
    for (std::size_t j = 0; j < a.size(); ++j) a.data()[j] = static_cast<float>(j);
    return a;
}

// The op a call put on the tape, and that it put exactly one entry there.
std::string recorded_op(const std::function<Tensor(const Tensor&)>& f, const Shape& shape) {
    const Tensor x(arange(shape), true);
    const std::size_t before = Tape::current().size();
    f(x);
    REQUIRE(Tape::current().size() == before + 1);
    return Tape::current().entries().back().op;
}

// The reference permute: out[j] = x[i] with i[order[d]] = j[d], element by element.
Array naive_permute(const Array& x, const std::vector<std::size_t>& order) {
    Shape out_shape(order.size());
    for (std::size_t d = 0; d < order.size(); ++d) out_shape[d] = x.shape()[order[d]];
    Array out = Array::from_shape(out_shape);
    std::vector<std::size_t> j(order.size(), 0), i(order.size(), 0);
    for (std::size_t flat = 0; flat < out.size(); ++flat) {
        std::size_t rest = flat;  // unflatten flat into j (row-major)
        for (std::size_t d = order.size(); d-- > 0;) {
            j[d] = rest % out_shape[d];
            rest /= out_shape[d];
        }
        for (std::size_t d = 0; d < order.size(); ++d) i[order[d]] = j[d];
        out.data()[flat] = x.element(i.begin(), i.end());
    }
    return out;
}
}  // namespace

TEST_CASE("flatten") {
    // x[a, b, c] = 12 a + 4 b + c, shape (2, 3, 4); flattening keeps this row-major order.
    const Tensor x(arange({2, 3, 4}));

    SUBCASE("the default merges every axis after the first: (2, 3, 4) -> (2, 12)") {
        const Tensor y = flatten(x);
        CHECK(y.shape() == Shape{2, 12});
        CHECK(y.value()(1, 5) == 17.f);  // x[1, 1, 1] = 12 + 4 + 1: row 1, column 4 b + c = 5
        CHECK(all_close(y.value(), reshaped(x.value(), {2, 12})));
    }
    SUBCASE("start and end, negative axes, and a one-axis range") {
        CHECK(flatten(x, 0, 1).shape() == Shape{6, 4});
        CHECK(flatten(x, 0).shape() == Shape{24});
        CHECK(flatten(x, -2, -1).shape() == Shape{2, 12});
        CHECK(flatten(x, 1, 1).shape() == Shape{2, 3, 4});
        CHECK(flatten(Tensor(arange({2, 3, 2, 2}))).shape() == Shape{2, 12});  // NCHW -> (N, C·H·W)
        CHECK(all_close(flatten(x, 0, 1).value(), reshaped(x.value(), {6, 4})));
    }
    SUBCASE("backward gives g x's shape again") {
        // y = flatten(x) (2, 2, 2) -> (2, 4); seed g = [[1 2 3 4], [5 6 7 8]] -> dx = [[[1 2], [3 4]], [[5 6], [7 8]]]
        const Tensor leaf(Array::from_shape({2, 2, 2}), true);
        backward(flatten(leaf), Array{{1.f, 2.f, 3.f, 4.f}, {5.f, 6.f, 7.f, 8.f}});
        CHECK(all_close(leaf.grad(), Array{{{1.f, 2.f}, {3.f, 4.f}}, {{5.f, 6.f}, {7.f, 8.f}}}));
    }
    SUBCASE("gradcheck and one tape entry") {
        CHECK_GRADCHECK([](const std::vector<Tensor>& in) { return flatten(in[0]); }, {randn({2, 3, 2})});
        CHECK_GRADCHECK([](const std::vector<Tensor>& in) { return flatten(in[0], 0, 1); }, {randn({3, 1, 2})});
        CHECK(recorded_op([](const Tensor& t) { return flatten(t); }, {2, 3, 4}) == "flatten");
    }
    SUBCASE("errors") {
        CHECK_THROWS_WITH_AS(flatten(x, 2, 1), "flatten: start_dim 2 comes after end_dim 1 in shape (2, 3, 4)",
                             ShapeError);
        CHECK_THROWS_WITH_AS(flatten(x, -1, 0), "flatten: start_dim -1 comes after end_dim 0 in shape (2, 3, 4)",
                             ShapeError);
        CHECK_THROWS_WITH_AS(flatten(x, 0, 3), "flatten: axis 3 out of range for shape (2, 3, 4)", ShapeError);
        CHECK_THROWS_WITH_AS(flatten(randn({3})), "flatten: axis 1 out of range for shape (3,)", ShapeError);
    }
}

TEST_CASE("unflatten") {
    // x[a, b] = 6 a + b, shape (2, 6)
    const Tensor x(arange({2, 6}));

    SUBCASE("split axis 1: (2, 6) -> (2, 2, 3)") {
        const Tensor y = unflatten(x, 1, {2, 3});
        CHECK(y.shape() == Shape{2, 2, 3});
        CHECK(y.value()(1, 1, 2) == 11.f);  // x[1, 3 + 2] = 6 + 5
        CHECK(y.value()(0, 1, 0) == 3.f);   // x[0, 3]
    }
    SUBCASE("-1 is inferred, negative dim, a leading axis, and (N, 784)-style images") {
        CHECK(unflatten(x, 1, {3, -1}).shape() == Shape{2, 3, 2});
        CHECK(unflatten(x, -1, {-1, 1, 3}).shape() == Shape{2, 2, 1, 3});
        CHECK(unflatten(x, 0, {1, 2}).shape() == Shape{1, 2, 6});
        CHECK(unflatten(x, 1, {6}).shape() == Shape{2, 6});
        CHECK(unflatten(Tensor(arange({2, 4})), 1, {1, 2, 2}).shape() == Shape{2, 1, 2, 2});
    }
    SUBCASE("flatten undoes it") {
        CHECK(flatten(unflatten(x, 1, {2, 3})).value() == x.value());
        const Tensor images(arange({2, 3, 2, 2}));
        CHECK(unflatten(flatten(images), 1, {3, 2, 2}).value() == images.value());
    }
    SUBCASE("backward gives g x's shape again") {
        // y = unflatten(x (1, 4), 1, (2, 2)); seed g = [[[1, 2], [3, 4]]] -> dx = [[1, 2, 3, 4]]
        const Tensor leaf(Array::from_shape({1, 4}), true);
        backward(unflatten(leaf, 1, {2, 2}), Array{{{1.f, 2.f}, {3.f, 4.f}}});
        CHECK(all_close(leaf.grad(), Array{{1.f, 2.f, 3.f, 4.f}}));
    }
    SUBCASE("gradcheck and one tape entry") {
        CHECK_GRADCHECK([](const std::vector<Tensor>& in) { return unflatten(in[0], 1, {3, -1}); }, {randn({2, 6})});
        CHECK_GRADCHECK([](const std::vector<Tensor>& in) { return unflatten(in[0], 0, {1, 3}); }, {randn({3, 2})});
        CHECK(recorded_op([](const Tensor& t) { return unflatten(t, 1, {2, 3}); }, {2, 6}) == "unflatten");
    }
    SUBCASE("errors") {
        CHECK_THROWS_WITH_AS(unflatten(x, 1, {4, -1}), "unflatten: sizes (4, -1) cannot split axis 1 (length 6) of (2, 6)",
                             ShapeError);
        CHECK_THROWS_WITH_AS(unflatten(x, -1, {4, 2}), "unflatten: sizes (4, 2) cannot split axis -1 (length 6) of (2, 6)",
                             ShapeError);
        CHECK_THROWS_WITH_AS(unflatten(x, 1, {}), "unflatten: sizes () cannot split axis 1 (length 6) of (2, 6)",
                             ShapeError);
        CHECK_THROWS_WITH_AS(unflatten(x, 1, {0, -1}), "unflatten: sizes (0, -1) cannot split axis 1 (length 6) of (2, 6)",
                             ShapeError);
        CHECK_THROWS_WITH_AS(unflatten(x, 1, {-1, -1}), "unflatten: only one dimension can be -1", ShapeError);
        CHECK_THROWS_WITH_AS(unflatten(x, 1, {-2, -3}),
                             "unflatten: dimension -2 in (-2, -3) is negative; give a size >= 0, or -1 to infer one",
                             ShapeError);
        CHECK_THROWS_WITH_AS(unflatten(x, 2, {1, 6}), "unflatten: axis 2 out of range for shape (2, 6)", ShapeError);
    }
}

TEST_CASE("squeeze") {
    // x = [[[0, 1, 2]], [[3, 4, 5]]], shape (2, 1, 3)
    const Tensor x(arange({2, 1, 3}));

    SUBCASE("(2, 1, 3) -> (2, 3), by axis 1 or -2") {
        CHECK(all_close(squeeze(x, 1).value(), Array{{0.f, 1.f, 2.f}, {3.f, 4.f, 5.f}}));
        CHECK(all_close(squeeze(x, -2).value(), Array{{0.f, 1.f, 2.f}, {3.f, 4.f, 5.f}}));
        CHECK(squeeze(Tensor(Array{7.f}), 0).shape() == Shape{});
        CHECK(squeeze(Tensor(Array{7.f}), 0).item() == 7.f);
    }
    SUBCASE("backward and gradcheck") {
        // seed g = [[1, 2, 3], [4, 5, 6]] -> dx = [[[1, 2, 3]], [[4, 5, 6]]]
        const Tensor leaf(arange({2, 1, 3}), true);
        backward(squeeze(leaf, 1), Array{{1.f, 2.f, 3.f}, {4.f, 5.f, 6.f}});
        CHECK(all_close(leaf.grad(), Array{{{1.f, 2.f, 3.f}}, {{4.f, 5.f, 6.f}}}));
        CHECK_GRADCHECK([](const std::vector<Tensor>& in) { return squeeze(in[0], -1); }, {randn({3, 2, 1})});
        CHECK(recorded_op([](const Tensor& t) { return squeeze(t, 1); }, {2, 1, 3}) == "squeeze");
    }
    SUBCASE("errors") {
        CHECK_THROWS_WITH_AS(squeeze(randn({2, 3}), 1), "squeeze: axis 1 of (2, 3) has size 3, not 1", ShapeError);
        CHECK_THROWS_WITH_AS(squeeze(randn({2, 3}), -2), "squeeze: axis -2 of (2, 3) has size 2, not 1", ShapeError);
        CHECK_THROWS_WITH_AS(squeeze(randn({2, 3}), 2), "squeeze: axis 2 out of range for shape (2, 3)", ShapeError);
        CHECK_THROWS_WITH_AS(squeeze(Tensor::scalar(1.f), 0), "squeeze: axis 0 out of range for shape ()", ShapeError);
    }
}

TEST_CASE("unsqueeze") {
    const Tensor x(arange({2, 3}));

    SUBCASE("every position of the new axis, from the front and from the back") {
        CHECK(unsqueeze(x, 0).shape() == Shape{1, 2, 3});
        CHECK(unsqueeze(x, 1).shape() == Shape{2, 1, 3});
        CHECK(unsqueeze(x, 2).shape() == Shape{2, 3, 1});
        CHECK(unsqueeze(x, -1).shape() == Shape{2, 3, 1});
        CHECK(unsqueeze(x, -2).shape() == Shape{2, 1, 3});
        CHECK(unsqueeze(x, -3).shape() == Shape{1, 2, 3});
        CHECK(unsqueeze(Tensor::scalar(7.f), 0).shape() == Shape{1});
        CHECK(unsqueeze(Tensor::scalar(7.f), -1).shape() == Shape{1});
        // the elements keep their row-major order: [[[0, 1, 2]], [[3, 4, 5]]]
        CHECK(all_close(unsqueeze(x, 1).value(), Array{{{0.f, 1.f, 2.f}}, {{3.f, 4.f, 5.f}}}));
        CHECK(squeeze(unsqueeze(x, 1), 1).value() == x.value());
    }
    SUBCASE("backward and gradcheck") {
        // seed g = [[[1, 2, 3]], [[4, 5, 6]]] -> dx = [[1, 2, 3], [4, 5, 6]]
        const Tensor leaf(arange({2, 3}), true);
        backward(unsqueeze(leaf, 1), Array{{{1.f, 2.f, 3.f}}, {{4.f, 5.f, 6.f}}});
        CHECK(all_close(leaf.grad(), Array{{1.f, 2.f, 3.f}, {4.f, 5.f, 6.f}}));
        CHECK_GRADCHECK([](const std::vector<Tensor>& in) { return unsqueeze(in[0], 0); }, {randn({3, 2})});
        CHECK(recorded_op([](const Tensor& t) { return unsqueeze(t, -1); }, {2, 3}) == "unsqueeze");
    }
    SUBCASE("errors") {
        CHECK_THROWS_WITH_AS(unsqueeze(x, 3), "unsqueeze: axis 3 out of range for shape (2, 3), which takes a new axis at -3..2",
                             ShapeError);
        CHECK_THROWS_WITH_AS(unsqueeze(x, -4), "unsqueeze: axis -4 out of range for shape (2, 3), which takes a new axis at -3..2",
                             ShapeError);
        CHECK_THROWS_WITH_AS(unsqueeze(Tensor::scalar(1.f), 1),
                             "unsqueeze: axis 1 out of range for shape (), which takes a new axis at -1..0", ShapeError);
    }
}

TEST_CASE("permute") {
    SUBCASE("2-D, by hand: the matrix transpose and the identity") {
        // [[1, 2, 3],      [[1, 4],
        //  [4, 5, 6]]  ->   [2, 5],
        //                   [3, 6]]
        const Tensor x(Array{{1.f, 2.f, 3.f}, {4.f, 5.f, 6.f}});
        CHECK(all_close(permute(x, {1, 0}).value(), Array{{1.f, 4.f}, {2.f, 5.f}, {3.f, 6.f}}));
        CHECK(all_close(permute(x, {0, 1}).value(), x.value()));
    }
    SUBCASE("3-D, by hand") {
        // x[a, b, c] = 12 a + 4 b + c, shape (2, 3, 4); order (1, 2, 0): z[b, c, a] = x[a, b, c], shape (3, 4, 2)
        const Tensor z = permute(Tensor(arange({2, 3, 4})), {1, 2, 0});
        CHECK(z.shape() == Shape{3, 4, 2});
        CHECK(z.value()(2, 1, 1) == 21.f);  // x[1, 2, 1] = 12 + 8 + 1
        CHECK(z.value()(0, 3, 0) == 3.f);   // x[0, 0, 3] = 3
    }
    SUBCASE("NCHW -> NHWC and back") {
        // x (1, 2, 2, 2): channel 0 holds 0..3, channel 1 holds 4..7; NHWC puts a pixel's two channels side by side
        const Tensor x(arange({1, 2, 2, 2}));
        const Tensor nhwc = permute(x, {0, 2, 3, 1});
        CHECK(all_close(nhwc.value(), reshaped(Array{0.f, 4.f, 1.f, 5.f, 2.f, 6.f, 3.f, 7.f}, {1, 2, 2, 2})));
        CHECK(permute(nhwc, {0, 3, 1, 2}).value() == x.value());
    }
    SUBCASE("rank 0 and 1 are unchanged") {
        CHECK(permute(Tensor::scalar(2.5f), {}).item() == 2.5f);
        CHECK(all_close(permute(Tensor(Array{1.f, 2.f}), {0}).value(), Array{1.f, 2.f}));
    }
    SUBCASE("orders of ranks 2..4 against an element-by-element reference") {
        const std::vector<std::pair<Shape, std::vector<std::size_t>>> cases = {
            {{5, 7}, {1, 0}},          {{1, 6}, {1, 0}},          {{2, 3, 4}, {0, 2, 1}},
            {{2, 3, 4}, {2, 0, 1}},    {{2, 3, 4}, {1, 0, 2}},    {{2, 1, 3}, {2, 0, 1}},
            {{2, 3, 4, 5}, {3, 1, 0, 2}}, {{2, 3, 1, 5}, {0, 2, 3, 1}}, {{2, 3, 4, 5}, {3, 2, 1, 0}},
        };
        for (const auto& [shape, order] : cases) {
            INFO(shape_str(shape), " order ", tuple_str(order));
            const Array x = arange(shape);
            CHECK(all_close(permute(Tensor(x), order).value(), naive_permute(x, order)));
        }
    }
    SUBCASE("backward by hand: g is permuted back by the inverse order") {
        // z = permute(x (1, 2, 3), (2, 0, 1)) has shape (3, 1, 2) and z[c, a, b] = x[a, b, c];
        // seed g[c, 0, b] = 10 c + b -> dx[0, b, c] = 10 c + b = [[0, 10, 20], [1, 11, 21]]
        const Tensor leaf(arange({1, 2, 3}), true);
        backward(permute(leaf, {2, 0, 1}), Array{{{0.f, 1.f}}, {{10.f, 11.f}}, {{20.f, 21.f}}});
        CHECK(all_close(leaf.grad(), Array{{{0.f, 10.f, 20.f}, {1.f, 11.f, 21.f}}}));
    }
    SUBCASE("gradcheck and one tape entry") {
        // (1, 2, 0) is not its own inverse, so this catches a backward that forgets to invert
        CHECK_GRADCHECK([](const std::vector<Tensor>& v) { return permute(v[0], {1, 2, 0}); }, {randn({2, 3, 4})});
        CHECK_GRADCHECK([](const std::vector<Tensor>& v) { return permute(v[0], {2, 0, 3, 1}); },
                        {randn({2, 3, 1, 2})});
        CHECK(recorded_op([](const Tensor& t) { return permute(t, {0, 2, 3, 1}); }, {1, 2, 2, 3}) == "permute");
    }
    SUBCASE("errors") {
        const Tensor x = randn({2, 3});
        CHECK_THROWS_WITH_AS(permute(x, {0, 0}), "permute: order (0, 0) is not a permutation of the axes of (2, 3)",
                             ShapeError);
        CHECK_THROWS_WITH_AS(permute(x, {0}), "permute: order (0,) is not a permutation of the axes of (2, 3)",
                             ShapeError);
        CHECK_THROWS_WITH_AS(permute(x, {0, 2}), "permute: order (0, 2) is not a permutation of the axes of (2, 3)",
                             ShapeError);
        CHECK_THROWS_WITH_AS(permute(x, {2, 1, 0}),
                             "permute: order (2, 1, 0) is not a permutation of the axes of (2, 3)", ShapeError);
    }
}

TEST_CASE("broadcast_to") {
    SUBCASE("a row, a column, a scalar, a new leading axis, the same shape") {
        CHECK(all_close(broadcast_to(Tensor(Array{1.f, 2.f, 3.f}), {2, 3}).value(),
                        Array{{1.f, 2.f, 3.f}, {1.f, 2.f, 3.f}}));
        CHECK(all_close(broadcast_to(Tensor(make({2, 1}, {1.f, 2.f})), {2, 3}).value(),
                        Array{{1.f, 1.f, 1.f}, {2.f, 2.f, 2.f}}));
        CHECK(all_close(broadcast_to(Tensor::scalar(5.f), {2, 2}).value(), Array{{5.f, 5.f}, {5.f, 5.f}}));
        CHECK(all_close(broadcast_to(Tensor(Array{{1.f, 2.f}}), {2, 1, 2}).value(),
                        Array{{{1.f, 2.f}}, {{1.f, 2.f}}}));
        CHECK(all_close(broadcast_to(Tensor(Array{1.f, 2.f}), {2}).value(), Array{1.f, 2.f}));
    }
    SUBCASE("backward sums g over the repeated copies") {
        // x (2, 1) -> (2, 3); seed g = [[1, 2, 3], [4, 5, 6]] -> dx = [[1 + 2 + 3], [4 + 5 + 6]] = [[6], [15]]
        const Tensor leaf(make({2, 1}, {1.f, 2.f}), true);
        backward(broadcast_to(leaf, {2, 3}), Array{{1.f, 2.f, 3.f}, {4.f, 5.f, 6.f}});
        CHECK(all_close(leaf.grad(), make({2, 1}, {6.f, 15.f})));
    }
    SUBCASE("gradcheck and one tape entry") {
        CHECK_GRADCHECK([](const std::vector<Tensor>& v) { return broadcast_to(v[0], {2, 3}); }, {randn({3})});
        CHECK_GRADCHECK([](const std::vector<Tensor>& v) { return broadcast_to(v[0], {3, 2, 2, 3}); },
                        {randn({2, 1, 3})});
        CHECK(recorded_op([](const Tensor& t) { return broadcast_to(t, {4, 3}); }, {1, 3}) == "broadcast_to");
    }
    SUBCASE("errors") {
        CHECK_THROWS_WITH_AS(broadcast_to(randn({2, 3}), {3, 3}), "broadcast_to: cannot broadcast (2, 3) to (3, 3)",
                             ShapeError);
        CHECK_THROWS_WITH_AS(broadcast_to(randn({2, 3}), {3}), "broadcast_to: cannot broadcast (2, 3) to (3,)",
                             ShapeError);
        CHECK_THROWS_WITH_AS(broadcast_to(randn({3}), {3, 2}), "broadcast_to: cannot broadcast (3,) to (3, 2)",
                             ShapeError);
    }
}
