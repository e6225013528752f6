// test_ops_conv.cpp — im2col/col2im (by hand, and col2im as im2col's adjoint),
// conv2d (by hand, against the nested-loop conv2d_reference on odd shapes,
// gradient checks), conv_transpose2d (by hand, gradient checks, and as exactly the
// input gradient of conv2d), and every argument error's message.
#include "check.hpp"

#include <algorithm>
#include <string>
#include <vector>

#include "autodiff/kernels.hpp"

using namespace xgrad;
using xgrad::testing::all_close;
using xgrad::testing::randn;

namespace {

using Fn = std::function<Tensor(const std::vector<Tensor>&)>;

// x[j] = j + 1 in row-major order.
Array count_from_1(const Shape& shape) {
    Array a = Array::from_shape(shape);
    for (std::size_t j = 0; j < a.size(); ++j) a.data()[j] = static_cast<float>(j + 1);
    return a;
}

Array shaped(Array values, const Shape& shape) {
    values.reshape(shape);
    return values;
}

// Σ_i a_i b_i in double.
double dot(const Array& a, const Array& b) {
    double s = 0.0;
    for (std::size_t i = 0; i < a.size(); ++i) s += static_cast<double>(a.data()[i]) * b.data()[i];
    return s;
}

// One convolution's shapes and arguments.
struct Case {
    std::size_t N, C, H, W, O;
    Size2 kernel, stride, padding, dilation;
};

// The odd shapes conv2d is compared with the reference on.
const std::vector<Case> cases = {
    {2, 3, 7, 5, 4, {3, 2}, 1, 0, 1},            // plain, non-square kernel and image
    {2, 2, 8, 8, 3, 3, 2, 1, 1},                 // kernel larger than stride, padding
    {1, 1, 6, 9, 1, {2, 4}, {2, 3}, {1, 0}, 1},  // N = C = O = 1, non-square stride and padding
    {3, 2, 9, 7, 2, 3, 1, 2, 2},                 // dilation 2, padding larger than 1
    {2, 3, 10, 11, 5, 2, 3, 1, {2, 1}},          // stride 3, dilation on one axis
    {1, 4, 3, 3, 2, 5, 1, 1, 1},                 // kernel larger than the image: only padding makes it fit
    {2, 1, 5, 5, 3, 1, 2, 0, 1},                 // 1x1 kernel, stride 2
};

std::string describe(const Case& c) {
    return "x " + shape_str({c.N, c.C, c.H, c.W}) + ", kernel " + size2_str(c.kernel) + ", stride " +
           size2_str(c.stride) + ", padding " + size2_str(c.padding) + ", dilation " + size2_str(c.dilation);
}

// The output_padding that makes conv_transpose2d give back conv2d's input size:
// the rows a strided conv2d leaves unread at the bottom, (H + 2p − d (k − 1) − 1) mod s.
Size2 leftover(const Case& c) {
    return {(c.H + 2 * c.padding.h - c.dilation.h * (c.kernel.h - 1) - 1) % c.stride.h,
            (c.W + 2 * c.padding.w - c.dilation.w * (c.kernel.w - 1) - 1) % c.stride.w};
}

}  // namespace

