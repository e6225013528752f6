// test_shape.cpp — shape notation, broadcasting rules and sum_to by hand.
#include "check.hpp"

using namespace xgrad;
using xgrad::testing::all_close;
using xgrad::testing::reshaped;

TEST_CASE("shape_str prints NumPy's notation") {
    CHECK(shape_str({}) == "()");
    CHECK(shape_str({4}) == "(4,)");
    CHECK(shape_str({64, 784}) == "(64, 784)");
}

TEST_CASE("broadcast_shape") {
    CHECK(broadcast_shape("op", {2, 3}, {3}) == Shape{2, 3});
    CHECK(broadcast_shape("op", {3, 1}, {1, 4}) == Shape{3, 4});
    CHECK(broadcast_shape("op", {}, {2, 3}) == Shape{2, 3});
    CHECK(broadcast_shape("op", {2, 1, 3, 1}, {4, 1, 5}) == Shape{2, 4, 3, 5});
    CHECK_THROWS_WITH_AS(broadcast_shape("add", {2, 3}, {4}), "add: shapes (2, 3) and (4,) cannot be broadcast",
                         ShapeError);
    CHECK_THROWS_WITH_AS(broadcast_shape("mul", {2, 3, 4}, {3, 5}),
                         "mul: shapes (2, 3, 4) and (3, 5) cannot be broadcast", ShapeError);
}

TEST_CASE("sum_to") {
    const Array g{{1.f, 2.f, 3.f}, {4.f, 5.f, 6.f}};
    SUBCASE("same shape is the identity") { CHECK(all_close(sum_to(g, {2, 3}), g)); }
    SUBCASE("prepended axis: (2, 3) -> (3,) sums rows") { CHECK(all_close(sum_to(g, {3}), Array{5.f, 7.f, 9.f})); }
    SUBCASE("stretched axis: (2, 3) -> (2, 1) sums columns") {
        CHECK(all_close(sum_to(g, {2, 1}), reshaped({6.f, 15.f}, {2, 1})));
    }
    SUBCASE("(2, 3) -> (1, 3)") { CHECK(all_close(sum_to(g, {1, 3}), Array{{5.f, 7.f, 9.f}})); }
    SUBCASE("to a scalar") { CHECK(all_close(sum_to(g, {}), Array(21.f))); }
    SUBCASE("rank 4: (2, 2, 1, 3) -> (2, 1, 1)") {
        Array h = xt::ones<float>({2, 2, 1, 3});
        // each target element gathers 2 (axis 0) · 3 (last axis) = 6 ones
        CHECK(all_close(sum_to(h, {2, 1, 1}), reshaped({6.f, 6.f}, {2, 1, 1})));
    }
}

TEST_CASE("normalize_axis") {
    CHECK(normalize_axis("sum", -1, {2, 3}) == 1);
    CHECK(normalize_axis("sum", 0, {2, 3}) == 0);
    CHECK_THROWS_WITH_AS(normalize_axis("sum", 2, {2, 3}), "sum: axis 2 out of range for shape (2, 3)", ShapeError);
    CHECK_THROWS_WITH_AS(normalize_axis("sum", -3, {2, 3}), "sum: axis -3 out of range for shape (2, 3)",
                         ShapeError);
}
