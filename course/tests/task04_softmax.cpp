// Task 4: the reductions' backwards and a numerically stable softmax, log-softmax and
// cross-entropy (docs/course.md#task-4). Gradient checks on random shapes along every
// axis, values worked by hand, and logits of ±1e4 that must stay finite.
#include "course_check.hpp"

#include <cmath>

using namespace xgrad;
using xgrad::course::close;
using xgrad::course::gradients;
using xgrad::course::normal;
using xgrad::course::random_shape;

namespace {

bool all_finite(const Array& a) {
    for (std::size_t i = 0; i < a.size(); ++i)
        if (!std::isfinite(a.data()[i])) return false;
    return true;
}

using Fn = std::function<Tensor(const std::vector<Tensor>&)>;
const Array kHuge = Array{{1e4f, 0.0f, -1e4f}};  // one row of logits, far apart

}  // namespace

TEST_SUITE("task04") {

TEST_CASE("sum and mean") {
    for (std::uint64_t seed : {31, 32, 33}) {
        const Shape shape = random_shape(seed);
        COURSE_GRADCHECK("sum backward: every element of x adds to the sum once, so each gets the same gradient g",
                         [](const std::vector<Tensor>& in) { return sum(in[0]); }, {normal(shape, seed)});
        COURSE_GRADCHECK("mean backward: like sum's, but each element counts 1/size of the mean",
                         [](const std::vector<Tensor>& in) { return mean(in[0]); }, {normal(shape, seed)});
    }
    const Array x = Array{{1, 2, 3}, {4, 5, 6}};
    COURSE_CHECK("sum backward: for sum(x), x (2, 3), every element of x.grad should be 1",
                 close(gradients([](const std::vector<Tensor>& in) { return sum(in[0]); }, {x})[0],
                       Array{{1, 1, 1}, {1, 1, 1}}));
    COURSE_CHECK("mean backward: for mean(x), x (2, 3), every element of x.grad should be 1/6",
                 close(gradients([](const std::vector<Tensor>& in) { return mean(in[0]); }, {x})[0],
                       Array{{1, 1, 1}, {1, 1, 1}} / 6.0f));
}

TEST_CASE("along an axis") {
    const Shape shape{2, 3, 4};
    for (std::ptrdiff_t axis : {0, 1, 2, -1})
        for (bool keepdims : {false, true}) {
            const std::string where = " along axis " + std::to_string(axis) + " of (2, 3, 4)" +
                                      (keepdims ? ", keepdims" : "");
            COURSE_GRADCHECK("sum backward" + where + ": g[o, i] should go to every x[o, k, i] (the same offsets as "
                             "the forward's sum_along)",
                             [axis, keepdims](const std::vector<Tensor>& in) { return sum(in[0], axis, keepdims); },
                             {normal(shape, 34)});
            COURSE_GRADCHECK("mean backward" + where + ": g[o, i] / n should go to every x[o, k, i]",
                             [axis, keepdims](const std::vector<Tensor>& in) { return mean(in[0], axis, keepdims); },
                             {normal(shape, 35)});
            COURSE_GRADCHECK("max backward" + where + ": only the maximal element of each row gets g; the others 0",
                             [axis, keepdims](const std::vector<Tensor>& in) { return max(in[0], axis, keepdims); },
                             {normal(shape, 36)});
        }
    const Fn row_max = [](const std::vector<Tensor>& in) { return max(in[0], 1, false); };
    COURSE_CHECK("max backward: max along axis 1 of [[1, 5, 2], [7, 0, 7]] should send the gradient to the 5 and "
                 "to the first 7 (the k argmax chose): [[0, 1, 0], [1, 0, 0]]",
                 close(gradients(row_max, {Array{{1, 5, 2}, {7, 0, 7}}})[0], Array{{0, 1, 0}, {1, 0, 0}}));
}

TEST_CASE("softmax") {
    for (std::ptrdiff_t axis : {-1, 0})
        COURSE_GRADCHECK("softmax backward along axis " + std::to_string(axis) +
                             ": dx = y ⊙ (g - Σ g ⊙ y), the sum taken over the same row as the forward's",
                         [axis](const std::vector<Tensor>& in) { return softmax(in[0], axis); },
                         {normal({3, 5}, 41)});
    COURSE_CHECK("softmax: three equal logits should give 1/3 each",
                 close(softmax(Tensor(Array{{2, 2, 2}})).value(), Array{{1.0f / 3, 1.0f / 3, 1.0f / 3}}));
    COURSE_CHECK("softmax: logits [1e4, 0, -1e4] should give [1, 0, 0], not NaN: e^1e4 overflows a float; subtract "
                 "the row's max before exponentiating (the result is the same)",
                 close(softmax(Tensor(kHuge)).value(), Array{{1, 0, 0}}));
    COURSE_CHECK("softmax backward: with logits [1e4, 0, -1e4] every gradient should be finite",
                 all_finite(gradients([](const std::vector<Tensor>& in) { return mul(softmax(in[0]), in[0]); },
                                      {kHuge})[0]));
}

TEST_CASE("log_softmax") {
    for (std::ptrdiff_t axis : {-1, 0})
        COURSE_GRADCHECK("log_softmax backward along axis " + std::to_string(axis) +
                             ": dx = g - softmax ⊙ Σ g over the row, and softmax = e^y",
                         [axis](const std::vector<Tensor>& in) { return log_softmax(in[0], axis); },
                         {normal({3, 5}, 42)});
    COURSE_CHECK("log_softmax: logits [1e4, 0, -1e4] should give [0, -1e4, -2e4] exactly: form x - m first, then "
                 "subtract log Σ e^(x - m) (never log of a softmax that rounded to 0)",
                 close(log_softmax(Tensor(kHuge)).value(), Array{{0.0f, -1e4f, -2e4f}}, 1e-6f));
    COURSE_CHECK("log_softmax: log_softmax of [0, ln 3] should be [-ln 4, ln 3 - ln 4]",
                 close(log_softmax(Tensor(Array{{0.0f, std::log(3.0f)}})).value(),
                       Array{{-std::log(4.0f), std::log(3.0f) - std::log(4.0f)}}));
}

TEST_CASE("cross_entropy") {
    const Indices labels{1, 0, 4};
    for (Reduction reduction : {Reduction::mean, Reduction::sum})
        COURSE_GRADCHECK("cross_entropy backward: dx = (softmax(x) - onehot(label)) · g, divided by N for the mean",
                         [labels, reduction](const std::vector<Tensor>& in) {
                             return cross_entropy(in[0], labels, reduction);
                         },
                         {normal({3, 5}, 43)});
    COURSE_CHECK("cross_entropy: ten equal logits should cost ln 10 = 2.302585 whatever the label",
                 close(cross_entropy(Tensor(xt::zeros<float>(Shape{1, 10})), Indices{3}).value(), Array(std::log(10.0f))));
    const Fn huge_loss = [](const std::vector<Tensor>& in) { return cross_entropy(in[0], Indices{2}); };
    COURSE_CHECK("cross_entropy: logits [1e4, 0, -1e4] with label 2 should cost 2e4, finite",
                 close(cross_entropy(Tensor(kHuge), Indices{2}).value(), Array(2e4f)));
    COURSE_CHECK("cross_entropy backward: logits [1e4, 0, -1e4] with label 2 should give [1, 0, -1] (softmax minus "
                 "the one-hot label row)",
                 close(gradients(huge_loss, {kHuge})[0], Array{{1, 0, -1}}));
    const Fn two_rows = [](const std::vector<Tensor>& in) { return cross_entropy(in[0], Indices{0, 1}); };
    COURSE_CHECK("cross_entropy backward: for two rows of equal logits [0, 0], labels 0 and 1, the mean's gradient "
                 "should be [[-1/4, 1/4], [1/4, -1/4]]: (softmax - onehot) / N",
                 close(gradients(two_rows, {Array{{0, 0}, {0, 0}}})[0], Array{{-0.25f, 0.25f}, {0.25f, -0.25f}}));
}

}  // TEST_SUITE