TEST_CASE("im2col and col2im") {
    using kernels::Window2d;
    const Array x = count_from_1({1, 3, 3});  // [[1, 2, 3], [4, 5, 6], [7, 8, 9]]

    SUBCASE("by hand: 2x2 kernel, stride 1") {
        const Window2d win{1, 3, 3, 2, 1, 0, 1};
        REQUIRE(win.col_rows() == 4);
        REQUIRE(win.col_cols() == 4);
        Array cols = Array::from_shape({4, 4});
        kernels::im2col(x.data(), win, cols.data());
        // Row (i, j) holds tap (i, j) of the windows at (0, 0), (0, 1), (1, 0), (1, 1).
        CHECK(cols == Array{{1, 2, 4, 5}, {2, 3, 5, 6}, {4, 5, 7, 8}, {5, 6, 8, 9}});
        // col2im of ones counts the windows each pixel is in.
        Array ones = Array::from_shape({4, 4});
        ones.fill(1.0f);
        Array counts = Array::from_shape({1, 3, 3});
        counts.fill(0.0f);
        kernels::col2im(ones.data(), win, counts.data());
        CHECK(counts == shaped(Array{{1, 2, 1}, {2, 4, 2}, {1, 2, 1}}, {1, 3, 3}));
    }
    SUBCASE("by hand: 2x2 kernel, stride 2, padding 1") {
        // The padded image is 5x5; the windows start at rows and columns −1 and 1.
        const Window2d win{1, 3, 3, 2, 2, 1, 1};
        REQUIRE(win.out_h() == 2);
        REQUIRE(win.out_w() == 2);
        Array cols = Array::from_shape({4, 4});
        kernels::im2col(x.data(), win, cols.data());
        CHECK(cols == Array{{0, 0, 0, 5}, {0, 0, 4, 6}, {0, 2, 0, 8}, {1, 3, 7, 9}});
        // These windows tile the image: col2im puts each entry back where it came
        // from, and drops the zeros that were padding.
        Array back = Array::from_shape({1, 3, 3});
        back.fill(0.0f);
        kernels::col2im(cols.data(), win, back.data());
        CHECK(back == x);
    }
    SUBCASE("col2im is the adjoint of im2col: <im2col(x), c> = <x, col2im(c)>") {
        const Window2d win{2, 5, 6, {3, 2}, {2, 1}, {1, 2}, {1, 2}};
        const Array xr = randn({2, 5, 6}, 1).value();
        const Array c = randn({win.col_rows(), win.col_cols()}, 2).value();
        Array cols = Array::from_shape({win.col_rows(), win.col_cols()});
        kernels::im2col(xr.data(), win, cols.data());
        Array back = Array::from_shape({2, 5, 6});
        back.fill(0.0f);
        kernels::col2im(c.data(), win, back.data());
        CHECK(dot(cols, c) == doctest::Approx(dot(xr, back)).epsilon(1e-5));
    }
    SUBCASE("the strided versions: two images side by side, rows 2·OH·OW apart") {
        const Window2d win{1, 3, 3, 2, 2, 1, 1};  // the stride-2 case above: 4 rows of 4 columns
        const Array x2 = Array{{{9, 8, 7}, {6, 5, 4}, {3, 2, 1}}};
        Array wide = Array::from_shape({4, 8});
        kernels::im2col_strided(x.data(), win, wide.data(), 8);
        kernels::im2col_strided(x2.data(), win, wide.data() + 4, 8);
        CHECK(wide == Array{{0, 0, 0, 5, 0, 0, 0, 5},
                            {0, 0, 4, 6, 0, 0, 6, 4},
                            {0, 2, 0, 8, 0, 8, 0, 2},
                            {1, 3, 7, 9, 9, 7, 3, 1}});
        Array back = Array::from_shape({1, 3, 3}), back2 = Array::from_shape({1, 3, 3});
        back.fill(0.0f);
        back2.fill(0.0f);
        kernels::col2im_strided(wide.data(), win, back.data(), 8);
        kernels::col2im_strided(wide.data() + 4, win, back2.data(), 8);
        CHECK(back == x);
        CHECK(back2 == x2);
    }
    SUBCASE("every window shape: im2col entry by entry as the formula in kernels.hpp says") {
        // Among them the "same" windows (stride 1, output as large as the image) that
        // im2col copies as one block per row of cols, and a 3x3 whose padding is wider
        // than the kernel reaches (every row of cols partly or wholly padding).
        const std::vector<Window2d> windows = {
            {2, 5, 6, 3, 1, 1, 1}, {3, 7, 4, 5, 1, 2, 1}, {2, 6, 5, 3, 1, 2, 2}, {1, 4, 4, 3, 1, 3, 1},
            {2, 7, 6, {4, 3}, {2, 1}, 1, 1}, {2, 8, 7, 3, {1, 3}, {2, 0}, {1, 2}}};
        for (std::size_t w = 0; w < windows.size(); ++w) {
            CAPTURE(w);
            const Window2d& win = windows[w];
            const Array xr = randn({win.channels, win.height, win.width}, 3).value();
            Array cols = Array::from_shape({win.col_rows(), win.col_cols()});
            cols.fill(7.0f);  // every entry must be written
            kernels::im2col(xr.data(), win, cols.data());
            std::size_t wrong = 0;
            for (std::size_t c = 0, r = 0; c < win.channels; ++c)
                for (std::size_t i = 0; i < win.kernel.h; ++i)
                    for (std::size_t j = 0; j < win.kernel.w; ++j, ++r)
                        for (std::size_t oh = 0; oh < win.out_h(); ++oh)
                            for (std::size_t ow = 0; ow < win.out_w(); ++ow) {
                                const auto ih = static_cast<std::ptrdiff_t>(oh * win.stride.h + i * win.dilation.h) -
                                                static_cast<std::ptrdiff_t>(win.padding.h);
                                const auto iw = static_cast<std::ptrdiff_t>(ow * win.stride.w + j * win.dilation.w) -
                                                static_cast<std::ptrdiff_t>(win.padding.w);
                                const bool inside = ih >= 0 && ih < static_cast<std::ptrdiff_t>(win.height) &&
                                                    iw >= 0 && iw < static_cast<std::ptrdiff_t>(win.width);
                                const float want = inside ? xr(c, std::size_t(ih), std::size_t(iw)) : 0.0f;
                                wrong += cols(r, oh * win.out_w() + ow) != want;
                            }
            CHECK(wrong == 0);
        }
    }
    SUBCASE("col2im_outer adds exactly the floats col2im of the product matrix adds") {
        for (const Window2d& win : {Window2d{3, 6, 5, 3, 1, 1, 1}, Window2d{2, 7, 6, 4, 2, 1, 1}}) {
            const std::size_t K = win.col_rows(), P = win.col_cols();
            const Array a = randn({K}, 4).value(), b = randn({P}, 5).value();
            Array product = Array::from_shape({K, P});  // a · bᵀ, each entry one rounded product
            for (std::size_t k = 0; k < K; ++k)
                for (std::size_t q = 0; q < P; ++q) product(k, q) = a(k) * b(q);
            const Array start = randn({win.channels, win.height, win.width}, 6).value();
            Array via_matrix = start, direct = start;
            kernels::col2im(product.data(), win, via_matrix.data());
            kernels::col2im_outer(a.data(), b.data(), win, direct.data());
            CHECK(direct == via_matrix);  // equal to the last bit, not just close
        }
    }
}

