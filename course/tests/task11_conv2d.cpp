// Task 11: conv2d through im2col, and its backward via col2im (docs/course.md#task-11).
// col2im by hand and as im2col's adjoint; conv2d's values against conv2d_reference
// (the formula spelled out in loops); its gradients by hand and by gradient checks.
#include "course_check.hpp"

#include <algorithm>

#include "autodiff/kernels.hpp"

using namespace xgrad;
using xgrad::course::close;
using xgrad::course::normal;
using xgrad::kernels::Window2d;

namespace {

using Fn = std::function<Tensor(const std::vector<Tensor>&)>;

Array shaped(Array values, const Shape& shape) {
    values.reshape(shape);
    return values;
}

double dot(const Array& a, const Array& b) {
    double s = 0.0;
    for (std::size_t i = 0; i < a.size(); ++i) s += static_cast<double>(a.data()[i]) * b.data()[i];
    return s;
}

Array filled(const Shape& shape, float v) {
    Array a = Array::from_shape(shape);
    std::fill(a.begin(), a.end(), v);
    return a;
}

}  // namespace

TEST_SUITE("task11") {

TEST_CASE("col2im by hand: a pixel in k windows receives k entries") {
    // A 3x3 image, 2x2 windows, stride 1: 4 windows; the centre is in all 4, the corners in 1.
    const Window2d win{1, 3, 3, 2, 1, 0, 1};
    const Array cols = filled({4, 4}, 1.0f);
    Array x = filled({1, 3, 3}, 0.0f);
    COURSE_CHECK("col2im: all-ones columns of 2x2 windows on a 3x3 image must give each pixel the number of windows "
                 "it sits in, [[1, 2, 1], [2, 4, 2], [1, 2, 1]]",
                 (xgrad::kernels::col2im(cols.data(), win, x.data()),
                  x == shaped(Array{1.f, 2.f, 1.f, 2.f, 4.f, 2.f, 1.f, 2.f, 1.f}, {1, 3, 3})));
    Array y = filled({1, 3, 3}, 10.0f);
    COURSE_CHECK("col2im: adds into x, it does not overwrite it (dx of several images and taps are summed)",
                 (xgrad::kernels::col2im(cols.data(), win, y.data()),
                  y == shaped(Array{11.f, 12.f, 11.f, 12.f, 14.f, 12.f, 11.f, 12.f, 11.f}, {1, 3, 3})));
}

TEST_CASE("col2im is im2col's adjoint") {
    // <im2col(x), c> = <x, col2im(c)> for every x and c: the definition of the adjoint.
    const Window2d windows[] = {
        {2, 5, 6, {3, 2}, 1, 0, 1},       // plain
        {3, 6, 5, 3, 2, 1, 1},            // stride 2, padding 1
        {1, 7, 7, {2, 3}, {1, 2}, 2, 2},  // dilation 2, padding 2
    };
    for (const Window2d& win : windows) {
        INFO("channels " << win.channels << ", image " << win.height << "x" << win.width << ", kernel "
                         << size2_str(win.kernel) << ", stride " << size2_str(win.stride) << ", padding "
                         << size2_str(win.padding) << ", dilation " << size2_str(win.dilation));
        const Array x = normal({win.channels, win.height, win.width}, 1).value();
        const Array c = normal({win.col_rows(), win.col_cols()}, 2).value();
        Array cols = Array::from_shape({win.col_rows(), win.col_cols()});
        xgrad::kernels::im2col(x.data(), win, cols.data());
        Array back = filled(x.shape(), 0.0f);
        COURSE_CHECK("col2im: <im2col(x), c> must equal <x, col2im(c)>: every entry of the columns goes back, added, "
                     "into the pixel im2col copied it from, and entries from the padding go nowhere",
                     (xgrad::kernels::col2im(c.data(), win, back.data()),
                      std::abs(dot(cols, c) - dot(x, back)) < 1e-4 * (1.0 + std::abs(dot(cols, c)))));
    }
}

TEST_CASE("conv2d forward agrees with the loops of conv2d_reference") {
    struct Case {
        Shape x, w;
        Size2 stride, padding, dilation;
        bool bias;
    };
    const Case cases[] = {
        {{2, 3, 7, 5}, {4, 3, 3, 2}, 1, 0, 1, true},              // plain
        {{2, 2, 8, 7}, {3, 2, 3, 3}, 2, 1, 1, false},             // stride 2, padding 1, no bias
        {{1, 1, 6, 9}, {1, 1, 2, 4}, {2, 3}, {1, 0}, 1, true},    // N = C = O = 1
        {{3, 2, 9, 7}, {2, 2, 3, 3}, 1, 2, 2, true},              // dilation 2
        {{3, 29, 4, 4}, {2, 29, 3, 3}, 1, 1, 1, true},            // C·kh·kw ≥ 256: images multiplied in groups
    };
    for (const Case& c : cases) {
        INFO("x " << shape_str(c.x) << ", weight " << shape_str(c.w) << ", stride " << size2_str(c.stride)
                  << ", padding " << size2_str(c.padding) << ", dilation " << size2_str(c.dilation)
                  << (c.bias ? ", with bias" : ", no bias"));
        const Tensor x = normal(c.x, 3), w = normal(c.w, 4), b = c.bias ? normal({c.w[0]}, 5) : Tensor();
        const Array want = conv2d_reference(x.value(), w.value(), c.bias ? b.value() : Array(), c.stride, c.padding,
                                            c.dilation);
        Tensor y;
        COURSE_CHECK("conv2d forward: the output has shape (N, O, OH, OW)",
                     (y = conv2d(x, w, b, c.stride, c.padding, c.dilation), y.shape() == want.shape()));
        COURSE_CHECK(std::string(c.bias ? "conv2d forward: with a bias, y_n = b + W · im2col(x_n): each output "
                                          "channel o starts at b[o], and the product is added to it"
                                        : "conv2d forward: y_n = W · im2col(x_n), W seen as (O, C·kh·kw): one "
                                          "matrix product per image, each image's columns its own"),
                     y.defined() && close(y.value(), want));
    }
}

TEST_CASE("conv2d backward by hand") {
    // x = ones (1, 1, 3, 3), w = ones (1, 1, 2, 2), g = ones (1, 1, 2, 2):
    //   dW[i, j] = Σ over the 4 windows of the pixel at tap (i, j) = 4
    //   dx = col2im(Wᵀ · g) = the number of windows each pixel sits in = [[1, 2, 1], [2, 4, 2], [1, 2, 1]]
    //   db = Σ g = 4
    Tensor x(filled({1, 1, 3, 3}, 1.0f), true), w(filled({1, 1, 2, 2}, 1.0f), true), b(Array{0.0f}, true);
    COURSE_CHECK("conv2d backward: running it on ones",
                 (backward(conv2d(x, w, b), filled({1, 1, 2, 2}, 1.0f)), x.has_grad() && w.has_grad()));
    if (w.has_grad())
        COURSE_CHECK("conv2d backward: dW = g_n · im2col(x_n)ᵀ: on all ones each of the 4 taps sees 4 pixels",
                     w.grad() == filled({1, 1, 2, 2}, 4.0f));
    if (x.has_grad())
        COURSE_CHECK("conv2d backward: dx_n = col2im(Wᵀ · g_n): on all ones each pixel gets one 1 per window it sits in",
                     x.grad() == shaped(Array{1.f, 2.f, 1.f, 2.f, 4.f, 2.f, 1.f, 2.f, 1.f}, {1, 1, 3, 3}));
}

TEST_CASE("conv2d gradient checks") {
    SUBCASE("x, w and b; stride (2, 1), padding (1, 0), dilation (1, 2)") {
        const Fn f = [](const std::vector<Tensor>& t) { return conv2d(t[0], t[1], t[2], {2, 1}, {1, 0}, {1, 2}); };
        COURSE_GRADCHECK("conv2d backward: the gradients of x (input 0), W (1) and b (2) differ from central "
                         "differences: dW sums g_n · im2col(x_n)ᵀ over every image, dx_n is col2im(Wᵀ · g_n)",
                         f, {normal({2, 3, 5, 4}, 1), normal({2, 3, 3, 2}, 2), normal({2}, 3)});
    }
    SUBCASE("three images, no bias, padding 2") {
        const Fn f = [](const std::vector<Tensor>& t) { return conv2d(t[0], t[1], Tensor(), 2, 2, 1); };
        COURSE_GRADCHECK("conv2d backward: with several images dW must add every image's product, and each image's "
                         "dx must start from zero before col2im adds into it",
                         f, {normal({3, 2, 6, 5}, 4), normal({3, 2, 3, 3}, 5)});
    }
    SUBCASE("a constant weight: only x needs a gradient") {
        const Tensor w = normal({2, 2, 3, 3}, 6);
        Tensor wc(w.value());  // no gradient
        const Fn f = [wc](const std::vector<Tensor>& t) { return conv2d(t[0], wc, Tensor(), 1, 1, 1); };
        COURSE_GRADCHECK("conv2d backward: with a weight that needs no gradient, dx must still be col2im(Wᵀ · g_n) "
                         "(the forward keeps no columns then)",
                         f, {normal({2, 2, 4, 5}, 7)});
    }
}

}  // TEST_SUITE
