// test_ops_shape.cpp — reshape, concat, index_select, slice_rows, one_hot: forward
// values worked out by hand, a gradient check per case, error messages exactly.
#include "check.hpp"

using namespace xgrad;
using xgrad::testing::all_close;
using xgrad::testing::randn;

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