TEST_CASE("conv2d by hand") {
    // x = [[1, 2, 3], [4, 5, 6], [7, 8, 9]], w = [[1, 2], [3, 4]], b = 0.5:
    //   y[0, 0] = 1·1 + 2·2 + 4·3 + 5·4 + 0.5 = 37.5    y[0, 1] = 2 + 6 + 15 + 24 + 0.5 = 47.5
    //   y[1, 0] = 4 + 10 + 21 + 32 + 0.5 = 67.5         y[1, 1] = 5 + 12 + 24 + 36 + 0.5 = 77.5
    Tensor x(count_from_1({1, 1, 3, 3}), true);
    Tensor w(shaped(Array{{1, 2}, {3, 4}}, {1, 1, 2, 2}), true);
    Tensor b(Array{0.5f}, true);
    Tensor y = conv2d(x, w, b);
    CHECK(y.value() == shaped(Array{{37.5f, 47.5f}, {67.5f, 77.5f}}, {1, 1, 2, 2}));
    CHECK(conv2d_reference(x.value(), w.value(), b.value()) == y.value());

    // With g = 1 everywhere: dW[i, j] = the sum of the pixels tap (i, j) saw,
    // dx = the sum of the weights that touched each pixel, db = the number of outputs.
    Array seed = Array::from_shape({1, 1, 2, 2});
    seed.fill(1.0f);
    backward(y, seed);
    CHECK(w.grad() == shaped(Array{{12, 16}, {24, 28}}, {1, 1, 2, 2}));
    CHECK(x.grad() == shaped(Array{{1, 3, 2}, {4, 10, 6}, {3, 7, 4}}, {1, 1, 3, 3}));
    CHECK(b.grad() == Array{4.0f});
}

