// test_ops_pool.cpp — max_pool2d, avg_pool2d and upsample_nearest2d: small cases
// worked by hand, forwards against plain reference loops written here (−∞ or zero
// padding spelled out), the tie rule of max pooling, gradient checks on odd shapes
// (non-square, padding, stride ≠ kernel, overlapping windows), and every error message.
#include "check.hpp"

#include <cmath>
#include <limits>
#include <vector>

using namespace xgrad;
using xgrad::testing::all_close;
using xgrad::testing::randn;

namespace {
using Fn = std::function<Tensor(const std::vector<Tensor>&)>;

// 1, 2, 3, ... in row-major order, with the given shape.
Array counting(const Shape& shape) {
    Array a = Array::from_shape(shape);
    for (std::size_t i = 0; i < a.size(); ++i) a.data()[i] = static_cast<float>(i + 1);
    return a;
}

// Distinct values 0.1 apart in a scrambled order (37 and the size share no factor):
// no window holds a tie, and gradcheck's ±0.01 steps never change which element is largest.
Tensor scrambled(const Shape& shape) {
    Array a = Array::from_shape(shape);
    const std::size_t n = a.size();
    REQUIRE(n % 37 != 0);
    for (std::size_t i = 0; i < n; ++i) a.data()[i] = 0.1f * static_cast<float>((i * 37) % n) - 0.05f * n;
    return Tensor(a);
}

// Pooling written out plainly: every output element visits its window, taps in the
// padding read `pad_value` (−∞ for max, 0 for average), and reduces with max or mean.
Array reference_pool(const Array& x, Size2 k, Size2 s, Size2 p, bool is_max) {
    const std::size_t N = x.shape()[0], C = x.shape()[1], H = x.shape()[2], W = x.shape()[3];
    const std::size_t OH = (H + 2 * p.h - k.h) / s.h + 1, OW = (W + 2 * p.w - k.w) / s.w + 1;
    const float pad_value = is_max ? -std::numeric_limits<float>::infinity() : 0.0f;
    Array out = Array::from_shape({N, C, OH, OW});
    for (std::size_t n = 0; n < N; ++n)
        for (std::size_t c = 0; c < C; ++c)
            for (std::size_t oh = 0; oh < OH; ++oh)
                for (std::size_t ow = 0; ow < OW; ++ow) {
                    float acc = is_max ? pad_value : 0.0f;
                    for (std::size_t i = 0; i < k.h; ++i)
                        for (std::size_t j = 0; j < k.w; ++j) {
                            const long h = static_cast<long>(oh * s.h + i) - static_cast<long>(p.h);
                            const long w = static_cast<long>(ow * s.w + j) - static_cast<long>(p.w);
                            const bool inside =
                                h >= 0 && w >= 0 && h < static_cast<long>(H) && w < static_cast<long>(W);
                            const float v = inside ? x(n, c, h, w) : pad_value;
                            acc = is_max ? std::max(acc, v) : acc + v;
                        }
                    out(n, c, oh, ow) = is_max ? acc : acc / static_cast<float>(k.h * k.w);
                }
    return out;
}

// dx of op(x) for the seed g.
Array grad_of(const std::function<Tensor(const Tensor&)>& op, const Array& x, const Array& g) {
    Tensor t(x, true);
    backward(op(t), g);
    return t.grad();
}
}  // namespace

