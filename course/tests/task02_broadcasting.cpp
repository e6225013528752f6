// Task 2: sum_to, and the backward of a broadcast add and mul (docs/course.md#task-2).
// sum_to against a plain loop over g's elements; add and mul by gradient checks on
// broadcast pairs of shapes and by gradients worked by hand.
#include "course_check.hpp"

using namespace xgrad;
using xgrad::course::close;
using xgrad::course::column;
using xgrad::course::gradients;
using xgrad::course::normal;

namespace {

// sum_to the slow, obvious way: every element of g goes to the element of `shape`
// it was broadcast from (index i on a stretched axis of length 1 maps to 0).
Array sum_to_by_loop(const Array& g, const Shape& shape) {
    Array out = xt::zeros<float>(shape);
    const std::size_t rank = g.dimension(), extra = rank - shape.size();
    std::vector<std::size_t> idx(rank, 0);
    for (std::size_t flat = 0; flat < g.size(); ++flat) {
        std::size_t rest = flat, target = 0, stride = 1;
        for (std::size_t k = rank; k-- > 0;) {
            idx[k] = rest % g.shape()[k];
            rest /= g.shape()[k];
        }
        for (std::size_t k = rank; k-- > extra;) {
            const std::size_t d = shape[k - extra];
            target += (d == 1 ? 0 : idx[k]) * stride;
            stride *= d;
        }
        out.data()[target] += g.data()[flat];
    }
    return out;
}

Array counting(const Shape& shape) {  // 1, 2, 3, ... in that shape
    Array a = Array::from_shape(shape);
    for (std::size_t i = 0; i < a.size(); ++i) a.data()[i] = static_cast<float>(i + 1);
    return a;
}

// Pairs of shapes that broadcast: (a, b).
const std::vector<std::pair<Shape, Shape>> kPairs = {
    {{3, 4}, {4}}, {{4}, {3, 4}}, {{3, 1}, {1, 4}}, {{2, 3, 4}, {3, 1}}, {{2, 3}, {}}, {{3, 4}, {3, 4}}};

}  // namespace

TEST_SUITE("task02") {

TEST_CASE("sum_to") {
    const Array g = counting({2, 3});  // [[1, 2, 3], [4, 5, 6]]
    COURSE_CHECK("sum_to: g (2, 3) to (3,) should add the two rows: [5, 7, 9]", close(sum_to(g, {3}), Array{5, 7, 9}));
    COURSE_CHECK("sum_to: g (2, 3) to (1, 3) should add the two rows but keep the axis of length 1: [[5, 7, 9]]",
                 close(sum_to(g, {1, 3}), Array{{5, 7, 9}}));
    COURSE_CHECK("sum_to: g (2, 3) to (2, 1) should add along each row: [[6], [15]] (a stretched axis of length 1)",
                 close(sum_to(g, {2, 1}), column({6, 15})));
    COURSE_CHECK("sum_to: g (2, 3) to () (one number) should add everything: 21", close(sum_to(g, {}), Array(21.0f)));
    for (const auto& [from, to] : std::vector<std::pair<Shape, Shape>>{
             {{2, 3, 4}, {3, 1}}, {{2, 3, 4}, {1, 4}}, {{2, 3, 4}, {2, 1, 4}}, {{5, 1, 3}, {1, 1, 3}}, {{4, 5}, {4, 5}}}) {
        const Array big = counting(from);
        COURSE_CHECK("sum_to: g " + shape_str(from) + " to " + shape_str(to) +
                         " differs from a plain loop: each element of g should land on the element it was broadcast "
                         "from (leading axes that broadcasting added disappear, stretched axes of length 1 stay)",
                     close(sum_to(big, to), sum_to_by_loop(big, to)));
    }
}

TEST_CASE("add") {
    for (const auto& [as, bs] : kPairs)
        COURSE_GRADCHECK("add backward: gradient wrong for a " + shape_str(as) + " + b " + shape_str(bs) +
                             ": each input gets g, but summed back to that input's own shape",
                         [](const std::vector<Tensor>& in) { return add(in[0], in[1]); }, {normal(as, 1), normal(bs, 2)});
    const auto plus = [](const std::vector<Tensor>& in) { return add(in[0], in[1]); };
    const Array a = counting({3, 4}), b = Array{1, 2, 3, 4};
    COURSE_CHECK("add backward: for a (3, 4) + b (4,), b was used by 3 rows, so each element of b.grad should be 3",
                 close(gradients(plus, {a, b})[1], Array{3, 3, 3, 3}));
    COURSE_CHECK("add backward: for a (3, 4) + b (4,), every element of a.grad should be 1",
                 close(gradients(plus, {a, b})[0], xt::ones<float>(Shape{3, 4})));
}

TEST_CASE("mul") {
    for (const auto& [as, bs] : kPairs) {
        COURSE_GRADCHECK("mul backward: gradient wrong for a " + shape_str(as) + " * b " + shape_str(bs) +
                             ": da = g * b and db = g * a, each summed back to that input's own shape (sum_to)",
                         [](const std::vector<Tensor>& in) { return mul(in[0], in[1]); }, {normal(as, 1), normal(bs, 2)});
    }
    // a (3,) broadcast over the 2 rows of b (2, 3): da = column sums of b.
    const auto times = [](const std::vector<Tensor>& in) { return mul(in[0], in[1]); };
    const Array a = Array{1, 2, 3}, b = counting({2, 3});
    COURSE_CHECK("mul backward: gradient of a is wrong when a broadcasts over the rows of b: did you sum_to a's shape? "
                 "(a (3,) * b [[1, 2, 3], [4, 5, 6]]: a.grad should be the column sums [5, 7, 9])",
                 close(gradients(times, {a, b})[0], Array{5, 7, 9}));
    COURSE_CHECK("mul backward: gradient of b is wrong when a broadcasts over the rows of b: each row of b.grad "
                 "should be a = [1, 2, 3]",
                 close(gradients(times, {a, b})[1], Array{{1, 2, 3}, {1, 2, 3}}));
}

}  // TEST_SUITE