TEST_CASE("conv2d against conv2d_reference") {
    SUBCASE("odd shapes, with and without a bias") {
        std::uint64_t seed = 100;
        for (const Case& c : cases) {
            CAPTURE(describe(c));
            const Tensor x = randn({c.N, c.C, c.H, c.W}, seed++);
            const Tensor w = randn({c.O, c.C, c.kernel.h, c.kernel.w}, seed++);
            const Tensor b = randn({c.O}, seed++);
            const Array with_bias = conv2d_reference(x.value(), w.value(), b.value(), c.stride, c.padding, c.dilation);
            CHECK(with_bias.shape() ==
                  Shape{c.N, c.O, (c.H + 2 * c.padding.h - c.dilation.h * (c.kernel.h - 1) - 1) / c.stride.h + 1,
                        (c.W + 2 * c.padding.w - c.dilation.w * (c.kernel.w - 1) - 1) / c.stride.w + 1});
            CHECK(all_close(conv2d(x, w, b, c.stride, c.padding, c.dilation).value(), with_bias, 1e-5f));
            const Array no_bias = conv2d_reference(x.value(), w.value(), Array(), c.stride, c.padding, c.dilation);
            CHECK(all_close(conv2d(x, w, Tensor(), c.stride, c.padding, c.dilation).value(), no_bias, 1e-5f));
        }
    }
    SUBCASE("an empty batch gives an empty output") {
        Tensor y = conv2d(Tensor(Array::from_shape({0, 2, 5, 5})), randn({3, 2, 3, 3}));
        CHECK(y.shape() == Shape{0, 3, 3, 3});
    }
}

TEST_CASE("conv2d in groups of 16 images") {
    // C·kh·kw = 16·4·4 = 256, so conv2d multiplies 16 images per sgemm
    // (conv2d_group); N = 18 leaves a short last group of 2. Each image alone
    // (N = 1) is one image per sgemm: values and gradients must agree.
    const std::size_t N = 18, C = 16, O = 3, H = 6, W = 7;
    const Array xv = randn({N, C, H, W}, 40).value(), wv = randn({O, C, 4, 4}, 41).value();
    const Array bv = randn({O}, 42).value();
    Tensor x(xv, true), w(wv, true), b(bv, true);
    Tensor y = conv2d(x, w, b, 2, 1, 1);
    CHECK(all_close(y.value(), conv2d_reference(xv, wv, bv, 2, 1, 1), 1e-4f));
    const Array g = randn(y.shape(), 43).value();
    backward(y, g);

    Tensor w1(wv, true), b1(bv, true);  // their gradients add up over the N single-image runs
    const std::size_t image = C * H * W, out = g.size() / N;
    for (std::size_t n = 0; n < N; ++n) {
        CAPTURE(n);
        Array xn = Array::from_shape({1, C, H, W}), gn = Array::from_shape({1, O, y.shape()[2], y.shape()[3]});
        std::copy_n(xv.data() + n * image, image, xn.data());
        std::copy_n(g.data() + n * out, out, gn.data());
        Tensor xt(xn, true);
        backward(conv2d(xt, w1, b1, 2, 1, 1), gn);
        Array dxn = Array::from_shape({1, C, H, W});
        std::copy_n(x.grad().data() + n * image, image, dxn.data());
        CHECK(all_close(dxn, xt.grad(), 1e-4f));
    }
    CHECK(all_close(w.grad(), w1.grad(), 1e-4f));
    CHECK(all_close(b.grad(), b1.grad(), 1e-4f));
}