TEST_CASE("max_pool2d") {
    SUBCASE("2 × 2 windows side by side on a 4 × 4 image, by hand") {
        // 1  2  3  4
        // 5  6  7  8      the maxima are the bottom-right corners: 6, 8, 14, 16,
        // 9 10 11 12      and only they receive a gradient
        // 13 14 15 16
        const Array x = counting({1, 1, 4, 4});
        Tensor y = max_pool2d(Tensor(x), 2);
        CHECK(y.value() == Array{{{{6, 8}, {14, 16}}}});
        const Array dx = grad_of([](const Tensor& t) { return max_pool2d(t, 2); }, x, Array{{{{1, 2}, {3, 4}}}});
        CHECK(dx == Array{{{{0, 0, 0, 0}, {0, 1, 0, 2}, {0, 0, 0, 0}, {0, 3, 0, 4}}}});
    }
    SUBCASE("overlapping windows: an element that is the maximum of several windows gets each one's gradient") {
        // x = [[1, 2, 0], [0, 9, 0], [3, 0, 4]], kernel 2, stride 1: 9 is the maximum of all four windows
        const Array x{{{{1, 2, 0}, {0, 9, 0}, {3, 0, 4}}}};
        CHECK(max_pool2d(Tensor(x), 2, 1).value() == Array{{{{9, 9}, {9, 9}}}});
        const auto pool = [](const Tensor& t) { return max_pool2d(t, 2, 1); };
        const Array dx = grad_of(pool, x, Array{{{{1, 10}, {100, 1000}}}});
        CHECK(dx == Array{{{{0, 0, 0}, {0, 1111, 0}, {0, 0, 0}}}});
    }
    SUBCASE("padding counts as −∞: on a negative image the maximum is never the padding's 0") {
        // x = −1 … −9 (3 × 3), kernel 3, stride 2, padding 1: windows centred on the corners, each
        // holding the 2 × 2 block of the image at that corner (zero padding would give 0 everywhere)
        const Array x = -counting({1, 1, 3, 3});
        // the largest of each block is its top-left pixel
        CHECK(max_pool2d(Tensor(x), 3, 2, 1).value() == Array{{{{-1, -2}, {-4, -5}}}});
        CHECK(all_close(max_pool2d(Tensor(x), 3, 2, 1).value(), reference_pool(x, 3, 2, 1, true)));
    }
    SUBCASE("ties: the first maximal element in row-major window order gets the whole gradient") {
        const auto pool = [](const Tensor& t) { return max_pool2d(t, 2); };
        const Array seed = xt::ones<float>({1, 1, 1, 1});
        CHECK(grad_of(pool, Array{{{{1, 1}, {1, 1}}}}, seed) == Array{{{{1, 0}, {0, 0}}}});
        CHECK(grad_of(pool, Array{{{{0, 5}, {5, 0}}}}, seed) == Array{{{{0, 1}, {0, 0}}}});
        CHECK(grad_of(pool, Array{{{{0, 2}, {7, 7}}}}, seed) == Array{{{{0, 0}, {1, 0}}}});
        // a NaN counts as the largest, so it is not hidden
        Tensor y = max_pool2d(Tensor(Array{{{{1, NAN}, {5, 0}}}}), 2);
        CHECK(std::isnan(y.value()(0, 0, 0, 0)));
    }
    SUBCASE("against the reference loop on odd shapes") {
        const Array x = randn({2, 3, 7, 5}, 11).value();
        CHECK(all_close(max_pool2d(Tensor(x), {3, 2}, {2, 1}, {1, 0}).value(),
                        reference_pool(x, {3, 2}, {2, 1}, {1, 0}, true)));
        CHECK(all_close(max_pool2d(Tensor(x), 3, 2, 1).value(), reference_pool(x, 3, 2, 1, true)));
        CHECK(all_close(max_pool2d(Tensor(x), {1, 5}).value(), reference_pool(x, {1, 5}, {1, 5}, 0, true)));
        CHECK(max_pool2d(Tensor(x), {3, 2}, {2, 1}, {1, 0}).shape() == Shape{2, 3, 4, 4});
    }
    SUBCASE("gradcheck on odd shapes (inputs without ties)") {
        Fn overlapping = [](const std::vector<Tensor>& t) { return max_pool2d(t[0], {3, 2}, {2, 1}, {1, 1}); };
        CHECK_GRADCHECK(overlapping, {scrambled({2, 3, 5, 4})});
        Fn side_by_side = [](const std::vector<Tensor>& t) { return max_pool2d(t[0], {2, 3}); };
        CHECK_GRADCHECK(side_by_side, {scrambled({1, 2, 5, 7})});
        Fn gaps = [](const std::vector<Tensor>& t) { return max_pool2d(t[0], 2, 3); };  // stride > kernel
        CHECK_GRADCHECK(gaps, {scrambled({3, 1, 7, 8})});
    }
}