TEST_CASE("conv2d gradients") {
    SUBCASE("gradcheck w.r.t. x, w and b") {
        Fn f = [](const std::vector<Tensor>& t) { return conv2d(t[0], t[1], t[2], {2, 1}, {1, 0}, {1, 2}); };
        CHECK_GRADCHECK(f, {randn({2, 3, 5, 4}, 1), randn({2, 3, 3, 2}, 2), randn({2}, 3)});
    }
    SUBCASE("gradcheck without a bias, kernel larger than stride, padding 2") {
        Fn f = [](const std::vector<Tensor>& t) { return conv2d(t[0], t[1], Tensor(), 2, 2, 1); };
        CHECK_GRADCHECK(f, {randn({1, 2, 6, 5}, 4), randn({3, 2, 3, 3}, 5)});
    }
    SUBCASE("gradcheck with C = O = 1, stride 3, dilation 2") {
        Fn f = [](const std::vector<Tensor>& t) { return conv2d(t[0], t[1], t[2], 3, 1, 2); };
        CHECK_GRADCHECK(f, {randn({2, 1, 7, 8}, 6), randn({1, 1, 2, 3}, 7), randn({1}, 8)});
    }
    SUBCASE("a constant x or a constant w: the other gradients are unchanged") {
        const Array xv = randn({2, 3, 5, 6}, 9).value(), wv = randn({4, 3, 2, 3}, 10).value();
        const Array bv = randn({4}, 11).value(), g = randn({2, 4, 3, 3}, 12).value();
        auto run = [&](bool x_grad, bool w_grad) {
            Tensor x(xv, x_grad), w(wv, w_grad), b(bv, true);
            backward(conv2d(x, w, b, 2, 1, 1), g);
            return std::vector<Tensor>{x, w, b};
        };
        const auto all = run(true, true), no_x = run(false, true), no_w = run(true, false);
        CHECK_FALSE(no_x[0].has_grad());
        CHECK_FALSE(no_w[1].has_grad());
        CHECK(no_x[1].grad() == all[1].grad());
        CHECK(no_w[0].grad() == all[0].grad());
        CHECK(no_x[2].grad() == all[2].grad());
    }
}

TEST_CASE("conv_transpose2d by hand") {
    // Each input pixel adds a copy of the kernel, scaled by the pixel, at its place
    // in the output: x = [[1, 2], [3, 4]], w = [[1, 10], [100, 1000]].
    Tensor x(count_from_1({1, 1, 2, 2}), true);
    Tensor w(shaped(Array{{1, 10}, {100, 1000}}, {1, 1, 2, 2}), true);
    SUBCASE("stride 2: the copies sit side by side") {
        Tensor y = conv_transpose2d(x, w, Tensor(), 2);
        CHECK(y.value() == shaped(Array{{1, 10, 2, 20}, {100, 1000, 200, 2000}, {3, 30, 4, 40},
                                        {300, 3000, 400, 4000}},
                                  {1, 1, 4, 4}));
    }
    SUBCASE("stride 1: the copies overlap and add; a bias is added everywhere") {
        Tensor b(Array{0.5f}, true);
        Tensor y = conv_transpose2d(x, w, b);
        CHECK(y.value() == shaped(Array{{1.5f, 12.5f, 20.5f}, {103.5f, 1234.5f, 2040.5f}, {300.5f, 3400.5f, 4000.5f}},
                                  {1, 1, 3, 3}));
        // g = 1: dx[a, b] = Σ w = 1111 for every pixel (each copy lands whole); dW[i, j] = Σ x = 10.
        Array seed = Array::from_shape({1, 1, 3, 3});
        seed.fill(1.0f);
        backward(y, seed);
        CHECK(x.grad() == shaped(Array{{1111, 1111}, {1111, 1111}}, {1, 1, 2, 2}));
        CHECK(w.grad() == shaped(Array{{10, 10}, {10, 10}}, {1, 1, 2, 2}));
        CHECK(b.grad() == Array{9.0f});
    }
    SUBCASE("padding 1 crops one row and column from each side; output_padding 1 adds one back") {
        // Stride 2 output [[1, 10, 2, 20], [100, 1000, 200, 2000], [3, 30, 4, 40], [300, 3000, 400, 4000]]
        // without its border is [[1000, 200], [30, 4]]; with output_padding 1 the bottom row
        // and right column it would have cropped come back: [[1000, 200, 2000], [30, 4, 40], [3000, 400, 4000]].
        CHECK(conv_transpose2d(x, w, Tensor(), 2, 1).value() == shaped(Array{{1000, 200}, {30, 4}}, {1, 1, 2, 2}));
        CHECK(conv_transpose2d(x, w, Tensor(), 2, 1, 1).value() ==
              shaped(Array{{1000, 200, 2000}, {30, 4, 40}, {3000, 400, 4000}}, {1, 1, 3, 3}));
    }
}