TEST_CASE("avg_pool2d") {
    SUBCASE("2 × 2 windows side by side on a 4 × 4 image, by hand") {
        // window means: (1 + 2 + 5 + 6) / 4 = 3.5, 5.5, 11.5, 13.5; each pixel gets g / 4
        const Array x = counting({1, 1, 4, 4});
        CHECK(avg_pool2d(Tensor(x), 2).value() == Array{{{{3.5f, 5.5f}, {11.5f, 13.5f}}}});
        const Array dx = grad_of([](const Tensor& t) { return avg_pool2d(t, 2); }, x, Array{{{{4, 8}, {12, 16}}}});
        CHECK(dx == Array{{{{1, 1, 2, 2}, {1, 1, 2, 2}, {3, 3, 4, 4}, {3, 3, 4, 4}}}});
    }
    SUBCASE("overlapping windows: each pixel gets g / 4 from every window it sits in") {
        const auto pool = [](const Tensor& t) { return avg_pool2d(t, 2, 1); };
        const Array dx = grad_of(pool, xt::ones<float>({1, 1, 3, 3}), xt::ones<float>({1, 1, 2, 2}));
        CHECK(dx == Array{{{{0.25f, 0.5f, 0.25f}, {0.5f, 1.0f, 0.5f}, {0.25f, 0.5f, 0.25f}}}});
    }
    SUBCASE("padding counts as zeros and every window divides by kh·kw (count_include_pad)") {
        // a 2 × 2 image of ones, kernel 3, stride 1, padding 1: each window holds the 4 ones and 5 zeros
        Tensor y = avg_pool2d(Tensor(xt::ones<float>({1, 1, 2, 2})), 3, 1, 1);
        CHECK(all_close(y.value(), xt::full_like(Array::from_shape({1, 1, 2, 2}), 4.0f / 9.0f)));
    }
    SUBCASE("against the reference loop on odd shapes") {
        const Array x = randn({2, 3, 7, 5}, 12).value();
        CHECK(all_close(avg_pool2d(Tensor(x), {3, 2}, {2, 1}, {1, 0}).value(),
                        reference_pool(x, {3, 2}, {2, 1}, {1, 0}, false)));
        CHECK(all_close(avg_pool2d(Tensor(x), 3, 2, 1).value(), reference_pool(x, 3, 2, 1, false)));
        CHECK(all_close(avg_pool2d(Tensor(x), {1, 5}).value(), reference_pool(x, {1, 5}, {1, 5}, 0, false)));
    }
    SUBCASE("gradcheck on odd shapes") {
        Fn overlapping = [](const std::vector<Tensor>& t) { return avg_pool2d(t[0], {3, 2}, {2, 1}, {1, 1}); };
        CHECK_GRADCHECK(overlapping, {randn({2, 3, 5, 4}, 13)});
        Fn gaps = [](const std::vector<Tensor>& t) { return avg_pool2d(t[0], {2, 1}, {3, 2}); };
        CHECK_GRADCHECK(gaps, {randn({1, 2, 7, 5}, 14)});
    }
}