TEST_CASE("conv_transpose2d is the input gradient of conv2d") {
    SUBCASE("on the odd shapes, with the output_padding that gives back conv2d's input size") {
        std::uint64_t seed = 200;
        for (const Case& c : cases) {
            CAPTURE(describe(c));
            Tensor x(randn({c.N, c.C, c.H, c.W}, seed++).value(), true);
            const Tensor w = randn({c.O, c.C, c.kernel.h, c.kernel.w}, seed++);
            Tensor y = conv2d(x, w, Tensor(), c.stride, c.padding, c.dilation);
            const Tensor g = randn(y.shape(), seed++);
            backward(y, g.value());
            // conv2d's weight (O, C, kh, kw) read as a transposed convolution's (C_in = O, C_out = C).
            const Tensor t = conv_transpose2d(g, w, Tensor(), c.stride, c.padding, leftover(c), c.dilation);
            CHECK(t.shape() == x.shape());
            CHECK(all_close(t.value(), x.grad(), 1e-5f));

            // And the other way: the input gradient of conv_transpose2d is conv2d.
            Tensor u(g.value(), true);
            Tensor v = conv_transpose2d(u, w, Tensor(), c.stride, c.padding, leftover(c), c.dilation);
            const Tensor h = randn(v.shape(), seed++);
            backward(v, h.value());
            CHECK(all_close(u.grad(), conv2d(h, w, Tensor(), c.stride, c.padding, c.dilation).value(), 1e-5f));
        }
    }
    SUBCASE("output_padding at least the stride (allowed when below the dilation)") {
        // Stride 1, dilation 2, output_padding 1: OH = (3 − 1) + 2·2 + 1 + 1 = 8, and the
        // conv2d over an 8-row image has 4 output rows, one more than x: the input
        // gradient of that conv2d with x padded by a row and a column of zeros.
        const Tensor x = randn({2, 3, 3, 4}, 300), w = randn({3, 2, 3, 2}, 301);
        const Tensor t = conv_transpose2d(x, w, Tensor(), 1, 0, 1, 2);
        REQUIRE(t.shape() == Shape{2, 2, 8, 7});
        Tensor image(Array::from_shape({2, 2, 8, 7}), true);
        image.mutable_value().fill(0.0f);
        Tensor y = conv2d(image, w, Tensor(), 1, 0, 2);  // w read as conv2d's (O, C) = (3, 2)
        REQUIRE(y.shape() == Shape{2, 3, 4, 5});
        Array g = Array::from_shape(y.shape());
        g.fill(0.0f);
        for (std::size_t n = 0; n < 2; ++n)
            for (std::size_t c = 0; c < 3; ++c)
                for (std::size_t i = 0; i < 3; ++i)
                    for (std::size_t j = 0; j < 4; ++j) g(n, c, i, j) = x.value()(n, c, i, j);
        backward(y, g);
        CHECK(all_close(t.value(), image.grad(), 1e-5f));
    }
}

TEST_CASE("conv_transpose2d gradients") {
    SUBCASE("gradcheck w.r.t. x, w and b: stride (2, 3), padding (1, 0), output_padding (1, 2)") {
        Fn f = [](const std::vector<Tensor>& t) {
            return conv_transpose2d(t[0], t[1], t[2], {2, 3}, {1, 0}, {1, 2});
        };
        CHECK_GRADCHECK(f, {randn({2, 3, 3, 4}, 1), randn({3, 2, 3, 2}, 2), randn({2}, 3)});
    }
    SUBCASE("gradcheck without a bias, N = C = O = 1, dilation 2") {
        Fn f = [](const std::vector<Tensor>& t) { return conv_transpose2d(t[0], t[1], Tensor(), 2, 1, 0, 2); };
        CHECK_GRADCHECK(f, {randn({1, 1, 4, 3}, 4), randn({1, 1, 2, 3}, 5)});
    }
    SUBCASE("gradcheck with output_padding at least the stride") {
        Fn f = [](const std::vector<Tensor>& t) { return conv_transpose2d(t[0], t[1], t[2], 1, {1, 0}, 1, 2); };
        CHECK_GRADCHECK(f, {randn({2, 2, 3, 4}, 6), randn({2, 3, 2, 2}, 7), randn({3}, 8)});
    }
}

TEST_CASE("conv2d errors") {
    const Tensor x(Array::from_shape({2, 3, 8, 8})), w(Array::from_shape({4, 3, 3, 3}));
    CHECK_THROWS_WITH_AS(conv2d(Tensor(Array::from_shape({2, 3, 8})), w),
                         "conv2d: input (2, 3, 8) must be 4-D (N, C, H, W)", ShapeError);
    CHECK_THROWS_WITH_AS(conv2d(x, Tensor(Array::from_shape({4, 3, 3}))),
                         "conv2d: weight (4, 3, 3) must be 4-D (O, C, kh, kw)", ShapeError);
    CHECK_THROWS_WITH_AS(conv2d(x, Tensor(Array::from_shape({4, 2, 3, 3}))),
                         "conv2d: input (2, 3, 8, 8) has 3 channels, weight (4, 2, 3, 3) expects 2", ShapeError);
    CHECK_THROWS_WITH_AS(conv2d(Tensor(Array::from_shape({2, 3, 0, 8})), w),
                         "conv2d: input (2, 3, 0, 8) has an empty image (0, 8)", ShapeError);
    CHECK_THROWS_WITH_AS(conv2d(x, Tensor(Array::from_shape({4, 3, 3, 0}))),
                         "conv2d: weight (4, 3, 3, 0) has an empty kernel (3, 0)", ShapeError);
    CHECK_THROWS_WITH_AS(conv2d(x, w, Tensor(), {0, 1}), "conv2d: stride (0, 1) must be positive",
                         std::invalid_argument);
    CHECK_THROWS_WITH_AS(conv2d(x, w, Tensor(), 1, 0, {1, 0}), "conv2d: dilation (1, 0) must be positive",
                         std::invalid_argument);
    CHECK_THROWS_WITH_AS(conv2d(Tensor(Array::from_shape({1, 3, 4, 4})), w, Tensor(), 1, 0, 2),
                         "conv2d: kernel (3, 3) dilated by (2, 2) spans (5, 5), larger than the padded input "
                         "(4, 4) (input (1, 3, 4, 4), padding (0, 0))",
                         ShapeError);
    CHECK_THROWS_WITH_AS(conv2d(Tensor(Array::from_shape({1, 3, 1, 2})), w, Tensor(), 1, {1, 0}),
                         "conv2d: kernel (3, 3) dilated by (1, 1) spans (3, 3), larger than the padded input "
                         "(3, 2) (input (1, 3, 1, 2), padding (1, 0))",
                         ShapeError);
    CHECK_THROWS_WITH_AS(conv2d(x, w, Tensor(Array::from_shape({3}))),
                         "conv2d: bias (3,) does not fit weight (4, 3, 3, 3): expected (4,)", ShapeError);
    // The reference checks the same way, with the same messages.
    CHECK_THROWS_WITH_AS(conv2d_reference(x.value(), Array::from_shape({4, 2, 3, 3}), Array()),
                         "conv2d: input (2, 3, 8, 8) has 3 channels, weight (4, 2, 3, 3) expects 2", ShapeError);
    CHECK_THROWS_WITH_AS(conv2d_reference(x.value(), w.value(), Array::from_shape({4, 1})),
                         "conv2d: bias (4, 1) does not fit weight (4, 3, 3, 3): expected (4,)", ShapeError);
}