TEST_CASE("upsample_nearest2d") {
    SUBCASE("each pixel becomes an sh × sw block, by hand") {
        Tensor y = upsample_nearest2d(Tensor(Array{{{{1, 2}, {3, 4}}}}), {2, 3});
        CHECK(y.value() == Array{{{{1, 1, 1, 2, 2, 2}, {1, 1, 1, 2, 2, 2}, {3, 3, 3, 4, 4, 4}, {3, 3, 3, 4, 4, 4}}}});
    }
    SUBCASE("the backward is the sum of g over each block") {
        // g = 1 … 24 (4 × 6); the top-left block holds 1, 2, 3, 7, 8, 9 → 30, the bottom-right
        // block 16, 17, 18, 22, 23, 24 → 120
        const Array g = counting({1, 1, 4, 6});
        const Array dx = grad_of([](const Tensor& t) { return upsample_nearest2d(t, {2, 3}); },
                                 xt::zeros<float>({1, 1, 2, 2}), g);
        CHECK(dx == Array{{{{30, 48}, {102, 120}}}});
    }
    SUBCASE("scale 1 is the identity") {
        const Array x = randn({2, 3, 4, 5}, 15).value();
        CHECK(upsample_nearest2d(Tensor(x), 1).value() == x);
    }
    SUBCASE("gradcheck on odd shapes") {
        Fn f = [](const std::vector<Tensor>& t) { return upsample_nearest2d(t[0], {3, 2}); };
        CHECK_GRADCHECK(f, {randn({2, 3, 2, 3}, 16)});
    }
}

TEST_CASE("pooling errors") {
    Tensor image(Array::from_shape({1, 1, 2, 2}));
    Tensor flat(Array::from_shape({3, 4}));
    CHECK_THROWS_WITH_AS(max_pool2d(flat, 2), "max_pool2d: input (3, 4) must be 4-D (N, C, H, W)", ShapeError);
    CHECK_THROWS_WITH_AS(avg_pool2d(flat, 2), "avg_pool2d: input (3, 4) must be 4-D (N, C, H, W)", ShapeError);
    CHECK_THROWS_WITH_AS(upsample_nearest2d(flat, 2), "upsample_nearest2d: input (3, 4) must be 4-D (N, C, H, W)",
                         ShapeError);
    CHECK_THROWS_WITH_AS(max_pool2d(image, {0, 2}), "max_pool2d: kernel (0, 2) must be positive",
                         std::invalid_argument);
    CHECK_THROWS_WITH_AS(avg_pool2d(image, 2, {1, 0}), "avg_pool2d: stride (1, 0) must be positive",
                         std::invalid_argument);
    CHECK_THROWS_WITH_AS(max_pool2d(image, 3, 1, 2), "max_pool2d: padding (2, 2) must be at most half of kernel (3, 3)",
                         std::invalid_argument);
    CHECK_THROWS_WITH_AS(avg_pool2d(image, {2, 3}, 1, {1, 2}),
                         "avg_pool2d: padding (1, 2) must be at most half of kernel (2, 3)", std::invalid_argument);
    CHECK_THROWS_WITH_AS(max_pool2d(image, 3),
                         "max_pool2d: kernel (3, 3) does not fit input (1, 1, 2, 2) padded by (0, 0)", ShapeError);
    CHECK_THROWS_WITH_AS(avg_pool2d(image, {1, 5}, 1, {0, 1}),
                         "avg_pool2d: kernel (1, 5) does not fit input (1, 1, 2, 2) padded by (0, 1)", ShapeError);
    CHECK_THROWS_WITH_AS(max_pool2d(Tensor(Array::from_shape({1, 1, 0, 2})), 2, 1, 1),
                         "max_pool2d: input (1, 1, 0, 2) has an empty image (H or W is 0)", ShapeError);
    CHECK_THROWS_WITH_AS(upsample_nearest2d(image, {0, 2}), "upsample_nearest2d: scale (0, 2) must be positive",
                         std::invalid_argument);
    // at the limits: padding = kernel / 2 and a window as large as the padded image are fine
    CHECK(max_pool2d(image, 3, 1, 1).shape() == Shape{1, 1, 2, 2});
    CHECK(avg_pool2d(image, {2, 4}, 1, {0, 1}).shape() == Shape{1, 1, 1, 1});
}