TEST_CASE("conv_transpose2d errors") {
    const Tensor x(Array::from_shape({2, 3, 8, 8})), w(Array::from_shape({3, 4, 3, 3}));
    CHECK_THROWS_WITH_AS(conv_transpose2d(Tensor(Array::from_shape({3, 8, 8})), w),
                         "conv_transpose2d: input (3, 8, 8) must be 4-D (N, C, H, W)", ShapeError);
    CHECK_THROWS_WITH_AS(conv_transpose2d(x, Tensor(Array::from_shape({3, 4, 3, 3, 1}))),
                         "conv_transpose2d: weight (3, 4, 3, 3, 1) must be 4-D (C, O, kh, kw)", ShapeError);
    CHECK_THROWS_WITH_AS(conv_transpose2d(x, Tensor(Array::from_shape({2, 4, 3, 3}))),
                         "conv_transpose2d: input (2, 3, 8, 8) has 3 channels, weight (2, 4, 3, 3) expects 2",
                         ShapeError);
    CHECK_THROWS_WITH_AS(conv_transpose2d(Tensor(Array::from_shape({2, 3, 8, 0})), w),
                         "conv_transpose2d: input (2, 3, 8, 0) has an empty image (8, 0)", ShapeError);
    CHECK_THROWS_WITH_AS(conv_transpose2d(x, Tensor(Array::from_shape({3, 4, 0, 3}))),
                         "conv_transpose2d: weight (3, 4, 0, 3) has an empty kernel (0, 3)", ShapeError);
    CHECK_THROWS_WITH_AS(conv_transpose2d(x, w, Tensor(), 0), "conv_transpose2d: stride (0, 0) must be positive",
                         std::invalid_argument);
    CHECK_THROWS_WITH_AS(conv_transpose2d(x, w, Tensor(), 1, 0, 0, {0, 2}),
                         "conv_transpose2d: dilation (0, 2) must be positive", std::invalid_argument);
    CHECK_THROWS_WITH_AS(conv_transpose2d(x, w, Tensor(), 2, 0, {2, 0}),
                         "conv_transpose2d: output_padding (2, 0) must be smaller than stride (2, 2) or dilation "
                         "(1, 1) on each axis",
                         std::invalid_argument);
    CHECK_THROWS_WITH_AS(conv_transpose2d(x, w, Tensor(), {1, 3}, 0, {0, 3}, {1, 3}),
                         "conv_transpose2d: output_padding (0, 3) must be smaller than stride (1, 3) or dilation "
                         "(1, 3) on each axis",
                         std::invalid_argument);
    CHECK_THROWS_WITH_AS(conv_transpose2d(Tensor(Array::from_shape({1, 3, 2, 2})), w, Tensor(), 1, {3, 1}),
                         "conv_transpose2d: input (1, 3, 2, 2) with kernel (3, 3), stride (1, 1), padding (3, 1), "
                         "dilation (1, 1) and output_padding (0, 0) gives no output: (-2, 2)",
                         ShapeError);
    CHECK_THROWS_WITH_AS(conv_transpose2d(x, w, Tensor(Array::from_shape({3}))),
                         "conv_transpose2d: bias (3,) does not fit weight (3, 4, 3, 3): expected (4,)", ShapeError);
}
